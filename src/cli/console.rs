//! The console's own commands: `init`, `principal …` and `audit …`.

use std::process::ExitCode;

use serde_json::json;

use super::session::{self, fail};
use super::{AuditCommand, Global, PrincipalCommand, passphrase};
use crate::api::{ApiError, Format};
use crate::core::audit::AuditRecord;
use crate::core::clock::format_date;
use crate::core::error::KmsError;
use crate::core::model::VaultState;
use crate::core::ops::principals;
use crate::core::policy::PolicyDocument;
use crate::core::vault::{Sources, Vault, new_vault_state};
use crate::core::vault_file::{self, KdfParams, NewProtection, Protection, VaultFile};
use crate::demo;

pub fn init(global: &Global, no_passphrase: bool, demo: bool, cheap_kdf: bool) -> ExitCode {
    let path = match session::vault_path(global) {
        Ok(p) => p,
        Err(m) => return fail(&m),
    };
    if path.exists() {
        return fail(&format!(
            "a vault already exists at {}; it was left as it is",
            path.display()
        ));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && let Err(e) = std::fs::create_dir_all(dir)
    {
        return fail(&format!("cannot create {}: {e}", dir.display()));
    }
    let created = if demo {
        demo::write_demo_vault(&path).map_err(|e| e.to_string())
    } else {
        create_empty(global, &path, no_passphrase, cheap_kdf)
    };
    match created {
        Ok(protection) => {
            let doc = json!({
                "Vault": path.display().to_string(),
                "Protection": protection,
                "Principal": "admin",
            });
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
            ExitCode::SUCCESS
        }
        Err(m) => fail(&m),
    }
}

fn create_empty(
    global: &Global,
    path: &std::path::Path,
    no_passphrase: bool,
    cheap_kdf: bool,
) -> Result<&'static str, String> {
    let sources = Sources::default();
    let state = new_vault_state(&sources).map_err(|e| e.to_string())?;
    let protection = if no_passphrase {
        NewProtection::None
    } else {
        let pass = passphrase::for_new(global.passphrase_file.as_deref())?;
        let kdf = if cheap_kdf {
            KdfParams::cheap_for_tests()
        } else {
            KdfParams::production()
        };
        NewProtection::Passphrase(pass, kdf)
    };
    let label = if no_passphrase { "none" } else { "passphrase" };
    Vault::create(path, state, protection, sources).map_err(|e| e.to_string())?;
    Ok(label)
}

/// Reads a policy argument: JSON text, or `@FILE`.
fn policy_arg(text: &str) -> Result<PolicyDocument, KmsError> {
    let owned;
    let json = if let Some(file) = text.strip_prefix('@') {
        owned = std::fs::read_to_string(file)
            .map_err(|e| KmsError::invalid("PolicyDocument", format!("cannot read {file}: {e}")))?;
        owned.as_str()
    } else {
        text
    };
    PolicyDocument::parse("PolicyDocument", json)
}

pub fn principal(global: &Global, cmd: PrincipalCommand) -> ExitCode {
    let mut vault = match session::open(global) {
        Ok(v) => v,
        Err(m) => return fail(&m),
    };
    let format = session::format(global);
    let (action, name) = match &cmd {
        PrincipalCommand::List => {
            let list = principals::list_principals(vault.state());
            return print_json(&serde_json::to_value(list).unwrap_or_default());
        }
        PrincipalCommand::Create { name, .. } => ("principal.create", name.clone()),
        PrincipalCommand::Delete { name } => ("principal.delete", name.clone()),
        PrincipalCommand::AttachPolicy { name, .. } => ("principal.attach-policy", name.clone()),
        PrincipalCommand::DetachPolicy { name, .. } => ("principal.detach-policy", name.clone()),
    };
    let owner = global.principal.clone();
    let result = change_principal(&mut vault, &owner, cmd);
    let request_id = vault.sources().ids.uuid();
    vault.append_audit(&AuditRecord {
        time: format_date(vault.sources().clock.now()),
        principal: owner,
        action: action.to_owned(),
        result: result
            .as_ref()
            .map_or_else(|e| e.code().to_owned(), |_| "Success".to_owned()),
        request_id: request_id.clone(),
        details: Some(json!({ "Name": name })),
        ..AuditRecord::default()
    });
    match result {
        Ok(value) => print_json(&value),
        Err(e) => {
            eprintln!("{}", ApiError::from_kms(&e, request_id).render(format));
            ExitCode::FAILURE
        }
    }
}

fn change_principal(
    vault: &mut Vault,
    owner: &str,
    cmd: PrincipalCommand,
) -> Result<serde_json::Value, KmsError> {
    match cmd {
        PrincipalCommand::List => Ok(serde_json::Value::Null),
        PrincipalCommand::Create { name, policy } => {
            let policies = policy
                .iter()
                .map(|p| policy_arg(p))
                .collect::<Result<Vec<_>, _>>()?;
            let created = vault.update(
                |s, c| principals::create_principal(s, c, &name, policies),
                owner,
            )?;
            serde_json::to_value(created).map_err(|e| KmsError::InternalFailure(e.to_string()))
        }
        PrincipalCommand::Delete { name } => {
            vault.update(|s, _| principals::delete_principal(s, &name), owner)?;
            Ok(json!({ "Deleted": name }))
        }
        PrincipalCommand::AttachPolicy { name, policy } => {
            let policy = policy_arg(&policy)?;
            vault.update(|s, _| principals::attach_policy(s, &name, policy), owner)?;
            Ok(json!({ "Name": name, "Attached": true }))
        }
        PrincipalCommand::DetachPolicy { name, index } => {
            vault.update(|s, _| principals::detach_policy(s, &name, index), owner)?;
            Ok(json!({ "Name": name, "Detached": index }))
        }
    }
}

fn print_json(value: &serde_json::Value) -> ExitCode {
    println!(
        "{}",
        crate::api::render_document(value, "KMS", Format::Json)
    );
    ExitCode::SUCCESS
}

pub fn audit(global: &Global, cmd: &AuditCommand) -> ExitCode {
    let path = match session::vault_path(global) {
        Ok(p) => p,
        Err(m) => return fail(&m),
    };
    let log = crate::core::audit::AuditLog::for_vault(&path);
    match cmd {
        AuditCommand::List { tail } => match log.read() {
            Ok(entries) => {
                let skip = tail.map_or(0, |n| entries.len().saturating_sub(n));
                for entry in entries.iter().skip(skip) {
                    println!("{}", serde_json::to_string(entry).unwrap_or_default());
                }
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e.to_string()),
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
                    println!(
                        "{}",
                        serde_json::to_string_pretty(&report).unwrap_or_default()
                    );
                    if report.ok {
                        ExitCode::SUCCESS
                    } else {
                        ExitCode::FAILURE
                    }
                }
                Err(m) => fail(&m),
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
