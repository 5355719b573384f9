//! Where a vault passphrase comes from: `KMS_CONSOLE_PASSPHRASE`, `--passphrase-file`,
//! or a prompt that never echoes — and a clear error when none of them is available.

use std::io::{IsTerminal, Write};
use std::path::Path;

use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use crossterm::terminal;

use crate::core::secret::SecretString;

/// The environment variable holding the passphrase.
pub const PASSPHRASE_ENV: &str = "KMS_CONSOLE_PASSPHRASE";

/// The passphrase from the environment or a file, if either is given.
pub fn from_env_or_file(file: Option<&Path>) -> Result<Option<SecretString>, String> {
    if let Some(path) = file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read passphrase file {}: {e}", path.display()))?;
        let text = SecretString::new(text);
        let line = text.expose().lines().next().unwrap_or_default();
        return Ok(Some(SecretString::from(line)));
    }
    Ok(std::env::var(PASSPHRASE_ENV)
        .ok()
        .filter(|p| !p.is_empty())
        .map(SecretString::new))
}

/// The passphrase of an existing sealed vault: env, file, or a no-echo prompt on a terminal.
pub fn for_open(file: Option<&Path>) -> Result<SecretString, String> {
    if let Some(p) = from_env_or_file(file)? {
        return Ok(p);
    }
    if !std::io::stdin().is_terminal() {
        return Err(format!(
            "the vault is sealed with a passphrase; set {PASSPHRASE_ENV} or use --passphrase-file"
        ));
    }
    prompt("Vault passphrase: ")
}

/// A new passphrase: env, file, or typed twice at a no-echo prompt.
pub fn for_new(file: Option<&Path>) -> Result<SecretString, String> {
    if let Some(p) = from_env_or_file(file)? {
        return Ok(p);
    }
    if !std::io::stdin().is_terminal() {
        return Err(format!(
            "a new vault needs a passphrase: set {PASSPHRASE_ENV}, use --passphrase-file, or pass --no-passphrase"
        ));
    }
    loop {
        let first = prompt("New vault passphrase: ")?;
        if first.is_empty() {
            say("The passphrase must not be empty.\n");
            continue;
        }
        let second = prompt("Type it again: ")?;
        if first == second {
            return Ok(first);
        }
        say("The two passphrases differ; try again.\n");
    }
}

/// Writes a prompt or a note to stderr; a closed stderr is no reason to stop asking.
fn say(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// Reads a line from the terminal in raw mode without echoing it.
fn prompt(label: &str) -> Result<SecretString, String> {
    say(label);
    terminal::enable_raw_mode().map_err(|e| format!("cannot read the terminal: {e}"))?;
    let result = read_hidden_line();
    let _ = terminal::disable_raw_mode();
    say("\n");
    result
}

fn read_hidden_line() -> Result<SecretString, String> {
    let mut text = SecretString::default();
    loop {
        let ev = event::read().map_err(|e| format!("cannot read the terminal: {e}"))?;
        let Event::Key(key) = ev else { continue };
        if key.kind == KeyEventKind::Release {
            continue;
        }
        match key.code {
            KeyCode::Enter => return Ok(text),
            KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                return Err("cancelled".into());
            }
            KeyCode::Backspace => {
                let mut s = text.expose().to_owned();
                s.pop();
                text = SecretString::new(s);
            }
            KeyCode::Char(c) => {
                let mut s = String::with_capacity(text.expose().len() + 4);
                s.push_str(text.expose());
                s.push(c);
                text = SecretString::new(s);
            }
            _ => {}
        }
    }
}
