//! The audit screen on a 10⁶-line log (issue 12): opening it on its newest page (budget
//! ≤ 50 ms: the job that reads the page and the reply, as the worker and the UI run them), and
//! drawing a frame while a search runs (budget ≤ 2 ms), with the UI's share of taking in one
//! search chunk beside it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::Criterion;
use crossterm::event::KeyCode;
use kms_console::core::audit::{AuditEntry, AuditRecord, Seal};
use kms_console::core::paths::audit_path;
use kms_console::core::vault::{Sources, Vault, new_vault_state};
use kms_console::core::vault_file::NewProtection;
use kms_console::tui::action::Action;
use kms_console::tui::app::{App, AppConfig, Startup};
use kms_console::tui::job::{Job, Reply, WorkerEvent};
use kms_console::tui::runtime::harness::Harness;
use kms_console::tui::runtime::worker::Executor;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const LINES: u64 = 1_000_000;
const OPEN_BUDGET: Duration = Duration::from_millis(50);
const FRAME_BUDGET: Duration = Duration::from_millis(2);

/// A file vault whose audit log is `LINES` copies of one line (seq and RequestId changed; every
/// 1000th by `auditor`), written directly.
fn vault(dir: &Path) -> PathBuf {
    let path = dir.join("vault.json");
    let state = new_vault_state(&Sources::default()).expect("state");
    drop(Vault::create(&path, state, NewProtection::None, Sources::default()).expect("vault"));
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
    let line = serde_json::to_string(&template).expect("line");
    let (head, rest) = line.split_once("424242424242").expect("seq");
    let (before_who, rest) = rest.split_once("@@P@@").expect("principal");
    let (before_id, tail) = rest.split_once("@@RID@@").expect("id");
    let file = std::fs::File::create(audit_path(&path)).expect("log");
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    for seq in 1..=LINES {
        let who = if seq % 1000 == 0 { "auditor" } else { "admin" };
        writeln!(
            out,
            "{head}{seq}{before_who}{who}{before_id}00000000-0000-4000-8000-{seq:012}{tail}"
        )
        .expect("write");
    }
    out.flush().expect("flush");
    path
}

fn console(path: &Path) -> Harness {
    let mut h = Harness::new(
        App::new(AppConfig::default()),
        Executor::new(Sources::default()),
    );
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
    h.act(Action::Resize(120, 40));
    h
}

/// Keys screen, then the audit screen: the newest page is read and shown.
fn open_newest(h: &mut Harness) {
    h.type_text("1");
    h.type_text("3");
    assert!(h.app.audit.page.at_end, "the newest page");
}

/// A console with a search under way: its first chunk found, the next one held.
fn searching(path: &Path) -> (Harness, (u64, Job)) {
    let mut h = console(path);
    h.type_text("3");
    h.hold = true;
    h.type_text("/principal=auditor");
    h.key(KeyCode::Enter);
    let (id, job) = h.held.remove(0);
    let (reply, _) = h.executor.run(job);
    h.act(Action::Worker(WorkerEvent::Done(id, reply)));
    let next = h.held.remove(0);
    assert!(h.app.audit.search.as_ref().is_some_and(|s| s.running));
    (h, next)
}

fn draw(terminal: &mut Terminal<TestBackend>, app: &App) {
    if let Err(e) = terminal.draw(|f| kms_console::tui::app::view::render(f, app)) {
        match e {}
    }
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

pub fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = vault(dir.path());
    let mut g = c.benchmark_group("tui_audit_1m_lines");
    let mut h = console(&path);
    g.bench_function("open_newest_page", |b| b.iter(|| open_newest(&mut h)));
    let (h, _) = searching(&path);
    for (w, height) in [(120, 40), (80, 24)] {
        let mut terminal = Terminal::new(TestBackend::new(w, height)).expect("terminal");
        g.bench_function(format!("frame_while_searching_{w}x{height}"), |b| {
            b.iter(|| draw(&mut terminal, &h.app));
        });
    }
    g.finish();
    check(&path);
}

/// Medians against the budgets, and the UI's share of one search chunk.
fn check(path: &Path) {
    let mut h = console(path);
    let open = median(
        (0..51)
            .map(|_| {
                let t = Instant::now();
                open_newest(&mut h);
                t.elapsed()
            })
            .collect(),
    );
    let (mut h, (id, job)) = searching(path);
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    let frame = median(
        (0..201)
            .map(|_| {
                let t = Instant::now();
                draw(&mut terminal, &h.app);
                t.elapsed()
            })
            .collect(),
    );
    // One chunk's reply, taken in by the UI (the worker's read of the chunk not counted).
    let worker = Instant::now();
    let (reply, _) = h.executor.run(job);
    let worker = worker.elapsed();
    let matches = match &reply {
        Reply::AuditFound(Ok(found)) => found.lines.len(),
        other => panic!("no chunk: {other:?}"),
    };
    let t = Instant::now();
    h.act(Action::Worker(WorkerEvent::Done(id, reply)));
    let take_in = t.elapsed();
    for (what, took, budget) in [
        (
            "audit screen opening on the newest page of 10^6 lines",
            open,
            OPEN_BUDGET,
        ),
        (
            "frame of the audit screen while a search runs",
            frame,
            FRAME_BUDGET,
        ),
    ] {
        let verdict = if took <= budget { "within" } else { "OVER" };
        eprintln!(
            "budget: {what}: median {:.3} ms, {verdict} the {} ms budget ({:.2}x of it)",
            took.as_secs_f64() * 1e3,
            budget.as_millis(),
            took.as_secs_f64() / budget.as_secs_f64()
        );
    }
    eprintln!(
        "measured: one search chunk: worker {:.3} ms ({matches} matches), UI taking it in {:.3} ms",
        worker.as_secs_f64() * 1e3,
        take_in.as_secs_f64() * 1e3
    );
}
