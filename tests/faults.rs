//! Faults of the filesystem under vault saves, audit appends and drill outputs (product §3, §12,
//! §15): a full disk, a read-only folder, a read-only lock file or audit log.
//!
//! How the faults are made, and why: each test mounts a small `tmpfs` of its own (root only;
//! the guard in `faults_support` unmounts it even when the test fails) and narrows it with a
//! remount to exactly N free pages and M free inodes, so the kernel itself answers ENOSPC or
//! EROFS — the same errors, at the same system calls, as a real full or read-only disk, with no
//! test-only code path in the program. Sweeping N and M makes the fault land on every step of a
//! save that can run out of room on a tmpfs (the log line, creating and writing the temporary
//! file, the backup link or its copy). Steps a tmpfs never fails with ENOSPC (fsync, rename, the
//! folder's fsync) get their fault from an injection hook instead, in the unit tests of
//! `core::vault_file::atomic` and `core::vault::audit`. Without root these tests print why they
//! are skipped; CI runs as root.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod faults_support;

use std::collections::BTreeSet;
use std::fs;

use common::{call, ok};
use faults_support::{
    ReadOnlyFile, Tmpfs, audited_actions, key_ids, leftovers, log_bytes, new_vault, reopen,
    root_or_skip,
};
use kms_console::core::drill::{self, DrillControl, DrillJob, DrillOptions};
use kms_console::core::paths;

const AES: &[(&str, &str)] = &[("KeySpec", "Aliyun_AES_256")];

/// How many lines of the log record `action` with `result`.
fn lines(vault: &kms_console::core::vault::Vault, action: &str, result: &str) -> usize {
    audited_actions(vault);
    let log = vault.audit_log().unwrap().read().unwrap();
    log.iter()
        .filter(|e| e.record.action == action && e.record.result == result)
        .count()
}

#[test]
fn a_full_disk_at_any_step_of_a_save_refuses_the_change_and_keeps_the_old_vault() {
    if !root_or_skip("a_full_disk_at_any_step_of_a_save_refuses_the_change_and_keeps_the_old_vault")
    {
        return;
    }
    let mut failures = BTreeSet::new();
    let mut saved = 0;
    for free_pages in 0..=4 {
        for free_inodes in 0..=2 {
            let tmpfs = Tmpfs::mount();
            let (mut vault, path) = new_vault(tmpfs.path());
            common::create_key(&mut vault, "Aliyun_AES_256");
            let keys = key_ids(&vault);
            let file = fs::read(&path).unwrap();
            tmpfs.leave_free(free_pages, free_inodes);
            let result = call(&mut vault, "CreateKey", AES);
            tmpfs.roomy();
            let case = format!("{free_pages} free pages, {free_inodes} free inodes");
            let reopened = reopen(&path);
            match result {
                Ok(_) => {
                    saved += 1;
                    assert_eq!(key_ids(&reopened).len(), 2, "{case}");
                    assert_eq!(lines(&reopened, "CreateKey", "Success"), 2, "{case}");
                }
                Err(e) => {
                    assert_eq!(e.code, "InternalFailure", "{case}: {}", e.message);
                    assert!(
                        e.message.contains("No space left on device"),
                        "{case}: {e:?}"
                    );
                    assert_eq!(key_ids(&reopened), keys, "{case}");
                    assert_eq!(fs::read(&path).unwrap(), file, "{case}");
                    // No `Success` line for the change that was not saved.
                    assert_eq!(lines(&reopened, "CreateKey", "Success"), 1, "{case}");
                    assert_eq!(
                        key_ids(&vault),
                        keys,
                        "{case}: the failed change stayed in memory"
                    );
                    failures.insert(e.message.clone());
                }
            }
            assert_eq!(leftovers(tmpfs.path()), Vec::<String>::new(), "{case}");
            // With room again, the same vault handle saves.
            common::create_key(&mut vault, "Aliyun_AES_256");
            assert_eq!(key_ids(&reopen(&path)).len(), key_ids(&reopened).len() + 1);
        }
    }
    // The log's last page full: the first step of a change, its line, has no room.
    let tmpfs = Tmpfs::mount();
    let (mut vault, path) = new_vault(tmpfs.path());
    let key = common::create_key(&mut vault, "Aliyun_AES_256");
    let file = fs::read(&path).unwrap();
    tmpfs.leave_free(0, 8);
    let encrypt = [("KeyId", key.as_str()), ("Plaintext", "aGk=")];
    let mut answered = 0;
    while call(&mut vault, "Encrypt", &encrypt).is_ok() {
        answered += 1;
        assert!(answered < 100, "the log never filled its page");
    }
    let e = call(&mut vault, "CreateKey", AES).unwrap_err();
    tmpfs.roomy();
    assert_eq!(fs::read(&path).unwrap(), file);
    assert_eq!(lines(&reopen(&path), "CreateKey", "Success"), 1);
    assert_eq!(leftovers(tmpfs.path()), Vec::<String>::new());
    failures.insert(e.message);
    let steps = |needle: &str| failures.iter().any(|m| m.contains(needle));
    eprintln!("{saved} saves went through; failures seen: {failures:#?}");
    assert!(saved > 0);
    assert!(
        steps("cannot create") && steps("vault.json.tmp"),
        "{failures:#?}"
    );
    assert!(steps("cannot write"), "{failures:#?}");
    assert!(steps("vault.json.bak.tmp"), "{failures:#?}");
    assert!(steps("audit line could not be written"), "{failures:#?}");
}

#[test]
fn a_full_disk_refuses_crypto_calls_and_leaves_no_half_line_in_the_log() {
    if !root_or_skip("a_full_disk_refuses_crypto_calls_and_leaves_no_half_line_in_the_log") {
        return;
    }
    let tmpfs = Tmpfs::mount();
    let (mut vault, path) = new_vault(tmpfs.path());
    let key = common::create_key(&mut vault, "Aliyun_AES_256");
    let params = [("KeyId", key.as_str()), ("Plaintext", "aGVsbG8=")];
    tmpfs.leave_free(0, 8);
    // Each line takes some hundred bytes of the log's last page; one will not fit.
    let mut answered = 0;
    let refused = loop {
        match call(&mut vault, "Encrypt", &params) {
            Ok(_) => answered += 1,
            Err(e) => break e,
        }
        assert!(answered < 100, "the log never filled its page");
    };
    assert_eq!(refused.code, "InternalFailure");
    assert_eq!(refused.http_status, 500);
    let log = paths::audit_path(&path);
    assert!(
        refused.message.contains(&log.display().to_string())
            && refused.message.contains("No space left on device"),
        "{}",
        refused.message
    );
    // Every answered call has its line, the refused one none, and no half line is left.
    assert_eq!(lines(&vault, "Encrypt", "Success"), answered);
    assert!(log_bytes(&path).ends_with(b"\n"));
    tmpfs.roomy();
    ok(&mut vault, "Encrypt", &params);
    assert_eq!(lines(&reopen(&path), "Encrypt", "Success"), answered + 1);
}

#[test]
fn a_drill_output_on_a_full_disk_is_never_left_half_written() {
    if !root_or_skip("a_drill_output_on_a_full_disk_is_never_left_half_written") {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let (mut vault, path) = new_vault(home.path());
    let key = common::create_key(&mut vault, "Aliyun_AES_256");
    let mut input = String::new();
    for _ in 0..64 {
        let doc = ok(
            &mut vault,
            "Encrypt",
            &[("KeyId", key.as_str()), ("Plaintext", "aGVsbG8=")],
        );
        input.push_str(doc["CiphertextBlob"].as_str().unwrap());
        input.push('\n');
    }
    let input_path = home.path().join("blobs.txt");
    fs::write(&input_path, &input).unwrap();
    let out = Tmpfs::mount();
    // Something to fill a page: a size of 0 would mean no limit.
    fs::write(out.path().join("other.txt"), b"an unrelated file\n").unwrap();
    let output = out.path().join("moved.txt");
    let job = DrillJob {
        input: input_path,
        output: Some(output.clone()),
        force: false,
        rotate: true,
        options: DrillOptions::new(key.clone()),
    };
    let versions =
        |v: &kms_console::core::vault::Vault| v.state().key(&key).unwrap().versions.len();
    let mut failed = 0;
    for (pages, ro) in [(0, false), (1, false), (8, true)] {
        out.leave_free(pages, 4);
        out.read_only(ro);
        let outcome = drill::run_job(&mut vault, "admin", &job, &DrillControl::new(), &mut |_| {});
        out.read_only(false);
        out.roomy();
        let err = outcome.result.unwrap_err();
        let why = if ro {
            "Read-only file system"
        } else {
            "No space left on device"
        };
        assert!(
            err.to_string().contains(why),
            "{pages} pages, ro {ro}: {err}"
        );
        assert_eq!(err.code(), "Drill.IoError");
        assert!(!output.exists());
        assert_eq!(leftovers(out.path()), Vec::<String>::new());
        failed += 1;
        assert_eq!(lines(&vault, "Drill", "Drill.IoError"), failed);
    }
    // The rotation each failed drill made first was saved and audited on its own.
    assert_eq!(versions(&reopen(&path)), 4);
    assert_eq!(lines(&vault, "CreateKeyVersion", "Success"), 3);
    // With room, the same drill writes its whole output.
    let report = drill::run_job(&mut vault, "admin", &job, &DrillControl::new(), &mut |_| {})
        .result
        .unwrap();
    assert_eq!(report.totals.lines, 64);
    assert_eq!(fs::read_to_string(&output).unwrap().lines().count(), 64);
}

#[test]
fn a_read_only_folder_refuses_every_change_and_call_clearly_and_loses_nothing() {
    if !root_or_skip("a_read_only_folder_refuses_every_change_and_call_clearly_and_loses_nothing") {
        return;
    }
    let tmpfs = Tmpfs::mount();
    let (mut vault, path) = new_vault(tmpfs.path());
    let key = common::create_key(&mut vault, "Aliyun_AES_256");
    let file = fs::read(&path).unwrap();
    let log = log_bytes(&path);
    // A handle keeps its audit log open between appends, and Linux refuses to remount a file
    // system read-only while a file on it is open for writing: close it first.
    drop(vault);
    tmpfs.read_only(true);
    // It still opens (reading never writes).
    let mut vault = reopen(&path);
    let mut other = reopen(&path);
    for (action, params) in [
        ("CreateKey", AES.to_vec()),
        ("DisableKey", vec![("KeyId", key.as_str())]),
        (
            "Encrypt",
            vec![("KeyId", key.as_str()), ("Plaintext", "aGk=")],
        ),
        ("DescribeKey", vec![("KeyId", key.as_str())]),
    ] {
        for v in [&mut vault, &mut other] {
            let e = call(v, action, &params).unwrap_err();
            assert_eq!(e.code, "InternalFailure", "{action}");
            assert!(
                e.message.contains("Read-only file system"),
                "{action}: {}",
                e.message
            );
        }
    }
    tmpfs.read_only(false);
    assert_eq!(fs::read(&path).unwrap(), file);
    assert_eq!(log_bytes(&path), log);
    assert_eq!(leftovers(tmpfs.path()), Vec::<String>::new());
    ok(&mut vault, "DisableKey", &[("KeyId", key.as_str())]);
    assert_eq!(lines(&reopen(&path), "DisableKey", "Success"), 1);
}

#[test]
fn a_read_only_lock_file_refuses_changes_but_not_reads() {
    if !root_or_skip("a_read_only_lock_file_refuses_changes_but_not_reads") {
        return;
    }
    let tmpfs = Tmpfs::mount();
    let (mut vault, path) = new_vault(tmpfs.path());
    let key = common::create_key(&mut vault, "Aliyun_AES_256");
    let file = fs::read(&path).unwrap();
    let lock = ReadOnlyFile::new(&paths::lock_path(&path));
    let e = call(&mut vault, "CreateKey", AES).unwrap_err();
    assert_eq!(e.code, "InternalFailure");
    assert!(
        e.message.contains("cannot open the lock file") && e.message.contains("Read-only"),
        "{}",
        e.message
    );
    // Calls that change nothing take no lock, and are audited as usual.
    ok(&mut vault, "DescribeKey", &[("KeyId", key.as_str())]);
    drop(lock);
    assert_eq!(fs::read(&path).unwrap(), file);
    assert_eq!(lines(&vault, "CreateKey", "InternalFailure"), 1);
    common::create_key(&mut vault, "Aliyun_AES_256");
    assert_eq!(key_ids(&reopen(&path)).len(), 2);
}

#[test]
fn a_read_only_audit_log_refuses_every_call_and_change() {
    if !root_or_skip("a_read_only_audit_log_refuses_every_call_and_change") {
        return;
    }
    let tmpfs = Tmpfs::mount();
    let (mut vault, path) = new_vault(tmpfs.path());
    let key = common::create_key(&mut vault, "Aliyun_AES_256");
    let file = fs::read(&path).unwrap();
    let log = log_bytes(&path);
    let guard = ReadOnlyFile::new(&paths::audit_path(&path));
    // A handle that kept the log open from before goes on appending through it — its lines
    // land in the log, so nothing goes unaudited; a handle opened now cannot write the log.
    drop(vault);
    let mut vault = reopen(&path);
    let encrypt = [("KeyId", key.as_str()), ("Plaintext", "aGk=")];
    let by_key = [("KeyId", key.as_str())];
    for (action, params) in [
        ("Encrypt", &encrypt[..]),
        ("GenerateDataKey", &by_key[..]),
        ("DescribeKey", &by_key[..]),
        ("DisableKey", &by_key[..]),
    ] {
        let e = call(&mut vault, action, params).unwrap_err();
        assert_eq!(e.code, "InternalFailure", "{action}");
        assert!(
            e.message.contains("audit line could not be written")
                && e.message.contains("Read-only file system"),
            "{action}: {}",
            e.message
        );
    }
    drop(guard);
    assert_eq!(fs::read(&path).unwrap(), file);
    assert_eq!(log_bytes(&path), log);
    assert_eq!(leftovers(tmpfs.path()), Vec::<String>::new());
}
