//! The crypto core and vault: key model, ciphertext formats, operations, permissions, the vault
//! file and the audit log. It knows nothing of terminals, async runtimes, argument parsing or HTTP,
//! and it never prints.

pub mod clock;
pub mod error;
pub mod secret;

pub use error::KmsError;
