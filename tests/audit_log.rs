//! The audit log on real temporary folders: appends from threads and processes form one
//! unbroken chain, and verify finds an edited, removed, reordered or cut-short line.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use kms_console::core::audit::{AuditLog, AuditRecord};

fn record(n: usize) -> AuditRecord {
    AuditRecord {
        time: format!("2026-11-28T10:{:02}:{:02}Z", n / 60 % 60, n % 60),
        principal: if n.is_multiple_of(3) { "admin" } else { "app" }.into(),
        action: ["Encrypt", "ReEncrypt", "RotateKey", "Decrypt"][n % 4].into(),
        key_id: (!n.is_multiple_of(5)).then(|| format!("key-{n}")),
        key_version_id: n.is_multiple_of(2).then(|| format!("ver-{n}")),
        result: if n.is_multiple_of(7) {
            "Forbidden.KeyNotFound"
        } else {
            "Success"
        }
        .into(),
        request_id: format!("req-{n:04}"),
        details: (n % 4 == 1)
            .then(|| serde_json::json!({"blobs": n, "note": "a \"quoted\" line\n"})),
    }
}

fn log_with(dir: &Path, lines: usize) -> AuditLog {
    let log = AuditLog::for_vault(&dir.join("vault.json"));
    for n in 1..=lines {
        log.append(&record(n)).unwrap();
    }
    log
}

fn lines(log: &AuditLog) -> Vec<String> {
    fs::read_to_string(log.path())
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn write_lines(log: &AuditLog, lines: &[String]) {
    fs::write(log.path(), lines.join("\n") + "\n").unwrap();
}

/// Verify fails, at `line`, with a reason containing `why`.
fn fails_at(log: &AuditLog, line: usize, why: &str) {
    let report = log.verify().unwrap();
    assert!(!report.ok, "{report:?}");
    let (at, reason) = report.first_bad_line.clone().unwrap();
    assert_eq!(at, line, "{reason}");
    assert!(reason.contains(why), "{reason}");
    assert_eq!(report.lines_checked, line);
    assert_eq!(report.last_hash, None);
}

#[test]
fn a_real_log_verifies_and_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let log = log_with(dir.path(), 30);
    assert_eq!(log.path(), dir.path().join("vault.json.audit.jsonl"));
    let report = log.verify().unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.lines_checked, 30);
    assert_eq!(report.first_bad_line, None);
    let entries = log.read().unwrap();
    assert_eq!(entries.len(), 30);
    for (i, entry) in entries.iter().enumerate() {
        assert_eq!(entry.seq, i as u64 + 1);
        assert_eq!(entry.record, record(i + 1));
    }
    assert_eq!(entries[0].prev, "0".repeat(64));
    assert_eq!(entries[1].prev, entries[0].hash);
    assert_eq!(report.last_hash.as_deref(), Some(entries[29].hash.as_str()));
    let first = &lines(&log)[0];
    assert!(first.starts_with("{\"seq\":1,\"time\":\"2026-11-28T10:00:01Z\",\"principal\":"));
    assert!(first.contains(&format!(",\"prev\":\"{}\",\"hash\":\"", "0".repeat(64))));
}

#[test]
fn a_missing_log_is_empty_and_sound() {
    let dir = tempfile::tempdir().unwrap();
    let log = AuditLog::for_vault(&dir.path().join("vault.json"));
    assert!(log.read().unwrap().is_empty());
    let report = log.verify().unwrap();
    assert!(report.ok && report.lines_checked == 0 && report.last_hash.is_none());
}

#[test]
fn fail_an_edited_line() {
    for at in [0, 4, 9] {
        let dir = tempfile::tempdir().unwrap();
        let log = log_with(dir.path(), 10);
        let mut text = lines(&log);
        text[at] = text[at].replacen("req-", "REQ-", 1);
        write_lines(&log, &text);
        fails_at(&log, at + 1, "edited");
        assert!(log.read().is_err());
    }
}

#[test]
fn fail_an_edited_line_whose_own_hash_was_recomputed() {
    let dir = tempfile::tempdir().unwrap();
    let log = log_with(dir.path(), 10);
    let other = tempfile::tempdir().unwrap();
    // Line 4 of a log whose line 4 says something else but chains to the same line 3.
    let forged_log = log_with(other.path(), 3);
    let mut changed = record(4);
    changed.result = "Success".into();
    changed.principal = "mallory".into();
    forged_log.append(&changed).unwrap();
    let mut text = lines(&log);
    text[3] = lines(&forged_log)[3].clone();
    write_lines(&log, &text);
    fails_at(&log, 5, "prev does not match");
}

#[test]
fn fail_a_removed_line() {
    for at in [0, 5] {
        let dir = tempfile::tempdir().unwrap();
        let log = log_with(dir.path(), 10);
        let mut text = lines(&log);
        text.remove(at);
        write_lines(&log, &text);
        fails_at(&log, at + 1, "seq is");
    }
}

#[test]
fn a_removed_last_line_shows_only_against_an_anchor() {
    let dir = tempfile::tempdir().unwrap();
    let log = log_with(dir.path(), 10);
    let anchor = log.verify().unwrap().last_hash;
    let mut text = lines(&log);
    text.pop();
    write_lines(&log, &text);
    let report = log.verify().unwrap();
    assert!(report.ok);
    assert_ne!(report.last_hash, anchor);
}

#[test]
fn fail_two_swapped_lines() {
    for at in [0, 4, 8] {
        let dir = tempfile::tempdir().unwrap();
        let log = log_with(dir.path(), 10);
        let mut text = lines(&log);
        text.swap(at, at + 1);
        write_lines(&log, &text);
        fails_at(&log, at + 1, "seq is");
    }
}

#[test]
fn fail_a_truncated_last_line() {
    let dir = tempfile::tempdir().unwrap();
    let log = log_with(dir.path(), 10);
    let whole = fs::read(log.path()).unwrap();
    for cut in [1, 2, 40, 100] {
        fs::write(log.path(), &whole[..whole.len() - cut]).unwrap();
        fails_at(&log, 10, "incomplete");
        assert!(log.read().is_err());
    }
}

#[test]
fn appending_after_a_cut_short_line_keeps_the_damage_visible() {
    let dir = tempfile::tempdir().unwrap();
    let log = log_with(dir.path(), 5);
    let whole = fs::read(log.path()).unwrap();
    fs::write(log.path(), &whole[..whole.len() - 30]).unwrap();
    log.append(&record(6)).unwrap();
    log.append(&record(7)).unwrap();
    let text = lines(&log);
    assert_eq!(text.len(), 7);
    assert!(text[6].starts_with("{\"seq\":7,"), "{}", text[6]);
    fails_at(&log, 5, "not a valid audit entry");
}

#[test]
fn appending_after_a_lost_final_newline_puts_it_back() {
    let dir = tempfile::tempdir().unwrap();
    let log = log_with(dir.path(), 5);
    let whole = fs::read(log.path()).unwrap();
    fs::write(log.path(), &whole[..whole.len() - 1]).unwrap();
    fails_at(&log, 5, "incomplete");
    log.append(&record(6)).unwrap();
    let report = log.verify().unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.lines_checked, 6);
}

#[test]
fn appends_from_threads_form_one_chain() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("vault.json");
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let vault = vault.clone();
            std::thread::spawn(move || {
                let log = AuditLog::for_vault(&vault);
                for n in 0..25 {
                    log.append(&record(t * 100 + n)).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let report = AuditLog::for_vault(&vault).verify().unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.lines_checked, 100);
}

const CHILD_ENV: &str = "AUDIT_TEST_VAULT";

/// Not a test: the body of the appending child processes.
#[test]
#[ignore = "run only as a child process of the tests in this file"]
fn child_process() {
    let Some(vault) = std::env::var_os(CHILD_ENV).map(PathBuf::from) else {
        return;
    };
    let log = AuditLog::for_vault(&vault);
    for n in 0..50 {
        log.append(&record(n)).unwrap();
    }
}

#[test]
fn appends_from_processes_form_one_chain() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("vault.json");
    let children: Vec<_> = (0..3)
        .map(|_| {
            Command::new(std::env::current_exe().unwrap())
                .args(["child_process", "--exact", "--ignored", "--test-threads=1"])
                .env(CHILD_ENV, &vault)
                .stdout(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    let report = AuditLog::for_vault(&vault).verify().unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.lines_checked, 150);
}
