//! Handlers of the key, version, rotation and alias actions; the changes go through
//! `Vault::update`, which takes the vault's lock.

use super::{Call, Outcome, Touched};
use crate::api::params::Params;
use crate::core::error::KmsError;
use crate::core::model::{RotationPolicy, VaultState};
use crate::core::ops::Ctx;
use crate::core::ops::subject::HasSubject;
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
    call: &Call<'_>,
    p: Params<'_>,
) -> Result<Outcome, KmsError> {
    let principal = call.principal;
    let key_spec = match p.opt("KeySpec") {
        None => KeySpec::AliyunAes256,
        Some(s) => KeySpec::parse(s.trim()).ok_or_else(|| {
            KmsError::invalid("KeySpec", "It must be Aliyun_AES_256, Aliyun_AES_128, Aliyun_SM4, RSA_2048, RSA_3072, EC_SM2, EC_P256 or EC_P256K.")
        })?,
    };
    let key_usage = match p.opt("KeyUsage") {
        None => key_spec.default_usage(),
        Some(u) => KeyUsage::parse(u.trim()).ok_or_else(|| {
            KmsError::invalid("KeyUsage", "It must be ENCRYPT/DECRYPT or SIGN/VERIFY.")
        })?,
    };
    if !key_spec.allows(key_usage) {
        return Err(KmsError::invalid(
            "KeyUsage",
            format!(
                "A {} key cannot be {}.",
                key_spec.as_str(),
                key_usage.as_str()
            ),
        ));
    }
    let external = match p.opt("Origin").map(str::trim) {
        None | Some("Aliyun_KMS") => false,
        Some("EXTERNAL") => true,
        Some(_) => {
            return Err(KmsError::invalid(
                "Origin",
                "It must be Aliyun_KMS or EXTERNAL.",
            ));
        }
    };
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
        tags: super::tags::tags_param(p, "Tags")?
            .into_iter()
            .map(|t| (t.key, t.value))
            .collect(),
    };
    if external {
        let metadata = call.change(vault, |state, ctx| {
            let m = keys::create_external_key(state, ctx, req)?;
            let touched = Touched::key(state, &m.key_id);
            Ok((m, touched))
        })?;
        return Ok(Outcome::wrapped("KeyMetadata", &metadata)?
            .about(metadata.subject())
            .audited());
    }
    // Check permission first: RSA generation is slow and must not run for a refused caller.
    keys::authorize_create_key(vault.state(), &vault.ctx(principal))?;
    let material = vault.sources().keys.generate(key_spec)?;
    let metadata = call.change(vault, |state, ctx| {
        let m = keys::create_key(state, ctx, req, material)?;
        let touched = Touched::version(&m.key_id, &m.primary_key_version);
        Ok((m, touched))
    })?;
    Ok(Outcome::wrapped("KeyMetadata", &metadata)?
        .about(metadata.subject())
        .audited())
}

pub(super) fn describe_key(
    vault: &Vault,
    principal: &str,
    p: Params<'_>,
) -> Result<Outcome, KmsError> {
    let (state, ctx) = (vault.state(), vault.ctx(principal));
    let metadata = keys::describe_key(state, &ctx, p.req("KeyId")?)?;
    let touched = Touched::key(state, &metadata.key_id);
    Ok(Outcome::wrapped("KeyMetadata", &metadata)?
        .about(metadata.subject())
        .touching(touched))
}

pub(super) fn list_keys(
    vault: &Vault,
    principal: &str,
    p: Params<'_>,
) -> Result<Outcome, KmsError> {
    let (state, ctx) = (vault.state(), vault.ctx(principal));
    Outcome::of(&keys::list_keys(state, &ctx, &p.filters()?, p.page()?)?)
}

pub(super) fn create_key_version(
    vault: &mut Vault,
    call: &Call<'_>,
    p: Params<'_>,
) -> Result<Outcome, KmsError> {
    let key = p.req("KeyId")?;
    let base = call.record(vault, &Touched::default(), "Success", None);
    let info = vault.create_key_version(call.principal, key, |info| {
        vec![Touched::version(&info.key_id, &info.key_version_id).onto(base)]
    })?;
    Ok(Outcome::wrapped("KeyVersion", &info)?
        .about(info.subject())
        .audited())
}

pub(super) fn describe_key_version(
    vault: &Vault,
    principal: &str,
    p: Params<'_>,
) -> Result<Outcome, KmsError> {
    let (state, ctx) = (vault.state(), vault.ctx(principal));
    let key = p.req("KeyId")?;
    let version = p.req("KeyVersionId")?;
    let info = versions::describe_key_version(state, &ctx, key, version)?;
    let touched = Touched::version(&info.key_id, &info.key_version_id);
    Ok(Outcome::wrapped("KeyVersion", &info)?
        .about(info.subject())
        .touching(touched))
}

pub(super) fn list_key_versions(
    vault: &Vault,
    principal: &str,
    p: Params<'_>,
) -> Result<Outcome, KmsError> {
    let (state, ctx) = (vault.state(), vault.ctx(principal));
    let key = p.req("KeyId")?;
    let list = versions::list_key_versions(state, &ctx, key, p.page()?)?;
    Ok(Outcome::of(&list)?.touching(Touched::key(state, key)))
}

/// UpdateRotationPolicy, with the older `EnableAutoRotation` / `RotationIntervalInDays` names.
pub(super) fn update_rotation_policy(
    vault: &mut Vault,
    call: &Call<'_>,
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
    call.change(vault, |state, ctx| {
        versions::update_rotation_policy(state, ctx, key, enable, interval)?;
        Ok(((), Touched::key(state, key)))
    })?;
    Ok(Outcome::empty().audited())
}

pub(super) fn list_aliases(
    vault: &Vault,
    principal: &str,
    p: Params<'_>,
) -> Result<Outcome, KmsError> {
    let (state, ctx) = (vault.state(), vault.ctx(principal));
    Outcome::of(&aliases::list_aliases(state, &ctx, p.page()?)?)
}

pub(super) fn list_aliases_by_key_id(
    vault: &Vault,
    principal: &str,
    p: Params<'_>,
) -> Result<Outcome, KmsError> {
    let (state, ctx) = (vault.state(), vault.ctx(principal));
    let page = p.page()?;
    let key = p.req("KeyId")?;
    let list = aliases::list_aliases_by_key_id(state, &ctx, key, page)?;
    Ok(Outcome::of(&list)?.touching(Touched::key(state, key)))
}

pub(super) fn update_key_description(
    vault: &mut Vault,
    call: &Call<'_>,
    p: Params<'_>,
) -> Result<Outcome, KmsError> {
    let (key, description) = (p.req("KeyId")?, p.req("Description")?);
    call.change_key(vault, key, |s, c| {
        keys::update_key_description(s, c, key, description)
    })
}

/// A change of one key's state by reference (EnableKey, DisableKey, CancelKeyDeletion),
/// reporting the key it touched.
pub(super) fn key_state(
    vault: &mut Vault,
    call: &Call<'_>,
    p: Params<'_>,
    f: fn(&mut VaultState, &Ctx<'_>, &str) -> Result<(), KmsError>,
) -> Result<Outcome, KmsError> {
    let key = p.req("KeyId")?;
    call.change_key(vault, key, |s, c| f(s, c, key))
}

pub(super) fn schedule_key_deletion(
    vault: &mut Vault,
    call: &Call<'_>,
    p: Params<'_>,
) -> Result<Outcome, KmsError> {
    let key = p.req("KeyId")?;
    let days = p
        .int("PendingWindowInDays")?
        .ok_or_else(|| KmsError::missing("PendingWindowInDays"))?;
    let days = u32::try_from(days).unwrap_or(u32::MAX);
    call.change_key(vault, key, |s, c| {
        keys::schedule_key_deletion(s, c, key, days).map(drop)
    })
}

/// CreateAlias and UpdateAlias (`f`): the alias and the key it then names.
pub(super) fn set_alias(
    vault: &mut Vault,
    call: &Call<'_>,
    p: Params<'_>,
    f: fn(&mut VaultState, &Ctx<'_>, &str, &str) -> Result<(), KmsError>,
) -> Result<Outcome, KmsError> {
    let (alias, key) = (p.req("AliasName")?, p.req("KeyId")?);
    call.change_key(vault, key, |s, c| f(s, c, alias, key))
}

/// DeleteAlias, reporting the key the alias named before it went.
pub(super) fn delete_alias(
    vault: &mut Vault,
    call: &Call<'_>,
    p: Params<'_>,
) -> Result<Outcome, KmsError> {
    let alias = p.req("AliasName")?;
    call.change(vault, |s, c| {
        let touched = Touched::key(s, alias);
        aliases::delete_alias(s, c, alias)?;
        Ok(((), touched))
    })?;
    Ok(Outcome::empty().audited())
}
