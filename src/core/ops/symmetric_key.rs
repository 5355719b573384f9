//! A key version's symmetric key, by handle: its algorithm, the vault's bytes (wiped on drop by
//! their owner, the key material) and the KeyVersionId its blobs name. The operations seal,
//! open and reseal through it and never pass raw key bytes around; its `Debug` shows the
//! algorithm and version, never the key.

use std::fmt;

use crate::core::blob::CiphertextBlob;
use crate::core::crypto::{self, SymmetricAlgorithm};
use crate::core::error::KmsError;
use crate::core::model::{Cmk, KeyVersion};
use crate::core::secret::SecretBytes;

/// The symmetric key of one key version.
#[derive(Clone, Copy)]
pub struct SymmetricKey<'s> {
    alg: SymmetricAlgorithm,
    bytes: &'s [u8],
    key_version_id: &'s str,
}

impl fmt::Debug for SymmetricKey<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SymmetricKey")
            .field("alg", &self.alg)
            .field("key_version_id", &self.key_version_id)
            .finish_non_exhaustive()
    }
}

impl<'s> SymmetricKey<'s> {
    /// The key of `version` of `key`; `None` unless both are symmetric.
    pub fn of(key: &Cmk, version: &'s KeyVersion) -> Option<Self> {
        Some(Self {
            alg: key.key_spec.symmetric()?,
            bytes: version.material.symmetric_key()?,
            key_version_id: &version.key_version_id,
        })
    }

    /// The key of `key`'s primary version, which new blobs are sealed under.
    pub fn primary(key: &'s Cmk) -> Result<Self, KmsError> {
        if key.key_spec.symmetric().is_none() {
            return Err(KmsError::IncorrectKeyUsage(format!(
                "A {} key cannot make a symmetric CiphertextBlob.",
                key.key_spec.as_str()
            )));
        }
        let version = key
            .primary()
            .ok_or_else(|| KmsError::InternalFailure("key has no versions".into()))?;
        Self::of(key, version).ok_or_else(|| {
            KmsError::InternalFailure("symmetric key without symmetric material".into())
        })
    }

    /// The KeyVersionId the blobs of this key name.
    pub fn key_version_id(&self) -> &'s str {
        self.key_version_id
    }

    /// Seals `plaintext` with `aad` into a new blob naming this version (fresh IV).
    pub fn seal(&self, aad: &[u8], plaintext: &[u8]) -> Result<CiphertextBlob, KmsError> {
        CiphertextBlob::build(self.key_version_id, |header| {
            crypto::seal(self.alg, self.bytes, header, aad, plaintext)
        })
    }

    /// Opens `blob` with `aad`. Every failure is [`KmsError::InvalidCiphertext`].
    pub fn open(&self, blob: &CiphertextBlob, aad: &[u8]) -> Result<SecretBytes, KmsError> {
        crypto::open(self.alg, self.bytes, blob.sealed_part(), aad)
    }

    /// Opens `blob` (with `aad`) straight into a new blob under `to` (with `to_aad`), in one
    /// buffer ([`crypto::reseal`]): the plaintext never has a buffer of its own.
    pub fn reseal(
        &self,
        blob: &CiphertextBlob,
        aad: &[u8],
        to: &SymmetricKey<'_>,
        to_aad: &[u8],
    ) -> Result<CiphertextBlob, KmsError> {
        let from = crypto::Side {
            alg: self.alg,
            key: self.bytes,
            aad,
        };
        let into = crypto::Side {
            alg: to.alg,
            key: to.bytes,
            aad: to_aad,
        };
        CiphertextBlob::build(to.key_version_id, |header| {
            crypto::reseal(from, blob.sealed_part(), into, header)
        })
    }
}
