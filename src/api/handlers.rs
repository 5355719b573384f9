//! Dispatch: one handler per action turns parsed parameters into a core call and its result
//! into response fields; every call, success or failure, is written to the audit log.

use serde::Serialize;
use serde_json::{Map, Value};

mod data;
mod keys;

use super::actions::find_action;
use super::document::{ApiError, ApiResponse};
use super::params::Params;
use super::request::ApiRequest;
use crate::core::audit::AuditRecord;
use crate::core::clock::format_date;
use crate::core::error::KmsError;
use crate::core::vault::Vault;

/// Runs one request as `principal` and audits it.
pub fn dispatch(
    vault: &mut Vault,
    principal: &str,
    req: &ApiRequest,
) -> Result<ApiResponse, ApiError> {
    let request_id = vault.sources().ids.uuid();
    let outcome = run(vault, principal, req);
    if vault.audit_log().is_some() {
        audit(vault, principal, req, &request_id, &outcome);
    }
    match outcome {
        Ok(Outcome { fields, .. }) => Ok(ApiResponse {
            action: req.action.clone(),
            request_id,
            fields,
        }),
        Err(e) => Err(ApiError::from_kms(&e, request_id)),
    }
}

/// Response fields plus what only the audit log needs.
pub(super) struct Outcome {
    pub(super) fields: Map<String, Value>,
    pub(super) details: Option<Value>,
}

impl Outcome {
    pub(super) fn of<T: Serialize>(response: &T) -> Result<Self, KmsError> {
        match serde_json::to_value(response) {
            Ok(Value::Object(fields)) => Ok(Self {
                fields,
                details: None,
            }),
            Ok(_) => Ok(Self::empty()),
            Err(e) => Err(KmsError::InternalFailure(format!("response encoding: {e}"))),
        }
    }

    /// A response wrapped in one field, e.g. `KeyMetadata`.
    pub(super) fn wrapped<T: Serialize>(name: &str, response: &T) -> Result<Self, KmsError> {
        let value = serde_json::to_value(response)
            .map_err(|e| KmsError::InternalFailure(format!("response encoding: {e}")))?;
        let mut fields = Map::new();
        fields.insert(name.to_owned(), value);
        Ok(Self {
            fields,
            details: None,
        })
    }

    pub(super) fn empty() -> Self {
        Self {
            fields: Map::new(),
            details: None,
        }
    }
}

fn run(vault: &mut Vault, principal: &str, req: &ApiRequest) -> Result<Outcome, KmsError> {
    let spec =
        find_action(&req.action).ok_or_else(|| KmsError::UnknownAction(req.action.clone()))?;
    let p = Params::new(&req.params);
    // See changes other processes made since this vault was loaded (a cheap metadata check).
    if vault.changed_on_disk() {
        vault.refresh()?;
    }
    match spec.name {
        "ReEncrypt" => data::re_encrypt(vault, principal, p),
        "Encrypt" | "Decrypt" | "GenerateDataKey" | "GenerateDataKeyWithoutPlaintext" => {
            data::symmetric(vault, principal, spec.name, p)
        }
        "AsymmetricEncrypt" | "AsymmetricDecrypt" | "GetPublicKey" => {
            data::asymmetric(vault, principal, spec.name, p)
        }
        "CreateKey" => keys::create_key(vault, principal, p),
        "DescribeKey" | "ListKeys" => keys::read_keys(vault, principal, spec.name, p),
        "CreateKeyVersion" => keys::create_key_version(vault, principal, p),
        "DescribeKeyVersion" | "ListKeyVersions" => {
            keys::read_versions(vault, principal, spec.name, p)
        }
        "UpdateRotationPolicy" => keys::update_rotation_policy(vault, principal, p),
        "ListAliases" | "ListAliasesByKeyId" => keys::read_aliases(vault, principal, spec.name, p),
        _ => keys::change(vault, principal, spec.name, p),
    }
}

/// The key and version a call concerned: from the response if it succeeded, else the
/// reference the request gave.
fn audit(
    vault: &Vault,
    principal: &str,
    req: &ApiRequest,
    request_id: &str,
    outcome: &Result<Outcome, KmsError>,
) {
    let (key_id, key_version_id, result, details) = match outcome {
        Ok(o) => {
            let nested = ["KeyMetadata", "KeyVersion"]
                .iter()
                .find_map(|n| o.fields.get(*n))
                .unwrap_or(&Value::Null);
            let pick = |name: &str| {
                o.fields
                    .get(name)
                    .or_else(|| nested.get(name))
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            };
            let version = pick("KeyVersionId").or_else(|| pick("PrimaryKeyVersion"));
            (
                pick("KeyId"),
                version,
                "Success".to_owned(),
                o.details.clone(),
            )
        }
        Err(e) => {
            let key = ["KeyId", "DestinationKeyId", "AliasName"]
                .iter()
                .find_map(|n| req.params.get(*n).cloned());
            let version = ["KeyVersionId", "SourceKeyVersionId"]
                .iter()
                .find_map(|n| req.params.get(*n).cloned());
            (key, version, e.code().to_owned(), None)
        }
    };
    vault.append_audit(&AuditRecord {
        time: format_date(vault.sources().clock.now()),
        principal: principal.to_owned(),
        action: req.action.clone(),
        key_id,
        key_version_id,
        result,
        request_id: request_id.to_owned(),
        details,
    });
}
