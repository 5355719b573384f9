//! The console on real vault files, still without a terminal: first run, the passphrase
//! prompt, the demo and its walkthrough, outside changes, the audit screen.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod tui_support;

use std::sync::Arc;

use crossterm::event::KeyCode;
use kms_console::core::clock::FixedClock;
use kms_console::core::vault::{Sources, Vault, new_vault_state};
use kms_console::core::vault_file::{KdfParams, NewProtection, Protection, peek_protection};
use kms_console::tui::app::{App, AppConfig, Gate, Screen, Startup};
use kms_console::tui::modals::Modal;
use kms_console::tui::runtime::harness::Harness;
use kms_console::tui::runtime::worker::Executor;
use kms_console::tui::screens::drill::ScanState;
use kms_console::tui::screens::walkthrough::{
    COMPLETE_TITLE, REFUSAL_CODE, SAMPLES_FILE, SIGNING_ALIAS,
};

fn config() -> AppConfig {
    AppConfig {
        kdf: KdfParams::cheap_for_tests(),
        ..tui_support::config()
    }
}

fn sources() -> Sources {
    tui_support::sources(Arc::new(FixedClock::new(tui_support::T0)))
}

fn start(startup: Startup) -> Harness {
    let mut h = Harness::new(App::new(config()), Executor::new(sources()));
    let effects = h.app.start(startup);
    for e in effects {
        if let kms_console::tui::action::Effect::Run(id, job) = e {
            let (reply, _) = h.executor.run(job);
            h.act(kms_console::tui::action::Action::Worker(
                kms_console::tui::job::WorkerEvent::Done(id, reply),
            ));
        }
    }
    h
}

#[test]
fn first_run_creates_a_sealed_vault_with_a_passphrase_typed_twice() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.json");
    let mut h = start(Startup::FirstRun { path: path.clone() });
    assert!(matches!(h.app.gate, Some(Gate::FirstRun(_))));
    h.key(KeyCode::Enter);
    h.type_text("hunter2q");
    let screen = h.screen(80, 24);
    assert!(!screen.contains("hunter2"), "{screen}");
    assert!(screen.contains("••••••••"), "{screen}");
    assert!(!h.app.quit, "q is part of the passphrase");
    h.key(KeyCode::Enter);
    h.type_text("other");
    h.key(KeyCode::Enter);
    let Some(Gate::FirstRun(f)) = &h.app.gate else {
        panic!("left the first-run screen");
    };
    assert!(
        f.entering
            .as_ref()
            .unwrap()
            .error
            .as_ref()
            .unwrap()
            .contains("differ")
    );
    h.type_text("hunter2q");
    h.key(KeyCode::Enter);
    h.type_text("hunter2q");
    h.key(KeyCode::Enter);
    assert!(h.app.gate.is_none(), "the vault opened");
    assert_eq!(peek_protection(&path).unwrap(), Protection::Passphrase);
    assert_eq!(h.app.info.as_ref().unwrap().protection_label(), "sealed");
    assert_eq!(h.app.view.principals[0].name, "admin");
}

#[test]
fn first_run_can_open_the_demo_instead() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.json");
    let mut h = start(Startup::FirstRun { path: path.clone() });
    h.key(KeyCode::Down);
    h.key(KeyCode::Enter);
    assert!(h.app.gate.is_none());
    assert!(h.app.info.as_ref().unwrap().demo);
    assert!(h.app.walkthrough.is_some());
    assert!(!path.exists(), "nothing is written at the user's path");
}

#[test]
fn a_sealed_vault_asks_for_its_passphrase_until_it_is_right() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.json");
    let state = new_vault_state(&sources()).unwrap();
    let protection = NewProtection::Passphrase("right".into(), KdfParams::cheap_for_tests());
    drop(Vault::create(&path, state, protection, sources()).unwrap());
    let mut h = start(Startup::Unlock { path, error: None });
    h.key(KeyCode::Enter);
    let Some(Gate::Unlock(u)) = &h.app.gate else {
        panic!("no prompt");
    };
    assert_eq!(u.error.as_deref(), Some("Type the passphrase."));
    h.type_text("wrong");
    h.key(KeyCode::Enter);
    let Some(Gate::Unlock(u)) = &h.app.gate else {
        panic!("no prompt after a wrong passphrase");
    };
    assert!(u.error.as_ref().unwrap().contains("wrong passphrase"));
    h.type_text("right");
    h.key(KeyCode::Enter);
    assert!(h.app.gate.is_none());
}

#[test]
fn the_demo_walkthrough_notices_each_step() {
    let mut h = start(Startup::Demo);
    let w = h.app.walkthrough.as_ref().unwrap();
    let steps = w.steps.len();
    // The rotated key, one step per sample, signing, the refusal, the audit log, the drill and
    // "walkthrough complete".
    assert_eq!(steps, w.samples.len() + 6);
    let signing = w.samples.len() + 1;
    assert!(w.steps[signing].title.contains(SIGNING_ALIAS));
    assert_eq!(w.steps[steps - 1].title, COMPLETE_TITLE);
    // Step 1: select the rotated key.
    h.type_text("j");
    h.type_text(".");
    assert!(h.app.walkthrough.as_ref().unwrap().steps[0].done);
    assert_eq!(h.app.walkthrough.as_ref().unwrap().current, 1);
    // Every sample step and signing: fill, run, done.
    for step in 1..=signing {
        h.type_text(".");
        assert!(h.app.form.is_some(), "step {step} filled no form");
        h.key(KeyCode::Enter);
        let w = h.app.walkthrough.as_ref().unwrap();
        assert!(
            w.steps[step].done,
            "step {step} ({}) not done",
            w.steps[step].title
        );
        if step == signing {
            // The console signed: the signature verifies under the same key.
            let result = h.app.result.as_ref().expect("a signature");
            let signature = result.outcome.as_ref().unwrap().field("Value").unwrap();
            let mut req = kms_console::api::ApiRequest::new("AsymmetricVerify");
            for name in ["KeyId", "KeyVersionId", "Algorithm", "Digest"] {
                req.set(name, result.request.params[name].as_str());
            }
            req.set("Value", signature);
            let path = std::path::PathBuf::from(&h.app.info.as_ref().unwrap().path);
            let (mut vault, _) = Vault::open(&path, None, sources()).unwrap();
            let doc = kms_console::api::dispatch(&mut vault, "admin", &req)
                .unwrap()
                .document();
            assert_eq!(doc["Value"], true, "{doc}");
        }
        h.app.modals.clear();
        h.app.result = None;
        h.app.form = None;
    }
    // The refusal.
    h.type_text(".");
    assert_eq!(h.app.principal(), "auditor");
    h.key(KeyCode::Enter);
    let Some(Modal::Error(e)) = h.app.modals.last() else {
        panic!("not refused");
    };
    assert!(e.title.starts_with(REFUSAL_CODE));
    h.app.modals.clear();
    h.app.form = None;
    let w = h.app.walkthrough.as_ref().unwrap();
    assert!(w.steps[signing + 1].done);
    assert_eq!(w.current, signing + 2, "on to the audit step");
    // The audit log: `.` opens the screen, the step is done when an entry's detail opens.
    h.type_text(".");
    assert_eq!(h.app.screen, Screen::Audit);
    h.poll();
    assert!(!h.app.walkthrough.as_ref().unwrap().steps[signing + 2].done);
    h.key(KeyCode::Enter);
    assert!(h.app.audit.detail.is_some(), "⏎ opened no detail");
    let w = h.app.walkthrough.as_ref().unwrap();
    assert!(w.steps[signing + 2].done);
    assert_eq!(w.current, signing + 3, "on to the drill step");
    h.key(KeyCode::Esc);
    // The drill: `.` fills the input with the demo's samples file, whose outlook completes it.
    h.type_text(".");
    assert_eq!(h.app.screen, Screen::Drill);
    h.poll();
    let ScanState::Ready(scan) = &h.app.drill.scan else {
        panic!("no outlook: {:?}", h.app.drill.scan);
    };
    assert!(scan.path.ends_with(SAMPLES_FILE), "{}", scan.path);
    // Every sample but the refusal, each line naming its version.
    let samples = h.app.walkthrough.as_ref().unwrap().samples.len();
    assert_eq!(scan.lines, u64::try_from(samples - 1).unwrap());
    assert_eq!(scan.bad, 0);
    let w = h.app.walkthrough.as_ref().unwrap();
    assert_eq!(
        w.done_count(),
        steps,
        "the last step is done with the others"
    );
    assert_eq!(
        w.current,
        steps - 1,
        "the panel ends on \"walkthrough complete\""
    );
    // What to try next: `.` opens the endpoint.
    h.type_text(".");
    assert_eq!(h.app.screen, Screen::Endpoint);
}

#[test]
fn an_outside_change_is_picked_up_and_the_audit_log_shows_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.json");
    let state = new_vault_state(&sources()).unwrap();
    let vault = Vault::create(&path, state, NewProtection::None, sources()).unwrap();
    let mut h = start(Startup::Open {
        path: path.clone(),
        passphrase: None,
    });
    drop(vault);
    assert!(h.app.view.keys.is_empty());
    // Another process adds a key.
    let (mut other, _) = Vault::open(&path, None, sources()).unwrap();
    let req = kms_console::api::ApiRequest::new("CreateKey").with("Description", "from the CLI");
    kms_console::api::dispatch(&mut other, "admin", &req).unwrap();
    h.poll();
    assert_eq!(h.app.view.keys.len(), 1);
    assert!(h.app.toasts.0.iter().any(|t| t.text.contains("reloaded")));
    // Encrypt from the console: the plaintext never reaches the audit log.
    h.type_text("e");
    h.type_text("TOP-SECRET-PLAINTEXT");
    h.key(KeyCode::Enter);
    assert!(h.app.result.as_ref().unwrap().outcome.is_ok());
    h.key(KeyCode::Esc);
    h.key(KeyCode::Esc);
    h.type_text("3");
    assert_eq!(h.app.screen, Screen::Audit);
    let actions: Vec<&str> = h
        .app
        .audit
        .page
        .lines
        .iter()
        .map(|l| l.entry.as_ref().unwrap().record.action.as_str())
        .collect();
    assert_eq!(actions, ["CreateKey", "Encrypt"]);
    h.type_text("v");
    assert!(h.app.audit.verified.as_ref().unwrap().contains("intact"));
    let log = std::fs::read_to_string(kms_console::core::paths::audit_path(&path)).unwrap();
    assert!(!log.contains("TOP-SECRET"));
}
