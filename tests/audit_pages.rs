//! The audit log read a page at a time from either end and searched a chunk at a time
//! (`core::audit::pages`): pages tile the log exactly, agree with a whole read, show damaged and
//! cut-short lines as such, and searches resumed from where they stopped find every match,
//! newest first.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;

use kms_console::core::audit::pages::{
    AuditFilter, LogLine, page_after, page_before, search_backward,
};
use kms_console::core::audit::{AuditKey, AuditLog, AuditRecord};
use proptest::prelude::*;

const LINES: u64 = 2_000;

fn record(i: u64) -> AuditRecord {
    AuditRecord {
        time: format!("2026-09-{:02}T00:00:{:02}Z", 1 + i % 28, i % 60),
        principal: ["admin", "auditor", "rotation-operator"][usize::try_from(i % 3).unwrap()]
            .to_owned(),
        action: ["ReEncrypt", "Encrypt", "DescribeKey", "CreateKey"]
            [usize::try_from(i % 4).unwrap()]
        .to_owned(),
        key_id: Some(format!("key-{}", i % 7)),
        result: if i.is_multiple_of(5) {
            "Forbidden.NoPermission".to_owned()
        } else {
            "Success".to_owned()
        },
        request_id: format!("00000000-0000-4000-8000-{i:012}"),
        ..AuditRecord::default()
    }
}

fn log() -> (tempfile::TempDir, AuditLog) {
    let dir = tempfile::tempdir().unwrap();
    let log = AuditLog::at(dir.path().join("vault.json.audit.jsonl"));
    let key = AuditKey::generate().unwrap();
    for i in 1..=LINES {
        log.append(&key, &record(i)).unwrap();
    }
    (dir, log)
}

fn seqs(lines: &[LogLine]) -> Vec<u64> {
    lines
        .iter()
        .map(|l| l.entry.as_ref().unwrap().seq)
        .collect()
}

#[test]
fn the_newest_page_and_every_page_back_tile_the_log() {
    let (_dir, log) = log();
    let newest = page_before(log.path(), None, 25).unwrap();
    assert_eq!(
        seqs(&newest.lines),
        (LINES - 24..=LINES).collect::<Vec<_>>()
    );
    assert!(newest.at_end && !newest.at_start);
    // Back to the start, a page at a time.
    let mut all = Vec::new();
    let mut page = newest;
    loop {
        let mut lines = page.lines.clone();
        lines.append(&mut all);
        all = lines;
        if page.at_start {
            break;
        }
        page = page_before(log.path(), Some(page.start()), 97).unwrap();
    }
    assert_eq!(seqs(&all), (1..=LINES).collect::<Vec<_>>());
    let whole: Vec<_> = log.read().unwrap();
    let parsed: Vec<_> = all.iter().map(|l| l.entry.clone().unwrap()).collect();
    assert_eq!(parsed, whole);
    // And forward again from the first line.
    let mut forward = Vec::new();
    let mut at = 0;
    loop {
        let page = page_after(log.path(), at, 301).unwrap();
        forward.extend(page.lines.iter().cloned());
        if page.at_end {
            break;
        }
        at = page.end();
    }
    assert_eq!(forward, all);
}

#[test]
fn damaged_and_cut_short_lines_show_as_such() {
    let (_dir, log) = log();
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(log.path())
        .unwrap();
    file.write_all(b"not json at all\n{\"seq\": 99").unwrap();
    drop(file);
    let page = page_before(log.path(), None, 3).unwrap();
    assert_eq!(page.lines.len(), 3);
    assert_eq!(page.lines[0].entry.as_ref().unwrap().seq, LINES);
    assert!(page.lines[1].entry.is_none());
    assert!(page.lines[2].entry.is_none());
    let len = std::fs::metadata(log.path()).unwrap().len();
    assert_eq!(page.lines[2].end, len);
}

#[test]
fn a_missing_or_empty_log_is_one_empty_page() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("none.jsonl");
    let page = page_before(&path, None, 10).unwrap();
    assert!(page.lines.is_empty() && page.at_start && page.at_end);
    std::fs::write(&path, b"").unwrap();
    let page = page_before(&path, None, 10).unwrap();
    assert!(page.lines.is_empty() && page.at_start && page.at_end);
    let found = search_backward(&path, &AuditFilter::default(), None, 1 << 20, |_| true).unwrap();
    assert!(found.done);
}

/// Runs a search to its end in steps of `budget` bytes; the matches' seqs, newest first.
fn search_all(log: &AuditLog, filter: &AuditFilter, budget: u64) -> Vec<u64> {
    let mut found = Vec::new();
    let mut before = None;
    loop {
        let progress = search_backward(log.path(), filter, before, budget, |line| {
            found.push(line.entry.unwrap().seq);
            true
        })
        .unwrap();
        if progress.done {
            return found;
        }
        before = Some(progress.resume_before);
    }
}

#[test]
fn searches_resume_and_find_what_a_whole_read_finds_newest_first() {
    let (_dir, log) = log();
    let whole = log.read().unwrap();
    let filters = [
        AuditFilter {
            request_id: Some(record(1234).request_id),
            ..AuditFilter::default()
        },
        AuditFilter {
            principal: Some("auditor".into()),
            action: Some("ReEncrypt".into()),
            ..AuditFilter::default()
        },
        AuditFilter {
            result: Some("Forbidden.NoPermission".into()),
            key: Some("key-3".into()),
            ..AuditFilter::default()
        },
        AuditFilter {
            since: Some("2026-09-10T00:00:00Z".into()),
            until: Some("2026-09-11T00:00:00Z".into()),
            ..AuditFilter::default()
        },
    ];
    for filter in &filters {
        let mut expected: Vec<u64> = whole
            .iter()
            .filter(|e| filter.matches(e))
            .map(|e| e.seq)
            .collect();
        expected.reverse();
        assert!(!expected.is_empty(), "{filter:?}");
        assert_eq!(search_all(&log, filter, 10_000), expected, "{filter:?}");
        assert_eq!(search_all(&log, filter, u64::MAX), expected, "{filter:?}");
    }
    assert_eq!(
        search_all(
            &log,
            &AuditFilter {
                request_id: Some(record(1234).request_id),
                ..AuditFilter::default()
            },
            u64::MAX
        ),
        vec![1234]
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any bytes at all: backward pages give the same lines, at the same offsets, as splitting
    /// the file on newlines (long lines across read chunks included).
    #[test]
    fn pages_split_any_file_like_a_plain_split(
        lines in proptest::collection::vec(
            prop_oneof![
                3 => proptest::collection::vec(any::<u8>().prop_filter("no newline", |b| *b != b'\n'), 0..200),
                1 => proptest::collection::vec(Just(b'x'), 60_000..140_000),
            ],
            0..12,
        ),
        last_newline in any::<bool>(),
        n in 1usize..5,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.jsonl");
        let mut bytes = lines.join(&b'\n');
        if last_newline && !lines.is_empty() {
            bytes.push(b'\n');
        }
        std::fs::write(&path, &bytes).unwrap();
        // The expected lines: (offset, length).
        let mut expected = Vec::new();
        let mut offset = 0u64;
        for piece in bytes.split(|&b| b == b'\n') {
            expected.push((offset, piece.len() as u64));
            offset += piece.len() as u64 + 1;
        }
        if bytes.last() == Some(&b'\n') || bytes.is_empty() {
            expected.pop();
        }
        let mut got = Vec::new();
        let mut page = page_before(&path, None, n).unwrap();
        loop {
            let mut these: Vec<_> = page
                .lines
                .iter()
                .map(|l| (l.offset, l.end - l.offset - u64::from(l.end <= bytes.len() as u64 && bytes.get(usize::try_from(l.end).unwrap() - 1) == Some(&b'\n'))))
                .collect();
            these.append(&mut got);
            got = these;
            if page.at_start {
                break;
            }
            page = page_before(&path, Some(page.start()), n).unwrap();
        }
        prop_assert_eq!(got, expected);
    }
}
