//! The audit log cannot be appended → the call is refused (fail closed, product §12): no crypto
//! result is handed out and no change is saved without its line, on every front end — dispatch
//! (console and endpoint), the CLI binary, principal commands, drills and restores.
//!
//! The fault needs no root: the log's path is taken by a folder, so every open for appending
//! fails (EISDIR) exactly as a log on a full or read-only disk does at its first write; the
//! root-only variants with a real read-only log and a full disk are in `faults.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod faults_support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::{call, ok, s};
use faults_support::{audited_actions, key_ids, leftovers, new_vault, reopen};
use kms_console::api::ApiError;
use kms_console::core::drill::{self, DrillControl, DrillJob, DrillOptions};
use kms_console::core::paths;
use kms_console::core::vault::Vault;
use sha2::{Digest, Sha256};

/// Moves the log aside and puts a folder in its place; [`Broken::mend`] puts it back.
struct Broken {
    log: PathBuf,
    aside: PathBuf,
}

impl Broken {
    fn log_of(vault: &Path) -> Self {
        let log = paths::audit_path(vault);
        let aside = log.with_extension("aside");
        fs::rename(&log, &aside).unwrap();
        fs::create_dir(&log).unwrap();
        Self { log, aside }
    }

    fn mend(self) {
        fs::remove_dir(&self.log).unwrap();
        fs::rename(&self.aside, &self.log).unwrap();
    }
}

fn refused(e: &ApiError, log: &Path) {
    assert_eq!(e.code, "InternalFailure", "{}", e.message);
    assert_eq!(e.http_status, 500);
    assert!(
        e.message.contains("audit line could not be written")
            && e.message.contains(&log.display().to_string()),
        "{}",
        e.message
    );
}

fn bin(vault: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kms-console"))
        .env_remove("KMS_CONSOLE_PRINCIPAL")
        .env_remove("KMS_CONSOLE_VAULT")
        .env_remove("KMS_CONSOLE_PASSPHRASE")
        .arg("--vault")
        .arg(vault)
        .args(args)
        .output()
        .unwrap()
}

struct Setup {
    _dir: tempfile::TempDir,
    vault: Vault,
    path: PathBuf,
    aes: String,
    ec: String,
    ec_version: String,
    blob: String,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let (mut vault, path) = new_vault(dir.path());
    let aes = common::create_key(&mut vault, "Aliyun_AES_256");
    let doc = ok(
        &mut vault,
        "CreateKey",
        &[("KeySpec", "EC_P256"), ("KeyUsage", "SIGN/VERIFY")],
    );
    let ec = s(&doc["KeyMetadata"]["KeyId"]);
    let versions = ok(&mut vault, "ListKeyVersions", &[("KeyId", &ec)]);
    let ec_version = s(&versions["KeyVersions"]["KeyVersion"][0]["KeyVersionId"]);
    let blob = ok(
        &mut vault,
        "Encrypt",
        &[("KeyId", &aes), ("Plaintext", "c2VjcmV0")],
    );
    let blob = s(&blob["CiphertextBlob"]);
    Setup {
        _dir: dir,
        vault,
        path,
        aes,
        ec,
        ec_version,
        blob,
    }
}

#[test]
fn crypto_calls_and_reads_are_refused_when_their_line_cannot_be_written() {
    let mut f = setup();
    let log = paths::audit_path(&f.path);
    let before = audited_actions(&f.vault);
    let digest = STANDARD.encode(Sha256::digest(b"to sign"));
    let calls: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("Encrypt", vec![("KeyId", &f.aes), ("Plaintext", "aGk=")]),
        ("Decrypt", vec![("CiphertextBlob", &f.blob)]),
        (
            "ReEncrypt",
            vec![("CiphertextBlob", &f.blob), ("DestinationKeyId", &f.aes)],
        ),
        ("GenerateDataKey", vec![("KeyId", &f.aes)]),
        (
            "AsymmetricSign",
            vec![
                ("KeyId", &f.ec),
                ("KeyVersionId", &f.ec_version),
                ("Algorithm", "ECDSA_SHA_256"),
                ("Digest", &digest),
            ],
        ),
        (
            "GetPublicKey",
            vec![("KeyId", &f.ec), ("KeyVersionId", &f.ec_version)],
        ),
        ("DescribeKey", vec![("KeyId", &f.aes)]),
        // A call that fails is refused too: its failure could not be recorded either.
        ("Decrypt", vec![("CiphertextBlob", "bm90IGEgYmxvYg==")]),
    ];
    // Each works with the log in place (so a refusal below is the log's doing) …
    for (action, params) in &calls[..calls.len() - 1] {
        ok(&mut f.vault, action, params);
    }
    let answered = audited_actions(&f.vault);
    // … and is refused without it, handing out nothing.
    let broken = Broken::log_of(&f.path);
    for (action, params) in &calls {
        refused(&call(&mut f.vault, action, params).unwrap_err(), &log);
    }
    broken.mend();
    assert_eq!(audited_actions(&f.vault), answered);
    assert_eq!(answered.len(), before.len() + calls.len() - 1);
}

#[test]
fn a_change_is_not_saved_when_its_line_cannot_be_written() {
    let mut f = setup();
    let log = paths::audit_path(&f.path);
    let file = fs::read(&f.path).unwrap();
    let keys = key_ids(&f.vault);
    let broken = Broken::log_of(&f.path);
    let changes: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("CreateKey", vec![("KeySpec", "Aliyun_AES_256")]),
        (
            "CreateAlias",
            vec![("KeyId", &f.aes), ("AliasName", "alias/x")],
        ),
        ("CreateKeyVersion", vec![("KeyId", &f.aes)]),
        ("DisableKey", vec![("KeyId", &f.aes)]),
        (
            "ScheduleKeyDeletion",
            vec![("KeyId", &f.ec), ("PendingWindowInDays", "7")],
        ),
    ];
    for (action, params) in &changes {
        refused(&call(&mut f.vault, action, params).unwrap_err(), &log);
        assert_eq!(key_ids(&f.vault), keys, "{action}: held in memory");
    }
    broken.mend();
    assert_eq!(fs::read(&f.path).unwrap(), file);
    let again = reopen(&f.path);
    assert_eq!(key_ids(&again), keys);
    assert!(again.state().key(&f.aes).unwrap().versions.len() == 1);
    assert!(!audited_actions(&again).iter().any(|a| a == "CreateAlias"));
    // The same changes go through once the log can be written.
    for (action, params) in &changes {
        ok(&mut f.vault, action, params);
    }
}

#[test]
fn the_command_line_and_principal_commands_refuse_and_print_nothing_on_stdout() {
    let f = setup();
    let file = fs::read(&f.path).unwrap();
    let broken = Broken::log_of(&f.path);
    for args in [
        vec!["Encrypt", "--KeyId", f.aes.as_str(), "--Plaintext", "aGk="],
        vec!["principal", "create", "bob"],
        vec!["principal", "list"],
    ] {
        let out = bin(&f.path, &args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(
            stderr.contains("InternalFailure")
                && stderr.contains("audit line could not be written"),
            "{args:?}: {stderr}"
        );
    }
    broken.mend();
    assert_eq!(fs::read(&f.path).unwrap(), file);
    let out = bin(&f.path, &["principal", "list"]);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("bob"));
}

#[test]
fn a_drill_leaves_no_output_when_its_lines_cannot_be_written() {
    let mut f = setup();
    let dir = f.path.parent().unwrap().to_path_buf();
    let input = dir.join("blobs.txt");
    fs::write(&input, format!("{}\n{}\n", f.blob, f.blob)).unwrap();
    let output = dir.join("moved.txt");
    for dry_run in [false, true] {
        let mut options = DrillOptions::new(f.aes.clone());
        options.dry_run = dry_run;
        let job = DrillJob {
            input: input.clone(),
            output: Some(output.clone()),
            force: false,
            rotate: false,
            options,
        };
        let broken = Broken::log_of(&f.path);
        let outcome = drill::run_job(
            &mut f.vault,
            "admin",
            &job,
            &DrillControl::new(),
            &mut |_| {},
        );
        broken.mend();
        let err = outcome.result.unwrap_err();
        assert_eq!(err.code(), "InternalFailure", "{err}");
        assert!(err.to_string().contains("audit line could not be written"));
        assert!(!output.exists());
        assert_eq!(leftovers(&dir), Vec::<String>::new());
        assert!(
            !audited_actions(&f.vault)
                .iter()
                .any(|a| a.starts_with("Drill"))
        );
    }
    let job = DrillJob {
        input,
        output: Some(output.clone()),
        force: false,
        rotate: false,
        options: DrillOptions::new(f.aes.clone()),
    };
    let outcome = drill::run_job(
        &mut f.vault,
        "admin",
        &job,
        &DrillControl::new(),
        &mut |_| {},
    );
    assert_eq!(outcome.result.unwrap().totals.lines, 2);
    assert!(output.exists());
    let actions = audited_actions(&f.vault);
    assert_eq!(&actions[actions.len() - 2..], ["Drill", "DrillKey"]);
}

#[test]
fn a_restore_is_refused_when_its_line_cannot_be_written() {
    let mut f = setup();
    let dir = f.path.parent().unwrap().to_path_buf();
    let file = fs::read(&f.path).unwrap();
    let broken = Broken::log_of(&f.path);
    let err = f.vault.restore_backup("admin").unwrap_err().to_string();
    assert!(err.contains("the restore was refused"), "{err}");
    let err = Vault::restore_backup_at(&f.path, None, "admin", faults_support::sources().0)
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("the restore was refused"), "{err}");
    broken.mend();
    assert_eq!(fs::read(&f.path).unwrap(), file);
    assert_eq!(leftovers(&dir), Vec::<String>::new());
    // With the log back, the restore goes through and is recorded.
    f.vault.restore_backup("admin").unwrap();
    assert_eq!(audited_actions(&f.vault).last().unwrap(), "RestoreVault");
    assert_ne!(fs::read(&f.path).unwrap(), file);
}

#[test]
fn a_drill_output_that_cannot_be_put_in_place_after_its_lines_is_recorded_as_failed() {
    let mut f = setup();
    let dir = f.path.parent().unwrap().to_path_buf();
    let input = dir.join("blobs.txt");
    fs::write(&input, format!("{}\n", f.blob)).unwrap();
    let output = dir.join("moved.txt");
    let job = DrillJob {
        input,
        output: Some(output.clone()),
        force: false,
        rotate: false,
        options: DrillOptions::new(f.aes.clone()),
    };
    // Another program creates the output while the drill runs: it is not replaced.
    let racer = output.clone();
    let outcome = drill::run_job(
        &mut f.vault,
        "admin",
        &job,
        &DrillControl::new(),
        &mut |_| {
            if !racer.exists() {
                fs::write(&racer, b"someone else's file").unwrap();
            }
        },
    );
    assert_eq!(outcome.result.unwrap_err().code(), "Drill.OutputRefused");
    assert_eq!(fs::read(&output).unwrap(), b"someone else's file");
    assert_eq!(leftovers(&dir), Vec::<String>::new());
    // Its lines were written before the output was to be put in place; the last one, for the
    // same RequestId, says it was not.
    let entries = f.vault.audit_log().unwrap().read().unwrap();
    let drill: Vec<(&str, &str)> = entries
        .iter()
        .filter(|e| e.record.action == "Drill")
        .map(|e| (e.record.result.as_str(), e.record.request_id.as_str()))
        .collect();
    assert_eq!(
        drill,
        [
            ("Success", outcome.request_id.as_str()),
            ("Drill.OutputRefused", outcome.request_id.as_str())
        ]
    );
}
