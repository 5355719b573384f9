//! The crypto core and vault: key model, ciphertext formats, operations, permissions, the vault
//! file and the audit log. It knows nothing of terminals, async runtimes, argument parsing or HTTP,
//! and it never prints.

pub mod audit;
pub mod blob;
pub mod clock;
pub mod context;
pub mod crypto;
pub mod drill;
pub mod error;
pub mod key_ref;
pub mod material;
pub mod model;
pub mod ops;
pub mod paths;
pub mod policy;
pub mod random;
pub mod secret;
pub mod seed;
pub mod spec;
pub mod vault;
pub mod vault_file;

pub use error::KmsError;
