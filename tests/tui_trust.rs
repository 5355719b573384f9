//! The console's trust fixes, without a terminal: the first-run passphrase checks, the damage
//! banner on a real vault file and restoring from `.bak` through it, and saved results that
//! only their owner may read.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod tui_support;

use std::sync::Arc;

use crossterm::event::KeyCode;
use kms_console::core::clock::FixedClock;
use kms_console::core::vault::Sources;
use kms_console::core::vault_file::KdfParams;
use kms_console::tui::action::{Action, Effect};
use kms_console::tui::app::{App, AppConfig, Gate, Startup};
use kms_console::tui::harness::Harness;
use kms_console::tui::job::WorkerEvent;
use kms_console::tui::worker::Executor;

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
    for e in h.app.start(startup) {
        if let Effect::Run(id, job) = e {
            let (reply, _) = h.executor.run(job);
            h.act(Action::Worker(WorkerEvent::Done(id, reply)));
        }
    }
    h
}

/// The first-run screen's new-passphrase form: (focus, error).
fn entering(h: &Harness) -> (u8, Option<String>) {
    let Some(Gate::FirstRun(f)) = &h.app.gate else {
        panic!("left the first-run screen: {:?}", h.app.gate);
    };
    let p = f.entering.as_ref().expect("typing a new passphrase");
    (p.focus, p.error.clone())
}

#[test]
fn first_run_tab_then_enter_with_both_fields_empty_asks_for_a_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.json");
    let mut h = start(Startup::FirstRun { path: path.clone() });
    h.key(KeyCode::Enter);
    h.key(KeyCode::Tab);
    assert_eq!(entering(&h).0, 1);
    h.key(KeyCode::Enter);
    let (focus, error) = entering(&h);
    assert_eq!(error.as_deref(), Some("Type a passphrase."));
    assert_eq!(focus, 0, "back to the empty field");
    assert!(h.app.pending.is_empty(), "nothing was sent to the worker");
    assert!(!path.exists(), "no vault was created");
    let screen = h.screen(80, 24);
    assert!(screen.contains("✗ Type a passphrase."), "{screen}");
    assert!(!screen.contains("Cannot open the vault"), "{screen}");
    // ⏎ again stays on the form; it never quits.
    h.key(KeyCode::Enter);
    assert!(!h.app.quit);
    assert!(h.effects.iter().all(|e| !matches!(e, Effect::Quit)));
    assert_eq!(entering(&h).1.as_deref(), Some("Type a passphrase."));
}

#[test]
fn first_run_an_empty_second_field_is_checked_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.json");
    let mut h = start(Startup::FirstRun { path: path.clone() });
    h.key(KeyCode::Enter);
    h.type_text("correct horse battery");
    h.key(KeyCode::Enter);
    assert_eq!(entering(&h), (1, None));
    h.key(KeyCode::Enter);
    let (focus, error) = entering(&h);
    assert_eq!(focus, 1);
    assert!(error.unwrap().starts_with("Type the passphrase again"));
    assert!(!path.exists());
    // Typed twice, it creates the vault.
    h.type_text("correct horse battery");
    h.key(KeyCode::Enter);
    assert!(h.app.gate.is_none(), "the vault opened");
    assert!(path.exists());
}

#[test]
fn first_run_marks_the_focused_field_and_warns_of_a_short_passphrase() {
    let mut h = start(Startup::FirstRun {
        path: "/home/demo/.local/share/kms-console/vault.json".into(),
    });
    h.key(KeyCode::Enter);
    let screen = h.screen(80, 24);
    assert!(screen.contains("▶ Passphrase"), "{screen}");
    assert!(screen.contains("  Type it again"), "{screen}");
    h.type_text("short");
    let screen = h.screen(80, 24);
    assert!(
        screen.contains("! Short passphrase (5 characters)"),
        "{screen}"
    );
    h.key(KeyCode::Enter);
    let screen = h.screen(80, 24);
    assert!(screen.contains("▶ Type it again"), "{screen}");
    assert!(!screen.contains("▶ Passphrase"), "{screen}");
    insta::assert_snapshot!("first_run_short_passphrase_80x24", screen);
    // A warning, not a refusal: the short passphrase can still be used.
    assert_eq!(entering(&h), (1, None));
    h.key(KeyCode::Tab);
    h.type_text("long enough now");
    let screen = h.screen(80, 24);
    assert!(!screen.contains("Short passphrase"), "{screen}");
}
