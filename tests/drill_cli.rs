//! `kms-console drill` end to end on temporary vaults: the report on stdout and in `--report`,
//! exit 0 / 1 / 2, outputs that decrypt through the binary, `--rotate`, `--dry-run`, the
//! refusals that protect the input and the vault, and the one audit entry per drill.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    /// A fresh unprotected vault.
    fn new() -> Self {
        let e = Self {
            dir: tempfile::tempdir().unwrap(),
        };
        e.ok(&["init", "--no-passphrase"]);
        e
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn arg(&self, name: &str) -> String {
        self.path(name).display().to_string()
    }

    /// The binary on this test's vault, with nothing of the caller's environment that could
    /// point it elsewhere.
    fn command(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_kms-console"));
        c.env("KMS_CONSOLE_VAULT", self.path("vault.json"))
            .env("HOME", self.dir.path())
            .env_remove("KMS_CONSOLE_PASSPHRASE")
            .env_remove("KMS_CONSOLE_PRINCIPAL");
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).output().unwrap()
    }

    fn ok(&self, args: &[&str]) -> Value {
        let out = self.run(args);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    }

    fn key(&self) -> String {
        s(&self.ok(&["CreateKey"])["KeyMetadata"]["KeyId"])
    }

    /// A data key under `key`: (blob, plaintext).
    fn data_key(&self, key: &str) -> (String, String) {
        let doc = self.ok(&["GenerateDataKey", "--KeyId", key]);
        (s(&doc["CiphertextBlob"]), s(&doc["Plaintext"]))
    }

    fn drill(&self, extra: &[&str]) -> Output {
        let input = self.arg("in.txt");
        let mut args = vec!["drill", "--input", &input];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    fn audit(&self) -> Vec<Value> {
        let out = self.run(&["audit", "list"]);
        text(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with("vault.json"))
        .collect();
    names.sort();
    names
}

#[test]
fn a_rotating_drill_moves_every_line_and_audits_once() {
    let e = Env::new();
    let a = e.key();
    let b = e.key();
    let old: Vec<(String, String)> = (0..3).map(|_| e.data_key(&a)).collect();
    e.ok(&["CreateKeyVersion", "--KeyId", &a]);
    let current = e.data_key(&a);
    let ctx = r#"{"tenant":"secret-tenant-name"}"#;
    let other = s(&e.ok(&[
        "Encrypt",
        "--KeyId",
        &b,
        "--Plaintext",
        "hello",
        "--EncryptionContext",
        ctx,
    ])["CiphertextBlob"]);
    let mut lines: Vec<String> = old.iter().map(|(blob, _)| blob.clone()).collect();
    lines.push(current.0.clone());
    lines.push(json!({"CiphertextBlob": other, "EncryptionContext": {"tenant": "secret-tenant-name"}, "Row": 7}).to_string());
    lines.push(String::new());
    std::fs::write(e.path("in.txt"), lines.join("\n") + "\n").unwrap();

    let (out_arg, rep_arg) = (e.arg("out.txt"), e.arg("report.json"));
    let out = e.drill(&[
        "--output",
        &out_arg,
        "--DestinationKeyId",
        &a,
        "--rotate",
        "--threads",
        "2",
        "--report",
        &rep_arg,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let file: Value =
        serde_json::from_str(&std::fs::read_to_string(e.path("report.json")).unwrap()).unwrap();
    assert_eq!(report, file);
    assert_eq!(report["Rotated"], json!(true));
    assert_eq!(
        report["Totals"],
        json!({"Lines": 6, "ReEncrypted": 5, "AlreadyCurrent": 0, "Failed": 0, "Empty": 1})
    );
    let primary = s(&report["DestinationKeyVersionId"]);
    let versions = e.ok(&["ListKeyVersions", "--KeyId", &a]);
    let listed = &versions["KeyVersions"]["KeyVersion"];
    assert_eq!(listed.as_array().unwrap().len(), 3);
    assert_eq!(s(&listed[2]["KeyVersionId"]), primary);
    let rows = report["Versions"].as_array().unwrap();
    let after_primary = rows
        .iter()
        .find(|r| s(&r["KeyVersionId"]) == primary)
        .unwrap();
    assert_eq!(
        (
            after_primary["Before"].clone(),
            after_primary["After"].clone()
        ),
        (json!(0), json!(5))
    );
    assert_eq!(
        rows.iter()
            .map(|r| r["Before"].as_u64().unwrap())
            .sum::<u64>(),
        5
    );

    // Each output line decrypts, through the binary, to its input's plaintext.
    let output = std::fs::read_to_string(e.path("out.txt")).unwrap();
    let outs: Vec<&str> = output.lines().collect();
    assert_eq!(outs.len(), 6);
    for (n, (_, plaintext)) in old.iter().chain([&current]).enumerate() {
        let doc = e.ok(&["Decrypt", "--CiphertextBlob", outs[n]]);
        assert_eq!(s(&doc["Plaintext"]), *plaintext);
        assert_eq!(s(&doc["KeyVersionId"]), primary);
    }
    let moved: Value = serde_json::from_str(outs[4]).unwrap();
    assert_eq!(moved["Row"], json!(7));
    let doc = e.ok(&[
        "Decrypt",
        "--CiphertextBlob",
        &s(&moved["CiphertextBlob"]),
        "--EncryptionContext",
        ctx,
    ]);
    assert_eq!(s(&doc["Plaintext"]), "hello");
    assert_eq!(s(&doc["KeyId"]), a);
    assert_eq!(outs[5], "");

    // One CreateKeyVersion entry and one Drill entry; no line content in the log.
    let log = e.audit();
    let at = log.iter().position(|l| l["action"] == "Drill").unwrap();
    let (rotation, drill) = (&log[at - 1], &log[at]);
    assert_eq!(s(&drill["action"]), "Drill");
    assert_eq!(s(&drill["result"]), "Success");
    assert_eq!(drill["request_id"], report["RequestId"]);
    assert_eq!(drill["details"]["Totals"], report["Totals"]);
    assert_eq!(s(&rotation["action"]), "CreateKeyVersion");
    assert_eq!(rotation["details"]["Drill"], report["RequestId"]);
    assert_eq!(log.iter().filter(|l| l["action"] == "Drill").count(), 1);
    let raw = std::fs::read_to_string(e.path("vault.json.audit.jsonl")).unwrap();
    assert!(!raw.contains("secret-tenant-name") && !raw.contains(&old[0].1));
    assert!(e.run(&["audit", "verify"]).status.success());
    assert_eq!(files_in(e.dir.path()), ["in.txt", "out.txt", "report.json"]);
}

#[test]
fn bad_lines_are_listed_kept_and_give_exit_1() {
    let e = Env::new();
    let a = e.key();
    let (blob, _) = e.data_key(&a);
    let input = format!(
        "not a blob\n{blob}\n{{\"CiphertextBlob\":\"{blob}\",\"EncryptionContext\":{{\"k\":\"v\"}}}}\n\n"
    );
    std::fs::write(e.path("in.txt"), &input).unwrap();
    let out_arg = e.arg("out.txt");
    let out = e.drill(&["--output", &out_arg, "--DestinationKeyId", &a]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("2 of 4 lines failed"),
        "{}",
        text(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["Failures"],
        json!([
            {"Line": 1, "Code": "InvalidParameter", "Message": "The specified parameter \"CiphertextBlob\" is not valid. The ciphertext could not be decrypted."},
            {"Line": 3, "Code": "InvalidParameter", "Message": "The specified parameter \"CiphertextBlob\" is not valid. The ciphertext could not be decrypted."},
        ])
    );
    assert_eq!(report["Totals"]["AlreadyCurrent"], json!(1));
    // Nothing needed moving, so the output is the input.
    assert_eq!(std::fs::read_to_string(e.path("out.txt")).unwrap(), input);
    let log = e.audit();
    let drill = log.iter().rfind(|l| l["action"] == "Drill").unwrap();
    assert_eq!(drill["details"]["Totals"]["Failed"], json!(2));
}

#[test]
fn dry_run_writes_no_file() {
    let e = Env::new();
    let a = e.key();
    let (blob, _) = e.data_key(&a);
    e.ok(&["CreateKeyVersion", "--KeyId", &a]);
    std::fs::write(e.path("in.txt"), format!("{blob}\n")).unwrap();
    let out_arg = e.arg("out.txt");
    for extra in [&["--dry-run"][..], &["--dry-run", "--output", &out_arg]] {
        let mut args = vec!["--DestinationKeyId", a.as_str()];
        args.extend_from_slice(extra);
        let out = e.drill(&args);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["DryRun"], json!(true));
        assert_eq!(report["Output"], Value::Null);
        assert_eq!(report["Totals"]["ReEncrypted"], json!(1));
        assert_eq!(files_in(e.dir.path()), ["in.txt"]);
    }
}

#[test]
fn refusals_protect_the_input_and_the_vault() {
    let e = Env::new();
    let a = e.key();
    let (blob, _) = e.data_key(&a);
    let input = format!("{blob}\n");
    std::fs::write(e.path("in.txt"), &input).unwrap();
    std::fs::write(e.path("taken.txt"), "keep").unwrap();
    let vault_before = std::fs::read(e.path("vault.json")).unwrap();
    let cases = [
        (e.arg("in.txt"), "is the input"),
        (e.arg("taken.txt"), "already exists"),
        (e.arg("vault.json"), "is the input file (or the vault"),
        (
            e.arg("vault.json.audit.jsonl"),
            "is the input file (or the vault",
        ),
    ];
    for (output, message) in &cases {
        let mut args = vec![
            "--output",
            output.as_str(),
            "--DestinationKeyId",
            a.as_str(),
        ];
        if !output.ends_with("taken.txt") {
            args.push("--force");
        }
        let out = e.drill(&args);
        assert_eq!(out.status.code(), Some(1), "{output}");
        assert!(out.stdout.is_empty());
        assert!(text(&out.stderr).contains(message), "{}", text(&out.stderr));
    }
    assert_eq!(std::fs::read_to_string(e.path("in.txt")).unwrap(), input);
    assert_eq!(
        std::fs::read_to_string(e.path("taken.txt")).unwrap(),
        "keep"
    );
    assert_eq!(std::fs::read(e.path("vault.json")).unwrap(), vault_before);
    let taken = e.arg("taken.txt");
    let out = e.drill(&["--output", &taken, "--DestinationKeyId", &a, "--force"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // The report may not land on the input either.
    let out = e.drill(&[
        "--dry-run",
        "--DestinationKeyId",
        &a,
        "--report",
        &e.arg("in.txt"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(e.path("in.txt")).unwrap(), input);
}

#[test]
fn a_bad_destination_is_an_error_document_and_rotates_nothing() {
    let e = Env::new();
    let a = e.key();
    let (blob, _) = e.data_key(&a);
    std::fs::write(e.path("in.txt"), format!("{blob}\n")).unwrap();
    let out_arg = e.arg("out.txt");
    let out = e.drill(&[
        "--output",
        &out_arg,
        "--DestinationKeyId",
        "alias/none",
        "--rotate",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let doc: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(doc["Code"], json!("Forbidden.AliasNotFound"));
    assert_eq!(files_in(e.dir.path()), ["in.txt"]);
    let log = e.audit();
    let last = log.last().unwrap();
    assert_eq!(
        (s(&last["action"]), s(&last["result"])),
        ("Drill".into(), "Forbidden.AliasNotFound".into())
    );
    assert!(log.iter().all(|l| l["action"] != "CreateKeyVersion"));
    // A principal that may not ReEncryptTo is refused before anything is read.
    let out = e.run(&[
        "--as",
        "nobody",
        "drill",
        "--input",
        &e.arg("in.txt"),
        "--output",
        &out_arg,
        "--DestinationKeyId",
        &a,
    ]);
    let doc: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(doc["Code"], json!("Forbidden.NoPermission"));
}

#[test]
fn usage_errors_exit_2_and_other_formats_work() {
    let e = Env::new();
    let a = e.key();
    let (blob, _) = e.data_key(&a);
    std::fs::write(e.path("in.txt"), format!("{blob}\n")).unwrap();
    let out_arg = e.arg("out.txt");
    for extra in [
        &["--DestinationKeyId", a.as_str()][..],
        &["--dry-run", "--rotate", "--DestinationKeyId", &a],
        &["--dry-run", "--threads", "0", "--DestinationKeyId", &a],
        &["--output", &out_arg, "--DestinationKeyId"],
    ] {
        let out = e.drill(extra);
        assert_eq!(out.status.code(), Some(2), "{extra:?}");
        assert!(out.stdout.is_empty());
    }
    let out = e.run(&[
        "--Format",
        "XML",
        "drill",
        "--input",
        &e.arg("in.txt"),
        "--dry-run",
        "--DestinationKeyId",
        &a,
    ]);
    let xml = text(&out.stdout);
    assert!(
        xml.contains("<KMS>") && xml.contains("<AlreadyCurrent>1</AlreadyCurrent>"),
        "{xml}"
    );
    let out = e.run(&[
        "--query",
        "Totals.AlreadyCurrent",
        "drill",
        "--input",
        &e.arg("in.txt"),
        "--dry-run",
        "--DestinationKeyId",
        &a,
    ]);
    assert_eq!(text(&out.stdout), "1\n");
}

/// Ctrl-C (SIGINT) cancels a drill: exit 130, no output and no temporary file left, one
/// `Drill.Cancelled` entry in the audit log.
///
/// Whatever the machine's speed: the test holds the vault's change lock, so the drill (which
/// rotates first) waits for it with its Ctrl-C handler already in place; the signal is sent once
/// the kernel lists the drill as a waiter on that lock, and the lock is released only after.
#[test]
fn ctrl_c_cancels_and_leaves_no_output() {
    let e = Env::new();
    let key = e.key();
    let (blob, _) = e.data_key(&key);
    std::fs::write(e.path("in.txt"), format!("{blob}\n").repeat(1_000)).unwrap();
    let input = e.arg("in.txt");
    let output = e.arg("out.txt");
    let lock = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(e.path("vault.json.lock"))
        .unwrap();
    lock.lock().unwrap();
    let mut child = e
        .command()
        .args([
            "drill",
            "--input",
            &input,
            "--output",
            &output,
            "--rotate",
            "--DestinationKeyId",
            &key,
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id().to_string();
    let waiting = || {
        std::fs::read_to_string("/proc/locks")
            .unwrap()
            .lines()
            .any(|l| l.contains("->") && l.split_whitespace().any(|w| w == pid))
    };
    while !waiting() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the drill ended ({status}) without waiting for the vault lock");
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let killed = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(killed.success());
    // The drill has cancelled once it says so on stderr; only then may it go on.
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut said = String::new();
    while !said.contains("cancelling") {
        let mut line = String::new();
        if std::io::BufRead::read_line(&mut stderr, &mut line).unwrap() == 0 {
            break;
        }
        said.push_str(&line);
    }
    lock.unlock().unwrap();
    let out = child.wait_with_output().unwrap();
    std::io::Read::read_to_string(&mut stderr, &mut said).unwrap();
    assert_eq!(out.status.code(), Some(130), "{said}");
    assert!(said.contains("cancelled"), "{said}");
    assert_eq!(
        files_in(e.dir.path()),
        ["in.txt"],
        "no output, no temporary file"
    );
    let last = e.audit().pop().unwrap();
    assert_eq!(last["action"], "Drill");
    assert_eq!(last["result"], "Drill.Cancelled");
}
