//! ExportDataKey and GenerateAndExportDataKey (`spec/alibaba-kms.md` §11.2): a data key leaves
//! the vault only wrapped under a public key the caller supplies — the other direction of
//! ReEncrypt from asymmetric ciphertext. The wrapped bytes are the raw data key, the bytes whose
//! Base64 GenerateDataKey returns as `Plaintext`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;

use super::symmetric::{blob_source, open_blob, seal_with_primary};
use super::{Ctx, authorize_key, ensure_enabled, key_for};
use crate::core::blob::CiphertextBlob;
use crate::core::context::EncryptionContext;
use crate::core::crypto::{AsymmetricAlgorithm, WrappingKey, WrappingKeySpec};
use crate::core::error::KmsError;
use crate::core::model::VaultState;
use crate::core::random;
use crate::core::secret::{SecretBytes, SecretString};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ExportDataKeyResponse {
    pub exported_data_key: String,
    pub key_id: String,
    pub key_version_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GenerateAndExportDataKeyResponse {
    pub ciphertext_blob: String,
    pub exported_data_key: String,
    pub key_id: String,
    pub key_version_id: String,
}

/// Where the data key goes: `PublicKeyBlob` (base64 DER SubjectPublicKeyInfo),
/// `WrappingAlgorithm` and `WrappingKeySpec`, as given.
#[derive(Debug, Clone, Copy)]
pub struct ExportTarget<'a> {
    pub public_key_blob: &'a str,
    pub algorithm: AsymmetricAlgorithm,
    pub key_spec: WrappingKeySpec,
}

impl ExportTarget<'_> {
    /// The public key, checked against the spec and algorithm.
    fn wrapping_key(&self) -> Result<WrappingKey, KmsError> {
        let der = STANDARD
            .decode(self.public_key_blob.trim().as_bytes())
            .map_err(|_| KmsError::invalid("PublicKeyBlob", "It must be Base64."))?;
        WrappingKey::parse(&der, self.key_spec, self.algorithm)
    }
}

/// ExportDataKey: opens a data-key blob and returns its key wrapped under `target`.
pub fn export_data_key(
    state: &VaultState,
    ctx: &Ctx<'_>,
    ciphertext_blob: &str,
    context: &EncryptionContext,
    target: &ExportTarget<'_>,
    dry_run: bool,
) -> Result<ExportDataKeyResponse, KmsError> {
    let blob = CiphertextBlob::parse(ciphertext_blob)?;
    let (key, version) = blob_source(state, &blob)?;
    authorize_key(state, ctx, "ExportDataKey", key)?;
    ensure_enabled(key)?;
    let wrapping = target.wrapping_key()?;
    let text = open_blob(key, version, &blob, context)?;
    // The blob of a data key seals the Base64 text of its bytes (GenerateDataKey).
    let raw =
        SecretBytes::new(STANDARD.decode(text.expose()).map_err(|_| {
            KmsError::invalid("CiphertextBlob", "It is not the blob of a data key.")
        })?);
    if dry_run {
        return Err(KmsError::DryRunOperation);
    }
    let exported = wrapping.wrap(target.algorithm, raw.expose())?;
    Ok(ExportDataKeyResponse {
        exported_data_key: STANDARD.encode(exported),
        key_id: key.key_id.clone(),
        key_version_id: version.key_version_id.clone(),
    })
}

/// GenerateAndExportDataKey: a fresh data key of `len` bytes, sealed under the key's primary
/// version (as GenerateDataKey) and wrapped under `target`; no plaintext leaves.
pub fn generate_and_export_data_key(
    state: &VaultState,
    ctx: &Ctx<'_>,
    key_ref: &str,
    len: usize,
    context: &EncryptionContext,
    target: &ExportTarget<'_>,
    dry_run: bool,
) -> Result<GenerateAndExportDataKeyResponse, KmsError> {
    let key = key_for(state, ctx, "GenerateAndExportDataKey", key_ref)?;
    ensure_enabled(key)?;
    if !key.key_spec.is_symmetric() {
        return Err(KmsError::IncorrectKeyUsage(format!(
            "{} is a {} key; data keys need a symmetric key.",
            key.key_id,
            key.key_spec.as_str()
        )));
    }
    let wrapping = target.wrapping_key()?;
    if dry_run {
        return Err(KmsError::DryRunOperation);
    }
    let raw = random::secret_bytes(len)?;
    let exported = wrapping.wrap(target.algorithm, raw.expose())?;
    let text = SecretString::new(STANDARD.encode(raw.expose()));
    let (ciphertext_blob, key_version_id) =
        seal_with_primary(key, context, text.expose().as_bytes())?;
    Ok(GenerateAndExportDataKeyResponse {
        ciphertext_blob,
        exported_data_key: STANDARD.encode(exported),
        key_id: key.key_id.clone(),
        key_version_id,
    })
}
