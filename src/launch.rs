//! What a run settles before any front end starts: which vault file, where its passphrase comes
//! from ([`passphrase`]), how the vault opens, and the way back (`kms-console restore`) named in
//! the message of a vault that does not. Shared by the command line and the console, and uses
//! neither: `main` turns the arguments into a [`Session`] and hands it to one of them.

pub mod passphrase;

use std::path::{Path, PathBuf};

use crate::api::Format;
use crate::core::paths;
use crate::core::vault::{Sources, Vault};
use crate::core::vault_file::{self, Protection, VaultError};

/// The settings of this run that every front end reads (from the global options).
#[derive(Debug, Clone)]
pub struct Session {
    /// The vault file given (`--vault`, `KMS_CONSOLE_VAULT`), if any.
    pub vault: Option<PathBuf>,
    /// The principal to act as (`--as`).
    pub principal: String,
    /// The file whose first line is the passphrase (`--passphrase-file`).
    pub passphrase_file: Option<PathBuf>,
    /// The response format (`--Format`).
    pub format: Format,
}

impl Session {
    /// The vault path of this run.
    pub fn vault_path(&self) -> Result<PathBuf, String> {
        paths::resolve_vault_path(self.vault.as_deref()).ok_or_else(|| {
            "no home directory to keep the vault in; give --vault PATH or set KMS_CONSOLE_VAULT"
                .into()
        })
    }

    /// Opens the vault of this run (asking for its passphrase if sealed).
    pub fn open(&self) -> Result<Vault, String> {
        let path = self.vault_path()?;
        if !path.exists() {
            if let Some(message) = missing_with_backup(&path) {
                return Err(message);
            }
            return Err(format!(
                "no vault at {}; create one with `kms-console init` (or `kms-console init --demo`)",
                path.display()
            ));
        }
        let protection =
            vault_file::peek_protection(&path).map_err(|e| format!("{e}{}", hint(&path, &e)))?;
        let passphrase = match protection {
            Protection::Passphrase => Some(passphrase::for_open(self.passphrase_file.as_deref())?),
            Protection::None => None,
        };
        let (vault, _events) = Vault::open(&path, passphrase, Sources::default())
            .map_err(|e| format!("{}: {e}{}", path.display(), hint(&path, &e)))?;
        Ok(vault)
    }
}

/// Why there is no vault at `path` when its previous generation is there, and what to do;
/// `None` when there is no backup either (a first run).
pub fn missing_with_backup(path: &Path) -> Option<String> {
    let bak = paths::backup_path(path);
    bak.exists().then(|| {
        format!(
            "no vault at {}, but its previous generation {} is there: `kms-console restore` puts \
             it back (move the .bak away to start afresh)",
            path.display(),
            bak.display()
        )
    })
}

/// What to add to the message of a vault that does not open: the way back, when the file is
/// damaged (or altered) and a previous generation exists.
pub fn hint(path: &Path, error: &VaultError) -> &'static str {
    let damaged = matches!(
        error,
        VaultError::Corrupt(_) | VaultError::WrongPassphrase | VaultError::NotFound(_)
    );
    if damaged && paths::backup_path(path).exists() {
        "\n(if the file was damaged or altered, `kms-console restore` puts back its previous generation)"
    } else {
        ""
    }
}
