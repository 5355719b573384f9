//! The command line's side of opening the vault: its options as a [`Session`], and the clear
//! message and exit code when the vault cannot be opened.

use std::path::PathBuf;

use super::Global;
use crate::api::Format;
use crate::core::vault::Vault;
use crate::launch::Session;

impl Global {
    /// The settings of this run, for the front end that runs it.
    pub fn session(&self) -> Session {
        Session {
            vault: self.vault.clone(),
            principal: self.principal.clone(),
            passphrase_file: self.passphrase_file.clone(),
            format: format(self),
        }
    }
}

/// The vault path of this run.
pub fn vault_path(global: &Global) -> Result<PathBuf, String> {
    global.session().vault_path()
}

/// Opens the vault of this run (asking for its passphrase if sealed).
pub fn open(global: &Global) -> Result<Vault, String> {
    global.session().open()
}

/// The response format of this run.
pub fn format(global: &Global) -> Format {
    global
        .format
        .as_deref()
        .and_then(Format::parse)
        .unwrap_or_default()
}

/// Prints a vault that cannot be opened as an error document (JSON) on stderr; exit status 1.
/// Commands that know their `--Format` use [`super::reply::fail`].
pub fn fail(message: &str) -> std::process::ExitCode {
    super::reply::fail(Format::Json, &super::reply::Failure::vault(message))
}
