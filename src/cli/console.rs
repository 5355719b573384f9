//! The console's own commands: `init`, `principal …` and `audit …`.

use std::process::ExitCode;

use serde_json::json;

use super::reply::{self, Done, Failure};
use super::session;
use super::{AccessKeyCommand, AuditCommand, Global, PrincipalCommand, passphrase};
use crate::api::ApiError;
use crate::core::audit::AuditRecord;
use crate::core::clock::format_date;
use crate::core::error::KmsError;
use crate::core::model::VaultState;
use crate::core::ops::principals;
use crate::core::policy::PolicyDocument;
use crate::core::vault::{Sources, Vault, new_vault_state};
use crate::core::vault_file::{self, KdfParams, NewProtection, Protection, VaultFile};
use crate::demo;

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

/// Reads and checks a seed file (`init --seed`); its text may hold material, so it is wiped.
fn read_seed(file: &std::path::Path) -> Result<VaultState, Failure> {
    let text = std::fs::read_to_string(file)
        .map(zeroize::Zeroizing::new)
        .map_err(|e| Failure::option("seed", format!("cannot read {}: {e}", file.display())))?;
    crate::core::seed::seed_state(&text, &Sources::default())
        .map_err(|e| Failure::option("seed", e.to_string()))
}

/// Reads a policy argument: JSON text, or `@FILE`.
fn policy_text(arg: &str) -> Result<String, KmsError> {
    match arg.strip_prefix('@') {
        Some(file) => std::fs::read_to_string(file)
            .map_err(|e| KmsError::invalid("PolicyDocument", format!("cannot read {file}: {e}"))),
        None => Ok(arg.to_owned()),
    }
}

/// What a principal command did, for its audit record: RAM's action name and the `details`
/// (`UserName`, `PolicyDocument`, `AccessKeyId`; never a secret).
struct Audited {
    action: &'static str,
    details: serde_json::Map<String, serde_json::Value>,
}

impl Audited {
    fn new(action: &'static str, name: Option<&str>) -> Self {
        let mut details = serde_json::Map::new();
        if let Some(name) = name {
            details.insert("UserName".into(), json!(name));
        }
        Self { action, details }
    }

    fn note(&mut self, field: &str, value: impl Into<serde_json::Value>) {
        self.details.insert(field.to_owned(), value.into());
    }
}

/// `principal …`: permissioned by the `--as` principal's `ram:` policies (checked in the core),
/// audited with RAM's action names.
pub fn principal(global: &Global, cmd: PrincipalCommand) -> ExitCode {
    let format = session::format(global);
    if let Err(f) = reply::check_args_for_xml(format, &principal_args(&cmd)) {
        return reply::fail(format, &f);
    }
    let mut vault = match session::open(global) {
        Ok(v) => v,
        Err(m) => return reply::fail(format, &Failure::vault(m)),
    };
    let caller = global.principal.clone();
    let done = match &cmd {
        PrincipalCommand::List | PrincipalCommand::AccessKey(AccessKeyCommand::List { .. }) => {
            Done::Nothing
        }
        _ => Done::Changed("the principal change was saved"),
    };
    let (audited, result) = run_principal(&mut vault, &caller, cmd);
    let request_id = vault.sources().ids.uuid();
    vault.append_audit(&AuditRecord {
        time: format_date(vault.sources().clock.now()),
        principal: caller,
        action: audited.action.to_owned(),
        result: result
            .as_ref()
            .map_or_else(|e| e.code().to_owned(), |_| "Success".to_owned()),
        request_id: request_id.clone(),
        details: Some(serde_json::Value::Object(audited.details)),
        ..Default::default()
    });
    match result {
        Ok(value) => reply::document(format, global.query.as_deref(), &value, "KMS", done),
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
        PrincipalCommand::AccessKey(
            AccessKeyCommand::Create { name } | AccessKeyCommand::List { name },
        ) => vec![("name", name.as_str())],
        PrincipalCommand::AccessKey(AccessKeyCommand::Delete {
            name,
            access_key_id,
        }) => vec![
            ("name", name.as_str()),
            ("access_key_id", access_key_id.as_str()),
        ],
    }
}

fn to_json(value: impl serde::Serialize) -> Result<serde_json::Value, KmsError> {
    serde_json::to_value(value).map_err(|e| KmsError::InternalFailure(e.to_string()))
}

fn compact(policy: &PolicyDocument) -> String {
    serde_json::to_string(policy).unwrap_or_default()
}

fn run_principal(
    vault: &mut Vault,
    caller: &str,
    cmd: PrincipalCommand,
) -> (Audited, Result<serde_json::Value, KmsError>) {
    match cmd {
        PrincipalCommand::List => {
            let listed = principals::list_principals(vault.state(), &vault.ctx(caller));
            (
                Audited::new("ListUsers", None),
                listed.and_then(|users| to_json(json!({ "Users": users }))),
            )
        }
        PrincipalCommand::Create { name, policy } => {
            let mut audited = Audited::new("CreateUser", Some(&name));
            let texts: Result<Vec<String>, KmsError> =
                policy.iter().map(|p| policy_text(p)).collect();
            let result = texts.and_then(|texts| {
                if !texts.is_empty() {
                    audited.note("PolicyDocument", texts.clone());
                }
                let policies = texts
                    .iter()
                    .map(|t| PolicyDocument::parse("PolicyDocument", t))
                    .collect::<Result<Vec<_>, _>>()?;
                let created = vault.update(
                    |s, c| principals::create_principal(s, c, &name, policies),
                    caller,
                )?;
                to_json(json!({ "User": created }))
            });
            (audited, result)
        }
        PrincipalCommand::Delete { name } => {
            let result = vault
                .update(|s, c| principals::delete_principal(s, c, &name), caller)
                .map(|()| json!({ "Deleted": name }));
            (Audited::new("DeleteUser", Some(&name)), result)
        }
        PrincipalCommand::AttachPolicy { name, policy } => {
            let mut audited = Audited::new("AttachPolicyToUser", Some(&name));
            let result = policy_text(&policy).and_then(|text| {
                audited.note("PolicyDocument", text.as_str());
                let policy = PolicyDocument::parse("PolicyDocument", &text)?;
                vault.update(
                    |s, c| principals::attach_policy(s, c, &name, policy),
                    caller,
                )?;
                Ok(json!({ "UserName": name, "Attached": true }))
            });
            (audited, result)
        }
        PrincipalCommand::DetachPolicy { name, index } => {
            let mut audited = Audited::new("DetachPolicyFromUser", Some(&name));
            audited.note("Index", index);
            let result = vault
                .update(|s, c| principals::detach_policy(s, c, &name, index), caller)
                .map(|detached| {
                    audited.note("PolicyDocument", compact(&detached));
                    json!({ "UserName": name, "Detached": index })
                });
            (audited, result)
        }
        PrincipalCommand::AccessKey(cmd) => run_access_key(vault, caller, cmd),
    }
}

fn run_access_key(
    vault: &mut Vault,
    caller: &str,
    cmd: AccessKeyCommand,
) -> (Audited, Result<serde_json::Value, KmsError>) {
    match cmd {
        AccessKeyCommand::Create { name } => {
            let mut audited = Audited::new("CreateAccessKey", Some(&name));
            let result = vault
                .update(|s, c| principals::create_access_key(s, c, &name), caller)
                .and_then(|created| {
                    audited.note("AccessKeyId", created.access_key_id.as_str());
                    to_json(json!({ "AccessKey": created }))
                });
            (audited, result)
        }
        AccessKeyCommand::List { name } => {
            let listed = principals::list_access_keys(vault.state(), &vault.ctx(caller), &name);
            (
                Audited::new("ListAccessKeys", Some(&name)),
                listed.and_then(|keys| to_json(json!({ "UserName": name, "AccessKeys": keys }))),
            )
        }
        AccessKeyCommand::Delete {
            name,
            access_key_id,
        } => {
            let mut audited = Audited::new("DeleteAccessKey", Some(&name));
            audited.note("AccessKeyId", access_key_id.as_str());
            let result = vault
                .update(
                    |s, c| principals::delete_access_key(s, c, &name, &access_key_id),
                    caller,
                )
                .map(|()| json!({ "UserName": name, "Deleted": access_key_id }));
            (audited, result)
        }
    }
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
