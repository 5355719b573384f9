//! Dispatch: one handler per action turns parsed parameters into a core call and its result
//! into response fields; every call, success or failure, is written to the audit log.

use serde::Serialize;
use serde_json::{Map, Value};

use super::actions::find_action;
use super::document::{ApiError, ApiResponse};
use super::params::Params;
use super::request::ApiRequest;
use crate::core::audit::AuditRecord;
use crate::core::clock::format_date;
use crate::core::error::KmsError;
use crate::core::model::RotationPolicy;
use crate::core::ops::reencrypt::{ReEncryptRequest, re_encrypt_traced};
use crate::core::ops::{aliases, asymmetric, keys, symmetric, versions};
use crate::core::spec::{KeySpec, KeyUsage};
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
struct Outcome {
    fields: Map<String, Value>,
    details: Option<Value>,
}

impl Outcome {
    fn of<T: Serialize>(response: &T) -> Result<Self, KmsError> {
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
    fn wrapped<T: Serialize>(name: &str, response: &T) -> Result<Self, KmsError> {
        let value = serde_json::to_value(response)
            .map_err(|e| KmsError::InternalFailure(format!("response encoding: {e}")))?;
        let mut fields = Map::new();
        fields.insert(name.to_owned(), value);
        Ok(Self {
            fields,
            details: None,
        })
    }

    fn empty() -> Self {
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
        "ReEncrypt" => re_encrypt(vault, principal, p),
        "Encrypt" | "Decrypt" | "GenerateDataKey" | "GenerateDataKeyWithoutPlaintext" => {
            symmetric_data(vault, principal, spec.name, p)
        }
        "AsymmetricEncrypt" | "AsymmetricDecrypt" | "GetPublicKey" => {
            asymmetric_data(vault, principal, spec.name, p)
        }
        "CreateKey" => create_key(vault, principal, p),
        "DescribeKey" | "ListKeys" => read_keys(vault, principal, spec.name, p),
        "CreateKeyVersion" => create_key_version(vault, principal, p),
        "DescribeKeyVersion" | "ListKeyVersions" => read_versions(vault, principal, spec.name, p),
        "UpdateRotationPolicy" => update_rotation_policy(vault, principal, p),
        "ListAliases" | "ListAliasesByKeyId" => read_aliases(vault, principal, spec.name, p),
        _ => change(vault, principal, spec.name, p),
    }
}

fn re_encrypt(vault: &Vault, principal: &str, p: Params<'_>) -> Result<Outcome, KmsError> {
    let source_context = p.context("SourceEncryptionContext")?;
    let destination_context = p.context("DestinationEncryptionContext")?;
    let req = ReEncryptRequest {
        ciphertext_blob: p.req("CiphertextBlob")?,
        destination_key_id: p.req("DestinationKeyId")?,
        source_key_id: p.opt("SourceKeyId"),
        source_key_version_id: p.opt("SourceKeyVersionId"),
        source_encryption_algorithm: p.algorithm("SourceEncryptionAlgorithm")?,
        source_encryption_context: &source_context,
        destination_encryption_context: &destination_context,
        dry_run: p.dry_run()?,
    };
    let (response, source) = re_encrypt_traced(vault.state(), &vault.ctx(principal), &req)?;
    let mut outcome = Outcome::of(&response)?;
    outcome.details = Some(serde_json::json!({
        "SourceKeyId": source.key_id,
        "SourceKeyVersionId": source.key_version_id,
    }));
    Ok(outcome)
}

fn symmetric_data(
    vault: &Vault,
    principal: &str,
    action: &str,
    p: Params<'_>,
) -> Result<Outcome, KmsError> {
    let (state, ctx) = (vault.state(), vault.ctx(principal));
    let context = p.context("EncryptionContext")?;
    let dry_run = p.dry_run()?;
    match action {
        "Encrypt" => {
            let plaintext = p.secret("Plaintext")?;
            let key = p.req("KeyId")?;
            Outcome::of(&symmetric::encrypt(
                state, &ctx, key, &plaintext, &context, dry_run,
            )?)
        }
        "Decrypt" => Outcome::of(&symmetric::decrypt(
            state,
            &ctx,
            p.req("CiphertextBlob")?,
            &context,
            dry_run,
        )?),
        _ => {
            let key = p.req("KeyId")?;
            let len = symmetric::data_key_len(p.opt("KeySpec"), p.int("NumberOfBytes")?)?;
            let with_plaintext = action == "GenerateDataKey";
            Outcome::of(&symmetric::generate_data_key(
                state,
                &ctx,
                key,
                len,
                &context,
                with_plaintext,
                dry_run,
            )?)
        }
    }
}

fn asymmetric_data(
    vault: &Vault,
    principal: &str,
    action: &str,
    p: Params<'_>,
) -> Result<Outcome, KmsError> {
    let (state, ctx) = (vault.state(), vault.ctx(principal));
    let key = p.req("KeyId")?;
    let version = p.req("KeyVersionId")?;
    if action == "GetPublicKey" {
        return Outcome::of(&asymmetric::get_public_key(state, &ctx, key, version)?);
    }
    let algorithm = p
        .algorithm("Algorithm")?
        .ok_or_else(|| KmsError::missing("Algorithm"))?;
    let dry_run = p.dry_run()?;
    if action == "AsymmetricEncrypt" {
        let plaintext = p.secret("Plaintext")?;
        Outcome::of(&asymmetric::asymmetric_encrypt(
            state, &ctx, key, version, algorithm, &plaintext, dry_run,
        )?)
    } else {
        let blob = p.req("CiphertextBlob")?;
        Outcome::of(&asymmetric::asymmetric_decrypt(
            state, &ctx, key, version, algorithm, blob, dry_run,
        )?)
    }
}

/// `EnableAutomaticRotation` + `RotationInterval` of CreateKey.
fn rotation_policy(p: Params<'_>) -> Result<RotationPolicy, KmsError> {
    let enabled = p.bool("EnableAutomaticRotation")?.unwrap_or(false);
    let interval = p
        .opt("RotationInterval")
        .map(|t| versions::parse_rotation_interval("RotationInterval", t))
        .transpose()?;
    if enabled && interval.is_none() {
        return Err(KmsError::missing("RotationInterval"));
    }
    Ok(RotationPolicy {
        enabled,
        interval_seconds: interval,
    })
}

fn create_key(vault: &mut Vault, principal: &str, p: Params<'_>) -> Result<Outcome, KmsError> {
    let key_spec = match p.opt("KeySpec") {
        None => KeySpec::AliyunAes256,
        Some(s) => KeySpec::parse(s.trim()).ok_or_else(|| {
            KmsError::invalid("KeySpec", "It must be Aliyun_AES_256, Aliyun_AES_128, Aliyun_SM4, RSA_2048, RSA_3072 or EC_SM2.")
        })?,
    };
    let key_usage = match p.opt("KeyUsage") {
        None => KeyUsage::EncryptDecrypt,
        Some(u) => KeyUsage::parse(u.trim()).ok_or_else(|| {
            KmsError::invalid("KeyUsage", "Only ENCRYPT/DECRYPT keys are supported.")
        })?,
    };
    if p.opt("Origin").is_some_and(|o| o != "Aliyun_KMS") {
        return Err(KmsError::invalid("Origin", "Only Aliyun_KMS is supported."));
    }
    if p.opt("ProtectionLevel").is_some_and(|o| o != "SOFTWARE") {
        return Err(KmsError::invalid(
            "ProtectionLevel",
            "Only SOFTWARE is supported.",
        ));
    }
    let req = keys::CreateKeyRequest {
        key_spec,
        key_usage,
        description: p.opt("Description").unwrap_or_default().to_owned(),
        rotation: rotation_policy(p)?,
    };
    // Check permission first: RSA generation is slow and must not run for a refused caller.
    keys::authorize_create_key(vault.state(), &vault.ctx(principal))?;
    let material = vault.sources().keys.generate(key_spec)?;
    let metadata = vault.update(
        |state, ctx| keys::create_key(state, ctx, req, material),
        principal,
    )?;
    Outcome::wrapped("KeyMetadata", &metadata)
}

fn read_keys(
    vault: &Vault,
    principal: &str,
    action: &str,
    p: Params<'_>,
) -> Result<Outcome, KmsError> {
    let (state, ctx) = (vault.state(), vault.ctx(principal));
    if action == "DescribeKey" {
        Outcome::wrapped(
            "KeyMetadata",
            &keys::describe_key(state, &ctx, p.req("KeyId")?)?,
        )
    } else {
        Outcome::of(&keys::list_keys(state, &ctx, &p.filters()?, p.page()?)?)
    }
}

fn create_key_version(
    vault: &mut Vault,
    principal: &str,
    p: Params<'_>,
) -> Result<Outcome, KmsError> {
    let key_ref = p.req("KeyId")?;
    let spec =
        versions::prepare_key_version(vault.state(), &vault.ctx(principal), key_ref)?.key_spec;
    let material = vault.sources().keys.generate(spec)?;
    let info = vault.update(
        |state, ctx| versions::create_key_version(state, ctx, key_ref, material),
        principal,
    )?;
    Outcome::wrapped("KeyVersion", &info)
}

fn read_versions(
    vault: &Vault,
    principal: &str,
    action: &str,
    p: Params<'_>,
) -> Result<Outcome, KmsError> {
    let (state, ctx) = (vault.state(), vault.ctx(principal));
    let key = p.req("KeyId")?;
    if action == "DescribeKeyVersion" {
        let version = p.req("KeyVersionId")?;
        Outcome::wrapped(
            "KeyVersion",
            &versions::describe_key_version(state, &ctx, key, version)?,
        )
    } else {
        Outcome::of(&versions::list_key_versions(state, &ctx, key, p.page()?)?)
    }
}

/// UpdateRotationPolicy, with the older `EnableAutoRotation` / `RotationIntervalInDays` names.
fn update_rotation_policy(
    vault: &mut Vault,
    principal: &str,
    p: Params<'_>,
) -> Result<Outcome, KmsError> {
    let key = p.req("KeyId")?;
    let Some(enable) = p
        .bool("EnableAutomaticRotation")?
        .or(p.bool("EnableAutoRotation")?)
    else {
        return Err(KmsError::missing("EnableAutomaticRotation"));
    };
    let interval = match (p.opt("RotationInterval"), p.int("RotationIntervalInDays")?) {
        (Some(t), _) => Some(versions::parse_rotation_interval("RotationInterval", t)?),
        (None, Some(days)) => Some(versions::parse_rotation_interval(
            "RotationIntervalInDays",
            &format!("{days}d"),
        )?),
        (None, None) => None,
    };
    vault.update(
        |state, ctx| versions::update_rotation_policy(state, ctx, key, enable, interval),
        principal,
    )?;
    Ok(Outcome::empty())
}

fn read_aliases(
    vault: &Vault,
    principal: &str,
    action: &str,
    p: Params<'_>,
) -> Result<Outcome, KmsError> {
    let (state, ctx) = (vault.state(), vault.ctx(principal));
    let page = p.page()?;
    if action == "ListAliases" {
        Outcome::of(&aliases::list_aliases(state, &ctx, page)?)
    } else {
        Outcome::of(&aliases::list_aliases_by_key_id(
            state,
            &ctx,
            p.req("KeyId")?,
            page,
        )?)
    }
}

/// The remaining changes: key state, description, deletion, aliases.
fn change(
    vault: &mut Vault,
    principal: &str,
    action: &str,
    p: Params<'_>,
) -> Result<Outcome, KmsError> {
    match action {
        "UpdateKeyDescription" => {
            let (key, description) = (p.req("KeyId")?, p.req("Description")?);
            vault.update(
                |s, c| keys::update_key_description(s, c, key, description),
                principal,
            )?;
        }
        "EnableKey" => {
            let key = p.req("KeyId")?;
            vault.update(|s, c| keys::enable_key(s, c, key), principal)?;
        }
        "DisableKey" => {
            let key = p.req("KeyId")?;
            vault.update(|s, c| keys::disable_key(s, c, key), principal)?;
        }
        "ScheduleKeyDeletion" => {
            let key = p.req("KeyId")?;
            let days = p
                .int("PendingWindowInDays")?
                .ok_or_else(|| KmsError::missing("PendingWindowInDays"))?;
            let days = u32::try_from(days).unwrap_or(u32::MAX);
            vault.update(
                |s, c| keys::schedule_key_deletion(s, c, key, days),
                principal,
            )?;
        }
        "CancelKeyDeletion" => {
            let key = p.req("KeyId")?;
            vault.update(|s, c| keys::cancel_key_deletion(s, c, key), principal)?;
        }
        "CreateAlias" | "UpdateAlias" => {
            let (alias, key) = (p.req("AliasName")?, p.req("KeyId")?);
            let f = if action == "CreateAlias" {
                aliases::create_alias
            } else {
                aliases::update_alias
            };
            vault.update(|s, c| f(s, c, alias, key), principal)?;
        }
        "DeleteAlias" => {
            let alias = p.req("AliasName")?;
            vault.update(|s, c| aliases::delete_alias(s, c, alias), principal)?;
        }
        other => return Err(KmsError::UnknownAction(other.to_owned())),
    }
    Ok(Outcome::empty())
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
