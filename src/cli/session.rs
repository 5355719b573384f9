//! Opening the vault for a command: which file, its passphrase, and the clear message and exit
//! code when it cannot be opened.

use std::path::PathBuf;

use super::Global;
use super::passphrase;
use crate::api::Format;
use crate::core::paths;
use crate::core::vault::{Sources, Vault};
use crate::core::vault_file::{self, Protection};

/// The vault path of this run.
pub fn vault_path(global: &Global) -> Result<PathBuf, String> {
    paths::resolve_vault_path(global.vault.as_deref()).ok_or_else(|| {
        "no home directory to keep the vault in; give --vault PATH or set KMS_CONSOLE_VAULT".into()
    })
}

/// Opens the vault of this run (asking for its passphrase if sealed).
pub fn open(global: &Global) -> Result<Vault, String> {
    let path = vault_path(global)?;
    if !path.exists() {
        if let Some(message) = super::restore::missing_with_backup(&path) {
            return Err(message);
        }
        return Err(format!(
            "no vault at {}; create one with `kms-console init` (or `kms-console init --demo`)",
            path.display()
        ));
    }
    let protection = vault_file::peek_protection(&path)
        .map_err(|e| format!("{e}{}", super::restore::hint(&path, &e)))?;
    let passphrase = match protection {
        Protection::Passphrase => Some(passphrase::for_open(global.passphrase_file.as_deref())?),
        Protection::None => None,
    };
    let (vault, _events) = Vault::open(&path, passphrase, Sources::default())
        .map_err(|e| format!("{}: {e}{}", path.display(), super::restore::hint(&path, &e)))?;
    Ok(vault)
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
