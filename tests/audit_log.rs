//! The audit log on real temporary folders: appends from threads and processes form one
//! unbroken keyed chain, and verify finds an edited, forged, removed, reordered or cut-short
//! line, and lines cut from the end behind an anchor. (The vault's side — the key and anchor
//! it holds, and `audit verify` — is in `audit_trail.rs`.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use kms_console::core::audit::{AuditAnchor, AuditHead, AuditKey, AuditLog, AuditRecord};

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
        key_ref: n.is_multiple_of(4).then(|| "alias/orders".to_owned()),
        source_key_id: (n % 4 == 1).then(|| format!("src-{n}")),
        ..AuditRecord::default()
    }
}

/// A fresh key, anchored at an empty log (so only the chain itself is checked).
fn anchor() -> AuditAnchor {
    AuditAnchor::new(AuditKey::generate().unwrap(), &AuditHead::default())
}

fn log_with(dir: &Path, lines: usize) -> (AuditLog, AuditAnchor) {
    let log = AuditLog::for_vault(&dir.join("vault.json"));
    let anchor = anchor();
    for n in 1..=lines {
        log.append(&anchor.key, &record(n)).unwrap();
    }
    (log, anchor)
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
fn fails_at(log: &AuditLog, anchor: &AuditAnchor, line: usize, why: &str) {
    let report = log.verify(Some(anchor)).unwrap();
    assert!(!report.ok, "{report:?}");
    let (at, reason) = report.first_bad_line.clone().unwrap();
    assert_eq!(at, line, "{reason}");
    assert!(reason.contains(why), "{reason}");
    // A log shorter than its anchor fails at its first missing line, after the last one read.
    assert!(report.lines_checked == line || report.lines_checked + 1 == line);
    assert_eq!(report.last_mac, None);
}

#[test]
fn a_real_log_verifies_and_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let (log, anchor) = log_with(dir.path(), 30);
    assert_eq!(log.path(), dir.path().join("vault.json.audit.jsonl"));
    let report = log.verify(Some(&anchor)).unwrap();
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
    assert_eq!(entries[1].prev, entries[0].chain());
    assert_eq!(report.last_mac.as_deref(), Some(entries[29].chain()));
    assert_eq!(report.after_anchor, 30);
    let first = &lines(&log)[0];
    assert!(first.starts_with("{\"seq\":1,\"time\":\"2026-11-28T10:00:01Z\",\"principal\":"));
    assert!(first.contains(&format!(",\"prev\":\"{}\",\"mac\":\"", "0".repeat(64))));
    // The same log under another key: the first line already fails.
    fails_at(&log, &self::anchor(), 1, "MAC does not match");
}

#[test]
fn a_missing_log_is_empty_and_sound() {
    let dir = tempfile::tempdir().unwrap();
    let log = AuditLog::for_vault(&dir.path().join("vault.json"));
    assert!(log.read().unwrap().is_empty());
    let report = log.verify(Some(&anchor())).unwrap();
    assert!(report.ok && report.lines_checked == 0 && report.last_mac.is_none());
}

#[test]
fn fail_an_edited_line() {
    for at in [0, 4, 9] {
        let dir = tempfile::tempdir().unwrap();
        let (log, anchor) = log_with(dir.path(), 10);
        let mut text = lines(&log);
        text[at] = text[at].replacen("req-", "REQ-", 1);
        write_lines(&log, &text);
        fails_at(&log, &anchor, at + 1, "edited");
        // Reading checks shape only: a keyed MAC needs the vault's key (`verify`).
        assert_eq!(log.read().unwrap().len(), 10);
    }
}

#[test]
fn fail_a_line_forged_under_another_key() {
    let dir = tempfile::tempdir().unwrap();
    let (log, anchor) = log_with(dir.path(), 10);
    // Line 4 says something else, chains to the real line 3, and carries a MAC made with a
    // key other than the vault's.
    let mut text = lines(&log);
    let forger = tempfile::tempdir().unwrap();
    let forged_log = AuditLog::for_vault(&forger.path().join("vault.json"));
    write_lines(&forged_log, &text[..3]);
    let mut changed = record(4);
    changed.principal = "mallory".into();
    forged_log.append(&self::anchor().key, &changed).unwrap();
    text[3] = lines(&forged_log)[3].clone();
    write_lines(&log, &text);
    fails_at(&log, &anchor, 4, "forged");
}

#[test]
fn fail_an_edited_line_whose_own_mac_was_recomputed_with_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let (log, anchor) = log_with(dir.path(), 10);
    // Even with the key, a changed line 4 breaks line 5's prev.
    let mut text = lines(&log);
    let other = tempfile::tempdir().unwrap();
    let forged_log = AuditLog::for_vault(&other.path().join("vault.json"));
    write_lines(&forged_log, &text[..3]);
    let mut changed = record(4);
    changed.principal = "mallory".into();
    forged_log.append(&anchor.key, &changed).unwrap();
    text[3] = lines(&forged_log)[3].clone();
    write_lines(&log, &text);
    fails_at(&log, &anchor, 5, "prev does not match");
}

#[test]
fn fail_a_removed_line() {
    for at in [0, 5] {
        let dir = tempfile::tempdir().unwrap();
        let (log, anchor) = log_with(dir.path(), 10);
        let mut text = lines(&log);
        text.remove(at);
        write_lines(&log, &text);
        fails_at(&log, &anchor, at + 1, "seq is");
    }
}

#[test]
fn fail_lines_cut_behind_the_anchor_but_not_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let (log, mut anchor) = log_with(dir.path(), 10);
    let whole = lines(&log);
    anchor.set_head(&log.head().unwrap());
    assert_eq!(anchor.head_seq, 10);
    for cut in [1, 4] {
        write_lines(&log, &whole[..10 - cut]);
        fails_at(&log, &anchor, 11 - cut, "cut from the end");
    }
    fs::write(log.path(), "").unwrap();
    fails_at(&log, &anchor, 1, "the log is empty");
    fs::remove_file(log.path()).unwrap();
    let report = log.verify(Some(&anchor)).unwrap();
    assert!(!report.ok);
    assert!(report.first_bad_line.unwrap().1.contains("missing"));
    // Lines after the anchor are counted, and cutting them cannot be told from never having
    // written them.
    write_lines(&log, &whole);
    log.append(&anchor.key, &record(11)).unwrap();
    let report = log.verify(Some(&anchor)).unwrap();
    assert!(report.ok && report.after_anchor == 1, "{report:?}");
    // A rewritten line 10 no longer matches the anchor, even with the key.
    let mut text = lines(&log);
    text.truncate(9);
    write_lines(&log, &text);
    log.append(&anchor.key, &record(99)).unwrap();
    fails_at(&log, &anchor, 10, "anchor");
}

#[test]
fn fail_two_swapped_lines() {
    for at in [0, 4, 8] {
        let dir = tempfile::tempdir().unwrap();
        let (log, anchor) = log_with(dir.path(), 10);
        let mut text = lines(&log);
        text.swap(at, at + 1);
        write_lines(&log, &text);
        fails_at(&log, &anchor, at + 1, "seq is");
    }
}

#[test]
fn fail_a_truncated_last_line() {
    let dir = tempfile::tempdir().unwrap();
    let (log, anchor) = log_with(dir.path(), 10);
    let whole = fs::read(log.path()).unwrap();
    for cut in [1, 2, 40, 100] {
        fs::write(log.path(), &whole[..whole.len() - cut]).unwrap();
        fails_at(&log, &anchor, 10, "incomplete");
        assert!(log.read().is_err());
    }
}

#[test]
fn appending_after_a_cut_short_line_keeps_the_damage_visible() {
    let dir = tempfile::tempdir().unwrap();
    let (log, anchor) = log_with(dir.path(), 5);
    let whole = fs::read(log.path()).unwrap();
    fs::write(log.path(), &whole[..whole.len() - 30]).unwrap();
    log.append(&anchor.key, &record(6)).unwrap();
    log.append(&anchor.key, &record(7)).unwrap();
    let text = lines(&log);
    assert_eq!(text.len(), 7);
    assert!(text[6].starts_with("{\"seq\":7,"), "{}", text[6]);
    fails_at(&log, &anchor, 5, "not a valid audit entry");
}

#[test]
fn appending_after_a_lost_final_newline_puts_it_back() {
    let dir = tempfile::tempdir().unwrap();
    let (log, anchor) = log_with(dir.path(), 5);
    let whole = fs::read(log.path()).unwrap();
    fs::write(log.path(), &whole[..whole.len() - 1]).unwrap();
    fails_at(&log, &anchor, 5, "incomplete");
    log.append(&anchor.key, &record(6)).unwrap();
    let report = log.verify(Some(&anchor)).unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.lines_checked, 6);
}

#[test]
fn appends_from_threads_form_one_chain() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("vault.json");
    let anchor = anchor();
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let vault = vault.clone();
            let key = anchor.key.clone();
            std::thread::spawn(move || {
                let log = AuditLog::for_vault(&vault);
                for n in 0..25 {
                    log.append(&key, &record(t * 100 + n)).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let report = AuditLog::for_vault(&vault).verify(Some(&anchor)).unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.lines_checked, 100);
}

const CHILD_ENV: &str = "AUDIT_TEST_VAULT";
/// The key, as the vault file holds it (hex in JSON), for the children.
const CHILD_KEY_ENV: &str = "AUDIT_TEST_KEY";

/// Not a test: the body of the appending child processes.
#[test]
#[ignore = "run only as a child process of the tests in this file"]
fn child_process() {
    let Some(vault) = std::env::var_os(CHILD_ENV).map(PathBuf::from) else {
        return;
    };
    let key: AuditKey = serde_json::from_str(&std::env::var(CHILD_KEY_ENV).unwrap()).unwrap();
    let log = AuditLog::for_vault(&vault);
    for n in 0..50 {
        log.append(&key, &record(n)).unwrap();
    }
}

#[test]
fn appends_from_processes_form_one_chain() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("vault.json");
    let anchor = anchor();
    let key = serde_json::to_string(&anchor.key).unwrap();
    let children: Vec<_> = (0..3)
        .map(|_| {
            Command::new(std::env::current_exe().unwrap())
                .args(["child_process", "--exact", "--ignored", "--test-threads=1"])
                .env(CHILD_ENV, &vault)
                .env(CHILD_KEY_ENV, &key)
                .stdout(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    let report = AuditLog::for_vault(&vault).verify(Some(&anchor)).unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.lines_checked, 150);
}
