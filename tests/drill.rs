//! The drill engine (product §11) through the library: 10,000 mixed lines (three versions of one
//! key, a second key, contexts, corrupt and empty lines) come out in order, each result
//! decrypting to its input's plaintext and the bad lines listed by number; a second drill
//! changes nothing; dry runs and cancelled drills write nothing; permissions and refusals.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use kms_console::core::context::EncryptionContext;
use kms_console::core::drill::{self, DrillControl, DrillError, DrillJob, DrillOptions};
use kms_console::core::error::KmsError;
use kms_console::core::ops::{principals, symmetric};
use kms_console::core::policy::PolicyDocument;
use kms_console::core::secret::SecretString;
use kms_console::core::vault::Vault;
use proptest::prelude::*;
use serde_json::{Value, json};

/// What a line should become.
#[derive(Debug, Clone)]
enum Expect {
    /// Decrypts (with `context`, the destination context) to `plaintext`; `current` lines are
    /// kept byte for byte.
    Good {
        plaintext: String,
        context: String,
        version: String,
        current: bool,
    },
    Bad {
        code: &'static str,
        version: Option<String>,
    },
    Empty,
}

struct Fixture {
    vault: Vault,
    a: String,
    input: String,
    expect: Vec<Expect>,
}

fn encrypt(v: &Vault, key: &str, plaintext: &str, context: &str) -> (String, String) {
    let ctx = EncryptionContext::parse("EncryptionContext", context).unwrap();
    let r = symmetric::encrypt(
        v.state(),
        &v.ctx("admin"),
        key,
        &SecretString::from(plaintext),
        &ctx,
        false,
    )
    .unwrap();
    (r.ciphertext_blob, r.key_version_id)
}

/// `n` lines in a fixed mix of 20 kinds: key A under versions 1, 2 and 3 (the primary), key B,
/// bare and JSON lines, contexts, destination contexts, blank and corrupt lines.
fn fixture(n: usize) -> Fixture {
    let (mut vault, _clock) = common::memory_vault();
    let a = common::create_key(&mut vault, "Aliyun_AES_256");
    let b = common::create_key(&mut vault, "Aliyun_AES_256");
    let mut lines = vec![String::new(); n];
    let mut expect = vec![Expect::Empty; n];
    // Phase p makes the lines that need key A's version p+1 (B's lines in phase 0).
    for phase in 0..3 {
        if phase > 0 {
            common::ok(&mut vault, "CreateKeyVersion", &[("KeyId", &a)]);
        }
        for i in (0..n).filter(|i| phase_of(i % 20) == Some(phase)) {
            (lines[i], expect[i]) = make_line(&vault, i, &a, &b);
        }
    }
    for i in (0..n).filter(|i| phase_of(i % 20).is_none()) {
        (lines[i], expect[i]) = make_line(&vault, i, &a, &b);
    }
    let mut input = lines.join("\n");
    input.push('\n');
    Fixture {
        vault,
        a,
        input,
        expect,
    }
}

/// Which of key A's versions (0-based) a kind is made under; `None` for kinds made at the end.
fn phase_of(kind: usize) -> Option<usize> {
    match kind {
        0..=3 | 9..=12 | 17..=19 => Some(0),
        4..=6 | 15 => Some(1),
        7 | 8 | 13 | 14 => Some(2),
        _ => None,
    }
}

fn make_line(v: &Vault, i: usize, a: &str, b: &str) -> (String, Expect) {
    let pt = format!("plaintext-{i}");
    let ctx = json!({"app": "orders", "n": i.to_string()}).to_string();
    let good = |(_, version): (String, String), context: &str, current: bool, line: String| {
        (
            line,
            Expect::Good {
                plaintext: pt.clone(),
                context: context.to_owned(),
                version,
                current,
            },
        )
    };
    match i % 20 {
        0..=8 | 18 => {
            let made = encrypt(v, a, &pt, "");
            let line = made.0.clone();
            good(made, "", i % 20 == 7 || i % 20 == 8, line)
        }
        9 | 10 => {
            let made = encrypt(v, b, &pt, "");
            let line = made.0.clone();
            good(made, "", false, line)
        }
        11 | 13 => {
            let made = encrypt(v, a, &pt, &ctx);
            let line = json!({"CiphertextBlob": made.0, "EncryptionContext": serde_json::from_str::<Value>(&ctx).unwrap()});
            good(made, &ctx, i % 20 == 13, line.to_string())
        }
        12 | 14 => {
            let key = if i % 20 == 12 { b } else { a };
            let made = encrypt(v, key, &pt, &ctx);
            let moved = r#"{"app":"moved"}"#;
            let line = json!({"Id": i, "CiphertextBlob": made.0, "EncryptionContext": serde_json::from_str::<Value>(&ctx).unwrap(), "DestinationEncryptionContext": {"app": "moved"}});
            good(made, moved, false, line.to_string())
        }
        15 => {
            let made = encrypt(v, a, &pt, &ctx);
            let line = json!({"Id": i, "EncryptionContext": ctx, "CiphertextBlob": made.0});
            good(made, &ctx, false, line.to_string())
        }
        16 => (
            if i % 40 == 16 {
                String::new()
            } else {
                "   ".into()
            },
            Expect::Empty,
        ),
        17 => corrupt_line(v, i, a, &pt),
        _ => {
            let made = encrypt(v, b, &pt, "");
            let line = json!({"CiphertextBlob": made.0}).to_string();
            good(made, "", false, line)
        }
    }
}

fn corrupt_line(v: &Vault, i: usize, a: &str, pt: &str) -> (String, Expect) {
    let bad = |code, version: Option<&str>| Expect::Bad {
        code,
        version: version.map(str::to_owned),
    };
    match (i / 20) % 5 {
        0 => ("garbage!!".into(), bad("InvalidParameter", None)),
        1 => {
            // Whole base64 quanta cut off the end: the header still names the version.
            let (blob, version) = encrypt(v, a, pt, "");
            let cut = blob[..blob.len() - 8].to_owned();
            (cut, bad("InvalidParameter", Some(&version)))
        }
        2 => {
            let (blob, version) = encrypt(v, a, pt, r#"{"k":"right"}"#);
            let line = json!({"CiphertextBlob": blob, "EncryptionContext": {"k": "wrong"}});
            (line.to_string(), bad("InvalidParameter", Some(&version)))
        }
        3 => (
            r#"{"EncryptionContext":{"k":"v"}}"#.into(),
            bad("MissingParameter", None),
        ),
        _ => ("{not json".into(), bad("InvalidParameter", None)),
    }
}

fn options(dest: &str, threads: usize) -> DrillOptions {
    let mut o = DrillOptions::new(dest);
    o.threads = threads;
    o
}

fn run_drill(v: &Vault, input: &[u8], opts: &DrillOptions) -> (Vec<u8>, drill::DrillReport) {
    let mut out = Vec::new();
    let control = DrillControl::new();
    let report = drill::run(
        v.state(),
        &v.ctx("admin"),
        input,
        &mut out,
        opts,
        &control,
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(control.progress().lines_done, report.totals.lines);
    (out, report)
}

/// The blob and context of an output line.
fn blob_and_context(line: &str) -> (String, String) {
    if line.starts_with('{') {
        let doc: Value = serde_json::from_str(line).unwrap();
        assert!(doc.get("DestinationEncryptionContext").is_none(), "{line}");
        let ctx = match &doc["EncryptionContext"] {
            Value::Null => String::new(),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        (common::s(&doc["CiphertextBlob"]), ctx)
    } else {
        (line.to_owned(), String::new())
    }
}

#[test]
fn ten_thousand_mixed_lines_come_out_in_order_and_decrypt() {
    let f = fixture(10_000);
    let (out, report) = run_drill(&f.vault, f.input.as_bytes(), &options(&f.a, 2));
    let out = String::from_utf8(out).unwrap();
    let (ins, outs): (Vec<&str>, Vec<&str>) = (f.input.lines().collect(), out.lines().collect());
    assert_eq!(outs.len(), ins.len());
    let state = f.vault.state();
    let primary = state.key(&f.a).unwrap().primary_version_id().to_owned();
    let mut want_failures = Vec::new();
    let mut counts: BTreeMap<String, [u64; 2]> = BTreeMap::new();
    for (n, e) in f.expect.iter().enumerate() {
        let (input, output) = (ins[n], outs[n]);
        match e {
            Expect::Good {
                plaintext,
                context,
                version,
                current,
            } => {
                counts.entry(version.clone()).or_default()[0] += 1;
                counts.entry(primary.clone()).or_default()[1] += 1;
                if *current {
                    assert_eq!(output, input, "line {}", n + 1);
                    continue;
                }
                assert_ne!(output, input, "line {}", n + 1);
                let (blob, ctx) = blob_and_context(output);
                assert_eq!(&ctx, context, "line {}", n + 1);
                let ctx = EncryptionContext::parse("EncryptionContext", context).unwrap();
                let d = symmetric::decrypt(state, &f.vault.ctx("admin"), &blob, &ctx, false)
                    .unwrap_or_else(|e| panic!("line {}: {e}", n + 1));
                assert_eq!(d.key_version_id, primary);
                assert_eq!(
                    serde_json::to_value(&d.plaintext).unwrap(),
                    json!(plaintext)
                );
            }
            Expect::Bad { code, version } => {
                assert_eq!(output, input, "a failed line is kept");
                want_failures.push((n as u64 + 1, (*code).to_owned()));
                if let Some(v) = version {
                    let c = counts.entry(v.clone()).or_default();
                    c[0] += 1;
                    c[1] += 1;
                }
            }
            Expect::Empty => assert_eq!(output, input),
        }
    }
    let got: Vec<(u64, String)> = report
        .failures
        .iter()
        .map(|f| (f.line, f.code.clone()))
        .collect();
    assert_eq!(got, want_failures);
    assert_eq!(report.totals.lines, 10_000);
    assert_eq!(report.totals.failed, 500);
    assert_eq!(report.totals.empty, 500);
    assert_eq!(report.totals.already_current, 1_500);
    assert_eq!(report.totals.re_encrypted, 7_500);
    let table: BTreeMap<String, [u64; 2]> = report
        .versions
        .iter()
        .map(|r| (r.key_version_id.clone(), [r.before, r.after]))
        .collect();
    assert_eq!(table, counts);
    assert_eq!(report.destination_key_version_id, primary);
    assert_eq!(report.threads, 2);
    // Key A's versions first (if A sorts first), oldest first within a key.
    let a_rows: Vec<_> = report.versions.iter().filter(|r| r.key_id == f.a).collect();
    let a_versions: Vec<_> = state
        .key(&f.a)
        .unwrap()
        .versions
        .iter()
        .map(|v| &v.key_version_id)
        .collect();
    assert_eq!(
        a_rows.iter().map(|r| &r.key_version_id).collect::<Vec<_>>(),
        a_versions
    );
    // Nothing of a line's content reaches the report.
    let text = serde_json::to_string(&report).unwrap();
    assert!(!text.contains("plaintext-") && !text.contains("orders") && !text.contains("wrong"));
}

#[test]
fn a_second_drill_on_the_output_changes_nothing() {
    let f = fixture(600);
    let (first, _) = run_drill(&f.vault, f.input.as_bytes(), &options(&f.a, 2));
    let (second, report) = run_drill(&f.vault, &first, &options(&f.a, 1));
    assert_eq!(
        second, first,
        "the output is a valid input, and current lines are kept"
    );
    assert_eq!(report.totals.re_encrypted, 0);
    assert_eq!(report.totals.failed, 30);
    assert_eq!(report.totals.already_current, 600 - 30 - 30);
}

#[test]
fn one_thread_and_two_threads_give_the_same_lines_and_counts() {
    let f = fixture(1_000);
    let (_, one) = run_drill(&f.vault, f.input.as_bytes(), &options(&f.a, 1));
    let (_, two) = run_drill(&f.vault, f.input.as_bytes(), &options(&f.a, 2));
    assert_eq!(
        (one.totals, &one.versions, &one.failures),
        (two.totals, &two.versions, &two.failures)
    );
}

#[test]
fn a_bom_crlf_and_a_last_line_without_newline_are_kept() {
    let f = fixture(20);
    let current = f.input.lines().nth(7).unwrap();
    let input = format!("\u{feff}{current}\r\ngarbage\r\n\r\n{current}");
    let (out, report) = run_drill(&f.vault, input.as_bytes(), &options(&f.a, 2));
    assert_eq!(out, input.as_bytes());
    assert_eq!(
        (
            report.totals.already_current,
            report.totals.failed,
            report.totals.empty
        ),
        (2, 1, 1)
    );
}

#[test]
fn dry_run_checks_every_line_and_writes_nothing() {
    let f = fixture(400);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.txt");
    std::fs::write(&input, &f.input).unwrap();
    let output = dir.path().join("out.txt");
    let mut opts = options(&f.a, 2);
    let (_, real) = run_drill(&f.vault, f.input.as_bytes(), &opts);
    opts.dry_run = true;
    let report = drill::run_to_file(
        f.vault.state(),
        &f.vault.ctx("admin"),
        &input,
        Some(&output),
        false,
        &opts,
        &DrillControl::new(),
        &mut |_| {},
    )
    .unwrap();
    assert!(report.dry_run);
    assert_eq!(
        (report.totals, &report.versions, &report.failures),
        (real.totals, &real.versions, &real.failures)
    );
    assert_eq!(files_in(dir.path()), ["in.txt"]);
    assert_eq!(std::fs::read_to_string(&input).unwrap(), f.input);
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_cancelled_drill_leaves_no_output_file() {
    let f = fixture(20);
    let line = f.input.lines().next().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.txt");
    std::fs::write(&input, format!("{line}\n").repeat(20_000)).unwrap();
    let output = dir.path().join("out.txt");
    let run = |control: &DrillControl, cancel_after: u64| {
        drill::run_to_file(
            f.vault.state(),
            &f.vault.ctx("admin"),
            &input,
            Some(&output),
            false,
            &options(&f.a, 2),
            control,
            &mut |p| {
                if p.lines_done >= cancel_after {
                    control.cancel();
                }
            },
        )
    };
    // Cancelled by the watcher once the first batch is written …
    let control = DrillControl::new();
    assert_eq!(run(&control, 1), Err(DrillError::Cancelled));
    let progress = control.progress();
    assert!(
        progress.lines_done > 0 && progress.lines_done < 20_000,
        "{progress:?}"
    );
    assert_eq!(files_in(dir.path()), ["in.txt"]);
    // … or before it starts.
    let control = DrillControl::new();
    control.cancel();
    assert_eq!(run(&control, u64::MAX), Err(DrillError::Cancelled));
    assert_eq!(files_in(dir.path()), ["in.txt"]);
    // Not cancelled: the output is in place and no temporary file is left.
    let report = run(&DrillControl::new(), u64::MAX).unwrap();
    assert_eq!(report.totals.re_encrypted, 20_000);
    assert_eq!(files_in(dir.path()), ["in.txt", "out.txt"]);
}

#[test]
fn the_input_is_never_written_over() {
    let f = fixture(20);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.txt");
    std::fs::write(&input, &f.input).unwrap();
    let existing = dir.path().join("existing.txt");
    std::fs::write(&existing, "keep me").unwrap();
    let link = dir.path().join("link.txt");
    std::fs::hard_link(&input, &link).unwrap();
    let go = |output: &Path, force: bool| {
        drill::run_to_file(
            f.vault.state(),
            &f.vault.ctx("admin"),
            &input,
            Some(output),
            force,
            &options(&f.a, 1),
            &DrillControl::new(),
            &mut |_| {},
        )
    };
    let dotted = dir.path().join(".").join("in.txt");
    for (output, force) in [(&input, true), (&dotted, true), (&link, true)] {
        assert!(
            matches!(go(output, force), Err(DrillError::SameFile(_))),
            "{}",
            output.display()
        );
    }
    assert!(matches!(
        go(&existing, false),
        Err(DrillError::OutputExists(_))
    ));
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "keep me");
    go(&existing, true).unwrap();
    assert_ne!(std::fs::read_to_string(&existing).unwrap(), "keep me");
    assert_eq!(std::fs::read_to_string(&input).unwrap(), f.input);
}

fn add_principal(v: &mut Vault, name: &str, policy: &Value) {
    let doc = PolicyDocument::parse("policy", &policy.to_string()).unwrap();
    v.update(
        |s, c| principals::create_principal(s, c, name, vec![doc]),
        "admin",
    )
    .unwrap();
}

#[test]
fn permissions_are_those_of_reencrypt_and_decrypt_is_not_needed() {
    let mut f = fixture(40);
    let b_key = f.vault.state().keys()[1].key_id.clone();
    let b_arn = f.vault.state().key_arn(&b_key);
    add_principal(
        &mut f.vault,
        "operator",
        &json!({"Version": "1", "Statement": [
        {"Effect": "Allow", "Action": ["kms:ReEncrypt*"], "Resource": ["*"]},
        {"Effect": "Deny", "Action": ["kms:ReEncryptFrom"], "Resource": [b_arn]}]}),
    );
    add_principal(
        &mut f.vault,
        "reader",
        &json!({"Version": "1", "Statement": [
        {"Effect": "Allow", "Action": ["kms:ReEncryptFrom", "kms:Decrypt"], "Resource": ["*"]}]}),
    );
    let run_as = |who: &str| {
        drill::run(
            f.vault.state(),
            &f.vault.ctx(who),
            f.input.as_bytes(),
            std::io::sink(),
            &options(&f.a, 2),
            &DrillControl::new(),
            &mut |_| {},
        )
    };
    let report = run_as("operator").unwrap();
    // Kinds 9, 10, 12 and 19 are under key B: refused one by one, the rest done.
    let refused: Vec<u64> = report
        .failures
        .iter()
        .filter(|x| x.code == "Forbidden.NoPermission")
        .map(|x| x.line)
        .collect();
    assert_eq!(refused, [10, 11, 13, 20, 30, 31, 33, 40]);
    assert!(report.totals.re_encrypted > 0);
    match run_as("reader") {
        Err(DrillError::Kms(KmsError::NoPermission { action, .. })) => {
            assert_eq!(action, "kms:ReEncryptTo");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_unusable_destination_stops_the_drill_before_any_line() {
    let (mut v, _) = common::memory_vault();
    let rsa = common::create_key(&mut v, "RSA_2048");
    let off = common::create_key(&mut v, "Aliyun_AES_256");
    common::ok(&mut v, "DisableKey", &[("KeyId", &off)]);
    for (dest, code) in [
        ("alias/none", "Forbidden.AliasNotFound"),
        ("no-such-key", "Forbidden.KeyNotFound"),
        (rsa.as_str(), "IncorrectKeyUsage"),
        (off.as_str(), "Rejected.Disabled"),
    ] {
        let mut out = Vec::new();
        let err = drill::run(
            v.state(),
            &v.ctx("admin"),
            &b"x\n"[..],
            &mut out,
            &options(dest, 1),
            &DrillControl::new(),
            &mut |_| {},
        )
        .unwrap_err();
        assert_eq!(err.code(), code, "{dest}");
        assert!(out.is_empty());
    }
}

#[test]
fn a_line_over_one_mebibyte_stops_the_drill() {
    let f = fixture(20);
    let input = format!(
        "{}\n{}\n",
        f.input.lines().next().unwrap(),
        "A".repeat(drill::MAX_LINE_BYTES + 1)
    );
    let err = drill::run(
        f.vault.state(),
        &f.vault.ctx("admin"),
        input.as_bytes(),
        std::io::sink(),
        &options(&f.a, 1),
        &DrillControl::new(),
        &mut |_| {},
    )
    .unwrap_err();
    assert_eq!(err, DrillError::LineTooLong(2));
}

#[test]
fn a_rotating_job_moves_everything_to_the_new_version_and_keeps_the_failures_listed() {
    let mut f = fixture(200);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.txt");
    std::fs::write(&input, &f.input).unwrap();
    let job = DrillJob {
        input: input.clone(),
        output: Some(dir.path().join("out.txt")),
        force: false,
        rotate: true,
        options: options(&f.a, 2),
    };
    let outcome = drill::run_job(
        &mut f.vault,
        "admin",
        &job,
        &DrillControl::new(),
        &mut |_| {},
    );
    let report = outcome.result.clone().unwrap();
    let primary = f
        .vault
        .state()
        .key(&f.a)
        .unwrap()
        .primary_version_id()
        .to_owned();
    assert!(report.rotated);
    assert_eq!(f.vault.state().key(&f.a).unwrap().versions.len(), 4);
    assert_eq!(report.destination_key_version_id, primary);
    assert_eq!(report.totals.already_current, 0);
    assert_eq!(report.totals.re_encrypted, 200 - 10 - 10);
    let doc = outcome.document(&job).unwrap();
    assert_eq!(doc["RequestId"], json!(outcome.request_id));
    assert_eq!(doc["Totals"]["Failed"], json!(10));
    // A dry run cannot rotate.
    let mut job = job;
    job.options.dry_run = true;
    let outcome = drill::run_job(
        &mut f.vault,
        "admin",
        &job,
        &DrillControl::new(),
        &mut |_| {},
    );
    assert_eq!(outcome.result.unwrap_err().code(), "InvalidParameter");
    assert_eq!(f.vault.state().key(&f.a).unwrap().versions.len(), 4);
    // A rotating drill cancelled before it starts does not rotate.
    job.options.dry_run = false;
    job.force = true;
    let control = DrillControl::new();
    control.cancel();
    let outcome = drill::run_job(&mut f.vault, "admin", &job, &control, &mut |_| {});
    assert_eq!(outcome.result.unwrap_err(), DrillError::Cancelled);
    assert_eq!(f.vault.state().key(&f.a).unwrap().versions.len(), 4);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Lines that are not ciphertext never panic the drill and come out exactly as they went in.
    #[test]
    fn arbitrary_lines_are_kept_byte_for_byte(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        let (v, _) = common::memory_vault();
        let mut v = v;
        let key = common::create_key(&mut v, "Aliyun_AES_256");
        let (out, report) = run_drill(&v, &bytes, &options(&key, 2));
        prop_assert_eq!(out, bytes);
        prop_assert_eq!(report.totals.re_encrypted + report.totals.already_current, 0);
    }
}
