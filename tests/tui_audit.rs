//! The audit screen on real files (issue 12): a 10⁶-line log opens on its newest page and pages
//! through it, a filter or RequestId search runs as worker jobs with matches shown as they are
//! found (and Esc stops it), and an error modal jumps to its request's audit entry.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod tui_support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crossterm::event::KeyCode;
use kms_console::core::audit::{AuditEntry, AuditRecord, Seal};
use kms_console::core::clock::FixedClock;
use kms_console::core::paths::audit_path;
use kms_console::core::vault::{Sources, Vault, new_vault_state};
use kms_console::core::vault_file::NewProtection;
use kms_console::tui::action::Action;
use kms_console::tui::app::{App, Screen, Startup};
use kms_console::tui::job::{Job, WorkerEvent};
use kms_console::tui::modals::Modal;
use kms_console::tui::runtime::harness::Harness;
use kms_console::tui::runtime::worker::{AUDIT_PAGE, Executor};

const LINES: u64 = 1_000_000;

fn sources() -> Sources {
    tui_support::sources(Arc::new(FixedClock::new(tui_support::T0)))
}

/// A file vault in `dir` (its audit log as the vault wrote it).
fn vault(dir: &Path) -> PathBuf {
    let path = dir.join("vault.json");
    let state = new_vault_state(&sources()).unwrap();
    drop(Vault::create(&path, state, NewProtection::None, sources()).unwrap());
    path
}

fn request_id(seq: u64) -> String {
    format!("00000000-0000-4000-8000-{seq:012}")
}

/// Replaces the vault's audit log with `n` lines written directly: copies of one template line
/// with their seq and RequestId changed, every 1000th by `auditor` (the chain does not verify;
/// the screen does not need it to).
fn write_log(vault: &Path, n: u64) {
    let template = AuditEntry {
        seq: 424_242_424_242,
        record: AuditRecord {
            time: "2026-11-28T10:00:00Z".to_owned(),
            principal: "@@P@@".to_owned(),
            action: "Encrypt".to_owned(),
            key_id: Some("11111111-2222-4333-8444-555555555555".to_owned()),
            key_version_id: Some("66666666-7777-4888-9999-000000000000".to_owned()),
            result: "Success".to_owned(),
            request_id: "@@RID@@".to_owned(),
            ..AuditRecord::default()
        },
        prev: "0".repeat(64),
        seal: Seal::Mac("1".repeat(64)),
    };
    let line = serde_json::to_string(&template).unwrap();
    let (head, rest) = line.split_once("424242424242").unwrap();
    let (before_who, rest) = rest.split_once("@@P@@").unwrap();
    let (before_id, tail) = rest.split_once("@@RID@@").unwrap();
    let file = std::fs::File::create(audit_path(vault)).unwrap();
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    for seq in 1..=n {
        let who = if seq % 1000 == 0 { "auditor" } else { "admin" };
        let id = request_id(seq);
        writeln!(out, "{head}{seq}{before_who}{who}{before_id}{id}{tail}").unwrap();
    }
    out.flush().unwrap();
}

fn console(path: &Path) -> Harness {
    let config = tui_support::config();
    let mut h = Harness::new(App::new(config), Executor::new(sources()));
    let startup = Startup::Open {
        path: path.to_owned(),
        passphrase: None,
    };
    for e in h.app.start(startup) {
        if let kms_console::tui::action::Effect::Run(id, job) = e {
            let (reply, _) = h.executor.run(job);
            h.act(Action::Worker(WorkerEvent::Done(id, reply)));
        }
    }
    assert!(h.app.gate.is_none(), "the vault did not open");
    h
}

/// Runs the one held job (it must be a search chunk) as the worker would, leaving the next
/// chunk held.
fn run_one_chunk(h: &mut Harness) {
    assert_eq!(h.held.len(), 1, "one search chunk at a time");
    let (id, job) = h.held.remove(0);
    assert!(matches!(job, Job::SearchAudit { .. }), "{job:?}");
    let (reply, _) = h.executor.run(job);
    h.act(Action::Worker(WorkerEvent::Done(id, reply)));
}

fn seqs(h: &Harness) -> Vec<u64> {
    h.app
        .audit
        .rows_shown()
        .iter()
        .map(|l| l.entry.as_ref().unwrap().seq)
        .collect()
}

#[test]
fn a_million_line_log_opens_on_its_newest_page_and_a_search_shows_matches_as_found() {
    let dir = tempfile::tempdir().unwrap();
    let path = vault(dir.path());
    write_log(&path, LINES);
    let mut h = console(&path);
    h.type_text("3");
    assert_eq!(h.app.screen, Screen::Audit);
    // One page is held, the newest: the log was not read whole.
    let page = &h.app.audit.page;
    assert_eq!(page.lines.len(), AUDIT_PAGE);
    assert!(page.at_end && !page.at_start);
    assert_eq!(seqs(&h).last(), Some(&LINES));
    let screen = h.screen(80, 24);
    // The title counts the rows shown; the last row is the newest line.
    assert!(
        screen.contains("Audit log · lines 999,983–1,000,000 of 1,000,000"),
        "{screen}"
    );
    assert!(screen.contains("│1000000 11-28 10:00 auditor"), "{screen}");
    // Paging up past the page's first line reads the page before it from the file.
    h.key(KeyCode::PageUp);
    h.key(KeyCode::Home);
    let first_page_end = h.app.audit.page.lines.last().unwrap().entry.clone();
    assert_eq!(seqs(&h).first(), Some(&1), "g reads the oldest page");
    assert_eq!(first_page_end.unwrap().seq, AUDIT_PAGE as u64);
    let screen = h.screen(80, 24);
    assert!(screen.contains("lines 1–"), "{screen}");
    assert!(screen.contains("of ≈1,000,000"), "{screen}");
    h.key(KeyCode::Up);
    assert_eq!(h.app.audit.selected, 0, "nothing before the first line");
    h.key(KeyCode::End);
    assert_eq!(
        seqs(&h).last(),
        Some(&LINES),
        "G reads the newest page again"
    );

    // A filter: the UI only queues chunks; each chunk's matches show as it comes back.
    h.hold = true;
    h.type_text("/principal=auditor");
    h.key(KeyCode::Enter);
    run_one_chunk(&mut h);
    let search = h.app.audit.search.as_ref().unwrap();
    assert!(search.running, "one chunk does not cover 10⁶ lines");
    let after_one = search.matches.len();
    assert!(
        after_one > 0 && (after_one as u64) < LINES / 1000,
        "{after_one}"
    );
    assert_eq!(seqs(&h)[0], LINES, "newest match first");
    assert!(seqs(&h).iter().all(|s| s % 1000 == 0));
    let screen = h.screen(80, 24);
    assert!(screen.contains("searching…"), "{screen}");
    assert!(screen.contains(&format!("{after_one} matches")), "{screen}");
    run_one_chunk(&mut h);
    let after_two = h.app.audit.search.as_ref().unwrap().matches.len();
    assert!(after_two > after_one);
    // Esc stops it: the chunk already queued comes back and is dropped, nothing more is asked.
    h.key(KeyCode::Esc);
    run_one_chunk(&mut h);
    assert!(h.held.is_empty());
    let search = h.app.audit.search.as_ref().unwrap();
    assert!(!search.running);
    assert_eq!(search.matches.len(), after_two);
    assert!(h.screen(80, 24).contains("stopped"));

    // A RequestId from 100,000 lines back: the search ends at its one match; ⏎ opens it.
    // Esc again clears the filter: the page is back, its newest line selected as before.
    h.hold = false;
    h.key(KeyCode::Esc);
    assert!(h.app.audit.search.is_none());
    assert_eq!(seqs(&h).last(), Some(&LINES));
    assert_eq!(h.app.audit.selected, AUDIT_PAGE - 1);
    let wanted = request_id(900_017);
    h.type_text(&format!("/{wanted}"));
    h.key(KeyCode::Enter);
    let search = h.app.audit.search.as_ref().unwrap();
    assert_eq!(search.matches.len(), 1);
    assert!(!search.running);
    assert!(
        h.app.audit.detail.is_none(),
        "a / search lists, it does not jump"
    );
    h.key(KeyCode::Enter);
    let screen = h.screen(80, 24);
    assert!(screen.contains("Audit entry #900017"), "{screen}");
    assert!(screen.contains(&wanted), "{screen}");
    h.key(KeyCode::Esc);
    assert!(h.app.audit.detail.is_none());
    assert_eq!(h.app.screen, Screen::Audit);
}

#[test]
fn an_error_modal_jumps_to_its_requests_audit_entry() {
    let dir = tempfile::tempdir().unwrap();
    let path = vault(dir.path());
    let mut h = console(&path);
    // A refused call: DescribeKey of a key that does not exist.
    h.type_text("i");
    h.type_text("no-such-key");
    h.key(KeyCode::Enter);
    let Some(Modal::Error(e)) = h.app.modals.last() else {
        panic!("no error modal: {}", h.screen(80, 24));
    };
    let wanted = e.request_id.clone().unwrap();
    assert!(h.screen(80, 24).contains("a audit entry"));
    h.type_text("a");
    assert!(h.app.modals.is_empty());
    assert_eq!(h.app.screen, Screen::Audit);
    let detail = h
        .app
        .audit
        .detail
        .clone()
        .expect("the entry's detail opens");
    let entry = detail.line.entry.unwrap();
    assert_eq!(entry.record.request_id, wanted);
    assert_ne!(entry.record.result, "Success");
    let screen = h.screen(80, 24);
    assert!(screen.contains(&wanted), "{screen}");
    // Esc goes back to the list, which shows the search for that RequestId.
    h.key(KeyCode::Esc);
    assert_eq!(seqs(&h), [entry.seq]);
}
