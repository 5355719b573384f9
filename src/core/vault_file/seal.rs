//! Sealing the vault contents: Argon2id turns the passphrase into a 256-bit key, and AES-256-GCM
//! seals the serialized contents with the file header as associated data (product §3).
//! The derived key lives only in a [`SealKey`], wiped on drop; the passphrase is never kept.

use aes_gcm::aead::{Aead, Generate, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use argon2::{Algorithm, Argon2, Params, Version};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::error::VaultError;
use crate::core::secret::SecretString;

/// Bytes of Argon2id salt in a version-1 vault.
pub(crate) const SALT_LEN: usize = 16;
/// Bytes of AES-GCM nonce (the standard 96-bit nonce).
pub(crate) const NONCE_LEN: usize = 12;
/// Bytes of AES-GCM tag appended to the ciphertext.
pub(crate) const TAG_LEN: usize = 16;
/// Bytes of derived key: AES-256.
const KEY_LEN: usize = 32;

/// Argon2id cost parameters, stored in the vault file so that tests can use cheap ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_cost_kib: u32,
    /// Passes over the memory.
    pub t_cost: u32,
    /// Lanes.
    pub p_cost: u32,
}

impl KdfParams {
    /// The largest memory cost accepted from a file (1 GiB), so that an altered header cannot
    /// make opening exhaust the machine before the tag check fails.
    pub const MAX_M_COST_KIB: u32 = 1 << 20;
    /// The largest number of passes accepted.
    pub const MAX_T_COST: u32 = 64;
    /// The largest number of lanes accepted.
    pub const MAX_P_COST: u32 = 16;

    /// What new vaults use: 64 MiB, 3 passes, 1 lane (product §3: memory ≥ 64 MiB, t ≥ 3).
    pub fn production() -> Self {
        Self {
            m_cost_kib: 64 * 1024,
            t_cost: 3,
            p_cost: 1,
        }
    }

    /// The cheapest parameters Argon2 allows, for tests only: 8 KiB, 1 pass, 1 lane.
    pub fn cheap_for_tests() -> Self {
        Self {
            m_cost_kib: 8,
            t_cost: 1,
            p_cost: 1,
        }
    }

    /// Checks the parameters against Argon2's rules and this program's ceilings.
    pub fn validate(&self) -> Result<(), VaultError> {
        if self.m_cost_kib > Self::MAX_M_COST_KIB
            || self.t_cost > Self::MAX_T_COST
            || self.p_cost > Self::MAX_P_COST
        {
            return Err(VaultError::BadKdfParams(format!(
                "m_cost_kib={}, t_cost={}, p_cost={} exceed the limits ({}, {}, {})",
                self.m_cost_kib,
                self.t_cost,
                self.p_cost,
                Self::MAX_M_COST_KIB,
                Self::MAX_T_COST,
                Self::MAX_P_COST
            )));
        }
        self.argon2_params().map(|_| ())
    }

    fn argon2_params(self) -> Result<Params, VaultError> {
        Params::new(self.m_cost_kib, self.t_cost, self.p_cost, Some(KEY_LEN))
            .map_err(|e| VaultError::BadKdfParams(e.to_string()))
    }
}

/// The key derived from the passphrase, with the salt and parameters it was derived with.
/// Kept for the life of an open vault so that saves need no second derivation.
pub(crate) struct SealKey {
    params: KdfParams,
    salt: [u8; SALT_LEN],
    key: Zeroizing<[u8; KEY_LEN]>,
}

impl SealKey {
    /// Derives a key for a new vault with a fresh salt from the OS random source.
    pub(crate) fn derive_new(
        passphrase: &SecretString,
        params: KdfParams,
    ) -> Result<Self, VaultError> {
        if passphrase.is_empty() {
            return Err(VaultError::EmptyPassphrase);
        }
        let salt = random::<SALT_LEN>()?;
        Self::derive(passphrase, params, salt)
    }

    /// Runs Argon2id over `passphrase` with the given salt and parameters.
    pub(crate) fn derive(
        passphrase: &SecretString,
        params: KdfParams,
        salt: [u8; SALT_LEN],
    ) -> Result<Self, VaultError> {
        params.validate()?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.argon2_params()?);
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        argon
            .hash_password_into(passphrase.expose().as_bytes(), &salt, key.as_mut_slice())
            .map_err(|e| VaultError::BadKdfParams(e.to_string()))?;
        Ok(Self { params, salt, key })
    }

    pub(crate) fn params(&self) -> KdfParams {
        self.params
    }

    pub(crate) fn salt(&self) -> &[u8; SALT_LEN] {
        &self.salt
    }

    /// Whether a file sealed with `params` and `salt` was sealed with this key's derivation.
    pub(crate) fn derived_with(&self, params: KdfParams, salt: &[u8; SALT_LEN]) -> bool {
        self.params == params && &self.salt == salt
    }

    /// Seals `plaintext` under a fresh nonce from the OS random source.
    pub(crate) fn seal(
        &self,
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<([u8; NONCE_LEN], Vec<u8>), VaultError> {
        let nonce = random::<NONCE_LEN>()?;
        let sealed = self
            .cipher()?
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .map_err(|_| VaultError::Encode("AES-GCM refused the contents".into()))?;
        Ok((nonce, sealed))
    }

    /// Opens what [`SealKey::seal`] made. Every failure is [`VaultError::WrongPassphrase`].
    pub(crate) fn open(
        &self,
        aad: &[u8],
        nonce: &[u8; NONCE_LEN],
        sealed: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, VaultError> {
        if sealed.len() < TAG_LEN {
            return Err(VaultError::Corrupt(
                "the ciphertext is shorter than its tag".into(),
            ));
        }
        self.cipher()?
            .decrypt(&Nonce::from(*nonce), Payload { msg: sealed, aad })
            .map(Zeroizing::new)
            .map_err(|_| VaultError::WrongPassphrase)
    }

    fn cipher(&self) -> Result<Aes256Gcm, VaultError> {
        Aes256Gcm::new_from_slice(self.key.as_slice())
            .map_err(|_| VaultError::Encode("the derived key has the wrong length".into()))
    }
}

/// `N` bytes from the OS random source.
fn random<const N: usize>() -> Result<[u8; N], VaultError> {
    <[u8; N]>::try_generate()
        .map_err(|e| VaultError::Io(format!("the OS random source failed: {e}")))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn pass(text: &str) -> SecretString {
        SecretString::from(text)
    }

    #[test]
    fn seal_then_open_gives_the_plaintext_back() {
        let key =
            SealKey::derive_new(&pass("correct horse"), KdfParams::cheap_for_tests()).unwrap();
        let (nonce, sealed) = key.seal(b"header", b"{\"keys\":[]}").unwrap();
        assert_eq!(sealed.len(), 11 + TAG_LEN);
        let opened = key.open(b"header", &nonce, &sealed).unwrap();
        assert_eq!(opened.as_slice(), b"{\"keys\":[]}");
        assert_eq!(
            key.open(b"headex", &nonce, &sealed).unwrap_err(),
            VaultError::WrongPassphrase
        );
    }

    #[test]
    fn the_same_passphrase_and_salt_give_the_same_key() {
        let params = KdfParams::cheap_for_tests();
        let a = SealKey::derive_new(&pass("pw"), params).unwrap();
        let b = SealKey::derive(&pass("pw"), params, *a.salt()).unwrap();
        let c = SealKey::derive(&pass("pv"), params, *a.salt()).unwrap();
        assert_eq!(*a.key, *b.key);
        assert_ne!(*a.key, *c.key);
        assert!(a.derived_with(params, b.salt()));
    }

    /// Cross-checked with Python `cryptography` 48 (OpenSSL 4.0):
    /// `Argon2id(salt=bytes(range(16)), length=32, iterations=1, lanes=1, memory_cost=8)`.
    #[test]
    fn the_derivation_is_argon2id_v19_with_the_stored_parameters() {
        let salt: [u8; SALT_LEN] = core::array::from_fn(|i| u8::try_from(i).unwrap());
        let key = SealKey::derive(
            &pass("correct horse battery staple"),
            KdfParams::cheap_for_tests(),
            salt,
        )
        .unwrap();
        let hex = crate::core::vault_file::to_hex(key.key.as_slice());
        assert_eq!(
            hex,
            "d17ea6341ca93da6079ea2f64dc4aa31dd1aaf9caa67fb42ac4afd0714706f26"
        );
    }

    #[test]
    fn bad_parameters_are_refused_before_any_work() {
        let huge = KdfParams {
            m_cost_kib: u32::MAX,
            t_cost: 1,
            p_cost: 1,
        };
        assert!(matches!(huge.validate(), Err(VaultError::BadKdfParams(_))));
        let zero = KdfParams {
            m_cost_kib: 8,
            t_cost: 0,
            p_cost: 1,
        };
        assert!(matches!(zero.validate(), Err(VaultError::BadKdfParams(_))));
        assert!(KdfParams::production().validate().is_ok());
        assert!(matches!(
            SealKey::derive_new(&pass(""), KdfParams::cheap_for_tests()),
            Err(VaultError::EmptyPassphrase)
        ));
    }
}
