//! What an `EXTERNAL` (bring-your-own-key) CMK keeps besides its versions: the KeyVersionId its
//! imported material takes, a digest that pins the material to the first import, the material's
//! expiry, and the wrapping key pairs handed out by GetParametersForImport
//! (`spec/alibaba-kms.md` §11.3).

use serde::{Deserialize, Serialize};

use crate::core::clock::UnixTime;
use crate::core::material::KeyMaterial;

/// The import side of an `EXTERNAL` key.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ExternalKey {
    /// The one KeyVersionId of this key, fixed at CreateKey: re-importing the same material
    /// brings back the same version, so blobs made before a DeleteKeyMaterial decrypt again.
    pub key_version_id: String,
    /// Hex SHA-256 of the first material imported; every later import must match it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub material_digest: Option<String>,
    /// When the imported material stops being usable (`KeyMaterialExpireUnix`); `None` = never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub material_expire: Option<UnixTime>,
    /// Tokens of GetParametersForImport that have not expired yet.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub import_tokens: Vec<ImportToken>,
}

impl ExternalKey {
    /// A key waiting for its first import.
    pub fn new(key_version_id: String) -> Self {
        Self {
            key_version_id,
            material_digest: None,
            material_expire: None,
            import_tokens: Vec::new(),
        }
    }
}

/// One answer of GetParametersForImport: the token, the wrapping algorithm and the private half
/// of the wrapping key (its `Debug` shows no key bytes, see [`KeyMaterial`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ImportToken {
    pub token: String,
    pub expire: UnixTime,
    /// `RSAES_OAEP_SHA_256`, `RSAES_OAEP_SHA_1` or `SM2PKE`.
    pub wrapping_algorithm: String,
    pub wrapping_key: KeyMaterial,
}
