//! Signatures of asymmetric CMKs over a digest the caller computed (`spec/alibaba-kms.md`
//! §11.1): RSASSA-PSS (SHA-256, MGF1-SHA-256, salt 32 B) and RSASSA-PKCS1-v1_5 with SHA-256, ECDSA
//! on P-256 and secp256k1 with DER output, and SM2DSA (GB/T 32918.2) with DER output, signing
//! the given e = SM3(Z_A ‖ M) as it is.

use std::fmt;

use ecdsa::signature::hazmat::{PrehashVerifier, RandomizedPrehashSigner};
use rand::rngs::SysRng;
use sha2::Sha256;

use super::asymmetric::AsymmetricKey;
use crate::core::error::KmsError;

/// Length of every digest the signing algorithms take: SHA-256 or SM3 output.
pub const DIGEST_LEN: usize = 32;

/// Signing algorithms of the API (`Algorithm` of AsymmetricSign / AsymmetricVerify).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignAlgorithm {
    /// RSASSA-PSS, SHA-256, MGF1-SHA-256, 32-byte salt.
    RsaPssSha256,
    /// RSASSA-PKCS1-v1_5 with the SHA-256 DigestInfo.
    RsaPkcs1Sha256,
    /// ECDSA over a SHA-256 digest, DER `SEQUENCE { r, s }`.
    EcdsaSha256,
    /// SM2 signature over e = SM3(Z_A ‖ M), DER `SEQUENCE { r, s }`.
    Sm2Dsa,
}

impl SignAlgorithm {
    /// Every algorithm, in the order help lists them.
    pub const ALL: [SignAlgorithm; 4] = [
        Self::RsaPssSha256,
        Self::RsaPkcs1Sha256,
        Self::EcdsaSha256,
        Self::Sm2Dsa,
    ];

    /// The API name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RsaPssSha256 => "RSA_PSS_SHA_256",
            Self::RsaPkcs1Sha256 => "RSA_PKCS1_SHA_256",
            Self::EcdsaSha256 => "ECDSA_SHA_256",
            Self::Sm2Dsa => "SM2DSA",
        }
    }

    /// Parses the exact API name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|alg| alg.as_str() == s)
    }
}

impl fmt::Display for SignAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl AsymmetricKey {
    /// Whether `alg` signs with this key.
    pub fn signs_with(&self, alg: SignAlgorithm) -> bool {
        matches!(
            (self, alg),
            (
                Self::Rsa(_),
                SignAlgorithm::RsaPssSha256 | SignAlgorithm::RsaPkcs1Sha256
            ) | (Self::P256(_) | Self::K256(_), SignAlgorithm::EcdsaSha256)
                | (Self::Sm2(_), SignAlgorithm::Sm2Dsa)
        )
    }

    /// Signs a 32-byte digest. A digest of another length is `InvalidParameter` (`Digest`); an
    /// algorithm of another key type is `InvalidParameter` (`Algorithm`).
    pub fn sign(&self, alg: SignAlgorithm, digest: &[u8]) -> Result<Vec<u8>, KmsError> {
        self.check(alg, digest)?;
        let failed = |_| KmsError::InternalFailure(format!("{alg} signing failed"));
        match self {
            Self::Rsa(key) => match alg {
                // The salt is the hash length, 32 B, as Alibaba's SDK verifies (§11.1, N3).
                SignAlgorithm::RsaPssSha256 => {
                    key.pss_sign_prehash_with_rng::<Sha256, _>(&mut SysRng, digest)
                }
                _ => key.pkcs1v15_sign_prehash_with_rng::<Sha256, _>(&mut SysRng, digest),
            }
            .map_err(|e| KmsError::InternalFailure(format!("{alg} signing failed: {e}"))),
            Self::P256(key) => {
                let sig: p256::ecdsa::DerSignature = key
                    .sign_prehash_with_rng(&mut SysRng, digest)
                    .map_err(failed)?;
                Ok(sig.as_bytes().to_vec())
            }
            Self::K256(key) => {
                let sig: k256::ecdsa::DerSignature = key
                    .sign_prehash_with_rng(&mut SysRng, digest)
                    .map_err(failed)?;
                Ok(sig.as_bytes().to_vec())
            }
            Self::Sm2(key) => {
                let sig: sm2::dsa::Signature = key
                    .signing()
                    .sign_prehash_with_rng(&mut SysRng, digest)
                    .map_err(failed)?;
                Ok(sig.to_der().to_vec())
            }
        }
    }

    /// Verifies a signature over a 32-byte digest. A signature that does not decode, has the
    /// wrong length or does not match is `Ok(false)` (§11.1 [D]); digest and algorithm errors
    /// are those of [`Self::sign`].
    pub fn verify(
        &self,
        alg: SignAlgorithm,
        digest: &[u8],
        signature: &[u8],
    ) -> Result<bool, KmsError> {
        self.check(alg, digest)?;
        let ok = match self {
            Self::Rsa(key) => {
                let public = key.as_public_key();
                match alg {
                    SignAlgorithm::RsaPssSha256 => {
                        public.pss_verify_prehash::<Sha256>(digest, signature)
                    }
                    _ => public.pkcs1v15_verify_prehash::<Sha256>(digest, signature),
                }
                .is_ok()
            }
            Self::P256(key) => p256::ecdsa::Signature::from_der(signature)
                .is_ok_and(|sig| key.verifying_key().verify_prehash(digest, &sig).is_ok()),
            // k256 verifies only low-S signatures; OpenSSL and other signers emit either half,
            // and both are valid ECDSA, so the signature is normalized first.
            Self::K256(key) => k256::ecdsa::Signature::from_der(signature).is_ok_and(|sig| {
                key.verifying_key()
                    .verify_prehash(digest, &sig.normalize_s())
                    .is_ok()
            }),
            Self::Sm2(key) => sm2::dsa::Signature::from_der(signature).is_ok_and(|sig| {
                key.signing()
                    .verifying_key()
                    .verify_prehash(digest, &sig)
                    .is_ok()
            }),
        };
        Ok(ok)
    }

    fn check(&self, alg: SignAlgorithm, digest: &[u8]) -> Result<(), KmsError> {
        if !self.signs_with(alg) {
            return Err(KmsError::invalid(
                "Algorithm",
                format!("{alg} does not apply to this key."),
            ));
        }
        if digest.len() != DIGEST_LEN {
            return Err(KmsError::invalid(
                "Digest",
                format!("It must be a {DIGEST_LEN}-byte digest, base64-encoded."),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
