//! The audit trail end to end (product §12), through the real binary on temporary vaults:
//! every line names the resolved keys it touched (and the reference as given, the alias), and
//! `audit verify` — against the key and anchor the vault holds — fails when lines are cut from
//! the end, the log is emptied or deleted, or a line is edited and its unkeyed hash recomputed;
//! lines after the anchor are counted; a log from before the upgrade verifies up to it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::{Command, Output};

use kms_console::core::clock::FixedClock;
use kms_console::core::vault::{Sources, Vault, new_vault_state};
use kms_console::core::vault_file::{NewProtection, VaultFile};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn vault(&self) -> PathBuf {
        self.dir.path().join("vault.json")
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("vault.json.audit.jsonl")
    }

    fn cmd(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_kms-console"));
        c.env("KMS_CONSOLE_VAULT", self.vault())
            .env("HOME", self.dir.path())
            .env_remove("KMS_CONSOLE_PASSPHRASE")
            .env_remove("KMS_CONSOLE_PRINCIPAL");
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    /// Runs with the passphrase of a sealed vault.
    fn sealed(&self, args: &[&str]) -> Output {
        self.cmd()
            .args(args)
            .env("KMS_CONSOLE_PASSPHRASE", "correct horse")
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> Value {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
    }

    /// Runs a call that must fail with `code`.
    fn fails(&self, args: &[&str], code: &str) {
        let out = self.run(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let doc: Value = serde_json::from_slice(&out.stderr).unwrap();
        assert_eq!(doc["Code"], code, "{args:?}");
    }

    fn key(&self) -> String {
        s(&self.ok(&["CreateKey"])["KeyMetadata"]["KeyId"])
    }

    fn lines(&self) -> Vec<Value> {
        std::fs::read_to_string(self.log_path())
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    fn raw_lines(&self) -> Vec<String> {
        std::fs::read_to_string(self.log_path())
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    fn write_lines(&self, lines: &[String]) {
        let mut text = lines.join("\n");
        if !lines.is_empty() {
            text.push('\n');
        }
        std::fs::write(self.log_path(), text).unwrap();
    }

    /// `audit verify`: its exit status and report.
    fn verify(&self) -> (bool, Value) {
        let out = self.run(&["audit", "verify"]);
        let report = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        (out.status.success(), report)
    }

    /// `audit verify` fails, and its report's first bad line says `why`.
    fn verify_fails(&self, why: &str) -> Value {
        let (ok, report) = self.verify();
        assert!(!ok, "{report:#}");
        let reason = s(&report["first_bad_line"][1]);
        assert!(reason.contains(why), "{reason}");
        report
    }
}

fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

/// The last line of `action`.
fn last<'a>(lines: &'a [Value], action: &str) -> &'a Value {
    lines
        .iter()
        .rev()
        .find(|l| l["action"] == action)
        .unwrap_or_else(|| panic!("no {action} line"))
}

const LIMITED: &str = r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":["kms:DescribeKey"],"Resource":["*"]}]}"#;

/// A vault with keys `a` and `b`, `alias/orders` → `a`, and a principal `limited` that may
/// only DescribeKey.
fn two_keys_and_an_alias() -> (Env, String, String) {
    let e = Env::new();
    e.ok(&["init", "--no-passphrase"]);
    let (a, b) = (e.key(), e.key());
    e.ok(&["CreateAlias", "--AliasName", "alias/orders", "--KeyId", &a]);
    e.ok(&["principal", "create", "limited", "--policy", LIMITED]);
    (e, a, b)
}

#[test]
fn every_change_and_lookup_names_the_resolved_key_on_success_and_on_failure() {
    let (e, a, _) = two_keys_and_an_alias();
    let by_alias = ["--KeyId", "alias/orders"];
    let calls: Vec<(&str, Vec<&str>)> = vec![
        ("DisableKey", vec![]),
        ("EnableKey", vec![]),
        ("ScheduleKeyDeletion", vec!["--PendingWindowInDays", "7"]),
        ("CancelKeyDeletion", vec![]),
        (
            "UpdateRotationPolicy",
            vec!["--EnableAutomaticRotation", "false"],
        ),
        ("UpdateKeyDescription", vec!["--Description", "orders"]),
        ("ListKeyVersions", vec![]),
        ("ListAliasesByKeyId", vec![]),
    ];
    for (action, extra) in &calls {
        let mut args = vec![*action];
        args.extend(by_alias);
        args.extend(extra);
        e.ok(&args);
        let lines = e.lines();
        let line = lines.last().unwrap();
        assert_eq!(line["action"], *action);
        assert_eq!(
            (s(&line["result"]), s(&line["key_id"]), s(&line["key_ref"])),
            ("Success".into(), a.clone(), "alias/orders".into()),
            "{line}"
        );
        // Refused: the resolved key and the reference as given, in their own fields.
        let mut refused = vec!["--as", "limited"];
        refused.extend(&args);
        e.fails(&refused, "Forbidden.NoPermission");
        let lines = e.lines();
        let line = lines.last().unwrap();
        assert_eq!(
            (s(&line["action"]), s(&line["principal"])),
            ((*action).to_owned(), "limited".into())
        );
        assert_eq!(
            (s(&line["key_id"]), s(&line["key_ref"])),
            (a.clone(), "alias/orders".into()),
            "{line}"
        );
    }
    // A reference that resolves to nothing is kept as given, and no key is named.
    e.fails(
        &["DisableKey", "--KeyId", "alias/nothing"],
        "Forbidden.AliasNotFound",
    );
    let lines = e.lines();
    let line = lines.last().unwrap();
    assert_eq!(line["key_id"], Value::Null);
    assert_eq!(line["key_ref"], "alias/nothing");
    assert!(e.verify().0);
}

#[test]
fn alias_actions_name_the_alias_and_its_key_on_success_and_on_failure() {
    let (e, a, b) = two_keys_and_an_alias();
    // Alias actions name the alias and the key it points to; refused ones too.
    e.ok(&["UpdateAlias", "--AliasName", "alias/orders", "--KeyId", &b]);
    let refused = |args: &[&str], key: &str, alias: &str| {
        let mut all = vec!["--as", "limited"];
        all.extend(args);
        e.fails(&all, "Forbidden.NoPermission");
        let lines = e.lines();
        let line = lines.last().unwrap();
        assert_eq!(line["action"], args[0]);
        assert_eq!(
            (s(&line["key_id"]), s(&line["alias_name"])),
            (key.to_owned(), alias.to_owned()),
            "{line}"
        );
    };
    refused(
        &[
            "CreateAlias",
            "--AliasName",
            "alias/new",
            "--KeyId",
            "alias/orders",
        ],
        &b,
        "alias/new",
    );
    refused(
        &["UpdateAlias", "--AliasName", "alias/orders", "--KeyId", &a],
        &a,
        "alias/orders",
    );
    refused(
        &["DeleteAlias", "--AliasName", "alias/orders"],
        &b,
        "alias/orders",
    );
    e.ok(&["DeleteAlias", "--AliasName", "alias/orders"]);
    let lines = e.lines();
    for (action, key, alias) in [
        ("UpdateAlias", &b, "alias/orders"),
        ("DeleteAlias", &b, "alias/orders"),
    ] {
        let line = lines
            .iter()
            .rev()
            .find(|l| l["action"] == action && l["result"] == "Success")
            .unwrap();
        assert_eq!(
            (s(&line["key_id"]), s(&line["alias_name"])),
            (key.clone(), alias.to_owned()),
            "{line}"
        );
    }
    let first_alias = lines.iter().find(|l| l["action"] == "CreateAlias").unwrap();
    assert_eq!(
        (s(&first_alias["key_id"]), s(&first_alias["alias_name"])),
        (a.clone(), "alias/orders".into())
    );
    assert!(e.verify().0);
}

#[test]
fn re_encrypt_names_its_source_and_destination_and_versions() {
    let e = Env::new();
    e.ok(&["init", "--no-passphrase"]);
    let (a, b) = (e.key(), e.key());
    e.ok(&["CreateAlias", "--AliasName", "alias/b", "--KeyId", &b]);
    let a_version = s(&e.ok(&["CreateKeyVersion", "--KeyId", &a])["KeyVersion"]["KeyVersionId"]);
    let lines = e.lines();
    let created = last(&lines, "CreateKeyVersion");
    assert_eq!(
        (s(&created["key_id"]), s(&created["key_version_id"])),
        (a.clone(), a_version.clone())
    );
    let blob = s(&e.ok(&["Encrypt", "--KeyId", &a, "--Plaintext", "aGk="])["CiphertextBlob"]);
    let moved = e.ok(&[
        "ReEncrypt",
        "--CiphertextBlob",
        &blob,
        "--DestinationKeyId",
        "alias/b",
    ]);
    let lines = e.lines();
    let line = last(&lines, "ReEncrypt");
    assert_eq!(
        (
            s(&line["source_key_id"]),
            s(&line["source_key_version_id"]),
            s(&line["key_id"]),
            s(&line["key_version_id"]),
            s(&line["key_ref"]),
        ),
        (
            a.clone(),
            a_version,
            b.clone(),
            s(&moved["KeyVersionId"]),
            "alias/b".to_owned()
        )
    );
    // A refused ReEncrypt still names the destination it resolved.
    e.ok(&["principal", "create", "limited", "--policy", LIMITED]);
    e.fails(
        &[
            "--as",
            "limited",
            "ReEncrypt",
            "--CiphertextBlob",
            &blob,
            "--DestinationKeyId",
            "alias/b",
        ],
        "Forbidden.NoPermission",
    );
    let lines = e.lines();
    let line = lines.last().unwrap();
    assert_eq!(
        (s(&line["key_id"]), s(&line["key_ref"])),
        (b, "alias/b".into())
    );
    // Encrypt by id names the version used; never the plaintext.
    let line = last(&lines, "Encrypt");
    assert_eq!(s(&line["key_id"]), a);
    assert!(line["key_version_id"].is_string());
    assert!(
        !std::fs::read_to_string(e.log_path())
            .unwrap()
            .contains("aGk=")
    );
}

/// A vault with changes, so that the anchor names the last line.
fn anchored_env() -> Env {
    let e = Env::new();
    e.ok(&["init", "--no-passphrase"]);
    for _ in 0..4 {
        e.key();
    }
    let (ok, report) = e.verify();
    assert!(ok, "{report:#}");
    assert_eq!(report["lines_checked"], 4);
    assert_eq!(report["anchor_seq"], 4);
    assert_eq!(report["after_anchor"], 0);
    e
}

#[test]
fn fail_lines_cut_from_the_end() {
    let e = anchored_env();
    let whole = e.raw_lines();
    e.write_lines(&whole[..3]);
    e.verify_fails("cut from the end");
    e.write_lines(&whole[..1]);
    e.verify_fails("cut from the end");
    e.write_lines(&whole);
    assert!(e.verify().0);
}

#[test]
fn fail_an_emptied_or_deleted_log() {
    let e = anchored_env();
    e.write_lines(&[]);
    e.verify_fails("the log is empty");
    std::fs::remove_file(e.log_path()).unwrap();
    e.verify_fails("the log is missing");
    // The next change does not move the anchor back over the damage.
    e.key();
    e.verify_fails("anchor");
}

#[test]
fn lines_after_the_anchor_are_counted_and_checked() {
    let e = anchored_env();
    let key = s(&e.lines()[0]["key_id"]);
    for _ in 0..3 {
        e.ok(&["Encrypt", "--KeyId", &key, "--Plaintext", "aGk="]);
    }
    let (ok, report) = e.verify();
    assert!(ok, "{report:#}");
    assert_eq!(report["lines_checked"], 7);
    assert_eq!(report["anchor_seq"], 4);
    assert_eq!(report["after_anchor"], 3);
    let notes = report["notes"].to_string();
    assert!(
        notes.contains("3 lines after the anchor (appended since the last vault write)"),
        "{notes}"
    );
    // They are checked like the rest.
    let mut lines = e.raw_lines();
    lines[5] = lines[5].replacen("\"Success\"", "\"Forbidden.NoPermission\"", 1);
    e.write_lines(&lines);
    e.verify_fails("its MAC does not match");
    // The next vault write anchors them.
    lines[5] = e.raw_lines()[5].replacen("\"Forbidden.NoPermission\"", "\"Success\"", 1);
    e.write_lines(&lines);
    e.key();
    let (ok, report) = e.verify();
    assert!(ok, "{report:#}");
    assert_eq!(
        (report["anchor_seq"].clone(), report["after_anchor"].clone()),
        (json!(8), json!(0))
    );
}

/// SHA-256 of a line body closed with `}`: the unkeyed chain of older versions.
fn sha256_hex(body: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(body.as_bytes());
    hash.update(b"}");
    hash.finalize().iter().fold(String::new(), |mut hex, b| {
        use std::fmt::Write;
        let _ = write!(hex, "{b:02x}");
        hex
    })
}

/// Rewrites `line` in the old unkeyed form, chained to `prev`: what anyone could do before.
fn unkeyed(line: &str, prev: &str) -> String {
    let mut v: serde_json::Map<String, Value> = serde_json::from_str(line).unwrap();
    v.remove("mac");
    v.remove("hash");
    v.insert("prev".into(), json!(prev));
    let body = serde_json::to_string(&v).unwrap();
    let body = &body[..body.len() - 1];
    format!("{body},\"hash\":\"{}\"}}", sha256_hex(body))
}

#[test]
fn fail_an_edited_line_with_its_unkeyed_hash_recomputed() {
    let e = anchored_env();
    let lines = e.raw_lines();
    // The old attack: edit line 2, recompute every hash from there on in the unkeyed form.
    let mut forged = lines[..1].to_vec();
    let mut prev = s(&serde_json::from_str::<Value>(&lines[0]).unwrap()["mac"]);
    for line in &lines[1..] {
        let edited = line.replacen("\"admin\"", "\"mallory\"", 1);
        let rewritten = unkeyed(&edited, &prev);
        prev = s(&serde_json::from_str::<Value>(&rewritten).unwrap()["hash"]);
        forged.push(rewritten);
    }
    e.write_lines(&forged);
    e.verify_fails("unkeyed");
    // The same hash put where the MAC goes does not pass either.
    let mut edited = lines.clone();
    let mut v: serde_json::Map<String, Value> = serde_json::from_str(&lines[1]).unwrap();
    v.insert("principal".into(), json!("mallory"));
    v.remove("mac");
    let body = serde_json::to_string(&v).unwrap();
    let body = &body[..body.len() - 1];
    edited[1] = format!("{body},\"mac\":\"{}\"}}", sha256_hex(body));
    e.write_lines(&edited);
    let report = e.verify_fails("MAC does not match");
    assert_eq!(report["first_bad_line"][0], 2);
}

#[test]
fn an_old_unkeyed_log_verifies_up_to_the_upgrade() {
    let e = Env::new();
    // A vault as an older version wrote it: no audit key, and an unkeyed log of three lines.
    let state = new_vault_state(&Sources::default()).unwrap();
    drop(VaultFile::create(&e.vault(), state, NewProtection::None).unwrap());
    let mut old = Vec::new();
    let mut prev = "0".repeat(64);
    for seq in 1..=3 {
        let body = format!(
            r#"{{"seq":{seq},"time":"2026-11-28T10:00:0{seq}Z","principal":"admin","action":"ListKeys","key_id":null,"key_version_id":null,"result":"Success","request_id":"r-{seq}","details":null,"prev":"{prev}""#
        );
        prev = sha256_hex(&body);
        old.push(format!("{body},\"hash\":\"{prev}\"}}"));
    }
    e.write_lines(&old);
    // Before any write, verify checks the unkeyed chain and says it has no anchor.
    let (ok, report) = e.verify();
    assert!(ok, "{report:#}");
    assert_eq!(report["anchor_seq"], Value::Null);
    // The first change makes the key; older lines stay as they were.
    let key = e.key();
    e.ok(&["DescribeKey", "--KeyId", &key]);
    let (ok, report) = e.verify();
    assert!(ok, "{report:#}");
    assert_eq!(report["legacy_lines"], 3);
    assert_eq!(report["legacy_until"], 3);
    assert_eq!(report["after_anchor"], 1);
    let notes = report["notes"].to_string();
    assert!(
        notes.contains("3 legacy lines, unkeyed, up to seq 3"),
        "{notes}"
    );
    assert_eq!(e.raw_lines()[..3], old[..]);
    assert!(e.raw_lines()[3].contains("\"mac\":\""));
    // Rewriting the unkeyed part (hashes recomputed) breaks the first keyed line's prev.
    let mut lines = e.raw_lines();
    let mut prev = "0".repeat(64);
    for line in lines.iter_mut().take(3) {
        *line = unkeyed(&line.replacen("ListKeys", "ListAliases", 1), &prev);
        prev = s(&serde_json::from_str::<Value>(line).unwrap()["hash"]);
    }
    e.write_lines(&lines);
    let report = e.verify_fails("prev does not match");
    assert_eq!(report["first_bad_line"][0], 4);
}

#[test]
fn maintenance_on_open_is_anchored_in_the_write_that_does_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.json");
    let clock = std::sync::Arc::new(FixedClock::new(1_800_000_000));
    let sources = Sources {
        clock: clock.clone(),
        ..Sources::default()
    };
    let state = new_vault_state(&sources).unwrap();
    let mut v = Vault::create(&path, state, NewProtection::None, sources.clone()).unwrap();
    let call = |v: &mut Vault, action: &str, params: &[(&str, &str)]| {
        let req = params
            .iter()
            .fold(kms_console::api::ApiRequest::new(action), |r, (n, v)| {
                r.with(n, *v)
            });
        kms_console::api::dispatch(v, "admin", &req).unwrap()
    };
    let id = call(&mut v, "CreateKey", &[]).fields["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_owned();
    call(
        &mut v,
        "ScheduleKeyDeletion",
        &[("KeyId", &id), ("PendingWindowInDays", "7")],
    );
    drop(v);
    clock.advance(8 * 86_400);
    let (v, events) = Vault::open(&path, None, sources).unwrap();
    assert_eq!(events.len(), 1);
    let log = v.audit_log().unwrap();
    let entries = log.read().unwrap();
    let deleted = entries.last().unwrap();
    assert_eq!(
        (
            deleted.record.action.as_str(),
            deleted.record.key_id.as_deref()
        ),
        ("DeleteKey", Some(id.as_str()))
    );
    let anchor = v.state().audit_anchor().unwrap();
    assert_eq!(anchor.head_seq, deleted.seq);
    assert_eq!(anchor.head_mac.as_deref(), Some(deleted.chain()));
    let report = log.verify(Some(anchor)).unwrap();
    assert!(report.ok && report.after_anchor == 0, "{report:?}");
}

#[test]
fn a_change_whose_vault_write_fails_is_audited_as_the_failure_only() {
    let e = anchored_env();
    let key = s(&e.lines()[0]["key_id"]);
    // A folder where the vault's temporary file goes makes the write fail (even as root).
    let blocker = e.dir.path().join("vault.json.tmp");
    std::fs::create_dir(&blocker).unwrap();
    e.fails(&["DisableKey", "--KeyId", &key], "InternalFailure");
    std::fs::remove_dir(&blocker).unwrap();
    let lines = e.lines();
    let disables: Vec<&Value> = lines
        .iter()
        .filter(|l| l["action"] == "DisableKey")
        .collect();
    assert_eq!(disables.len(), 1, "no Success line for a change not saved");
    assert_eq!(disables[0]["result"], "InternalFailure");
    assert_eq!(s(&disables[0]["key_id"]), key);
    // The anchor did not move: the failure's line lies after it, and everything verifies.
    let (ok, report) = e.verify();
    assert!(ok, "{report:#}");
    assert_eq!(
        (report["anchor_seq"].clone(), report["after_anchor"].clone()),
        (json!(4), json!(1))
    );
    let state = e.ok(&["DescribeKey", "--KeyId", &key]);
    assert_eq!(state["KeyMetadata"]["KeyState"], "Enabled");
}

#[test]
fn a_sealed_vault_keeps_its_audit_key_sealed_and_verify_asks_for_the_passphrase() {
    let e = Env::new();
    assert!(e.sealed(&["init", "--insecure-test-kdf"]).status.success());
    assert!(e.sealed(&["CreateKey"]).status.success());
    let vault = std::fs::read_to_string(e.vault()).unwrap();
    assert!(!vault.contains("HeadMac") && !vault.contains("KeyedFrom"));
    let without = e.run(&["audit", "verify"]);
    assert_eq!(without.status.code(), Some(1));
    assert!(without.stdout.is_empty());
    assert!(String::from_utf8_lossy(&without.stderr).contains("KMS_CONSOLE_PASSPHRASE"));
    let with = e.sealed(&["audit", "verify"]);
    assert!(
        with.status.success(),
        "{}",
        String::from_utf8_lossy(&with.stderr)
    );
    let report: Value = serde_json::from_slice(&with.stdout).unwrap();
    assert_eq!(
        (report["anchor_seq"].clone(), report["after_anchor"].clone()),
        (json!(1), json!(0))
    );
    // Verify reads the vault and changes nothing.
    assert_eq!(std::fs::read_to_string(e.vault()).unwrap(), vault);
}

#[test]
fn verify_while_other_processes_write_never_mistakes_a_change_in_flight_for_a_cut() {
    let e = anchored_env();
    let key = s(&e.lines()[0]["key_id"]);
    let done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        let writers: Vec<_> = (0..2)
            .map(|w| {
                let (e, key) = (&e, &key);
                scope.spawn(move || {
                    for n in 0..15 {
                        let description = format!("w{w}-{n}");
                        e.ok(&[
                            "UpdateKeyDescription",
                            "--KeyId",
                            key,
                            "--Description",
                            &description,
                        ]);
                        e.ok(&["DescribeKey", "--KeyId", key]);
                    }
                })
            })
            .collect();
        let verifier = scope.spawn(|| {
            let mut runs = 0;
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                let (ok, report) = e.verify();
                assert!(ok, "{report:#}");
                runs += 1;
            }
            runs
        });
        for w in writers {
            w.join().unwrap();
        }
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        assert!(verifier.join().unwrap() > 0);
    });
    let (ok, report) = e.verify();
    assert!(ok, "{report:#}");
    assert_eq!(report["lines_checked"], 4 + 2 * 15 * 2);
}
