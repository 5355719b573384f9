//! Principal calls (product §7), one path for every front end (`kms-console principal …` and the
//! console's principals screen): permissioned by the caller's `ram:` policies (checked in
//! [`crate::core::ops::principals`]), audited with RAM's action names. A change's `Success` line
//! is anchored by the very vault write that makes the change (product §12); reads and refusals
//! are audited after the anchor, as every other call is. Fails closed: an unaudited call gives
//! no answer.

use serde_json::json;

use super::Vault;
use crate::core::audit::AuditRecord;
use crate::core::clock::format_date;
use crate::core::error::KmsError;
use crate::core::model::VaultState;
use crate::core::ops::{Ctx, principals};
use crate::core::policy::PolicyDocument;

/// One principal call. Policy texts are JSON (a front end reads `@FILE` first; a read that
/// failed is passed on as its error, so the refusal is audited like any other).
#[derive(Debug)]
pub enum PrincipalCall {
    /// ListUsers.
    List,
    /// CreateUser, attaching these policies.
    Create {
        name: String,
        policies: Result<Vec<String>, KmsError>,
    },
    /// DeleteUser (and its AccessKeys).
    Delete { name: String },
    /// AttachPolicyToUser.
    AttachPolicy {
        name: String,
        policy: Result<String, KmsError>,
    },
    /// DetachPolicyFromUser: the policy at `index` (0-based, as listed).
    DetachPolicy { name: String, index: usize },
    /// CreateAccessKey: the document holds the secret, the only time it is shown.
    CreateAccessKey { name: String },
    /// ListAccessKeys.
    ListAccessKeys { name: String },
    /// DeleteAccessKey.
    DeleteAccessKey { name: String, access_key_id: String },
}

impl PrincipalCall {
    /// Whether the call changes the vault.
    pub fn changes(&self) -> bool {
        !matches!(self, Self::List | Self::ListAccessKeys { .. })
    }

    /// RAM's name for the call, as the audit log records it.
    pub fn action(&self) -> &'static str {
        match self {
            Self::List => "ListUsers",
            Self::Create { .. } => "CreateUser",
            Self::Delete { .. } => "DeleteUser",
            Self::AttachPolicy { .. } => "AttachPolicyToUser",
            Self::DetachPolicy { .. } => "DetachPolicyFromUser",
            Self::CreateAccessKey { .. } => "CreateAccessKey",
            Self::ListAccessKeys { .. } => "ListAccessKeys",
            Self::DeleteAccessKey { .. } => "DeleteAccessKey",
        }
    }
}

/// What a principal call answered: its RequestId (of its audit line) and its document or error.
#[derive(Debug)]
pub struct PrincipalCalled {
    pub request_id: String,
    pub result: Result<serde_json::Value, KmsError>,
}

/// One call: who calls, and the RequestId and time of its audit line.
struct Call {
    caller: String,
    request_id: String,
    time: String,
}

/// What a principal call did, for its audit record: RAM's action name and the `details`
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

/// The outcome of a principal call: its audit facts, its document, and whether its line was
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

impl Vault {
    /// Runs a principal call as `caller` and audits it (fail closed: if its line cannot be
    /// written, the answer is that error, never the result).
    pub fn principal_call(&mut self, caller: &str, call: PrincipalCall) -> PrincipalCalled {
        let call_facts = Call {
            caller: caller.to_owned(),
            request_id: self.sources().ids.uuid(),
            time: format_date(self.sources().clock.now()),
        };
        let outcome = run(self, &call_facts, call);
        let request_id = call_facts.request_id.clone();
        if !outcome.audited_already {
            let result = outcome
                .result
                .as_ref()
                .map_or_else(|e| e.code().to_owned(), |_| "Success".to_owned());
            if let Err(e) = self.append_audit(&outcome.audited.record(&call_facts, &result)) {
                return PrincipalCalled {
                    request_id,
                    result: Err(e),
                };
            }
        }
        PrincipalCalled {
            request_id,
            result: outcome.result,
        }
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

fn to_json(value: impl serde::Serialize) -> Result<serde_json::Value, KmsError> {
    serde_json::to_value(value).map_err(|e| KmsError::InternalFailure(e.to_string()))
}

fn compact(policy: &PolicyDocument) -> String {
    serde_json::to_string(policy).unwrap_or_default()
}

fn no_notes<R>(_: &R, _: &mut Audited) {}

fn run(vault: &mut Vault, call: &Call, cmd: PrincipalCall) -> Outcome {
    match cmd {
        PrincipalCall::List => {
            let listed = principals::list_principals(vault.state(), &vault.ctx(&call.caller));
            Outcome::read(
                Audited::new("ListUsers", None),
                listed.and_then(|users| to_json(json!({ "Users": users }))),
            )
        }
        PrincipalCall::Create { name, policies } => {
            let mut audited = Audited::new("CreateUser", Some(&name));
            let result = policies.and_then(|texts| {
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
        PrincipalCall::Delete { name } => {
            let mut audited = Audited::new("DeleteUser", Some(&name));
            let delete =
                |s: &mut VaultState, c: &Ctx<'_>| principals::delete_principal(s, c, &name);
            let result = change(vault, call, &mut audited, delete, no_notes)
                .map(|()| json!({ "Deleted": name }));
            Outcome::change(audited, result)
        }
        PrincipalCall::AttachPolicy { name, policy } => {
            let mut audited = Audited::new("AttachPolicyToUser", Some(&name));
            let result = policy.and_then(|text| {
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
        PrincipalCall::DetachPolicy { name, index } => {
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
        PrincipalCall::CreateAccessKey { name } => {
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
        PrincipalCall::ListAccessKeys { name } => {
            let listed =
                principals::list_access_keys(vault.state(), &vault.ctx(&call.caller), &name);
            Outcome::read(
                Audited::new("ListAccessKeys", Some(&name)),
                listed.and_then(|keys| to_json(json!({ "UserName": name, "AccessKeys": keys }))),
            )
        }
        PrincipalCall::DeleteAccessKey {
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
