//! The cryptographic primitives of the vault: AES-GCM / SM4-GCM for symmetric CMKs, RSA-OAEP /
//! SM2 public-key encryption and RSA / ECDSA / SM2 signatures for asymmetric CMKs, and the
//! wrapping of data keys under a caller's public key. Apart from the vault encoder, this is the only
//! code that touches key bytes, and every decryption failure leaves it as the one opaque
//! [`KmsError::InvalidCiphertext`](crate::core::error::KmsError::InvalidCiphertext).
//!
//! All randomness (keys, IVs, OAEP seeds, SM2 ephemeral keys, RSA blinding) comes from the
//! operating system's random source.

mod asymmetric;
mod reseal;
mod sign;
mod sm2_der;
mod symmetric;
mod wrap;

pub use asymmetric::{AsymmetricAlgorithm, AsymmetricKey, SM2_DIST_ID};
pub use reseal::{Side, reseal};
pub use sign::{DIGEST_LEN, SignAlgorithm};
pub use symmetric::{IV_LEN, SymmetricAlgorithm, TAG_LEN, generate_symmetric_key, open, seal};
pub use wrap::{WrappingKey, WrappingKeySpec};
