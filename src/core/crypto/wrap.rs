//! Wrapping a data key under a public key the caller supplies, for ExportDataKey and
//! GenerateAndExportDataKey (`spec/alibaba-kms.md` §11.2): RSAES-OAEP (SHA-256 or SHA-1, MGF1 with
//! the same hash, empty label) under an RSA-2048 key, or SM2PKE (DER `SM2Cipher`) under an SM2
//! key, both given as DER SubjectPublicKeyInfo.

use rand::rngs::SysRng;
use rsa::pkcs8::DecodePublicKey;
use rsa::traits::PublicKeyParts;
use sha1::Sha1;
use sha2::Sha256;
use sm2::pke::EncryptingKey;

use super::asymmetric::AsymmetricAlgorithm;
use crate::core::error::KmsError;

/// `WrappingKeySpec`: the kind of public key in `PublicKeyBlob`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WrappingKeySpec {
    Rsa2048,
    EcSm2,
}

impl WrappingKeySpec {
    /// The API name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rsa2048 => "RSA_2048",
            Self::EcSm2 => "EC_SM2",
        }
    }

    /// Parses the exact API name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Rsa2048, Self::EcSm2]
            .into_iter()
            .find(|spec| spec.as_str() == s)
    }
}

/// A public key parsed from a `PublicKeyBlob`.
pub enum WrappingKey {
    Rsa(Box<rsa::PublicKey>),
    Sm2(Box<sm2::PublicKey>),
}

impl WrappingKey {
    /// Parses DER SubjectPublicKeyInfo of a key of `spec`, and checks that `alg` pairs with it
    /// (RSA_2048 ⇄ RSAES_OAEP_*, EC_SM2 ⇄ SM2PKE). Every failure is `InvalidParameter`.
    pub fn parse(
        spki_der: &[u8],
        spec: WrappingKeySpec,
        alg: AsymmetricAlgorithm,
    ) -> Result<Self, KmsError> {
        let pairs = matches!(
            (spec, alg),
            (
                WrappingKeySpec::Rsa2048,
                AsymmetricAlgorithm::RsaesOaepSha256 | AsymmetricAlgorithm::RsaesOaepSha1
            ) | (WrappingKeySpec::EcSm2, AsymmetricAlgorithm::Sm2Pke)
        );
        if !pairs {
            return Err(KmsError::invalid(
                "WrappingAlgorithm",
                format!("{alg} does not apply to a {} key.", spec.as_str()),
            ));
        }
        let not_spec = || {
            KmsError::invalid(
                "PublicKeyBlob",
                format!(
                    "It must be the base64 DER SubjectPublicKeyInfo of an {} key.",
                    spec.as_str()
                ),
            )
        };
        match spec {
            WrappingKeySpec::Rsa2048 => {
                let key = rsa::PublicKey::from_public_key_der(spki_der).map_err(|_| not_spec())?;
                if key.size() != 256 {
                    return Err(not_spec());
                }
                Ok(Self::Rsa(Box::new(key)))
            }
            WrappingKeySpec::EcSm2 => sm2::PublicKey::from_public_key_der(spki_der)
                .map(|key| Self::Sm2(Box::new(key)))
                .map_err(|_| not_spec()),
        }
    }

    /// Encrypts `data_key` (raw bytes) with `alg`, which [`Self::parse`] checked.
    pub fn wrap(&self, alg: AsymmetricAlgorithm, data_key: &[u8]) -> Result<Vec<u8>, KmsError> {
        let failed = || KmsError::InternalFailure(format!("{alg} wrapping failed"));
        match self {
            Self::Rsa(key) => {
                let max = key.size().saturating_sub(match alg {
                    AsymmetricAlgorithm::RsaesOaepSha1 => 42,
                    _ => 66,
                });
                if data_key.len() > max {
                    return Err(KmsError::invalid(
                        "NumberOfBytes",
                        format!("A data key wrapped with {alg} has at most {max} bytes."),
                    ));
                }
                match alg {
                    AsymmetricAlgorithm::RsaesOaepSha1 => key.oaep_encrypt::<Sha1>(data_key),
                    _ => key.oaep_encrypt::<Sha256>(data_key),
                }
                .map_err(|_| failed())
            }
            Self::Sm2(key) => EncryptingKey::new(**key)
                .encrypt_der(&mut SysRng, data_key)
                .map_err(|_| failed()),
        }
    }
}
