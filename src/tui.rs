//! The terminal console (product §10), the main way people use the product.
//!
//! Model–update–view: [`app::App`] is the model; key and mouse events become
//! [`action::Action`]s through the key table of [`keymap`]; `App::update` only routes them — to
//! the top modal, the open form or the current screen — and returns [`action::Effect`]s; the
//! [`view`](app::view) draws `&App`. One worker thread ([`worker`](runtime::worker)) owns the
//! vault and runs every request through `api::dispatch` (and the rotation drills of the
//! [`drill`](screens::drill) screen, reporting their progress as they go); the event loop
//! ([`runtime`]) runs on tokio and never blocks on it. One terminal guard
//! ([`terminal`](runtime::terminal)) restores the screen on exit and on panic.
//!
//! Rooms, each importing only those below it: [`runtime`] (event loop, terminal, worker,
//! harness) over [`app`] (the model and its update) over [`screens`] (each owns its state,
//! updates to [`screens::Out`] values and draws with a read-only [`context::Cx`]), over
//! [`form`] and [`modals`], over the ground floor: [`ui`] (theme, text, layout), [`keymap`],
//! [`action`], [`job`], [`drill_scan`] and [`vault_view`]. `tests/architecture.rs` checks it.

pub mod action;
pub mod app;
pub mod context;
pub mod drill_scan;
pub mod form;
pub mod job;
pub mod keymap;
pub mod modals;
pub mod runtime;
pub mod screens;
pub mod ui;
pub mod vault_view;

use std::io::{IsTerminal, Write};

use crate::core::vault::Sources;
use crate::core::vault_file::{self, KdfParams, Protection};
use crate::launch::{self, Session, passphrase};

use crate::tui::app::{App, AppConfig, Startup};
use crate::tui::ui::theme::Theme;

/// Why the console did not run to a normal end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsoleError {
    /// Not on a terminal (said on stderr already): a usage error.
    NoTerminal,
    /// The vault cannot be opened, or the console stopped on a failure: the message.
    Vault(String),
}

/// Opens the console on the vault of this run, or on a fresh copy of the demo vault.
pub fn run(session: &Session, demo: bool) -> Result<(), ConsoleError> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        // Not `eprintln!`: a closed stderr must not turn this refusal into a panic.
        let _ = writeln!(
            std::io::stderr(),
            "kms-console: the console needs a terminal; run an action instead (kms-console --help)"
        );
        return Err(ConsoleError::NoTerminal);
    }
    let startup = startup(session, demo).map_err(ConsoleError::Vault)?;
    let config = AppConfig {
        principal: session.principal.clone(),
        format: session.format,
        theme: Theme::from_env(),
        kdf: KdfParams::production(),
    };
    runtime::run_console(App::new(config), startup, Sources::default()).map_err(ConsoleError::Vault)
}

/// What the console opens on: the demo, the first-run screen, the passphrase prompt or the
/// vault itself. A damaged or unsupported file is reported before the screen changes.
fn startup(session: &Session, demo: bool) -> Result<Startup, String> {
    if demo {
        return Ok(Startup::Demo);
    }
    let path = session.vault_path()?;
    if !path.exists() {
        // Never offer a new vault where a deleted one can still be restored.
        if let Some(message) = launch::missing_with_backup(&path) {
            return Err(message);
        }
        return Ok(Startup::FirstRun { path });
    }
    let protection = vault_file::peek_protection(&path).map_err(|e| {
        let hint = launch::hint(&path, &e);
        format!("{}: {e}{hint}", path.display())
    })?;
    Ok(match protection {
        Protection::None => Startup::Open {
            path,
            passphrase: None,
        },
        Protection::Passphrase => {
            match passphrase::from_env_or_file(session.passphrase_file.as_deref())? {
                Some(p) => Startup::Open {
                    path,
                    passphrase: Some(p),
                },
                None => Startup::Unlock { path, error: None },
            }
        }
    })
}
