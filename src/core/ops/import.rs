//! Key import for `EXTERNAL` keys (`spec/alibaba-kms.md` §11.3): GetParametersForImport hands out
//! a wrapping public key and a token valid 24 hours, ImportKeyMaterial unwraps the caller's
//! material with the private half (held in the vault) and makes it the key's one version,
//! DeleteKeyMaterial (and expiry, see `maintenance`) takes it away again.

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{Ctx, key_for};
use crate::core::clock::{UnixTime, format_date};
use crate::core::crypto::{AsymmetricAlgorithm, SymmetricAlgorithm};
use crate::core::error::KmsError;
use crate::core::material::KeyMaterial;
use crate::core::model::{Cmk, ImportToken, KeyVersion, VaultState};
use crate::core::secret::SecretBytes;
use crate::core::spec::{KeySpec, KeyState};

/// How long an ImportToken (and its wrapping key) serves: 24 hours (§11.3).
pub const IMPORT_TOKEN_SECONDS: i64 = 86_400;
/// Tokens kept per key; the oldest goes first. Each holds a wrapping private key.
pub const MAX_IMPORT_TOKENS: usize = 5;

/// The wrapping pairs offered (§11.3): RSA_2048 with OAEP (SHA-256 or SHA-1), EC_SM2 with SM2PKE.
/// `RSAES_PKCS1_V1_5` is refused: the crypto core offers no PKCS#1 v1.5 decryption.
pub fn parse_wrapping(
    algorithm: &str,
    key_spec: &str,
) -> Result<(AsymmetricAlgorithm, KeySpec), KmsError> {
    let alg = AsymmetricAlgorithm::parse(algorithm.trim()).ok_or_else(|| {
        KmsError::invalid(
            "WrappingAlgorithm",
            "It must be RSAES_OAEP_SHA_256, RSAES_OAEP_SHA_1 (with RSA_2048) or SM2PKE (with EC_SM2).",
        )
    })?;
    let spec = match key_spec.trim() {
        "RSA_2048" => KeySpec::Rsa2048,
        "EC_SM2" => KeySpec::EcSm2,
        _ => {
            return Err(KmsError::invalid(
                "WrappingKeySpec",
                "It must be RSA_2048 or EC_SM2.",
            ));
        }
    };
    if spec.asymmetric_algorithms().contains(&alg) {
        Ok((alg, spec))
    } else {
        Err(KmsError::invalid(
            "WrappingAlgorithm",
            format!("{alg} does not go with WrappingKeySpec {}.", spec.as_str()),
        ))
    }
}

/// The key an import action may work on: resolved, allowed, and of Origin EXTERNAL.
pub fn external_key<'s>(
    state: &'s VaultState,
    ctx: &Ctx<'_>,
    action: &str,
    key_ref: &str,
) -> Result<&'s Cmk, KmsError> {
    let key = key_for(state, ctx, action, key_ref)?;
    if key.external.is_none() {
        return Err(KmsError::UnsupportedOrigin(format!(
            "{action} needs a key of Origin EXTERNAL."
        )));
    }
    Ok(key)
}

/// The response of GetParametersForImport.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ImportParameters {
    pub key_id: String,
    pub import_token: String,
    /// Base64 DER SubjectPublicKeyInfo, without PEM armor (§11.3).
    pub public_key: String,
    pub token_expire_time: String,
}

/// GetParametersForImport with a wrapping key made beforehand (outside the vault's lock).
pub fn get_parameters_for_import(
    state: &mut VaultState,
    ctx: &Ctx<'_>,
    key_ref: &str,
    algorithm: AsymmetricAlgorithm,
    wrapping_key: KeyMaterial,
) -> Result<ImportParameters, KmsError> {
    let key_id = external_key(state, ctx, "GetParametersForImport", key_ref)?
        .key_id
        .clone();
    let public_key = wrapping_key
        .asymmetric_key()
        .filter(|k| k.supports(algorithm))
        .ok_or_else(|| KmsError::InternalFailure("the wrapping key does not fit".into()))?
        .public_key_pem()?
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<String>();
    let now = ctx.clock.now();
    let token = ImportToken {
        token: ctx.ids.uuid(),
        expire: now + IMPORT_TOKEN_SECONDS,
        wrapping_algorithm: algorithm.as_str().to_owned(),
        wrapping_key,
    };
    let out = ImportParameters {
        key_id: key_id.clone(),
        import_token: token.token.clone(),
        public_key,
        token_expire_time: format_date(token.expire),
    };
    let external = external_mut(state, &key_id)?;
    // A token past its expiry is kept one more day so that using it says "expired".
    external
        .import_tokens
        .retain(|t| t.expire + IMPORT_TOKEN_SECONDS > now);
    external.import_tokens.push(token);
    let excess = external
        .import_tokens
        .len()
        .saturating_sub(MAX_IMPORT_TOKENS);
    external.import_tokens.drain(..excess);
    Ok(out)
}

/// ImportKeyMaterial: unwraps `encrypted` with the token's key; the material must fit the key's
/// spec and, after the first import, be the same material. `expire_unix` 0 means never.
pub fn import_key_material(
    state: &mut VaultState,
    ctx: &Ctx<'_>,
    key_ref: &str,
    encrypted: &[u8],
    import_token: &str,
    expire_unix: i64,
) -> Result<String, KmsError> {
    let key = external_key(state, ctx, "ImportKeyMaterial", key_ref)?;
    if key.key_state == KeyState::PendingDeletion {
        return Err(KmsError::StateModifiedFailed(
            "The key is PendingDeletion.".into(),
        ));
    }
    let now = ctx.clock.now();
    if expire_unix != 0 && expire_unix < now {
        return Err(KmsError::invalid(
            "KeyMaterialExpireUnix",
            "It must be 0 (never) or a time not in the past, in Unix seconds.",
        ));
    }
    let material = unwrap_material(key, encrypted, import_token.trim(), now)?;
    let digest = material_digest(&material);
    let external = key.external.as_ref().ok_or(KmsError::InvalidKeyMaterial)?;
    if external
        .material_digest
        .as_ref()
        .is_some_and(|d| *d != digest)
    {
        return Err(KmsError::InvalidKeyMaterial);
    }
    let (key_id, version_id) = (key.key_id.clone(), external.key_version_id.clone());
    let has_material = !key.versions.is_empty();
    let external = external_mut(state, &key_id)?;
    external.material_digest = Some(digest);
    external.material_expire = (expire_unix != 0).then_some(expire_unix);
    if !has_material {
        state.push_version(
            &key_id,
            KeyVersion {
                key_version_id: version_id.clone(),
                creation_date: now,
                material: KeyMaterial::Symmetric(material),
            },
        );
    }
    let key = state.key_mut(&key_id).ok_or(KmsError::KeyNotFound)?;
    if key.key_state == KeyState::PendingImport {
        key.key_state = KeyState::Enabled;
    }
    Ok(version_id)
}

fn unwrap_material(
    key: &Cmk,
    encrypted: &[u8],
    import_token: &str,
    now: UnixTime,
) -> Result<SecretBytes, KmsError> {
    let token = key
        .external
        .as_ref()
        .and_then(|e| e.import_tokens.iter().find(|t| t.token == import_token))
        .ok_or(KmsError::InvalidImportToken)?;
    if token.expire <= now {
        return Err(KmsError::ExpiredImportToken);
    }
    let alg = AsymmetricAlgorithm::parse(&token.wrapping_algorithm)
        .ok_or(KmsError::InvalidImportToken)?;
    let material = token
        .wrapping_key
        .asymmetric_key()
        .ok_or(KmsError::InvalidImportToken)?
        .decrypt(alg, encrypted)
        .map_err(|_| KmsError::InvalidKeyMaterial)?;
    let len = key.key_spec.symmetric().map(SymmetricAlgorithm::key_len);
    if Some(material.len()) == len {
        Ok(material)
    } else {
        Err(KmsError::InvalidKeyMaterial)
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Hex SHA-256 of the material: what re-imports are compared with.
fn material_digest(material: &SecretBytes) -> String {
    Sha256::digest(material.expose())
        .iter()
        .fold(String::with_capacity(64), |mut hex, b| {
            hex.push(char::from(HEX[usize::from(b >> 4)]));
            hex.push(char::from(HEX[usize::from(b & 0xf)]));
            hex
        })
}

/// DeleteKeyMaterial: the key keeps its id, aliases and tags, loses its material, and waits
/// for an import again (a PendingDeletion key keeps its state and date). Returns the KeyId.
pub fn delete_key_material(
    state: &mut VaultState,
    ctx: &Ctx<'_>,
    key_ref: &str,
) -> Result<String, KmsError> {
    let key_id = external_key(state, ctx, "DeleteKeyMaterial", key_ref)?
        .key_id
        .clone();
    drop_material(state, &key_id);
    Ok(key_id)
}

/// Removes an EXTERNAL key's material (DeleteKeyMaterial, or its expiry in maintenance).
pub(crate) fn drop_material(state: &mut VaultState, key_id: &str) {
    state.clear_versions(key_id);
    if let Some(key) = state.key_mut(key_id) {
        if let Some(external) = &mut key.external {
            external.material_expire = None;
        }
        if key.key_state != KeyState::PendingDeletion {
            key.key_state = KeyState::PendingImport;
        }
    }
}

/// Whether an EXTERNAL key's material has passed its `KeyMaterialExpireUnix`.
pub fn material_expired(key: &Cmk, now: UnixTime) -> bool {
    !key.versions.is_empty()
        && key
            .external
            .as_ref()
            .and_then(|e| e.material_expire)
            .is_some_and(|t| t <= now)
}

fn external_mut<'s>(
    state: &'s mut VaultState,
    key_id: &str,
) -> Result<&'s mut crate::core::model::ExternalKey, KmsError> {
    state
        .key_mut(key_id)
        .and_then(|k| k.external.as_mut())
        .ok_or(KmsError::KeyNotFound)
}
