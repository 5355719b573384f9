//! Symmetric data operations: Encrypt, Decrypt, GenerateDataKey,
//! GenerateDataKeyWithoutPlaintext, and the seal/open steps ReEncrypt shares with them.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;

use super::symmetric_key::SymmetricKey;
use super::{Ctx, authorize_key, ensure_enabled, key_for};
use crate::core::blob::CiphertextBlob;
use crate::core::context::EncryptionContext;
use crate::core::error::KmsError;
use crate::core::model::{Cmk, KeyVersion, VaultState};
use crate::core::random;
use crate::core::secret::{RevealedPlaintext, SecretBytes, SecretString};

/// Largest Encrypt plaintext, in bytes (the API's 6 KB).
pub const MAX_PLAINTEXT_BYTES: usize = 6144;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EncryptResponse {
    pub ciphertext_blob: String,
    pub key_id: String,
    pub key_version_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DecryptResponse {
    pub key_id: String,
    pub key_version_id: String,
    pub plaintext: RevealedPlaintext,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GenerateDataKeyResponse {
    pub ciphertext_blob: String,
    pub key_id: String,
    pub key_version_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plaintext: Option<RevealedPlaintext>,
}

/// Seals `plaintext` under the primary version of a symmetric `key`; returns the blob's base64
/// and the version used. The key's usability must already be checked.
pub fn seal_with_primary(
    key: &Cmk,
    context: &EncryptionContext,
    plaintext: &[u8],
) -> Result<(String, String), KmsError> {
    let blob = SymmetricKey::primary(key)?.seal(context.aad(), plaintext)?;
    Ok((blob.to_text(), blob.key_version_id().to_owned()))
}

/// The key and version a blob names; a well-formed header naming no version here is
/// `Forbidden.KeyNotFound` (product §5), or `Rejected.PendingImport` when it is the version of an
/// EXTERNAL key whose material was deleted or expired (the error names no key).
pub fn blob_source<'s>(
    state: &'s VaultState,
    blob: &CiphertextBlob,
) -> Result<(&'s Cmk, &'s KeyVersion), KmsError> {
    let id = blob.key_version_id();
    state.version(id).ok_or_else(|| {
        let awaiting = state
            .keys()
            .iter()
            .any(|k| k.external.as_ref().is_some_and(|e| e.key_version_id == id));
        if awaiting {
            KmsError::PendingImport
        } else {
            KmsError::KeyNotFound
        }
    })
}

/// Opens a blob with the version it names. Every failure is [`KmsError::InvalidCiphertext`].
pub fn open_blob(
    key: &Cmk,
    version: &KeyVersion,
    blob: &CiphertextBlob,
    context: &EncryptionContext,
) -> Result<SecretBytes, KmsError> {
    SymmetricKey::of(key, version)
        .ok_or(KmsError::InvalidCiphertext)?
        .open(blob, context.aad())
}

/// Symmetric keys only; other specs are used against their usage.
fn ensure_symmetric(key: &Cmk) -> Result<(), KmsError> {
    if key.key_spec.is_symmetric() {
        Ok(())
    } else {
        Err(KmsError::IncorrectKeyUsage(format!(
            "{} is a {} key; use AsymmetricEncrypt/AsymmetricDecrypt.",
            key.key_id,
            key.key_spec.as_str()
        )))
    }
}

pub fn encrypt(
    state: &VaultState,
    ctx: &Ctx<'_>,
    key_ref: &str,
    plaintext: &SecretString,
    context: &EncryptionContext,
    dry_run: bool,
) -> Result<EncryptResponse, KmsError> {
    if plaintext.expose().len() > MAX_PLAINTEXT_BYTES {
        return Err(KmsError::invalid(
            "Plaintext",
            format!("It must be at most {MAX_PLAINTEXT_BYTES} bytes."),
        ));
    }
    let key = key_for(state, ctx, "Encrypt", key_ref)?;
    ensure_enabled(key)?;
    ensure_symmetric(key)?;
    if dry_run {
        return Err(KmsError::DryRunOperation);
    }
    let (ciphertext_blob, key_version_id) =
        seal_with_primary(key, context, plaintext.expose().as_bytes())?;
    Ok(EncryptResponse {
        ciphertext_blob,
        key_id: key.key_id.clone(),
        key_version_id,
    })
}

/// Text of a decrypted plaintext: the bytes as given to Encrypt. (Every symmetric plaintext this
/// vault makes is text; other bytes come back as base64 rather than be altered.)
pub fn plaintext_text(bytes: &SecretBytes) -> SecretString {
    match std::str::from_utf8(bytes.expose()) {
        Ok(text) => SecretString::from(text),
        Err(_) => SecretString::new(STANDARD.encode(bytes.expose())),
    }
}

pub fn decrypt(
    state: &VaultState,
    ctx: &Ctx<'_>,
    ciphertext_blob: &str,
    context: &EncryptionContext,
    dry_run: bool,
) -> Result<DecryptResponse, KmsError> {
    let blob = CiphertextBlob::parse(ciphertext_blob)?;
    let (key, version) = blob_source(state, &blob)?;
    authorize_key(state, ctx, "Decrypt", key)?;
    ensure_enabled(key)?;
    let plaintext = open_blob(key, version, &blob, context)?;
    if dry_run {
        return Err(KmsError::DryRunOperation);
    }
    Ok(DecryptResponse {
        key_id: key.key_id.clone(),
        key_version_id: version.key_version_id.clone(),
        plaintext: RevealedPlaintext::new(plaintext_text(&plaintext)),
    })
}

/// Length of a data key: `KeySpec` AES_256 / AES_128, or `NumberOfBytes` 1–1024.
pub fn data_key_len(
    key_spec: Option<&str>,
    number_of_bytes: Option<usize>,
) -> Result<usize, KmsError> {
    if let Some(n) = number_of_bytes {
        return if (1..=1024).contains(&n) {
            Ok(n)
        } else {
            Err(KmsError::invalid(
                "NumberOfBytes",
                "It must be from 1 to 1024.",
            ))
        };
    }
    match key_spec {
        None | Some("AES_256") => Ok(32),
        Some("AES_128") => Ok(16),
        Some(_) => Err(KmsError::invalid(
            "KeySpec",
            "It must be AES_256 or AES_128.",
        )),
    }
}

/// GenerateDataKey (with `with_plaintext`) and GenerateDataKeyWithoutPlaintext: a fresh random
/// data key; the blob seals its base64 text, which Decrypt gives back.
pub fn generate_data_key(
    state: &VaultState,
    ctx: &Ctx<'_>,
    key_ref: &str,
    len: usize,
    context: &EncryptionContext,
    with_plaintext: bool,
    dry_run: bool,
) -> Result<GenerateDataKeyResponse, KmsError> {
    let action = if with_plaintext {
        "GenerateDataKey"
    } else {
        "GenerateDataKeyWithoutPlaintext"
    };
    let key = key_for(state, ctx, action, key_ref)?;
    ensure_enabled(key)?;
    ensure_symmetric(key)?;
    if dry_run {
        return Err(KmsError::DryRunOperation);
    }
    let raw = random::secret_bytes(len)?;
    let text = SecretString::new(STANDARD.encode(raw.expose()));
    let (ciphertext_blob, key_version_id) =
        seal_with_primary(key, context, text.expose().as_bytes())?;
    Ok(GenerateDataKeyResponse {
        ciphertext_blob,
        key_id: key.key_id.clone(),
        key_version_id,
        plaintext: with_plaintext.then(|| RevealedPlaintext::new(text)),
    })
}
