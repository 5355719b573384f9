//! ReEncrypt, the heart of the product (seed page; product §6): decrypt with the source — the
//! version a symmetric blob names, or SourceKeyId + SourceKeyVersionId +
//! SourceEncryptionAlgorithm for RSA-OAEP / SM2 ciphertext — and seal the plaintext under the
//! primary version of the destination key. The plaintext never leaves this function.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;

use super::asymmetric::{asymmetric_version, ensure_usage, open_asymmetric};
use super::symmetric::blob_source;
use super::symmetric_key::SymmetricKey;
use super::{Ctx, authorize_key, ensure_enabled, resolve};
use crate::core::blob::CiphertextBlob;
use crate::core::context::EncryptionContext;
use crate::core::crypto::AsymmetricAlgorithm;
use crate::core::error::KmsError;
use crate::core::model::{Cmk, VaultState};
use crate::core::secret::SecretBytes;
use crate::core::spec::KeyUsage;

/// Parameters of ReEncrypt after parsing.
#[derive(Debug, Clone, Copy)]
pub struct ReEncryptRequest<'a> {
    /// Base64 text of a symmetric blob or of raw asymmetric ciphertext.
    pub ciphertext_blob: &'a str,
    pub destination_key_id: &'a str,
    pub source_key_id: Option<&'a str>,
    pub source_key_version_id: Option<&'a str>,
    pub source_encryption_algorithm: Option<AsymmetricAlgorithm>,
    pub source_encryption_context: &'a EncryptionContext,
    pub destination_encryption_context: &'a EncryptionContext,
    pub dry_run: bool,
}

/// The response: the new blob and the destination key and version that made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReEncryptResponse {
    pub ciphertext_blob: String,
    pub key_id: String,
    pub key_version_id: String,
}

/// Where the ciphertext came from, for the audit log and the drill report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReEncryptSource<'s> {
    pub key_id: &'s str,
    pub key_version_id: &'s str,
}

/// What a ReEncrypt made, and the source version it decrypted.
#[derive(Debug)]
pub struct ReEncrypted<'s> {
    pub response: ReEncryptResponse,
    pub source: ReEncryptSource<'s>,
}

/// ReEncrypt: checks the destination, opens the source (symmetric blob or raw asymmetric
/// ciphertext) and seals it under the destination's primary version.
pub fn re_encrypt<'s>(
    state: &'s VaultState,
    ctx: &Ctx<'_>,
    req: &ReEncryptRequest<'_>,
) -> Result<ReEncrypted<'s>, KmsError> {
    let destination = check_destination(state, ctx, req.destination_key_id)?;
    let (source, sealed) = match req.source_encryption_algorithm {
        Some(algorithm) => {
            let (source, plaintext) = open_asymmetric_source(state, ctx, req, algorithm)?;
            if req.dry_run {
                return Err(KmsError::DryRunOperation);
            }
            let to = SymmetricKey::primary(destination)?;
            let aad = req.destination_encryption_context.aad();
            (source, to.seal(aad, plaintext.expose())?)
        }
        None => reseal_symmetric_source(state, ctx, req, destination)?,
    };
    Ok(ReEncrypted {
        response: ReEncryptResponse {
            ciphertext_blob: sealed.to_text(),
            key_id: destination.key_id.clone(),
            key_version_id: sealed.key_version_id().to_owned(),
        },
        source,
    })
}

/// The destination of a ReEncrypt (or of a whole drill): the caller may ReEncryptTo it, it is
/// Enabled, and it is symmetric.
pub fn check_destination<'s>(
    state: &'s VaultState,
    ctx: &Ctx<'_>,
    key_ref: &str,
) -> Result<&'s Cmk, KmsError> {
    let destination = resolve(state, key_ref)?;
    authorize_key(state, ctx, "ReEncryptTo", destination)?;
    ensure_enabled_as(destination, "destination")?;
    if !destination.key_spec.is_symmetric() {
        return Err(KmsError::IncorrectKeyUsage(format!(
            "DestinationKeyId must be a symmetric key; {} is {}.",
            destination.key_id,
            destination.key_spec.as_str()
        )));
    }
    Ok(destination)
}

/// A symmetric blob names its version; SourceKeyId / SourceKeyVersionId, if given, must agree.
/// The blob is opened straight into the new blob's buffer and sealed there
/// ([`SymmetricKey::reseal`]); a dry run only opens it.
fn reseal_symmetric_source<'s>(
    state: &'s VaultState,
    ctx: &Ctx<'_>,
    req: &ReEncryptRequest<'_>,
    destination: &Cmk,
) -> Result<(ReEncryptSource<'s>, CiphertextBlob), KmsError> {
    let blob = CiphertextBlob::parse(req.ciphertext_blob)?;
    let (key, version) = blob_source(state, &blob)?;
    if let Some(source) = req.source_key_id
        && resolve(state, source)?.key_id != key.key_id
    {
        return Err(KmsError::invalid(
            "SourceKeyId",
            "It does not match the key that made CiphertextBlob.",
        ));
    }
    if let Some(v) = req.source_key_version_id
        && v.trim() != version.key_version_id
    {
        return Err(KmsError::invalid(
            "SourceKeyVersionId",
            "It does not match the key version named in CiphertextBlob.",
        ));
    }
    authorize_key(state, ctx, "ReEncryptFrom", key)?;
    ensure_enabled_as(key, "source")?;
    let from = SymmetricKey::of(key, version).ok_or(KmsError::InvalidCiphertext)?;
    let aad = req.source_encryption_context.aad();
    if req.dry_run {
        from.open(&blob, aad)?;
        return Err(KmsError::DryRunOperation);
    }
    let to = SymmetricKey::primary(destination)?;
    let sealed = from.reseal(&blob, aad, &to, req.destination_encryption_context.aad())?;
    let source = ReEncryptSource {
        key_id: &key.key_id,
        key_version_id: &version.key_version_id,
    };
    Ok((source, sealed))
}

/// Raw RSA-OAEP / SM2 ciphertext: all three source parameters are required. The plaintext moved
/// into the symmetric blob is the base64 text of the decrypted bytes — the same text that was
/// given to AsymmetricEncrypt as `Plaintext`, so Decrypt of the result gives that text back.
fn open_asymmetric_source<'s>(
    state: &'s VaultState,
    ctx: &Ctx<'_>,
    req: &ReEncryptRequest<'_>,
    algorithm: AsymmetricAlgorithm,
) -> Result<(ReEncryptSource<'s>, SecretBytes), KmsError> {
    let key_ref = req
        .source_key_id
        .ok_or_else(|| KmsError::missing("SourceKeyId"))?;
    let version_id = req
        .source_key_version_id
        .ok_or_else(|| KmsError::missing("SourceKeyVersionId"))?;
    let key = resolve(state, key_ref)?;
    authorize_key(state, ctx, "ReEncryptFrom", key)?;
    if key.key_spec.is_symmetric() {
        // A symmetric key named for asymmetric ciphertext: a wrong key, reported like one.
        return Err(KmsError::InvalidCiphertext);
    }
    let (version, private) = asymmetric_version(key, version_id)?;
    ensure_usage(key, KeyUsage::EncryptDecrypt)?;
    ensure_enabled_as(key, "source")?;
    let raw = open_asymmetric(private, algorithm, req.ciphertext_blob)?;
    let text = SecretBytes::new(STANDARD.encode(raw.expose()).into_bytes());
    let source = ReEncryptSource {
        key_id: &key.key_id,
        key_version_id: &version.key_version_id,
    };
    Ok((source, text))
}

/// [`ensure_enabled`], naming which key of the ReEncrypt (`role`) is Disabled and its KeyId.
fn ensure_enabled_as(key: &Cmk, role: &'static str) -> Result<(), KmsError> {
    ensure_enabled(key).map_err(|e| match e {
        KmsError::Disabled => KmsError::DisabledKey {
            role,
            key_id: key.key_id.clone(),
        },
        other => other,
    })
}
