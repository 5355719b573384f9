//! The console's own commands: `init`, `principal …` and `audit …`.

use std::process::ExitCode;

use serde_json::json;

use super::reply::{self, Done, Failure};
use super::session;
use super::{AuditCommand, Global, PrincipalCommand, passphrase};
use crate::api::ApiError;
use crate::core::audit::AuditRecord;
use crate::core::clock::format_date;
use crate::core::error::KmsError;
use crate::core::ops::principals;
use crate::core::policy::PolicyDocument;
use crate::core::vault::{Sources, Vault, new_vault_state};
use crate::core::vault_file::{KdfParams, NewProtection};
use crate::demo;

pub fn init(global: &Global, no_passphrase: bool, demo: bool, cheap_kdf: bool) -> ExitCode {
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
        demo::write_demo_vault(&path).map_err(Failure::internal)
    } else {
        create_empty(global, &path, no_passphrase, cheap_kdf)
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
) -> Result<&'static str, Failure> {
    let sources = Sources::default();
    let state = new_vault_state(&sources)?;
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
    let format = session::format(global);
    if let Err(f) = reply::check_args_for_xml(format, &principal_args(&cmd)) {
        return reply::fail(format, &f);
    }
    let mut vault = match session::open(global) {
        Ok(v) => v,
        Err(m) => return reply::fail(format, &Failure::vault(m)),
    };
    let (action, name) = match &cmd {
        PrincipalCommand::List => {
            let list = principals::list_principals(vault.state());
            return print_json(global, &serde_json::to_value(list).unwrap_or_default());
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
        key_id: None,
        key_version_id: None,
        result: result
            .as_ref()
            .map_or_else(|e| e.code().to_owned(), |_| "Success".to_owned()),
        request_id: request_id.clone(),
        details: Some(json!({ "Name": name })),
    });
    match result {
        Ok(value) => print_json(global, &value),
        Err(e) => reply::fail_api(format, &ApiError::from_kms(&e, request_id)),
    }
}

/// The free-text arguments of a principal command, checked before it runs.
fn principal_args(cmd: &PrincipalCommand) -> Vec<(&'static str, &str)> {
    match cmd {
        PrincipalCommand::List => Vec::new(),
        PrincipalCommand::Create { name, policy } => std::iter::once(("name", name.as_str()))
            .chain(policy.iter().map(|p| ("--policy", p.as_str())))
            .collect(),
        PrincipalCommand::Delete { name } | PrincipalCommand::DetachPolicy { name, .. } => {
            vec![("name", name.as_str())]
        }
        PrincipalCommand::AttachPolicy { name, policy } => {
            vec![("name", name.as_str()), ("--policy", policy.as_str())]
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

/// Every principal command's output: its document in `--Format`, or the `--query` field.
fn print_json(global: &Global, value: &serde_json::Value) -> ExitCode {
    let done = if matches!(value, serde_json::Value::Array(_)) {
        Done::Nothing
    } else {
        Done::Changed("the principal change was saved")
    };
    let format = session::format(global);
    reply::document(format, global.query.as_deref(), value, "KMS", done)
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
        AuditCommand::Verify => match log.verify() {
            Ok(report) => {
                let doc = serde_json::to_value(&report).unwrap_or_default();
                let printed =
                    reply::document(format, global.query.as_deref(), &doc, "KMS", Done::Nothing);
                if report.ok {
                    printed
                } else {
                    ExitCode::FAILURE
                }
            }
            Err(e) => reply::fail(format, &Failure::vault(e.to_string())),
        },
    }
}
