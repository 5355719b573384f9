//! The drill screen: its logic without a terminal (keys in, model and effects out), drills run
//! to the end and cancelled on a real vault file through the harness, a drill cancelled midway
//! on the real worker thread, and the wiped Plaintext field.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod tui_support;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crossterm::event::KeyCode;
use kms_console::api::{ApiRequest, dispatch};
use kms_console::core::audit::{AuditEntry, AuditRecord};
use kms_console::core::clock::FixedClock;
use kms_console::core::vault::{Vault, new_vault_state};
use kms_console::core::vault_file::NewProtection;
use kms_console::tui::action::{Action, Effect};
use kms_console::tui::app::{App, Screen};
use kms_console::tui::form::field::FieldInput;
use kms_console::tui::job::{Job, WorkerEvent};
use kms_console::tui::keymap::Layer;
use kms_console::tui::modals::Modal;
use kms_console::tui::modals::quit::QUIT_TITLE;
use kms_console::tui::runtime::harness::{Harness, draw};
use kms_console::tui::runtime::worker::{Executor, Worker};
use kms_console::tui::screens::drill::census::CensusState;
use kms_console::tui::screens::drill::form::DrillField;
use kms_console::tui::screens::drill::{CANCELLED, DrillPhase, ScanState};
use kms_console::tui::vault_view::VaultView;
use tui_support::drill_states::{self, INPUT};
use tui_support::harness;

fn sources() -> kms_console::core::vault::Sources {
    tui_support::sources(Arc::new(FixedClock::new(tui_support::T0)))
}

fn call(vault: &mut Vault, action: &str, params: &[(&str, &str)]) -> serde_json::Value {
    let mut request = ApiRequest::new(action);
    for (k, v) in params {
        request.set(k, *v);
    }
    dispatch(vault, "admin", &request).unwrap().document()
}

/// A vault file with alias/orders (two versions), and an input of `copies` × (3 blobs under
/// version 1, one under version 2, a JSON line with a context), a bad line and a blank one.
fn setup(dir: &Path, copies: usize) -> (Vault, PathBuf) {
    let path = dir.join("vault.json");
    let state = new_vault_state(&sources()).unwrap();
    let mut vault = Vault::create(&path, state, NewProtection::None, sources()).unwrap();
    let key = call(&mut vault, "CreateKey", &[]);
    let key = key["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned();
    call(
        &mut vault,
        "CreateAlias",
        &[("AliasName", "alias/orders"), ("KeyId", &key)],
    );
    let encrypt = |v: &mut Vault, text: &str, context: &str| {
        let mut params = vec![("KeyId", key.as_str()), ("Plaintext", text)];
        if !context.is_empty() {
            params.push(("EncryptionContext", context));
        }
        call(v, "Encrypt", &params)["CiphertextBlob"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let mut block: Vec<String> = (0..3)
        .map(|i| encrypt(&mut vault, &format!("v1 #{i}"), ""))
        .collect();
    let with_context = encrypt(&mut vault, "ctx", r#"{"app":"orders"}"#);
    block.push(format!(
        r#"{{"CiphertextBlob":"{with_context}","EncryptionContext":{{"app":"orders"}},"Note":"kept"}}"#
    ));
    call(&mut vault, "CreateKeyVersion", &[("KeyId", &key)]);
    block.push(encrypt(&mut vault, "v2", ""));
    let mut text = vec![block.join("\n"); copies].join("\n");
    text.push_str("\nnot a blob\n\n");
    let input = dir.join("blobs.txt");
    std::fs::write(&input, text).unwrap();
    (vault, input)
}

/// A console open on `vault`, on the drill screen with `input` typed and scanned.
fn console(vault: Vault, input: &Path) -> Harness {
    let view = VaultView::from_state(vault.state());
    let mut app = App::with_vault(tui_support::config(), tui_support::info(), view);
    app.size = (80, 24);
    let mut h = Harness::new(app, Executor::with_vault(vault));
    h.type_text("4");
    h.key(KeyCode::Enter);
    h.type_text(input.to_str().unwrap());
    h.key(KeyCode::Tab);
    h
}

fn audit_drills(vault: &Path) -> Vec<AuditRecord> {
    let log = std::fs::read_to_string(kms_console::core::paths::audit_path(vault)).unwrap();
    log.lines()
        .map(|l| serde_json::from_str::<AuditEntry>(l).unwrap().record)
        .filter(|r| r.action == "Drill")
        .collect()
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("drill-tmp") || n.ends_with(".reencrypted"))
        .collect()
}

#[test]
fn four_and_a_click_on_its_tab_open_the_drill_screen_with_the_selected_key() {
    let mut h = harness();
    h.type_text("j4");
    assert_eq!(h.app.screen, Screen::Drill);
    assert_eq!(
        h.app.drill.form.value(DrillField::Destination),
        "alias/payments"
    );
    // Not chosen yet: it follows the selection.
    h.type_text("1k4");
    assert_eq!(
        h.app.drill.form.value(DrillField::Destination),
        "alias/orders"
    );
    h.type_text("1");
    let tabs = h.screen(80, 24);
    let col = tabs.lines().next().unwrap().find("4 Drill").unwrap();
    h.act(Action::Click {
        column: u16::try_from(col).unwrap(),
        row: 0,
    });
    assert_eq!(h.app.screen, Screen::Drill);
    let (layers, _) = h.app.route();
    assert_eq!(layers, [Layer::Always, Layer::Drill, Layer::Global]);
}

#[test]
fn the_form_takes_typed_keys_and_the_output_follows_the_input_until_edited() {
    let mut h = harness();
    h.type_text("4");
    h.key(KeyCode::Enter);
    assert!(h.app.drill.is_editing());
    h.type_text("q/in.txt");
    assert!(!h.app.quit, "q is part of the path");
    let form = &h.app.drill.form;
    assert_eq!(form.value(DrillField::Input), "q/in.txt");
    assert_eq!(form.value(DrillField::Output), "q/in.txt.reencrypted");
    h.key(KeyCode::Tab);
    h.key(KeyCode::End);
    h.type_text("2");
    h.key(KeyCode::BackTab);
    h.key(KeyCode::Backspace);
    let form = &h.app.drill.form;
    assert_eq!(form.value(DrillField::Input), "q/in.tx");
    assert_eq!(form.value(DrillField::Output), "q/in.txt.reencrypted2");
    // A click on a check box flips it; rotate first and dry run exclude each other.
    let body = kms_console::tui::app::view::areas(&h.app).body;
    h.act(Action::Click {
        column: 20,
        row: body.y + 1 + 4,
    });
    assert!(h.app.drill.form.rotate);
    h.act(Action::Click {
        column: 20,
        row: body.y + 1 + 5,
    });
    assert!(h.app.drill.form.dry_run && !h.app.drill.form.rotate);
    assert_eq!(h.app.drill.form.focus, DrillField::DryRun);
    h.type_text(" ");
    assert!(!h.app.drill.form.dry_run);
    h.key(KeyCode::Esc);
    assert!(!h.app.drill.is_editing());
    h.type_text("q");
    assert!(h.app.quit);
}

#[test]
fn leaving_the_input_field_scans_it_once_and_starting_checks_the_fields() {
    let mut h = harness();
    h.hold = true;
    h.type_text("4s");
    let form = &h.app.drill.form;
    assert_eq!(form.errors.len(), 2, "{:?}", form.errors);
    assert_eq!(form.focus, DrillField::Input);
    assert!(h.app.drill.is_editing() && h.held.is_empty());
    h.type_text(INPUT);
    assert!(h.held.is_empty(), "no scan while typing");
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    h.key(KeyCode::BackTab);
    assert_eq!(h.held.len(), 1, "one scan");
    assert!(matches!(&h.held[0].1, Job::ScanDrillInput { path } if path == INPUT));
    assert_eq!(h.app.drill.scan, ScanState::Scanning(INPUT.to_owned()));
    assert!(h.app.drill.form.errors.is_empty());
    h.app.drill.form.set(DrillField::Threads, "300");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.drill.form.focus, DrillField::Threads);
    assert_eq!(h.held.len(), 1, "not started");
    // The scan answers; the histogram places each version.
    h.release();
    assert!(
        matches!(&h.app.drill.scan, ScanState::Failed { error, .. } if error.contains("cannot open"))
    );
    h.app.drill.scan = ScanState::Ready(drill_states::scan(&h));
    let screen = h.screen(80, 24);
    assert!(
        screen.contains("9,974 to re-encrypt · 2,380 already current · 44 to fail"),
        "{screen}"
    );
    assert!(
        screen.contains("✗ a whole number from 1 to 256"),
        "{screen}"
    );
}

#[test]
fn the_plan_warns_of_other_keys_moving_and_labels_its_counts_an_estimate() {
    let mut h = harness();
    h.type_text("4");
    h.key(KeyCode::Enter);
    h.type_text(INPUT);
    h.app.drill.scan = ScanState::Ready(drill_states::scan(&h));
    h.key(KeyCode::Tab);
    h.key(KeyCode::Esc);
    let screen = h.screen(80, 30);
    // 1,974 lines are under alias/payments: the drill to alias/orders moves them over.
    assert!(
        screen.contains("⚠ 1,974 lines of other keys will move to alias/orders"),
        "{screen}"
    );
    assert!(screen.contains("≈ 9,974 to re-encrypt"), "{screen}");
    assert!(
        screen.contains("≈ estimate: decryption may still fail"),
        "{screen}"
    );
    // In place, every line stays with its own key: nothing to warn of, still an estimate.
    h.app.drill.form.set(DrillField::Destination, "");
    let screen = h.screen(80, 30);
    assert!(screen.contains("✓ in place"), "{screen}");
    assert!(!screen.contains("of other keys"), "{screen}");
    assert!(screen.contains("≈ estimate"), "{screen}");
}

#[test]
fn the_picker_offers_symmetric_keys_for_the_destination() {
    let mut h = harness();
    h.type_text("4");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    h.ctrl('p');
    let Some(Modal::Picker(p)) = h.app.modals.last() else {
        panic!("no picker");
    };
    assert!(
        p.items
            .iter()
            .all(|i| !i.label.contains("rsa") && !i.label.contains("sm2"))
    );
    h.type_text("gm-sm4");
    h.key(KeyCode::Enter);
    assert_eq!(
        h.app.drill.form.value(DrillField::Destination),
        "alias/gm-sm4"
    );
    // Chosen: it no longer follows the selected key.
    h.key(KeyCode::Esc);
    h.type_text("1j4");
    assert_eq!(
        h.app.drill.form.value(DrillField::Destination),
        "alias/gm-sm4"
    );
}

#[test]
fn a_running_drill_shows_its_progress_and_esc_cancels_it_once() {
    let mut h = harness();
    let id = drill_states::started(&mut h);
    let Job::Drill {
        job,
        control,
        principal,
    } = &h.held[0].1
    else {
        panic!("not a drill");
    };
    assert_eq!(principal, "admin");
    assert_eq!(job.input, PathBuf::from(INPUT));
    assert_eq!(
        job.options.threads, 0,
        "one per core, counted by the worker"
    );
    let control = Arc::clone(control);
    assert_eq!(h.app.drill.layer(), Layer::DrillRun);
    let (progress, elapsed) = drill_states::progress();
    h.act(Action::Worker(WorkerEvent::DrillProgress {
        id,
        progress,
        elapsed,
    }));
    let run = h.app.drill.running().unwrap();
    assert!(
        (run.ratio() - 7_168.0 / 12_400.0).abs() < 1e-9,
        "lines of the scanned total"
    );
    assert!((run.rate().unwrap() - 7_168.0 / 2.25).abs() < 1e-6);
    assert_eq!(run.eta().unwrap().as_secs(), 1);
    // Other screens work meanwhile; the drill screen still shows it.
    h.type_text("1j4");
    assert_eq!(h.app.screen, Screen::Drill);
    assert!(h.app.drill.running().is_some());
    h.key(KeyCode::Esc);
    assert!(control.is_cancelled());
    assert!(matches!(h.effects.last(), Some(Effect::Cancel(_))));
    let before = h.effects.len();
    h.key(KeyCode::Esc);
    assert_eq!(h.effects.len(), before, "asked once");
    assert!(h.app.drill.running().unwrap().cancelling);
}

#[test]
fn quitting_while_a_drill_runs_asks_first_and_quits_cancelling_it() {
    let mut h = harness();
    drill_states::started(&mut h);
    h.type_text("q");
    assert!(!h.app.quit, "q asks first");
    assert!(h.effects.is_empty(), "{:?}", h.effects);
    assert!(matches!(h.app.modals.last(), Some(Modal::Quit(_))));
    assert!(h.screen(80, 24).contains(QUIT_TITLE));
    // n keeps the drill running.
    h.type_text("n");
    assert!(h.app.modals.is_empty());
    assert!(h.app.drill.running().is_some_and(|r| !r.cancelling));
    assert!(!h.app.quit);
    // ^C asks too; y quits, cancelling the drill first.
    h.ctrl('c');
    assert!(!h.app.quit, "^C asks first too");
    h.type_text("y");
    assert!(h.app.quit);
    assert!(matches!(h.effects.as_slice(), [Effect::Cancel(c), Effect::Quit] if c.is_cancelled()));
}

#[test]
fn a_second_ctrl_c_on_the_question_quits_at_once() {
    let mut h = harness();
    drill_states::started(&mut h);
    h.ctrl('c');
    assert!(!h.app.quit);
    h.ctrl('c');
    assert!(h.app.quit);
    assert!(matches!(h.effects.as_slice(), [Effect::Cancel(c), Effect::Quit] if c.is_cancelled()));
}

#[test]
fn without_a_drill_q_quits_at_once() {
    let mut h = harness();
    h.type_text("4q");
    assert!(h.app.quit);
    assert!(h.app.modals.is_empty());
}

#[test]
fn a_cancelled_rotate_first_drill_says_the_new_version_stays() {
    let mut h = harness();
    drill_states::started_rotating(&mut h);
    h.key(KeyCode::Esc);
    drill_states::rotated_orders(&mut h);
    drill_states::finish(&mut h, Err(kms_console::core::drill::DrillError::Cancelled));
    let banner = h.app.drill.banner.clone().unwrap();
    assert!(banner.starts_with(CANCELLED), "{banner}");
    assert!(
        banner.contains("Rotated first: alias/orders v4 was made and stays"),
        "{banner}"
    );
    let screen = h.screen(80, 24);
    assert!(screen.contains("alias/orders v4 was made"), "{screen}");
}

#[test]
fn a_rotate_first_drill_cancelled_before_it_rotated_claims_no_new_version() {
    let dir = tempfile::tempdir().unwrap();
    let (vault, input) = setup(dir.path(), 2);
    let mut h = console(vault, &input);
    let versions = |h: &Harness| h.app.view.resolve("alias/orders").unwrap().versions.len();
    let before = versions(&h);
    h.app.drill.form.rotate = true;
    h.hold = true;
    h.key(KeyCode::Enter);
    h.key(KeyCode::Esc);
    h.release();
    assert_eq!(h.app.drill.banner.as_deref(), Some(CANCELLED));
    assert_eq!(
        versions(&h),
        before,
        "cancelled before it started: not rotated"
    );
}

#[test]
fn without_a_scan_progress_is_the_share_of_the_file_read() {
    let mut h = harness();
    h.hold = true;
    h.type_text("4");
    h.key(KeyCode::Enter);
    h.type_text("/nowhere/x");
    h.key(KeyCode::Enter);
    let id = h.held.last().unwrap().0;
    let (progress, elapsed) = drill_states::progress();
    h.act(Action::Worker(WorkerEvent::DrillProgress {
        id,
        progress,
        elapsed,
    }));
    let run = h.app.drill.running().unwrap();
    assert_eq!(run.total_lines, None);
    assert!((run.ratio() - 730_000.0 / 1_210_000.0).abs() < 1e-9);
    let screen = draw(&h.app, 80, 24);
    assert!(screen.contains("60% of the file read"), "{screen}");
}

#[test]
fn a_drill_runs_to_the_end_writes_its_output_and_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    let (vault, input) = setup(dir.path(), 2);
    let vault_path = vault.path().unwrap().to_path_buf();
    let mut h = console(vault, &input);
    let ScanState::Ready(scan) = &h.app.drill.scan else {
        panic!("not scanned: {:?}", h.app.drill.scan);
    };
    assert_eq!((scan.lines, scan.bad, scan.blank), (12, 1, 1));
    assert_eq!(
        scan.versions.iter().map(|(_, n)| n).collect::<Vec<_>>(),
        [&8, &2]
    );
    let screen = h.screen(80, 24);
    assert!(
        screen.contains("8 to re-encrypt · 2 already current · 1 to fail"),
        "{screen}"
    );
    h.key(KeyCode::Enter);
    let DrillPhase::Report(report) = &h.app.drill.phase else {
        panic!("no report; modals {:?}", h.app.modals);
    };
    let t = report.report.totals;
    let totals = [
        t.lines,
        t.re_encrypted,
        t.already_current,
        t.failed,
        t.empty,
    ];
    assert_eq!(totals, [12, 8, 2, 1, 1]);
    assert_eq!(report.report.failures[0].line, 11);
    assert!(report.document.contains("\"Totals\""));
    let output = dir.path().join("blobs.txt.reencrypted");
    assert_all_under(&output, &orders_primary(&h), 12);
    let screen = h.screen(80, 24);
    assert!(screen.contains("Drill report · 1 failed"), "{screen}");
    // One audit entry with the counts, on the audit screen too.
    let drills = audit_drills(&vault_path);
    assert_eq!(drills.len(), 1);
    assert_eq!(drills[0].result, "Success");
    let details = drills[0].details.as_ref().unwrap();
    assert_eq!(details["Totals"]["ReEncrypted"], 8, "{details}");
    assert_eq!(details["Totals"]["Failed"], 1, "{details}");
    h.type_text("s");
    h.key(KeyCode::Enter);
    assert!(
        matches!(h.effects.last(), Some(Effect::Save { contents, .. }) if contents.contains("\"Failures\""))
    );
    h.type_text("3");
    assert!(
        h.app
            .audit
            .page
            .lines
            .iter()
            .filter_map(|l| l.entry.as_ref())
            .any(|e| e.record.action == "Drill" && e.record.result == "Success")
    );
}

#[test]
fn an_existing_output_is_refused_in_a_modal_titled_with_the_code() {
    let dir = tempfile::tempdir().unwrap();
    let (vault, input) = setup(dir.path(), 1);
    let output = dir.path().join("blobs.txt.reencrypted");
    std::fs::write(&output, "mine\n").unwrap();
    let mut h = console(vault, &input);
    h.key(KeyCode::Enter);
    let Some(Modal::Error(e)) = h.app.modals.last() else {
        panic!("no error");
    };
    assert_eq!(e.title, "Drill.OutputRefused");
    assert!(e.lines[0].contains("choose another file"), "{:?}", e.lines);
    assert!(matches!(h.app.drill.phase, DrillPhase::Form));
    assert_eq!(std::fs::read_to_string(&output).unwrap(), "mine\n");
}

/// Every line of the output that holds a blob names `primary`; JSON lines keep their members.
fn assert_all_under(output: &Path, primary: &str, lines: usize) {
    let written = std::fs::read_to_string(output).unwrap();
    assert_eq!(written.lines().count(), lines);
    for line in written
        .lines()
        .filter(|l| !l.is_empty() && *l != "not a blob")
    {
        let blob = if line.starts_with('{') {
            assert!(line.contains("\"Note\":\"kept\""));
            let doc: serde_json::Value = serde_json::from_str(line).unwrap();
            doc["CiphertextBlob"].as_str().unwrap().to_owned()
        } else {
            line.to_owned()
        };
        let named = kms_console::core::blob::peek_version_id(&blob).unwrap();
        assert_eq!(named, primary);
    }
}

/// What the event loop does with the effects that matter here.
fn carry(effects: Vec<Effect>, worker: &Worker) {
    for effect in effects {
        match effect {
            Effect::Run(id, job) => worker.send(id, job),
            Effect::Cancel(control) => control.cancel(),
            _ => {}
        }
    }
}

fn orders_primary(h: &Harness) -> String {
    let id = h.app.view.aliases["alias/orders"].clone();
    h.app.view.key(&id).unwrap().primary_id().to_owned()
}

#[test]
fn a_cancelled_drill_leaves_no_output_and_is_audited_as_cancelled() {
    let dir = tempfile::tempdir().unwrap();
    let (vault, input) = setup(dir.path(), 2);
    let vault_path = vault.path().unwrap().to_path_buf();
    let mut h = console(vault, &input);
    h.hold = true;
    h.key(KeyCode::Enter);
    assert!(h.app.drill.running().is_some());
    h.key(KeyCode::Esc);
    h.release();
    assert_eq!(h.app.drill.banner.as_deref(), Some(CANCELLED));
    assert!(matches!(h.app.drill.phase, DrillPhase::Form));
    assert!(
        leftovers(dir.path()).is_empty(),
        "{:?}",
        leftovers(dir.path())
    );
    let drills = audit_drills(&vault_path);
    assert_eq!(drills.len(), 1);
    assert_eq!(drills[0].result, "Drill.Cancelled");
    assert!(h.screen(80, 24).contains("Cancelled — no output written."));
}

#[test]
fn a_drill_cancelled_midway_on_the_worker_thread_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (vault, input) = setup(dir.path(), 20_000);
    let view = VaultView::from_state(vault.state());
    let mut app = App::with_vault(tui_support::config(), tui_support::info(), view);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let worker = Worker::spawn(Executor::with_vault(vault), tx).unwrap();
    carry(
        app.update(Action::Cmd(
            Layer::Global,
            kms_console::tui::keymap::Cmd::ShowDrill,
        )),
        &worker,
    );
    app.drill
        .form
        .set(DrillField::Input, input.to_str().unwrap());
    app.drill.form.set(DrillField::Threads, "1");
    carry(
        app.update(Action::Cmd(
            Layer::Drill,
            kms_console::tui::keymap::Cmd::Submit,
        )),
        &worker,
    );
    let mut progressed = 0;
    while app.drill.running().is_some() {
        let event = rx.blocking_recv().expect("the worker answers");
        let progress = matches!(event, WorkerEvent::DrillProgress { .. });
        carry(app.update(Action::Worker(event)), &worker);
        if progress {
            progressed += 1;
            let esc = crossterm::event::KeyEvent::from(KeyCode::Esc);
            let action = app.on_key(&esc).unwrap();
            carry(app.update(action), &worker);
        }
    }
    worker.stop();
    assert!(progressed > 0, "saw the drill going");
    assert_eq!(
        app.drill.banner.as_deref(),
        Some(CANCELLED),
        "{:?}",
        app.modals
    );
    assert!(
        leftovers(dir.path()).is_empty(),
        "{:?}",
        leftovers(dir.path())
    );
}

#[test]
fn plaintext_shows_as_typed_but_lives_in_a_wiped_buffer() {
    let mut h = harness();
    h.type_text("e");
    h.type_text("my secret q");
    let form = h.app.form.as_ref().unwrap();
    let field = form.field("Plaintext").unwrap();
    assert!(matches!(field.input, FieldInput::Secret(_)));
    assert!(
        !format!("{form:?}").contains("my secret"),
        "Debug shows only a length"
    );
    assert_eq!(form.request().params["Plaintext"], "my secret q");
    assert!(h.screen(80, 24).contains("my secret q"));
    h.key(KeyCode::Enter);
    assert!(h.app.result.as_ref().unwrap().outcome.is_ok());
}

#[test]
fn the_census_view_and_a_drill_in_place_run_from_the_drill_screen() {
    let dir = tempfile::tempdir().unwrap();
    let (vault, input) = setup(dir.path(), 2);
    let vault_path = vault.path().unwrap().to_path_buf();
    let mut h = console(vault, &input);
    // `c`: the census of the input, counted on the worker by the core.
    h.key(KeyCode::Esc);
    h.type_text("c");
    let CensusState::Ready { report, .. } = &h.app.drill.census else {
        panic!("no census: {:?}", h.app.drill.census);
    };
    let t = report.totals;
    assert_eq!(
        [t.lines, t.non_primary, t.primary, t.bad, t.empty],
        [12, 8, 2, 1, 1]
    );
    let screen = h.screen(80, 24);
    assert!(screen.contains("Census: 12 lines in 1 file"), "{screen}");
    assert!(
        screen.contains("8 under old versions · 2 current"),
        "{screen}"
    );
    h.type_text("c");
    assert!(
        h.screen(80, 24)
            .contains("8 to re-encrypt · 2 already current")
    );
    // Emptying the destination makes it a drill in place, and the form says so.
    // The focus is where it was left: on the output, after the input was typed.
    h.key(KeyCode::Enter);
    h.key(KeyCode::Tab);
    assert_eq!(h.app.drill.form.focus, DrillField::Destination);
    for _ in 0..40 {
        h.key(KeyCode::Backspace);
    }
    assert!(h.screen(80, 24).contains("✓ in place"));
    h.key(KeyCode::Enter);
    let DrillPhase::Report(view) = &h.app.drill.phase else {
        panic!("no report; modals {:?}", h.app.modals);
    };
    assert!(view.report.in_place);
    assert_eq!(view.report.totals.re_encrypted, 8);
    assert!(h.screen(80, 24).contains("In place"));
    assert_all_under(
        &dir.path().join("blobs.txt.reencrypted"),
        &orders_primary(&h),
        12,
    );
    let log = std::fs::read_to_string(kms_console::core::paths::audit_path(&vault_path)).unwrap();
    let keys: Vec<AuditRecord> = log
        .lines()
        .map(|l| serde_json::from_str::<AuditEntry>(l).unwrap().record)
        .filter(|r| r.action == "DrillKey")
        .collect();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].details.as_ref().unwrap()["Before"], 10);
}
