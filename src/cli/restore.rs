//! `kms-console restore`: puts the previous generation of the vault (`vault.json.bak`) back in
//! place of a vault that is damaged, altered or gone, after a confirmation (y/N on a terminal,
//! `--yes` otherwise). The core does the work under the vault lock, refuses a backup that does not
//! open, keeps the replaced file as `vault.json.damaged-<n>` and audits `RestoreVault`.

use std::io::{BufRead, IsTerminal};
use std::path::Path;
use std::process::ExitCode;

use serde_json::json;

use super::Global;
use super::output;
use super::session::{self, fail};
use crate::core::paths;
use crate::core::vault::{Sources, Vault};
use crate::core::vault_file::{self, Protection};
use crate::launch::passphrase;

pub fn run(global: &Global, yes: bool) -> ExitCode {
    let path = match session::vault_path(global) {
        Ok(p) => p,
        Err(m) => return fail(&m),
    };
    // It prints one small JSON document; rather than ignore these, say so.
    let xml = global
        .format
        .as_deref()
        .is_some_and(|f| !f.eq_ignore_ascii_case("json"));
    if xml || global.query.is_some() {
        output::err("kms-console: restore prints JSON only; --Format XML and --query do not apply");
        return ExitCode::from(2);
    }
    let bak = paths::backup_path(&path);
    if !bak.exists() {
        return fail(&format!(
            "there is no previous generation to restore: {} does not exist",
            bak.display()
        ));
    }
    if !yes {
        if !std::io::stdin().is_terminal() {
            output::err(&format!(
                "kms-console: restore replaces the vault file {}; confirm with --yes when not on a terminal",
                path.display()
            ));
            return ExitCode::from(2);
        }
        match confirm(&path, &bak) {
            Ok(true) => {}
            Ok(false) => {
                output::err("Not restored; nothing was changed.");
                return ExitCode::FAILURE;
            }
            Err(m) => return fail(&m),
        }
    }
    match restore(global, &path, &bak) {
        Ok(doc) => {
            output::out(&serde_json::to_string_pretty(&doc).unwrap_or_default());
            ExitCode::SUCCESS
        }
        Err(m) => fail(&m),
    }
}

/// Asks y/N on the terminal; only `y` or `yes` restores.
fn confirm(path: &Path, bak: &Path) -> Result<bool, String> {
    output::err_part(&format!(
        "Restore {} from its previous generation {}?\nThe current file is kept beside it as {}.damaged-<n>. [y/N] ",
        path.display(),
        bak.display(),
        path.display()
    ));
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| format!("cannot read the answer: {e}"))?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

fn restore(global: &Global, path: &Path, bak: &Path) -> Result<serde_json::Value, String> {
    // The backup says whether it needs a passphrase; a backup that does not even decode is
    // refused here, before anything is asked or changed.
    let protection = vault_file::peek_protection(bak).map_err(|e| {
        format!(
            "the backup {} cannot be restored ({e}); nothing was changed",
            bak.display()
        )
    })?;
    let passphrase = match protection {
        Protection::Passphrase => Some(passphrase::for_open(global.passphrase_file.as_deref())?),
        Protection::None => None,
    };
    let (_vault, restored) =
        Vault::restore_backup_at(path, passphrase, &global.principal, Sources::default())
            .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(json!({
        "Vault": path.display().to_string(),
        "RestoredGeneration": restored.generation,
        "KeptAs": restored.kept_as.map(|p| p.display().to_string()),
    }))
}
