//! The errors of the vault file, the audit log and their paths, worded for the person at the
//! terminal. None of them ever carries key material, plaintext or a passphrase.

use std::io;
use std::path::{Path, PathBuf};

/// Every way reading or writing the vault file (or its audit log) can fail.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    /// There is no vault file at the path.
    #[error("there is no vault file at {}", .0.display())]
    NotFound(PathBuf),
    /// `create` found a file already at the path; it was left alone.
    #[error("a vault file already exists at {}", .0.display())]
    AlreadyExists(PathBuf),
    /// The vault is sealed and no passphrase was given.
    #[error("the vault is sealed with a passphrase, and none was given")]
    PassphraseRequired,
    /// A new vault was asked to be sealed with an empty passphrase.
    #[error("the passphrase is empty")]
    EmptyPassphrase,
    /// The AEAD tag did not verify. AES-GCM cannot tell a wrong key from altered bytes, so this
    /// one error covers both.
    #[error("wrong passphrase, or the vault file has been altered (the two cannot be told apart)")]
    WrongPassphrase,
    /// The file is not a well-formed vault: invalid JSON, truncated, a missing or malformed field,
    /// a checksum that does not match.
    #[error("the vault file is damaged: {0}")]
    Corrupt(String),
    /// A format name, format version, protection, KDF or cipher this program does not know.
    /// Such a file is refused, never guessed at.
    #[error("unsupported vault file: {0} (this program reads kms-console-vault version 1)")]
    UnsupportedFormat(String),
    /// Argon2id cost parameters outside what this program accepts.
    #[error("invalid key-derivation parameters: {0}")]
    BadKdfParams(String),
    /// Another process replaced the vault with one sealed differently (another salt,
    /// passphrase or protection) since it was opened here.
    #[error("the vault file {} was replaced by a differently sealed vault; open it again", .0.display())]
    Replaced(PathBuf),
    /// A restore found no previous generation (`vault.json.bak`).
    #[error("there is no previous generation to restore: {} does not exist", .0.display())]
    NoBackup(PathBuf),
    /// A restore found a backup that does not open or read; nothing was changed.
    #[error("the backup {} cannot be restored ({reason}); nothing was changed", .0.display(), reason = .1)]
    BadBackup(PathBuf, String),
    /// The audit log is unreadable or has a damaged line.
    #[error("audit log: {0}")]
    Audit(String),
    /// The vault contents could not be turned into JSON (a broken invariant, not bad input).
    #[error("cannot encode the vault contents: {0}")]
    Encode(String),
    /// An operating-system error, with the operation and path it concerns.
    #[error("{0}")]
    Io(String),
}

impl VaultError {
    /// An I/O error while doing `what` on `path`; `NotFound` becomes [`VaultError::NotFound`]
    /// only where the caller decides so, not here.
    pub(crate) fn io(what: &str, path: &Path, err: &io::Error) -> Self {
        Self::Io(format!("cannot {what} {}: {err}", path.display()))
    }
}
