//! The vault file (product §3): one JSON file holding the vault contents, sealed with a
//! passphrase or stored in the clear with a checksum, written durably, and shared safely between
//! processes. Generic over the contents, which it only serializes.
//!
//! - Reading never writes: a failed open leaves the file byte for byte as it was.
//! - Every change goes through [`VaultFile::update`]: exclusive lock on `vault.json.lock`,
//!   re-read if another process saved meanwhile, apply, write `vault.json.tmp`, fsync, keep the
//!   previous generation as `vault.json.bak`, rename, fsync the folder, unlock.
//! - The Argon2id key is derived once per open and kept (wiped on drop) for later saves; the
//!   passphrase itself is dropped as soon as the key is derived.

mod atomic;
mod buf;
mod error;
mod format;
mod lock;
mod restore;
mod seal;

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;

use self::atomic::FileStamp;
use self::format::Envelope;
use self::lock::ChangeLock;
use self::seal::SealKey;
use super::paths;
use super::secret::SecretString;

pub use self::error::VaultError;
pub use self::lock::set_wait_notice;
pub use self::restore::{Before, Restored};
pub use self::seal::KdfParams;

#[cfg(test)]
pub(crate) use self::atomic::{Step, fault};
pub(crate) use self::format::to_hex;
pub(crate) use self::lock::{lock_exclusive, lock_shared, private_options};

/// How a vault file is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protection {
    /// Stored in the clear with a checksum; the UI shows it as UNPROTECTED.
    None,
    /// Sealed with a passphrase (Argon2id → AES-256-GCM).
    Passphrase,
}

/// How to protect a new vault.
#[derive(Debug)]
pub enum NewProtection {
    None,
    /// Seal with this passphrase, deriving the key with these parameters.
    Passphrase(SecretString, KdfParams),
}

/// An open vault file and the contents last read from or written to it.
pub struct VaultFile<T> {
    path: PathBuf,
    contents: T,
    /// Present iff the vault is sealed.
    key: Option<SealKey>,
    generation: u64,
    /// What was on disk when `contents` was read or written; `None` once the contents can no
    /// longer be trusted to match the disk, which forces a re-read before the next change.
    stamp: Option<FileStamp>,
    /// Size of the last file read or written, to size the next encoding buffer.
    size_hint: usize,
}

impl<T> fmt::Debug for VaultFile<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VaultFile")
            .field("path", &self.path)
            .field("sealed", &self.key.is_some())
            .field("generation", &self.generation)
            .finish_non_exhaustive()
    }
}

impl<T: Serialize + DeserializeOwned> VaultFile<T> {
    /// Creates a new vault file (error [`VaultError::AlreadyExists`] if one is present, which is
    /// left untouched) and writes it durably. Creates the folder if needed.
    pub fn create(path: &Path, contents: T, protection: NewProtection) -> Result<Self, VaultError> {
        // The slow derivation happens before the lock is taken.
        let key = match protection {
            NewProtection::None => None,
            NewProtection::Passphrase(passphrase, params) => {
                Some(SealKey::derive_new(&passphrase, params)?)
            }
        };
        create_folder(paths::parent_dir(path))?;
        let _lock = ChangeLock::acquire(path)?;
        match fs::symlink_metadata(path) {
            Ok(_) => return Err(VaultError::AlreadyExists(path.to_path_buf())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(VaultError::io("look at", path, &e)),
        }
        let mut vault = Self {
            path: path.to_path_buf(),
            contents,
            key,
            generation: 0,
            stamp: None,
            size_hint: 0,
        };
        vault.save_locked()?;
        Ok(vault)
    }

    /// Opens an existing vault. A passphrase is needed iff it is sealed
    /// ([`VaultError::PassphraseRequired`] otherwise); it is ignored for an unprotected vault.
    pub fn open(path: &Path, passphrase: Option<SecretString>) -> Result<Self, VaultError> {
        let (bytes, stamp) = atomic::read(path)?;
        let (contents, key, generation) = match format::decode(&bytes)? {
            Envelope::Clear {
                generation,
                contents,
            } => (parse_contents(contents.as_bytes())?, None, generation),
            Envelope::Sealed(sealed) => {
                let passphrase = passphrase.ok_or(VaultError::PassphraseRequired)?;
                let key = SealKey::derive(&passphrase, sealed.params, sealed.salt)?;
                drop(passphrase);
                let plain = key.open(sealed.aad().as_bytes(), &sealed.nonce, &sealed.ciphertext)?;
                (parse_contents(&plain)?, Some(key), sealed.generation)
            }
        };
        Ok(Self {
            path: path.to_path_buf(),
            contents,
            key,
            generation,
            stamp: Some(stamp),
            size_hint: bytes.len(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn protection(&self) -> Protection {
        if self.key.is_some() {
            Protection::Passphrase
        } else {
            Protection::None
        }
    }

    pub fn contents(&self) -> &T {
        &self.contents
    }

    /// The generation of the contents held: 1 for a new vault, +1 on every save.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Whether the file changed since it was loaded or saved here (one `stat`: size, mtime,
    /// ctime, device and inode — every save renames a fresh inode into place). Also `true` if
    /// the file is gone, or if a failed change left the in-memory contents unreliable.
    pub fn changed_on_disk(&self) -> bool {
        self.stamp.is_none() || FileStamp::current(&self.path) != self.stamp
    }

    /// Re-reads the file if it changed; `Ok(true)` if the contents were replaced. On error the
    /// contents held stay as they were.
    pub fn reload(&mut self) -> Result<bool, VaultError> {
        if !self.changed_on_disk() {
            return Ok(false);
        }
        self.load()?;
        Ok(true)
    }

    /// The one way to change the vault: take the exclusive lock, re-read the file if another
    /// process changed it, run `f` on the contents and, if it returns `Ok`, write the file
    /// durably, then unlock. If `f` (or the write) fails nothing is written and the contents are
    /// re-read from disk, so a half-applied change never lingers; should that re-read fail too,
    /// the next change re-reads first.
    pub fn update<R, E: From<VaultError>>(
        &mut self,
        f: impl FnOnce(&mut T) -> Result<R, E>,
    ) -> Result<R, E> {
        let _lock = ChangeLock::acquire(&self.path)?;
        if self.changed_on_disk() {
            self.load()?;
        }
        // Marked unreliable while `f` runs: should it panic and the panic be caught, the
        // half-applied contents are re-read before any later change could write them.
        let stamp = self.stamp.take();
        let applied = f(&mut self.contents);
        self.stamp = stamp;
        match applied {
            Ok(out) => match self.save_locked() {
                Ok(()) => Ok(out),
                Err(e) => {
                    self.restore();
                    Err(e.into())
                }
            },
            Err(e) => {
                self.restore();
                Err(e)
            }
        }
    }

    /// Reads the file into `self`, with the key already held: a sealed file needs the same salt
    /// and parameters, and a vault never silently changes protection.
    fn load(&mut self) -> Result<(), VaultError> {
        let (bytes, stamp) = atomic::read(&self.path)?;
        let envelope = format::decode(&bytes)?;
        let generation = envelope.generation();
        let contents = match (&envelope, &self.key) {
            (Envelope::Clear { contents, .. }, None) => parse_contents(contents.as_bytes())?,
            (Envelope::Sealed(sealed), Some(key))
                if key.derived_with(sealed.params, &sealed.salt) =>
            {
                let plain = key.open(sealed.aad().as_bytes(), &sealed.nonce, &sealed.ciphertext)?;
                parse_contents(&plain)?
            }
            _ => return Err(VaultError::Replaced(self.path.clone())),
        };
        self.contents = contents;
        self.generation = generation;
        self.stamp = Some(stamp);
        self.size_hint = bytes.len();
        Ok(())
    }

    /// Puts back what is on disk after a failed change; if even that fails, marks the contents
    /// as unreliable so the next change re-reads first.
    fn restore(&mut self) {
        if self.load().is_err() {
            self.stamp = None;
        }
    }

    /// Writes the next generation. The caller holds the change lock.
    fn save_locked(&mut self) -> Result<(), VaultError> {
        let generation = self.generation.saturating_add(1);
        let capacity = self
            .size_hint
            .saturating_add(self.size_hint / 8)
            .saturating_add(4096);
        let (stamp, written) = match &self.key {
            None => {
                let bytes = format::encode_clear(generation, &self.contents, capacity)?;
                (
                    atomic::write_durably(&self.path, bytes.as_slice())?,
                    bytes.len(),
                )
            }
            Some(key) => {
                let bytes = format::encode_sealed(generation, &self.contents, key, capacity)?;
                (atomic::write_durably(&self.path, &bytes)?, bytes.len())
            }
        };
        self.generation = generation;
        self.stamp = stamp;
        self.size_hint = written;
        Ok(())
    }
}

/// The contents of an unprotected vault file given as bytes (its envelope and checksum checked),
/// without touching any file: how a shipped vault such as the demo is read before a copy is made.
pub fn decode_unprotected<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, VaultError> {
    match format::decode(bytes)? {
        Envelope::Clear { contents, .. } => parse_contents(contents.as_bytes()),
        Envelope::Sealed(_) => Err(VaultError::PassphraseRequired),
    }
}

/// Whether the file at `path` is sealed, without a passphrase (to decide whether to prompt).
/// Checks the whole envelope, so a damaged or unsupported file is reported here already.
pub fn peek_protection(path: &Path) -> Result<Protection, VaultError> {
    let (bytes, _) = atomic::read(path)?;
    Ok(format::decode(&bytes)?.protection())
}

fn parse_contents<T: DeserializeOwned>(json: &[u8]) -> Result<T, VaultError> {
    serde_json::from_slice(json).map_err(|e| {
        if e.is_data() {
            VaultError::Corrupt(format!(
                "the contents do not match this program's vault structure: {}",
                redact_serde_error(&e)
            ))
        } else {
            format::json_error("the contents", &e)
        }
    })
}

/// A serde error message with every quoted value replaced by `"…"`: serde quotes the offending
/// value ("invalid type: string \"…\""), and in a vault that may be key material.
pub(crate) fn redact_serde_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (false, '"') => {
                out.push_str("\"…\"");
                quoted = true;
            }
            (false, _) => out.push(c),
            (true, '\\') => {
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, _) => {}
        }
    }
    out
}

fn create_folder(dir: &Path) -> Result<(), VaultError> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .map_err(|e| VaultError::io("create the folder", dir, &e))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    type Doc = BTreeMap<String, String>;

    fn sealed() -> NewProtection {
        NewProtection::Passphrase("pw".into(), KdfParams::cheap_for_tests())
    }

    #[test]
    fn create_open_update_reload() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("vault.json");
        let mut a = VaultFile::create(&path, Doc::new(), sealed()).unwrap();
        assert_eq!(a.generation(), 1);
        let mut b = VaultFile::<Doc>::open(&path, Some("pw".into())).unwrap();
        assert!(!b.changed_on_disk());
        a.update(|d| {
            d.insert("k".into(), "v".into());
            Ok::<_, VaultError>(())
        })
        .unwrap();
        assert!(b.changed_on_disk());
        assert!(b.reload().unwrap());
        assert!(!b.reload().unwrap());
        assert_eq!(b.contents().get("k").map(String::as_str), Some("v"));
        assert_eq!(b.generation(), 2);
        assert!(!format!("{b:?}").contains("\"v\""));
    }

    #[test]
    fn a_failed_change_is_undone_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vault.json");
        let mut v = VaultFile::create(&path, Doc::new(), NewProtection::None).unwrap();
        let before = fs::read(&path).unwrap();
        let err = v
            .update(|d| {
                d.insert("half".into(), "applied".into());
                Err::<(), _>(VaultError::Encode("refused".into()))
            })
            .unwrap_err();
        assert_eq!(err, VaultError::Encode("refused".into()));
        assert!(v.contents().is_empty());
        assert_eq!(fs::read(&path).unwrap(), before);
        assert!(!v.changed_on_disk());
    }

    #[test]
    fn a_change_that_panics_is_re_read_before_the_next_change() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vault.json");
        let mut v = VaultFile::create(&path, Doc::new(), sealed()).unwrap();
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _ = v.update(|d| {
                d.insert("half".into(), "applied".into());
                panic!("bug in an operation");
                #[allow(unreachable_code)]
                Ok::<(), VaultError>(())
            });
        }));
        assert!(caught.is_err());
        assert!(v.changed_on_disk());
        v.update(|d| {
            d.insert("whole".into(), "change".into());
            Ok::<_, VaultError>(())
        })
        .unwrap();
        let on_disk = VaultFile::<Doc>::open(&path, Some("pw".into())).unwrap();
        assert_eq!(on_disk.contents().keys().collect::<Vec<_>>(), ["whole"]);
    }

    #[test]
    fn a_replaced_vault_is_not_silently_downgraded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vault.json");
        let mut v = VaultFile::create(&path, Doc::new(), sealed()).unwrap();
        fs::remove_file(&path).unwrap();
        VaultFile::create(&path, Doc::new(), NewProtection::None).unwrap();
        assert_eq!(v.reload().unwrap_err(), VaultError::Replaced(path));
        assert_eq!(v.protection(), Protection::Passphrase);
    }

    #[test]
    fn a_save_that_fails_at_any_step_leaves_the_old_state_on_disk_and_in_memory() {
        use self::atomic::{Step, fault};
        for step in Step::ALL {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("vault.json");
            let mut v = VaultFile::create(&path, Doc::new(), sealed()).unwrap();
            fault::fail_at(&[step]);
            let result = v.update(|d| {
                d.insert("k".into(), "v".into());
                Ok::<_, VaultError>(())
            });
            fault::fail_at(&[]);
            let on_disk = VaultFile::<Doc>::open(&path, Some("pw".into())).unwrap();
            if result.is_ok() {
                // Only where a copy stands in for a link (or is not needed), or after the rename.
                let survivable = [Step::LinkBackup, Step::CopyBackup, Step::SyncFolder];
                assert!(survivable.contains(&step), "{step:?}");
                assert_eq!(on_disk.generation(), 2);
            } else {
                assert_eq!(on_disk.generation(), 1, "{step:?}");
                assert!(on_disk.contents().is_empty());
                assert!(v.contents().is_empty(), "{step:?}");
                assert_eq!(v.generation(), 1);
            }
            assert!(!paths::temp_path(&path).exists(), "{step:?}");
            assert!(!paths::backup_temp_path(&path).exists(), "{step:?}");
        }
    }

    #[test]
    fn serde_errors_lose_their_quoted_values() {
        let e = serde_json::from_str::<u32>("\"secret \\\" key\"").unwrap_err();
        let shown = redact_serde_error(&e);
        assert!(!shown.contains("secret"), "{shown}");
        assert!(!shown.contains("key"), "{shown}");
        assert!(shown.starts_with("invalid type: string \"…\""), "{shown}");
    }
}
