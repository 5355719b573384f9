//! Handlers of the key, version, rotation and alias actions; the changes go through
//! `Vault::update`, which takes the vault's lock.

use super::Outcome;
use crate::api::params::Params;
use crate::core::error::KmsError;
use crate::core::model::RotationPolicy;
use crate::core::ops::{aliases, keys, versions};
use crate::core::spec::{KeySpec, KeyUsage};
use crate::core::vault::Vault;

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

pub(super) fn create_key(
    vault: &mut Vault,
    principal: &str,
    p: Params<'_>,
) -> Result<Outcome, KmsError> {
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

pub(super) fn read_keys(
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

pub(super) fn create_key_version(
    vault: &mut Vault,
    principal: &str,
    p: Params<'_>,
) -> Result<Outcome, KmsError> {
    let info = vault.create_key_version(principal, p.req("KeyId")?)?;
    Outcome::wrapped("KeyVersion", &info)
}

pub(super) fn read_versions(
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
pub(super) fn update_rotation_policy(
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

pub(super) fn read_aliases(
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
pub(super) fn change(
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
