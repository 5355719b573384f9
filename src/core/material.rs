//! Key material of a CMK version, and the one place it is turned into bytes for the vault file
//! (base64 of the raw symmetric key, or of the PKCS#8 DER of a private key).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::Zeroizing;

use super::crypto::{self, AsymmetricKey};
use super::error::KmsError;
use super::secret::SecretBytes;
use super::spec::KeySpec;

/// The secret of one key version. No `Debug` shows the bytes.
#[derive(Clone)]
pub enum KeyMaterial {
    Symmetric(SecretBytes),
    Asymmetric(AsymmetricKey),
}

impl std::fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Symmetric(_) => f.write_str("KeyMaterial::Symmetric([REDACTED])"),
            Self::Asymmetric(_) => f.write_str("KeyMaterial::Asymmetric([REDACTED])"),
        }
    }
}

impl KeyMaterial {
    /// Fresh material for `spec` from the OS random source.
    pub fn generate(spec: KeySpec) -> Result<Self, KmsError> {
        match spec {
            KeySpec::AliyunAes256 | KeySpec::AliyunAes128 | KeySpec::AliyunSm4 => {
                let alg = spec
                    .symmetric()
                    .ok_or_else(|| KmsError::InternalFailure("spec is not symmetric".into()))?;
                crypto::generate_symmetric_key(alg).map(Self::Symmetric)
            }
            KeySpec::Rsa2048 => AsymmetricKey::generate_rsa(2048).map(Self::Asymmetric),
            KeySpec::Rsa3072 => AsymmetricKey::generate_rsa(3072).map(Self::Asymmetric),
            KeySpec::EcSm2 => AsymmetricKey::generate_sm2().map(Self::Asymmetric),
            KeySpec::EcP256 => AsymmetricKey::generate_p256().map(Self::Asymmetric),
            KeySpec::EcP256K => AsymmetricKey::generate_k256().map(Self::Asymmetric),
        }
    }

    /// Whether this material can serve a key of `spec`.
    pub fn fits(&self, spec: KeySpec) -> bool {
        match (self, spec.symmetric()) {
            (Self::Symmetric(key), Some(alg)) => key.len() == alg.key_len(),
            (Self::Asymmetric(key), None) => match spec {
                KeySpec::Rsa2048 => key.rsa_bits() == Some(2048),
                KeySpec::Rsa3072 => key.rsa_bits() == Some(3072),
                KeySpec::EcSm2 => matches!(key, AsymmetricKey::Sm2(_)),
                KeySpec::EcP256 => matches!(key, AsymmetricKey::P256(_)),
                KeySpec::EcP256K => matches!(key, AsymmetricKey::K256(_)),
                _ => false,
            },
            _ => false,
        }
    }

    pub fn symmetric_key(&self) -> Option<&[u8]> {
        match self {
            Self::Symmetric(key) => Some(key.expose()),
            Self::Asymmetric(_) => None,
        }
    }

    pub fn asymmetric_key(&self) -> Option<&AsymmetricKey> {
        match self {
            Self::Asymmetric(key) => Some(key),
            Self::Symmetric(_) => None,
        }
    }
}

/// Stored form: `{"Kind":"symmetric"|"pkcs8","Bytes":"<base64>"}`.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StoredMaterial<'a> {
    kind: &'a str,
    bytes: &'a str,
}

impl Serialize for KeyMaterial {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (kind, bytes) = match self {
            Self::Symmetric(key) => ("symmetric", Zeroizing::new(STANDARD.encode(key.expose()))),
            Self::Asymmetric(key) => {
                let der = key.to_pkcs8_der().map_err(serde::ser::Error::custom)?;
                ("pkcs8", Zeroizing::new(STANDARD.encode(der.expose())))
            }
        };
        StoredMaterial {
            kind,
            bytes: bytes.as_str(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for KeyMaterial {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Owned {
            kind: String,
            bytes: String,
        }
        let stored = Owned::deserialize(d)?;
        let text = Zeroizing::new(stored.bytes);
        let bytes = SecretBytes::new(
            STANDARD
                .decode(text.as_bytes())
                .map_err(|_| serde::de::Error::custom("key material is not base64"))?,
        );
        match stored.kind.as_str() {
            "symmetric" => Ok(Self::Symmetric(bytes)),
            "pkcs8" => AsymmetricKey::from_pkcs8_der(bytes.expose())
                .map(Self::Asymmetric)
                .map_err(|_| serde::de::Error::custom("key material is not a valid PKCS#8 key")),
            other => Err(serde::de::Error::custom(format_args!(
                "unknown key material kind {other:?}"
            ))),
        }
    }
}
