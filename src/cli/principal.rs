//! `principal …` and `principal access-key …` (product §7): permissioned by the `--as`
//! principal's `ram:` policies (checked in the core), audited with RAM's action names. A change's
//! `Success` line is anchored by the very vault write that makes the change (product §12); reads
//! and refusals are audited after the anchor, as every other call is.

use std::process::ExitCode;

use serde_json::json;

use super::reply::{self, Done, Failure};
use super::session;
use super::{AccessKeyCommand, Global, PrincipalCommand};
use crate::api::ApiError;
use crate::core::audit::AuditRecord;
use crate::core::clock::format_date;
use crate::core::error::KmsError;
use crate::core::model::VaultState;
use crate::core::ops::{Ctx, principals};
use crate::core::policy::PolicyDocument;
use crate::core::vault::Vault;

/// One principal command: who calls, and the RequestId and time of its audit line.
struct Call {
    caller: String,
    request_id: String,
    time: String,
}

/// What a principal command did, for its audit record: RAM's action name and the `details`
/// (`UserName`, `PolicyDocument`, `AccessKeyId`; never a secret).
#[derive(Clone)]
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

    fn record(&self, call: &Call, result: &str) -> AuditRecord {
        AuditRecord {
            time: call.time.clone(),
            principal: call.caller.clone(),
            action: self.action.to_owned(),
            result: result.to_owned(),
            request_id: call.request_id.clone(),
            details: Some(serde_json::Value::Object(self.details.clone())),
            ..AuditRecord::default()
        }
    }
}

/// The outcome of a principal command: its audit facts, its document, and whether its line was
/// already written (anchored by the change's own vault write).
struct Outcome {
    audited: Audited,
    result: Result<serde_json::Value, KmsError>,
    audited_already: bool,
}

impl Outcome {
    fn read(audited: Audited, result: Result<serde_json::Value, KmsError>) -> Self {
        Self {
            audited,
            result,
            audited_already: false,
        }
    }

    fn change(audited: Audited, result: Result<serde_json::Value, KmsError>) -> Self {
        let audited_already = result.is_ok();
        Self {
            audited,
            result,
            audited_already,
        }
    }
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
    let done = match &cmd {
        PrincipalCommand::List | PrincipalCommand::AccessKey(AccessKeyCommand::List { .. }) => {
            Done::Nothing
        }
        _ => Done::Changed("the principal change was saved"),
    };
    let call = Call {
        caller: global.principal.clone(),
        request_id: vault.sources().ids.uuid(),
        time: format_date(vault.sources().clock.now()),
    };
    let outcome = run_principal(&mut vault, &call, cmd);
    if !outcome.audited_already {
        let result = outcome
            .result
            .as_ref()
            .map_or_else(|e| e.code().to_owned(), |_| "Success".to_owned());
        // Fail closed: an unaudited call gives no answer.
        if let Err(e) = vault.append_audit(&outcome.audited.record(&call, &result)) {
            return reply::fail_api(format, &ApiError::from_kms(&e, call.request_id));
        }
    }
    match outcome.result {
        Ok(value) => reply::document(format, global.query.as_deref(), &value, "KMS", done),
        Err(e) => reply::fail_api(format, &ApiError::from_kms(&e, call.request_id)),
    }
}

/// Applies a principal change under the vault's lock; its `Success` line (with what `note` adds
/// from the change's result) is written with the same vault write.
fn change<R>(
    vault: &mut Vault,
    call: &Call,
    audited: &mut Audited,
    f: impl FnOnce(&mut VaultState, &Ctx<'_>) -> Result<R, KmsError>,
    note: impl Fn(&R, &mut Audited),
) -> Result<R, KmsError> {
    let line = |out: &R| {
        let mut noted = audited.clone();
        note(out, &mut noted);
        vec![noted.record(call, "Success")]
    };
    let out = vault.update_audited(&call.caller, f, line)?;
    note(&out, audited);
    Ok(out)
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

/// Reads a policy argument: JSON text, or `@FILE`.
fn policy_text(arg: &str) -> Result<String, KmsError> {
    match arg.strip_prefix('@') {
        Some(file) => std::fs::read_to_string(file)
            .map_err(|e| KmsError::invalid("PolicyDocument", format!("cannot read {file}: {e}"))),
        None => Ok(arg.to_owned()),
    }
}

fn to_json(value: impl serde::Serialize) -> Result<serde_json::Value, KmsError> {
    serde_json::to_value(value).map_err(|e| KmsError::InternalFailure(e.to_string()))
}

fn compact(policy: &PolicyDocument) -> String {
    serde_json::to_string(policy).unwrap_or_default()
}

fn no_notes<R>(_: &R, _: &mut Audited) {}

fn run_principal(vault: &mut Vault, call: &Call, cmd: PrincipalCommand) -> Outcome {
    match cmd {
        PrincipalCommand::List => {
            let listed = principals::list_principals(vault.state(), &vault.ctx(&call.caller));
            Outcome::read(
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
                let create = |s: &mut VaultState, c: &Ctx<'_>| {
                    principals::create_principal(s, c, &name, policies)
                };
                let created = change(vault, call, &mut audited, create, no_notes)?;
                to_json(json!({ "User": created }))
            });
            Outcome::change(audited, result)
        }
        PrincipalCommand::Delete { name } => {
            let mut audited = Audited::new("DeleteUser", Some(&name));
            let delete =
                |s: &mut VaultState, c: &Ctx<'_>| principals::delete_principal(s, c, &name);
            let result = change(vault, call, &mut audited, delete, no_notes)
                .map(|()| json!({ "Deleted": name }));
            Outcome::change(audited, result)
        }
        PrincipalCommand::AttachPolicy { name, policy } => {
            let mut audited = Audited::new("AttachPolicyToUser", Some(&name));
            let result = policy_text(&policy).and_then(|text| {
                audited.note("PolicyDocument", text.as_str());
                let policy = PolicyDocument::parse("PolicyDocument", &text)?;
                let attach = |s: &mut VaultState, c: &Ctx<'_>| {
                    principals::attach_policy(s, c, &name, policy)
                };
                change(vault, call, &mut audited, attach, no_notes)?;
                Ok(json!({ "UserName": name, "Attached": true }))
            });
            Outcome::change(audited, result)
        }
        PrincipalCommand::DetachPolicy { name, index } => {
            let mut audited = Audited::new("DetachPolicyFromUser", Some(&name));
            audited.note("Index", index);
            let detach =
                |s: &mut VaultState, c: &Ctx<'_>| principals::detach_policy(s, c, &name, index);
            let note = |detached: &PolicyDocument, a: &mut Audited| {
                a.note("PolicyDocument", compact(detached));
            };
            let result = change(vault, call, &mut audited, detach, note)
                .map(|_| json!({ "UserName": name, "Detached": index }));
            Outcome::change(audited, result)
        }
        PrincipalCommand::AccessKey(cmd) => run_access_key(vault, call, cmd),
    }
}

fn run_access_key(vault: &mut Vault, call: &Call, cmd: AccessKeyCommand) -> Outcome {
    match cmd {
        AccessKeyCommand::Create { name } => {
            let mut audited = Audited::new("CreateAccessKey", Some(&name));
            let create =
                |s: &mut VaultState, c: &Ctx<'_>| principals::create_access_key(s, c, &name);
            let note = |created: &principals::AccessKeyCreated, a: &mut Audited| {
                a.note("AccessKeyId", created.access_key_id.as_str());
            };
            let result = change(vault, call, &mut audited, create, note)
                .and_then(|created| to_json(json!({ "AccessKey": created })));
            Outcome::change(audited, result)
        }
        AccessKeyCommand::List { name } => {
            let listed =
                principals::list_access_keys(vault.state(), &vault.ctx(&call.caller), &name);
            Outcome::read(
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
            let delete = |s: &mut VaultState, c: &Ctx<'_>| {
                principals::delete_access_key(s, c, &name, &access_key_id)
            };
            let result = change(vault, call, &mut audited, delete, no_notes)
                .map(|()| json!({ "UserName": name, "Deleted": access_key_id }));
            Outcome::change(audited, result)
        }
    }
}
