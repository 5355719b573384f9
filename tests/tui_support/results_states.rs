//! The policy simulator's states (its three answers, and "why was this denied?" from a refused
//! call), for the snapshot and size-sweep tests. The result view's chaining states (masked,
//! revealed, field copied) are in `states::details`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crossterm::event::KeyCode;
use kms_console::core::ops::principals;
use kms_console::core::policy::PolicyDocument;
use kms_console::core::vault::Vault;
use kms_console::tui::app::App;
use kms_console::tui::modals::Modal;
use kms_console::tui::modals::secret_once::SecretOnce;
use kms_console::tui::runtime::harness::Harness;
use kms_console::tui::runtime::worker::Executor;
use kms_console::tui::vault_view::VaultView;

use super::states::State;
use super::{config, harness, info};

/// Adds the principal "careful" (as admin): every kms action allowed, `denied` explicitly denied.
pub fn add_careful(vault: &mut Vault, denied: &str) {
    let deny = PolicyDocument::parse(
        "PolicyDocument",
        &format!(
            r#"{{"Version":"1","Statement":[{{"Effect":"Deny","Action":"{denied}","Resource":"*"}}]}}"#
        ),
    )
    .unwrap();
    vault
        .update(
            |state, ctx| {
                principals::create_principal(
                    state,
                    ctx,
                    "careful",
                    vec![PolicyDocument::allow(&["kms:*"]), deny],
                )
            },
            "admin",
        )
        .unwrap();
}

/// The test vault with one more principal, "careful": every kms action allowed, Encrypt
/// explicitly denied.
pub fn harness_with_careful() -> Harness {
    let (mut vault, _clock, _blob) = super::vault();
    add_careful(&mut vault, "kms:Encrypt");
    let view = VaultView::from_state(vault.state());
    let mut app = App::with_vault(config(), info(), view);
    app.size = (80, 24);
    Harness::new(app, Executor::with_vault(vault))
}

/// The simulator asked about the `down`-th principal: may it Encrypt with the first key?
fn asked(name: &str, down: usize) -> State {
    let mut h = harness_with_careful();
    h.type_text("2");
    h.type_text(&"j".repeat(down));
    h.type_text("w");
    assert!(matches!(h.app.modals.last(), Some(Modal::Simulator(_))));
    h.key(KeyCode::Enter);
    State {
        name: name.to_owned(),
        harness: h,
    }
}

/// The console acting as the auditor, whose Encrypt was refused, asks why.
pub fn why_denied() -> Harness {
    let mut h = harness();
    h.type_text("2jj");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.principal(), "auditor");
    h.type_text("1e");
    h.type_text("hello");
    h.key(KeyCode::Enter);
    h.type_text("w");
    h
}

/// The secret-once modal of a new AccessKey of the auditor, with a fixed id and secret (a real
/// one is random; the flow test `tui_results` makes a real one).
fn secret_once() -> Harness {
    let mut h = harness();
    h.type_text("2jj");
    let modal = SecretOnce {
        user: "auditor".to_owned(),
        access_key_id: "LTAITESTKEY000000099".to_owned(),
        secret: "fixed-secret-for-the-snapshot-0000".into(),
    };
    h.app.modals.push(Modal::SecretOnce(Box::new(modal)));
    h
}

/// Every state.
pub fn all() -> Vec<State> {
    vec![
        State {
            name: "simulator_open".to_owned(),
            harness: {
                let mut h = harness_with_careful();
                h.type_text("2w");
                h
            },
        },
        asked("simulator_allow", 0),
        asked("simulator_deny_no_allow", 2),
        asked("simulator_deny_explicit", 3),
        State {
            name: "simulator_why_denied".to_owned(),
            harness: why_denied(),
        },
        State {
            name: "principal_create".to_owned(),
            harness: {
                let mut h = harness();
                h.type_text("2n");
                h.type_text("ops-team");
                h
            },
        },
        State {
            name: "principal_created".to_owned(),
            harness: {
                let mut h = harness();
                h.type_text("2n");
                h.type_text("ops-team");
                h.key(KeyCode::Enter);
                h
            },
        },
        State {
            name: "principal_delete_asks".to_owned(),
            harness: {
                let mut h = harness();
                h.type_text("2jD");
                h
            },
        },
        State {
            name: "access_key_secret_once".to_owned(),
            harness: secret_once(),
        },
    ]
}
