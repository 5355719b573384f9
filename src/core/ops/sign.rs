//! AsymmetricSign and AsymmetricVerify: signatures of SIGN/VERIFY keys over a digest the caller
//! computed (`spec/alibaba-kms.md` §11.1). Wrong usage, a symmetric key or an algorithm outside
//! the key's KeySpec row is `InvalidParameter`; a signature that does not match is `Value: false`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;

use super::asymmetric::asymmetric_version;
use super::{Ctx, ensure_enabled, key_for};
use crate::core::crypto::{AsymmetricKey, DIGEST_LEN, SignAlgorithm};
use crate::core::error::KmsError;
use crate::core::model::{Cmk, KeyVersion, VaultState};
use crate::core::spec::KeyUsage;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AsymmetricSignResponse {
    pub key_id: String,
    pub key_version_id: String,
    /// Base64 of the bare signature.
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AsymmetricVerifyResponse {
    pub key_id: String,
    pub key_version_id: String,
    /// Whether the signature matches (a JSON boolean, §11.1).
    pub value: bool,
}

/// One AsymmetricSign / AsymmetricVerify request after parsing.
#[derive(Debug, Clone, Copy)]
pub struct SignRequest<'a> {
    pub key_ref: &'a str,
    pub key_version_id: &'a str,
    pub algorithm: SignAlgorithm,
    /// Base64 of the digest.
    pub digest: &'a str,
    pub dry_run: bool,
}

/// The key, version and private key of a signing request, after every check but the digest's.
fn signing_version<'s>(
    state: &'s VaultState,
    ctx: &Ctx<'_>,
    action: &str,
    req: &SignRequest<'_>,
) -> Result<(&'s Cmk, &'s KeyVersion, &'s AsymmetricKey), KmsError> {
    let key = key_for(state, ctx, action, req.key_ref)?;
    if key.key_usage != KeyUsage::SignVerify {
        return Err(KmsError::invalid(
            "KeyId",
            format!(
                "{} is a {} {} key; signing needs a SIGN/VERIFY key.",
                key.key_id,
                key.key_spec.as_str(),
                key.key_usage.as_str()
            ),
        ));
    }
    let (version, private) = asymmetric_version(key, req.key_version_id)?;
    if !key.key_spec.sign_algorithms().contains(&req.algorithm) {
        return Err(KmsError::invalid(
            "Algorithm",
            format!(
                "{} does not apply to a {} key.",
                req.algorithm,
                key.key_spec.as_str()
            ),
        ));
    }
    ensure_enabled(key)?;
    Ok((key, version, private))
}

fn decode(name: &str, value: &str) -> Result<Vec<u8>, KmsError> {
    STANDARD
        .decode(value.trim().as_bytes())
        .map_err(|_| KmsError::invalid(name, "It must be Base64."))
}

/// The digest: Base64 of exactly [`DIGEST_LEN`] bytes.
fn decode_digest(digest: &str) -> Result<Vec<u8>, KmsError> {
    let bytes = decode("Digest", digest)?;
    if bytes.len() == DIGEST_LEN {
        Ok(bytes)
    } else {
        Err(KmsError::invalid(
            "Digest",
            format!("It must be a {DIGEST_LEN}-byte digest, base64-encoded."),
        ))
    }
}

/// AsymmetricSign: signs `Digest` with a version of a SIGN/VERIFY key.
pub fn asymmetric_sign(
    state: &VaultState,
    ctx: &Ctx<'_>,
    req: &SignRequest<'_>,
) -> Result<AsymmetricSignResponse, KmsError> {
    let (key, version, private) = signing_version(state, ctx, "AsymmetricSign", req)?;
    let digest = decode_digest(req.digest)?;
    if req.dry_run {
        return Err(KmsError::DryRunOperation);
    }
    let signature = private.sign(req.algorithm, &digest)?;
    Ok(AsymmetricSignResponse {
        key_id: key.key_id.clone(),
        key_version_id: version.key_version_id.clone(),
        value: STANDARD.encode(signature),
    })
}

/// AsymmetricVerify: whether `value` (base64) is a signature of `Digest` by this version.
pub fn asymmetric_verify(
    state: &VaultState,
    ctx: &Ctx<'_>,
    req: &SignRequest<'_>,
    value: &str,
) -> Result<AsymmetricVerifyResponse, KmsError> {
    let (key, version, private) = signing_version(state, ctx, "AsymmetricVerify", req)?;
    let digest = decode_digest(req.digest)?;
    let signature = decode("Value", value)?;
    let valid = private.verify(req.algorithm, &digest, &signature)?;
    if req.dry_run {
        return Err(KmsError::DryRunOperation);
    }
    Ok(AsymmetricVerifyResponse {
        key_id: key.key_id.clone(),
        key_version_id: version.key_version_id.clone(),
        value: valid,
    })
}
