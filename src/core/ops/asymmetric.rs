//! Asymmetric data operations: AsymmetricEncrypt, AsymmetricDecrypt, GetPublicKey (every
//! asymmetric spec and usage), and the
//! source step of ReEncrypt from RSA-OAEP / SM2 ciphertext (`spec/alibaba-kms.md` §2).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;

use super::{Ctx, ensure_enabled, key_for};
use crate::core::crypto::{AsymmetricAlgorithm, AsymmetricKey};
use crate::core::error::KmsError;
use crate::core::model::{Cmk, KeyVersion, VaultState};
use crate::core::secret::{RevealedPlaintext, SecretBytes, SecretString};
use crate::core::spec::KeyUsage;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AsymmetricEncryptResponse {
    pub ciphertext_blob: String,
    pub key_id: String,
    pub key_version_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AsymmetricDecryptResponse {
    pub plaintext: RevealedPlaintext,
    pub key_id: String,
    pub key_version_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetPublicKeyResponse {
    pub public_key: String,
    pub key_id: String,
    pub key_version_id: String,
}

/// Finds the version of an asymmetric key and its private key. A symmetric key is used against
/// its usage; a version of another key is not found.
pub fn asymmetric_version<'s>(
    key: &'s Cmk,
    key_version_id: &str,
) -> Result<(&'s KeyVersion, &'s AsymmetricKey), KmsError> {
    if key.key_spec.is_symmetric() {
        return Err(KmsError::IncorrectKeyUsage(format!(
            "{} is a {} key; asymmetric operations need an RSA or EC key.",
            key.key_id,
            key.key_spec.as_str()
        )));
    }
    let version = key
        .version(key_version_id.trim())
        .ok_or(KmsError::KeyVersionNotFound)?;
    let private = version
        .material
        .asymmetric_key()
        .ok_or_else(|| KmsError::InternalFailure("asymmetric key without a private key".into()))?;
    Ok((version, private))
}

/// Checks that the key was made for `usage` (one usage per key, `spec/alibaba-kms.md` §4.1).
pub fn ensure_usage(key: &Cmk, usage: KeyUsage) -> Result<(), KmsError> {
    if key.key_usage == usage {
        Ok(())
    } else {
        Err(KmsError::IncorrectKeyUsage(format!(
            "{} is a {} key; this operation needs a {} key.",
            key.key_id,
            key.key_usage.as_str(),
            usage.as_str()
        )))
    }
}

/// Checks that `algorithm` belongs to the key's spec.
fn ensure_algorithm(key: &Cmk, algorithm: AsymmetricAlgorithm) -> Result<(), KmsError> {
    if key.key_spec.asymmetric_algorithms().contains(&algorithm) {
        Ok(())
    } else {
        Err(KmsError::invalid(
            "Algorithm",
            format!(
                "{} does not apply to a {} key.",
                algorithm.as_str(),
                key.key_spec.as_str()
            ),
        ))
    }
}

pub fn asymmetric_encrypt(
    state: &VaultState,
    ctx: &Ctx<'_>,
    key_ref: &str,
    key_version_id: &str,
    algorithm: AsymmetricAlgorithm,
    plaintext_base64: &SecretString,
    dry_run: bool,
) -> Result<AsymmetricEncryptResponse, KmsError> {
    let key = key_for(state, ctx, "AsymmetricEncrypt", key_ref)?;
    let (version, private) = asymmetric_version(key, key_version_id)?;
    ensure_usage(key, KeyUsage::EncryptDecrypt)?;
    ensure_enabled(key)?;
    ensure_algorithm(key, algorithm)?;
    let plaintext = SecretBytes::new(
        STANDARD
            .decode(plaintext_base64.expose().trim().as_bytes())
            .map_err(|_| KmsError::invalid("Plaintext", "It must be Base64."))?,
    );
    if dry_run {
        return Err(KmsError::DryRunOperation);
    }
    let ciphertext = private.encrypt(algorithm, plaintext.expose())?;
    Ok(AsymmetricEncryptResponse {
        ciphertext_blob: STANDARD.encode(ciphertext),
        key_id: key.key_id.clone(),
        key_version_id: version.key_version_id.clone(),
    })
}

/// Decrypts raw asymmetric ciphertext (base64) with a version's private key. Every failure —
/// not base64, wrong key, wrong algorithm, altered bytes — is [`KmsError::InvalidCiphertext`].
pub fn open_asymmetric(
    private: &AsymmetricKey,
    algorithm: AsymmetricAlgorithm,
    ciphertext_base64: &str,
) -> Result<SecretBytes, KmsError> {
    let ciphertext = STANDARD
        .decode(ciphertext_base64.trim().as_bytes())
        .map_err(|_| KmsError::InvalidCiphertext)?;
    if !private.supports(algorithm) {
        return Err(KmsError::InvalidCiphertext);
    }
    private.decrypt(algorithm, &ciphertext)
}

pub fn asymmetric_decrypt(
    state: &VaultState,
    ctx: &Ctx<'_>,
    key_ref: &str,
    key_version_id: &str,
    algorithm: AsymmetricAlgorithm,
    ciphertext_blob: &str,
    dry_run: bool,
) -> Result<AsymmetricDecryptResponse, KmsError> {
    let key = key_for(state, ctx, "AsymmetricDecrypt", key_ref)?;
    let (version, private) = asymmetric_version(key, key_version_id)?;
    ensure_usage(key, KeyUsage::EncryptDecrypt)?;
    ensure_enabled(key)?;
    let plaintext = open_asymmetric(private, algorithm, ciphertext_blob)?;
    if dry_run {
        return Err(KmsError::DryRunOperation);
    }
    Ok(AsymmetricDecryptResponse {
        plaintext: RevealedPlaintext::new(SecretString::new(STANDARD.encode(plaintext.expose()))),
        key_id: key.key_id.clone(),
        key_version_id: version.key_version_id.clone(),
    })
}

/// GetPublicKey: the SubjectPublicKeyInfo PEM of a version of an Enabled key.
pub fn get_public_key(
    state: &VaultState,
    ctx: &Ctx<'_>,
    key_ref: &str,
    key_version_id: &str,
) -> Result<GetPublicKeyResponse, KmsError> {
    let key = key_for(state, ctx, "GetPublicKey", key_ref)?;
    let (version, private) = asymmetric_version(key, key_version_id)?;
    ensure_enabled(key)?;
    Ok(GetPublicKeyResponse {
        public_key: private.public_key_pem()?,
        key_id: key.key_id.clone(),
        key_version_id: version.key_version_id.clone(),
    })
}
