//! The drill screen in each of its states, reached with keys where that is deterministic and
//! with fixed numbers (scan counts, progress, the report's timing) where the real ones would
//! depend on files, threads and the clock.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::time::Duration;

use crossterm::event::KeyCode;
use kms_console::core::drill::{
    CensusInput, CensusOptions, CensusReport, DrillControl, DrillError, DrillJob, DrillOptions,
    DrillOutcome, DrillProgress, DrillReport, DrillTotals, KeyCount, LineFailure, VersionCount,
    census, run_job,
};
use kms_console::tui::action::Action;
use kms_console::tui::drill_scan::InputScan;
use kms_console::tui::job::{DrillDone, Reply, WorkerEvent};
use kms_console::tui::runtime::harness::Harness;
use kms_console::tui::screens::drill::ScanState;

use super::states::State;
use super::{harness, orders_versions};

pub const INPUT: &str = "/home/demo/orders-blobs.txt";
const REQUEST_ID: &str = "00000000-0000-4000-8000-0000000000d1";

fn state(name: &str, keys: impl FnOnce(&mut Harness)) -> State {
    let mut h = harness();
    keys(&mut h);
    State {
        name: name.to_owned(),
        harness: h,
    }
}

/// A scan of 12,400 lines: most under old versions of alias/orders, some current, some of
/// alias/payments, a version this vault does not have, bad and blank lines.
pub fn scan(h: &Harness) -> InputScan {
    let orders = orders_versions(h);
    let payments = h.app.view.resolve("alias/payments").unwrap().primary_id();
    InputScan {
        path: INPUT.to_owned(),
        lines: 12_400,
        bytes: 1_210_000,
        blank: 2,
        bad: 10,
        first_bad: Some(17),
        versions: vec![
            (orders[0].clone(), 6_000),
            (orders[2].clone(), 2_380),
            (orders[1].clone(), 2_000),
            (payments.to_owned(), 1_974),
            ("0badc0de-0000-4000-8000-000000000000".to_owned(), 34),
        ],
        other_versions: 0,
        too_long: None,
    }
}

/// The drill screen with the input typed and its scan in.
pub fn filled(h: &mut Harness) {
    h.type_text("4");
    h.key(KeyCode::Enter);
    h.type_text(INPUT);
    h.app.drill.scan = ScanState::Ready(scan(h));
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
}

/// The form with the destination emptied: a drill in place.
fn in_place(h: &mut Harness) {
    filled(h);
    for _ in 0..60 {
        h.key(KeyCode::Backspace);
    }
}

/// A census of [`INPUT`] made by the core's census over lines of the harness vault's versions
/// (headers are all a census reads): old and current alias/orders lines, alias/payments, a
/// Disabled key, an SM2 line, a version this vault lacks, a bad and a blank line.
pub fn census_report(h: &Harness) -> CensusReport {
    let (vault, _, _) = super::vault();
    let orders = orders_versions(h);
    let primary = |alias: &str| h.app.view.resolve(alias).unwrap().primary_id().to_owned();
    let sm2 = h.app.view.resolve("alias/sm2").unwrap();
    let asymmetric = serde_json::json!({"CiphertextBlob": "AAAA", "SourceKeyId": sm2.key_id,
        "SourceKeyVersionId": sm2.primary_id(), "SourceEncryptionAlgorithm": "SM2PKE"})
    .to_string();
    let mut lines = Vec::new();
    for (version, n) in [
        (orders[0].clone(), 3),
        (orders[1].clone(), 2),
        (orders[2].clone(), 4),
        (primary("alias/payments"), 2),
        (primary("alias/retired"), 1),
        ("0badc0de-0000-4000-8000-000000000000".to_owned(), 1),
    ] {
        lines.extend(std::iter::repeat_n(super::fake_blob(&version), n));
    }
    lines.extend([asymmetric, "not a blob".to_owned(), String::new()]);
    let text = lines.join("\n") + "\n";
    let reader: Box<dyn std::io::BufRead> = Box::new(std::io::Cursor::new(text.into_bytes()));
    let options = CensusOptions {
        threads: 2,
        locations: 3,
    };
    let inputs = vec![CensusInput::Reader(INPUT.to_owned(), reader)];
    census(vault.state(), &vault.ctx("admin"), inputs, &options).unwrap()
}

/// The census view, its job held and answered with [`census_report`].
fn census_view(h: &mut Harness) {
    filled(h);
    h.key(KeyCode::Esc);
    h.hold = true;
    h.type_text("c");
    let (id, _) = h.held.remove(0);
    h.hold = false;
    let report = census_report(h);
    h.act(Action::Worker(WorkerEvent::Done(
        id,
        Reply::Census(Ok(Box::new(report))),
    )));
}

/// Started, with the job held instead of run; its id.
pub fn started(h: &mut Harness) -> u64 {
    filled(h);
    start_held(h)
}

/// Started with "rotate first" ticked, held; its id.
pub fn started_rotating(h: &mut Harness) -> u64 {
    filled(h);
    h.app.drill.form.rotate = true;
    start_held(h)
}

/// The worker's view after a rotate-first drill made alias/orders a new version.
pub fn rotated_orders(h: &mut Harness) {
    let mut view = h.app.view.clone();
    let orders = view.resolve("alias/orders").unwrap().key_id.clone();
    let key = view.keys.iter_mut().find(|k| k.key_id == orders).unwrap();
    let mut new = key.versions[0].clone();
    "99999999-0000-4000-8000-00000000aaaa".clone_into(&mut new.id);
    key.versions.push(new);
    h.act(Action::Worker(WorkerEvent::Snapshot(Box::new(view))));
}

fn start_held(h: &mut Harness) -> u64 {
    h.hold = true;
    h.key(KeyCode::Enter);
    h.held.first().expect("a drill job").0
}

pub fn progress() -> (DrillProgress, Duration) {
    let progress = DrillProgress {
        input_bytes: 1_210_000,
        bytes_read: 730_000,
        lines_read: 7_424,
        lines_done: 7_168,
        re_encrypted: 6_900,
        already_current: 248,
        failed: 20,
        empty: 0,
    };
    (progress, Duration::from_millis(2_250))
}

pub fn running(h: &mut Harness) {
    let id = started(h);
    let (progress, elapsed) = progress();
    h.act(Action::Worker(WorkerEvent::DrillProgress {
        id,
        progress,
        elapsed,
    }));
}

/// What the worker sends back for the held drill.
pub fn finish(h: &mut Harness, result: Result<DrillReport, DrillError>) {
    let (id, _) = h.held.remove(0);
    h.hold = false;
    let done = DrillDone {
        job: job(),
        outcome: DrillOutcome {
            request_id: REQUEST_ID.to_owned(),
            result,
        },
    };
    h.act(Action::Worker(WorkerEvent::Done(
        id,
        Reply::Drill(Box::new(done)),
    )));
}

pub fn job() -> DrillJob {
    DrillJob {
        input: PathBuf::from(INPUT),
        output: Some(PathBuf::from(format!("{INPUT}.reencrypted"))),
        force: false,
        rotate: false,
        options: DrillOptions {
            destination_key_id: "alias/orders".to_owned(),
            threads: 4,
            dry_run: false,
            max_failures: 10_000,
        },
    }
}

/// What the real drill reports for the two kinds of bad line in [`scan`]: a line that is not a
/// blob, and a blob naming a version this vault does not hold (a dry run of the core's drill
/// over a two-line file, on the same demo-like vault).
fn real_failures() -> [LineFailure; 2] {
    let (mut vault, _, _) = super::vault();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("two-bad-lines.txt");
    let unknown = super::fake_blob("0badc0de-0000-4000-8000-000000000000");
    std::fs::write(&input, format!("not a blob at all\n{unknown}\n")).unwrap();
    let mut options = DrillOptions::new("alias/orders");
    options.dry_run = true;
    let job = DrillJob {
        input,
        output: None,
        force: false,
        rotate: false,
        options,
    };
    let control = DrillControl::new();
    let outcome = run_job(&mut vault, "admin", &job, &control, &mut |_| {});
    let failures = outcome.result.unwrap().failures;
    let [bad_line, unknown_version] = <[LineFailure; 2]>::try_from(failures).unwrap();
    assert_eq!(bad_line.code, "InvalidParameter");
    assert_eq!(unknown_version.code, "Forbidden.KeyNotFound");
    [bad_line, unknown_version]
}

/// The report of the drill of [`scan`], with fixed timing.
pub fn report(h: &Harness) -> DrillReport {
    let orders = orders_versions(h);
    let orders_id = h.app.view.aliases["alias/orders"].clone();
    let payments = h.app.view.resolve("alias/payments").unwrap();
    let count = |key: &str, version: &str, before, after| VersionCount {
        key_id: key.to_owned(),
        key_version_id: version.to_owned(),
        before,
        after,
    };
    let [bad_line, unknown_version] = real_failures();
    let mut failures: Vec<LineFailure> = (0..10)
        .map(|i| LineFailure {
            line: 17 + i * 211,
            ..bad_line.clone()
        })
        .collect();
    failures.extend((0..34).map(|i| LineFailure {
        line: 40 + i * 301,
        ..unknown_version.clone()
    }));
    failures.sort_by_key(|f| f.line);
    DrillReport {
        destination_key_id: orders_id.clone(),
        destination_key_version_id: orders[2].clone(),
        in_place: false,
        rotated: false,
        rotations: Vec::new(),
        dry_run: false,
        threads: 4,
        totals: DrillTotals {
            lines: 12_400,
            re_encrypted: 9_974,
            already_current: 2_380,
            failed: 44,
            empty: 2,
        },
        versions: vec![
            count(&orders_id, &orders[0], 6_000, 0),
            count(&orders_id, &orders[1], 2_000, 0),
            count(&orders_id, &orders[2], 2_380, 12_354),
            count(&payments.key_id, payments.primary_id(), 1_974, 0),
        ],
        keys: vec![
            KeyCount {
                key_id: orders_id.clone(),
                primary_key_version_id: orders[2].clone(),
                before: 10_380,
                after: 12_354,
            },
            KeyCount {
                key_id: payments.key_id.clone(),
                primary_key_version_id: payments.primary_id().to_owned(),
                before: 1_974,
                after: 0,
            },
        ],
        failures,
        failures_omitted: 0,
        elapsed_seconds: 3.9,
        lines_per_second: 3_179.5,
    }
}

/// Every state of the drill screen.
pub fn all() -> Vec<State> {
    vec![
        state("drill_form", |h| h.type_text("4")),
        state("drill_editing", |h| {
            h.type_text("4");
            h.key(KeyCode::Enter);
            h.type_text("~/blobs");
        }),
        state("drill_scan_failed", |h| {
            h.type_text("4");
            h.key(KeyCode::Enter);
            h.type_text(INPUT);
            h.key(KeyCode::Tab);
        }),
        state("drill_histogram", filled),
        state("drill_in_place", in_place),
        state("drill_census", census_view),
        state("drill_required", |h| {
            h.type_text("4");
            h.key(KeyCode::Enter);
            h.key(KeyCode::Enter);
        }),
        state("drill_running", running),
        state("drill_cancelling", |h| {
            running(h);
            h.key(KeyCode::Esc);
        }),
        state("drill_cancelled", |h| {
            running(h);
            h.key(KeyCode::Esc);
            finish(h, Err(DrillError::Cancelled));
        }),
        state("drill_quit_asked", |h| {
            running(h);
            h.key(KeyCode::Char('q'));
        }),
        state("drill_cancelled_rotated", |h| {
            started_rotating(h);
            let (progress, elapsed) = progress();
            let id = h.held[0].0;
            h.act(Action::Worker(WorkerEvent::DrillProgress {
                id,
                progress,
                elapsed,
            }));
            h.key(KeyCode::Esc);
            rotated_orders(h);
            finish(h, Err(DrillError::Cancelled));
        }),
        state("drill_report", |h| {
            running(h);
            let report = report(h);
            finish(h, Ok(report));
            h.app.toasts.0.clear();
        }),
        state("drill_output_exists", |h| {
            running(h);
            finish(
                h,
                Err(DrillError::OutputExists(format!("{INPUT}.reencrypted"))),
            );
        }),
    ]
}
