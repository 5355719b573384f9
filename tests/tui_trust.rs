//! The console's trust fixes, without a terminal: the first-run passphrase checks, the damage
//! banner on a real vault file and restoring from `.bak` through it, and saved results that
//! only their owner may read.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod tui_support;

use std::sync::Arc;

use crossterm::event::KeyCode;
use kms_console::api::ApiRequest;
use kms_console::core::clock::FixedClock;
use kms_console::core::vault::{Sources, Vault, new_vault_state};
use kms_console::core::vault_file::{KdfParams, NewProtection};
use kms_console::tui::action::{Action, Effect};
use kms_console::tui::app::{App, AppConfig, Gate, Startup};
use kms_console::tui::job::{Job, Reply, WorkerEvent};
use kms_console::tui::modals::Modal;
use kms_console::tui::runtime::harness::Harness;
use kms_console::tui::runtime::worker::{Executor, POLL_INTERVAL};

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
    assert!(h.app.busy().is_none(), "nothing was sent to the worker");
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
    insta::assert_snapshot!("first_run_short_passphrase_60x20", h.screen(60, 20));
    // A warning, not a refusal: the short passphrase can still be used.
    assert_eq!(entering(&h), (1, None));
    h.key(KeyCode::Tab);
    h.type_text("long enough now");
    let screen = h.screen(80, 24);
    assert!(!screen.contains("Short passphrase"), "{screen}");
}

/// A sealed vault file whose current generation has two keys and whose `.bak` has one.
fn vault_with_history(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("vault.json");
    let state = new_vault_state(&sources()).unwrap();
    let protection = NewProtection::Passphrase("right".into(), KdfParams::cheap_for_tests());
    let mut vault = Vault::create(&path, state, protection, sources()).unwrap();
    for _ in 0..2 {
        kms_console::api::dispatch(&mut vault, "admin", &ApiRequest::new("CreateKey")).unwrap();
    }
    path
}

fn open(path: &std::path::Path) -> Harness {
    let h = start(Startup::Open {
        path: path.to_path_buf(),
        passphrase: Some("right".into()),
    });
    assert!(h.app.gate.is_none(), "opened");
    assert_eq!(h.app.view.keys.len(), 2);
    h
}

#[test]
fn a_vault_file_damaged_on_disk_shows_a_banner_until_restored_from_bak() {
    // The worker looks at the file this often: well within a second of a change.
    assert!(POLL_INTERVAL <= std::time::Duration::from_millis(500));
    let dir = tempfile::tempdir().unwrap();
    let path = vault_with_history(dir.path());
    let mut h = open(&path);
    h.poll();
    assert!(h.app.damage.is_none());
    assert!(!h.screen(80, 24).contains("damaged"));

    let garbage = b"{\"format\": \"kms-console-vault\", \"version\": 1, garbage".to_vec();
    std::fs::write(&path, &garbage).unwrap();
    h.poll();
    let why = h.app.damage.clone().expect("the banner is up");
    assert!(why.contains("damaged"), "{why}");
    let screen = h.screen(80, 24);
    assert!(
        screen.contains("⚠ Vault file damaged or altered on disk: changes refused."),
        "{screen}"
    );
    assert!(screen.contains("B restore"), "{screen}");
    // The last good state is still shown.
    assert_eq!(h.app.view.keys.len(), 2);
    assert!(screen.contains("Keys (2)"), "{screen}");
    snapshots_of_the_banner(&mut h);
    // It stays up (polling again changes nothing) and a write is refused, clearly.
    h.poll();
    assert!(h.app.damage.is_some());
    let (reply, view) = h.executor.run(Job::Api {
        principal: "admin".to_owned(),
        request: ApiRequest::new("CreateKey"),
    });
    let Reply::Api(Err(e)) = reply else {
        panic!("a change to a damaged vault went through");
    };
    assert!(e.message.contains("damaged"), "{}", e.message);
    assert!(view.is_none());
    assert_eq!(
        std::fs::read(&path).unwrap(),
        garbage,
        "the damaged file is not rewritten"
    );

    // B asks first; n leaves everything as it is.
    h.type_text("B");
    assert!(matches!(h.app.modals.last(), Some(Modal::Restore(_))));
    h.type_text("n");
    assert!(h.app.modals.is_empty());
    assert_eq!(std::fs::read(&path).unwrap(), garbage);
    // B, y: the previous generation is back, the damaged file kept, the banner gone.
    h.type_text("B");
    h.type_text("y");
    assert!(h.app.damage.is_none(), "the banner is gone");
    assert_eq!(h.app.view.keys.len(), 1, "the previous generation");
    let kept = dir.path().join("vault.json.damaged-1");
    assert_eq!(std::fs::read(&kept).unwrap(), garbage);
    let screen = h.screen(80, 24);
    assert!(!screen.contains("damaged or altered"), "{screen}");
    assert!(screen.contains("Restored generation"), "{screen}");
    h.poll();
    assert!(h.app.damage.is_none());
    let (reopened, _) = Vault::open(&path, Some("right".into()), sources()).unwrap();
    assert_eq!(reopened.state().keys().len(), 1);
    let audit = reopened.audit_log().unwrap().read().unwrap();
    assert_eq!(audit.last().unwrap().record.action, "RestoreVault");
}

/// The banner at both sizes and the restore question, with the status bar's temporary path
/// replaced by a fixed one (the only part of these screens that varies from run to run).
fn snapshots_of_the_banner(h: &mut Harness) {
    let shown = h.app.info.as_ref().unwrap().path.clone();
    h.app.info.as_mut().unwrap().path = "/home/demo/.local/share/kms-console/vault.json".into();
    insta::assert_snapshot!("damage_banner_80x24", h.screen(80, 24));
    insta::assert_snapshot!("damage_banner_60x20", h.screen(60, 20));
    h.type_text("B");
    insta::assert_snapshot!("damage_restore_question_80x24", h.screen(80, 24));
    h.type_text("n");
    h.app.info.as_mut().unwrap().path = shown;
}

#[test]
fn the_banner_shows_for_a_truncated_or_deleted_file_and_clears_when_it_is_good_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = vault_with_history(dir.path());
    let good = std::fs::read(&path).unwrap();
    let mut h = open(&path);
    std::fs::write(&path, &good[..good.len() / 2]).unwrap();
    h.poll();
    assert!(h.app.damage.is_some(), "truncated");
    std::fs::write(&path, &good).unwrap();
    h.poll();
    assert!(h.app.damage.is_none(), "good again");
    let mut flipped = good.clone();
    let at = flipped.len() - 40;
    flipped[at] = if flipped[at] == b'A' { b'B' } else { b'A' };
    std::fs::write(&path, &flipped).unwrap();
    h.poll();
    assert!(h.app.damage.is_some(), "one byte changed");
    std::fs::remove_file(&path).unwrap();
    h.poll();
    let why = h.app.damage.clone().unwrap();
    assert!(why.contains("no vault file"), "{why}");
    std::fs::write(&path, &good).unwrap();
    h.poll();
    assert!(h.app.damage.is_none());
    assert_eq!(h.app.view.keys.len(), 2);
}

#[cfg(unix)]
#[test]
fn saved_results_are_private_new_files_named_by_their_absolute_path() {
    use kms_console::tui::runtime::save_file::save_new;
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("result.json");
    let shown = save_new(&path, "{\"Plaintext\": \"c2VjcmV0\"}").unwrap();
    assert_eq!(shown, path.display().to_string());
    assert!(std::path::Path::new(&shown).is_absolute());
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "{\"Plaintext\": \"c2VjcmV0\"}\n"
    );
    let again = save_new(&path, "other").unwrap_err();
    assert!(again.contains(&path.display().to_string()), "{again}");
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

#[test]
fn first_run_a_vault_that_cannot_be_created_goes_back_to_the_form_not_a_dead_end() {
    let dir = tempfile::tempdir().unwrap();
    let not_a_folder = dir.path().join("file");
    std::fs::write(&not_a_folder, "").unwrap();
    let mut h = start(Startup::FirstRun {
        path: not_a_folder.join("vault.json"),
    });
    h.key(KeyCode::Enter);
    for _ in 0..2 {
        h.type_text("correct horse battery");
        h.key(KeyCode::Enter);
    }
    let (focus, error) = entering(&h);
    assert_eq!(focus, 0);
    assert!(error.unwrap().starts_with("Cannot create the vault: "));
    assert!(!h.app.quit);
}

#[test]
fn quitting_the_cannot_open_screen_is_a_failure_not_a_success() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.json");
    std::fs::write(&path, "not a vault").unwrap();
    let mut h = start(Startup::Open {
        path,
        passphrase: None,
    });
    assert!(matches!(h.app.gate, Some(Gate::Failed(_))));
    assert!(h.screen(80, 24).contains("Cannot open the vault"));
    h.key(KeyCode::Enter);
    assert!(h.app.quit);
    let why = h
        .app
        .take_failure()
        .expect("the reason is kept for the exit");
    assert!(why.contains("damaged"), "{why}");
}
