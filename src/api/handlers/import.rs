//! Handlers of key import (GetParametersForImport, ImportKeyMaterial, DeleteKeyMaterial) and of
//! SetDeletionProtection (`spec/alibaba-kms.md` §11.3, §11.4).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::{Call, Outcome, Touched};
use crate::api::params::Params;
use crate::core::error::KmsError;
use crate::core::ops::subject::HasSubject;
use crate::core::ops::{import, protection};
use crate::core::policy::kms;
use crate::core::vault::Vault;

/// GetParametersForImport: the wrapping key (RSA generation is slow) is made outside the vault's
/// lock, after the permission and origin checks.
pub(super) fn get_parameters_for_import(
    vault: &mut Vault,
    call: &Call<'_>,
    p: Params<'_>,
) -> Result<Outcome, KmsError> {
    let key = p.req("KeyId")?;
    let (algorithm, spec) =
        import::parse_wrapping(p.req("WrappingAlgorithm")?, p.req("WrappingKeySpec")?)?;
    import::external_key(
        vault.state(),
        &vault.ctx(call.principal),
        kms::GET_PARAMETERS_FOR_IMPORT,
        key,
    )?;
    let wrapping_key = vault.sources().keys.generate(spec)?;
    let params = call.change(vault, |s, c| {
        let out = import::get_parameters_for_import(s, c, key, algorithm, wrapping_key)?;
        let touched = Touched::key(s, &out.key_id);
        Ok((out, touched))
    })?;
    Ok(Outcome::of(&params)?.about(params.subject()).audited())
}

pub(super) fn import_key_material(
    vault: &mut Vault,
    call: &Call<'_>,
    p: Params<'_>,
) -> Result<Outcome, KmsError> {
    let key = p.req("KeyId")?;
    let encrypted = STANDARD
        .decode(p.req("EncryptedKeyMaterial")?.trim())
        .map_err(|_| KmsError::invalid("EncryptedKeyMaterial", "It must be base64."))?;
    let token = p.req("ImportToken")?;
    let expire = match p.opt("KeyMaterialExpireUnix") {
        None => 0,
        Some(t) => t
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .ok_or_else(|| {
                KmsError::invalid("KeyMaterialExpireUnix", "It must be Unix seconds, or 0.")
            })?,
    };
    call.change(vault, |s, c| {
        let version = import::import_key_material(s, c, key, &encrypted, token, expire)?;
        let key_id = Touched::key(s, key).key_id.unwrap_or_default();
        Ok(((), Touched::version(&key_id, &version)))
    })?;
    Ok(Outcome::empty().audited())
}

pub(super) fn delete_key_material(
    vault: &mut Vault,
    call: &Call<'_>,
    p: Params<'_>,
) -> Result<Outcome, KmsError> {
    let key = p.req("KeyId")?;
    call.change(vault, |s, c| {
        let key_id = import::delete_key_material(s, c, key)?;
        Ok(((), Touched::key(s, &key_id)))
    })?;
    Ok(Outcome::empty().audited())
}

/// SetDeletionProtection: the key by `KeyId` or `ProtectedResourceArn` (the older name).
pub(super) fn set_deletion_protection(
    vault: &mut Vault,
    call: &Call<'_>,
    p: Params<'_>,
) -> Result<Outcome, KmsError> {
    let enable = p
        .bool("EnableDeletionProtection")?
        .ok_or_else(|| KmsError::missing("EnableDeletionProtection"))?;
    let key = p
        .opt("KeyId")
        .or(p.opt("ProtectedResourceArn"))
        .ok_or_else(|| KmsError::missing("ProtectedResourceArn"))?;
    let description = p.opt("DeletionProtectionDescription").unwrap_or_default();
    call.change_key(vault, key, |s, c| {
        protection::set_deletion_protection(s, c, key, enable, description)
    })
}
