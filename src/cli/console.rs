//! The console's own commands: `init` and `audit …` (`principal …` is in `principal.rs`).

use std::process::ExitCode;

use serde_json::json;

use super::reply::{self, Done, Failure};
use super::session;
use super::{AuditCommand, Global};
use crate::core::model::VaultState;
use crate::core::vault::{Sources, Vault, new_vault_state};
use crate::core::vault_file::{self, KdfParams, NewProtection, Protection, VaultFile};
use crate::demo;
use crate::launch::passphrase;

pub fn init(
    global: &Global,
    no_passphrase: bool,
    demo: bool,
    seed: Option<&std::path::Path>,
    cheap_kdf: bool,
) -> ExitCode {
    let format = session::format(global);
    let fail = |f: Failure| reply::fail(format, &f);
    let path = match session::vault_path(global) {
        Ok(p) => p,
        Err(m) => return fail(Failure::vault(m)),
    };
    let shown = path.display().to_string();
    if let Err(f) = reply::check_args_for_xml(format, &[("--vault", &shown)]) {
        return fail(f);
    }
    // A bad seed file is refused before anything is created.
    let seeded = match seed.map(read_seed).transpose() {
        Ok(state) => state,
        Err(f) => return fail(f),
    };
    if path.exists() {
        return fail(Failure::exists(format!(
            "a vault already exists at {shown}; it was left as it is"
        )));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && let Err(e) = std::fs::create_dir_all(dir)
    {
        return fail(Failure::internal(format!(
            "cannot create {}: {e}",
            dir.display()
        )));
    }
    let created = if demo {
        demo::write_demo_vault(&path, &crate::core::clock::SystemClock).map_err(Failure::internal)
    } else {
        create_empty(global, &path, no_passphrase, cheap_kdf, seeded)
    };
    match created {
        Ok(protection) => {
            let doc = json!({
                "Vault": shown,
                "Protection": protection,
                "Principal": "admin",
            });
            let done = format!("the vault was created at {shown}");
            reply::document(
                format,
                global.query.as_deref(),
                &doc,
                "KMS",
                Done::Changed(&done),
            )
        }
        Err(f) => fail(f),
    }
}

fn create_empty(
    global: &Global,
    path: &std::path::Path,
    no_passphrase: bool,
    cheap_kdf: bool,
    seeded: Option<VaultState>,
) -> Result<&'static str, Failure> {
    let sources = Sources::default();
    let state = match seeded {
        Some(state) => state,
        None => new_vault_state(&sources)?,
    };
    let protection = if no_passphrase {
        NewProtection::None
    } else {
        let pass = passphrase::for_new(global.passphrase_file.as_deref())
            .map_err(|m| Failure::option("passphrase", m))?;
        let kdf = if cheap_kdf {
            KdfParams::cheap_for_tests()
        } else {
            KdfParams::production()
        };
        NewProtection::Passphrase(pass, kdf)
    };
    let label = if no_passphrase { "none" } else { "passphrase" };
    Vault::create(path, state, protection, sources).map_err(Failure::internal)?;
    Ok(label)
}

/// `serve --seed FILE`: the vault of this run made from a seed file first (unprotected, as a test
/// vault is), refused if a vault is already there — a test suite never serves yesterday's keys.
pub fn seed_for_serve(global: &Global, seed: &std::path::Path) -> Result<(), Failure> {
    let path = session::vault_path(global).map_err(Failure::vault)?;
    let state = read_seed(seed)?;
    if path.exists() {
        return Err(Failure::exists(format!(
            "a vault already exists at {}; serve --seed makes a new one (point --vault at a \
             fresh path, or drop --seed to serve the existing vault)",
            path.display()
        )));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| Failure::internal(format!("cannot create {}: {e}", dir.display())))?;
    }
    create_empty(global, &path, true, false, Some(state)).map(|_| ())
}

/// Reads and checks a seed file (`init --seed`); its text may hold material, so it is wiped.
fn read_seed(file: &std::path::Path) -> Result<VaultState, Failure> {
    let text = std::fs::read_to_string(file)
        .map(zeroize::Zeroizing::new)
        .map_err(|e| Failure::option("seed", format!("cannot read {}: {e}", file.display())))?;
    crate::core::seed::seed_state(&text, &Sources::default())
        .map_err(|e| Failure::option("seed", e.to_string()))
}

pub fn audit(global: &Global, cmd: &AuditCommand) -> ExitCode {
    let format = session::format(global);
    let path = match session::vault_path(global) {
        Ok(p) => p,
        Err(m) => return reply::fail(format, &Failure::vault(m)),
    };
    let log = crate::core::audit::AuditLog::for_vault(&path);
    match cmd {
        AuditCommand::List { tail } => match log.read() {
            Ok(entries) => {
                let skip = tail.map_or(0, |n| entries.len().saturating_sub(n));
                let entries = entries.iter().skip(skip).map(serde_json::to_value);
                let entries = entries.collect::<Result<Vec<_>, _>>().unwrap_or_default();
                reply::entries(format, global.query.as_deref(), &entries)
            }
            Err(e) => reply::fail(format, &Failure::vault(e.to_string())),
        },
        AuditCommand::Verify => {
            // The key and the anchor are in the vault; reading it changes nothing (no
            // maintenance runs, unlike a normal open). It is read again under the log's lock
            // (cheap: the key is derived once), so a change between its vault write and its
            // audit lines is not taken for a cut log.
            let report = read_vault(global, &path).and_then(|mut file| {
                let _held = log.read_lock().map_err(|e| e.to_string())?;
                file.reload().map_err(|e| e.to_string())?;
                log.verify(file.contents().audit_anchor())
                    .map_err(|e| e.to_string())
            });
            match report {
                Ok(report) => {
                    let doc = serde_json::to_value(&report).unwrap_or_default();
                    let printed = reply::document(
                        format,
                        global.query.as_deref(),
                        &doc,
                        "KMS",
                        Done::Nothing,
                    );
                    if report.ok {
                        printed
                    } else {
                        ExitCode::FAILURE
                    }
                }
                Err(m) => reply::fail(format, &Failure::vault(m)),
            }
        }
    }
}

/// The vault file, read without writing anything (passphrase asked for if sealed).
fn read_vault(global: &Global, path: &std::path::Path) -> Result<VaultFile<VaultState>, String> {
    if !path.exists() {
        return Err(format!(
            "no vault at {}: the audit log is verified against the key and anchor it holds",
            path.display()
        ));
    }
    let protection = vault_file::peek_protection(path).map_err(|e| e.to_string())?;
    let passphrase = match protection {
        Protection::Passphrase => Some(passphrase::for_open(global.passphrase_file.as_deref())?),
        Protection::None => None,
    };
    VaultFile::<VaultState>::open(path, passphrase).map_err(|e| format!("{}: {e}", path.display()))
}
