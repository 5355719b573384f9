//! The cryptographic primitives of the vault: AES-GCM / SM4-GCM for symmetric CMKs and RSA-OAEP /
//! SM2 public-key encryption for asymmetric CMKs. Apart from the vault encoder, this is the only
//! code that touches key bytes, and every decryption failure leaves it as the one opaque
//! [`KmsError::InvalidCiphertext`](crate::core::error::KmsError::InvalidCiphertext).
//!
//! All randomness (keys, IVs, OAEP seeds, SM2 ephemeral keys, RSA blinding) comes from the
//! operating system's random source.

mod asymmetric;
mod reseal;
mod sm2_der;
mod symmetric;

pub use asymmetric::{AsymmetricAlgorithm, AsymmetricKey};
pub use reseal::{Side, reseal};
pub use symmetric::{IV_LEN, SymmetricAlgorithm, TAG_LEN, generate_symmetric_key, open, seal};
