//! `kms-console restore` end to end on temporary vaults: the previous generation comes back in
//! place of a damaged or deleted vault file, the replaced file is kept aside, the restore is
//! audited; without `--yes` off a terminal, or with a backup that does not open, nothing changes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_kms-console");

/// Runs the binary on `vault` with a clean environment (plus `passphrase` if given); stdin is
/// not a terminal.
fn run(vault: &Path, passphrase: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.env_remove("KMS_CONSOLE_PRINCIPAL")
        .env_remove("KMS_CONSOLE_VAULT")
        .env_remove("KMS_CONSOLE_PASSPHRASE")
        .arg("--vault")
        .arg(vault)
        .args(args)
        .stdin(Stdio::null());
    if let Some(p) = passphrase {
        cmd.env("KMS_CONSOLE_PASSPHRASE", p);
    }
    cmd.output().unwrap()
}

fn ok(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn bak(vault: &Path) -> PathBuf {
    PathBuf::from(format!("{}.bak", vault.display()))
}

fn damaged(vault: &Path, n: u32) -> PathBuf {
    PathBuf::from(format!("{}.damaged-{n}", vault.display()))
}

/// A vault whose current generation has two keys and whose backup has one (the first's id).
fn vault_with_history(dir: &Path, passphrase: Option<&str>) -> (PathBuf, String) {
    let vault = dir.join("vault.json");
    let init: &[&str] = if passphrase.is_some() {
        &["init", "--insecure-test-kdf"]
    } else {
        &["init", "--no-passphrase"]
    };
    ok(&run(&vault, passphrase, init));
    let first = ok(&run(&vault, passphrase, &["CreateKey"]));
    ok(&run(&vault, passphrase, &["CreateKey"]));
    let id = first["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned();
    (vault, id)
}

fn key_ids(vault: &Path, passphrase: Option<&str>) -> Vec<String> {
    let doc = ok(&run(vault, passphrase, &["ListKeys"]));
    doc["Keys"]["Key"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["KeyId"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn restore_puts_the_previous_generation_back_and_keeps_the_damaged_file() {
    let dir = tempfile::tempdir().unwrap();
    let (vault, first) = vault_with_history(dir.path(), None);
    assert_eq!(key_ids(&vault, None).len(), 2);
    let garbage = b"\x00\x01 definitely not a vault".to_vec();
    std::fs::write(&vault, &garbage).unwrap();
    let refused = run(&vault, None, &["ListKeys"]);
    assert_eq!(refused.status.code(), Some(1));

    let doc = ok(&run(&vault, None, &["restore", "--yes"]));
    let kept = damaged(&vault, 1);
    assert_eq!(doc["KeptAs"], kept.display().to_string());
    assert_eq!(std::fs::read(&kept).unwrap(), garbage, "nothing is lost");
    assert_eq!(key_ids(&vault, None), [first]);

    let audit = run(&vault, None, &["audit", "list"]);
    let lines = String::from_utf8_lossy(&audit.stdout).into_owned();
    let entry: serde_json::Value = lines
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|e| e["action"] == "RestoreVault")
        .expect("the restore is audited");
    assert_eq!(entry["result"], "Success");
    assert_eq!(entry["principal"], "admin");
    // The restored vault is written once more to anchor the log's end: every line verifies and
    // the restore's own line lies inside the anchor (only the ListKeys after it lies beyond).
    let verified = ok(&run(&vault, None, &["audit", "verify"]));
    assert_eq!(verified["ok"], true, "{verified}");
    assert!(
        entry["seq"].as_u64() <= verified["anchor_seq"].as_u64(),
        "{entry} {verified}"
    );
}

#[test]
fn a_deleted_sealed_vault_comes_back_with_its_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let pass = Some("correct horse battery staple");
    let (vault, first) = vault_with_history(dir.path(), pass);
    std::fs::remove_file(&vault).unwrap();
    let no_pass = run(&vault, None, &["restore", "--yes"]);
    assert_eq!(no_pass.status.code(), Some(1));
    assert!(!vault.exists());
    let doc = ok(&run(&vault, pass, &["restore", "--yes"]));
    assert!(doc["KeptAs"].is_null(), "there was no file to keep");
    assert_eq!(key_ids(&vault, pass), [first]);
}

#[test]
fn without_yes_off_a_terminal_restore_is_refused_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let (vault, _) = vault_with_history(dir.path(), None);
    std::fs::write(&vault, b"damaged").unwrap();
    let out = run(&vault, None, &["restore"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--yes"), "{stderr}");
    assert_eq!(std::fs::read(&vault).unwrap(), b"damaged");
    assert!(!damaged(&vault, 1).exists());
}

#[test]
fn a_backup_that_does_not_open_is_refused_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let pass = Some("correct horse battery staple");
    let (vault, _) = vault_with_history(dir.path(), pass);
    let current = std::fs::read(&vault).unwrap();
    let bak_bytes = std::fs::read(bak(&vault)).unwrap();

    // The right passphrase, but a backup with one byte of its ciphertext altered.
    let doc: serde_json::Value = serde_json::from_slice(&bak_bytes).unwrap();
    let sealed = doc.to_string();
    let ct = doc["ciphertext"]
        .as_str()
        .expect("a sealed vault has a ciphertext");
    let mut altered_ct: Vec<char> = ct.chars().collect();
    altered_ct[10] = if altered_ct[10] == 'A' { 'B' } else { 'A' };
    let altered_ct: String = altered_ct.into_iter().collect();
    std::fs::write(bak(&vault), sealed.replace(ct, &altered_ct)).unwrap();
    let altered = std::fs::read(bak(&vault)).unwrap();
    let out = run(&vault, pass, &["restore", "--yes"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot be restored"), "{stderr}");
    assert!(stderr.contains("nothing was changed"), "{stderr}");
    assert_eq!(std::fs::read(&vault).unwrap(), current);
    assert_eq!(std::fs::read(bak(&vault)).unwrap(), altered);
    assert!(!damaged(&vault, 1).exists());

    // The intact backup with a wrong passphrase: refused the same way.
    std::fs::write(bak(&vault), &bak_bytes).unwrap();
    let out = run(&vault, Some("wrong passphrase"), &["restore", "--yes"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read(&vault).unwrap(), current);
    assert!(!damaged(&vault, 1).exists());

    // Garbage in place of the backup.
    std::fs::write(bak(&vault), b"{\"format\": 1").unwrap();
    let out = run(&vault, pass, &["restore", "--yes"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read(&vault).unwrap(), current);
    assert!(!damaged(&vault, 1).exists());
}

#[test]
fn no_backup_nothing_to_restore() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("vault.json");
    ok(&run(&vault, None, &["init", "--no-passphrase"]));
    let out = run(&vault, None, &["restore", "--yes"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no previous generation"));
}

#[test]
fn format_xml_and_query_are_refused_as_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let (vault, _) = vault_with_history(dir.path(), None);
    let before = std::fs::read(&vault).unwrap();
    for args in [
        &["--Format", "XML", "restore", "--yes"][..],
        &["--query", "KeptAs", "restore", "--yes"][..],
    ] {
        let out = run(&vault, None, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(std::fs::read(&vault).unwrap(), before);
    }
}

#[test]
fn a_damaged_or_deleted_vault_points_to_restore() {
    let dir = tempfile::tempdir().unwrap();
    let (vault, _) = vault_with_history(dir.path(), None);
    std::fs::write(&vault, b"garbage").unwrap();
    let out = run(&vault, None, &["ListKeys"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("kms-console restore"), "{stderr}");
    std::fs::remove_file(&vault).unwrap();
    let out = run(&vault, None, &["ListKeys"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("previous generation"), "{stderr}");
    assert!(stderr.contains("kms-console restore"), "{stderr}");
    assert!(!vault.exists(), "nothing was created");
}
