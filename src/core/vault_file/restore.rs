//! Restoring the previous generation (`vault.json.bak`, product §3) over a vault that is damaged,
//! altered or gone: under the change lock, and only once the backup has been opened and read in
//! full (with the passphrase for a sealed vault); the file it replaces is kept aside as
//! `vault.json.damaged-<n>`, so nothing is ever lost. The backup itself stays as it is.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::atomic::{self, FileStamp};
use super::format::{self, Envelope};
use super::lock::ChangeLock;
use super::seal::SealKey;
use super::{VaultError, VaultFile, parse_contents};
use crate::core::paths;
use crate::core::secret::SecretString;

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    /// The generation now in the vault file: the backup's.
    pub generation: u64,
    /// Where the file that was replaced now is; `None` if there was no vault file.
    pub kept_as: Option<PathBuf>,
}

impl<T: Serialize + DeserializeOwned> VaultFile<T> {
    /// Restores the backup of the vault at `path` without opening the vault itself (it may not
    /// open). A sealed backup needs its passphrase. Returns the restored vault, open.
    pub fn restore_backup_at(
        path: &Path,
        passphrase: Option<SecretString>,
    ) -> Result<(Self, Restored), VaultError> {
        Self::restore_backup_at_with(path, passphrase, &mut |_, _| Ok(()))
    }

    /// [`VaultFile::restore_backup_at`], calling `before` with the backup's contents and what
    /// the restore will be, under the change lock and before the vault file is replaced: if it
    /// fails, nothing is changed. (The vault writes the restore's audit line there.)
    pub fn restore_backup_at_with(
        path: &Path,
        passphrase: Option<SecretString>,
        before: Before<'_, T>,
    ) -> Result<(Self, Restored), VaultError> {
        let _lock = ChangeLock::acquire(path)?;
        let bak = paths::backup_path(path);
        let (bytes, _) = read_backup(&bak)?;
        let envelope = format::decode(&bytes).map_err(|e| unusable(&bak, &e))?;
        let (contents, key) = match &envelope {
            Envelope::Clear { contents, .. } => (parse_contents(contents.as_bytes()), None),
            Envelope::Sealed(sealed) => {
                let passphrase = passphrase.ok_or(VaultError::PassphraseRequired)?;
                let key = SealKey::derive(&passphrase, sealed.params, sealed.salt)?;
                drop(passphrase);
                let plain = key
                    .open(sealed.aad().as_bytes(), &sealed.nonce, &sealed.ciphertext)
                    .map_err(|e| unusable(&bak, &e))?;
                (parse_contents(&plain), Some(key))
            }
        };
        let contents = contents.map_err(|e| unusable(&bak, &e))?;
        let generation = envelope.generation();
        let (stamp, restored) = put_back(path, &bytes, generation, &mut |r| before(&contents, r))?;
        let file = Self {
            path: path.to_path_buf(),
            contents,
            key,
            generation,
            stamp,
            size_hint: bytes.len(),
        };
        Ok((file, restored))
    }

    /// Restores the backup of this open vault, checked with the key already held (a backup
    /// sealed differently is refused), and takes its contents.
    pub fn restore_backup(&mut self) -> Result<Restored, VaultError> {
        self.restore_backup_with(&mut |_, _| Ok(()))
    }

    /// [`VaultFile::restore_backup`] with a `before` as in [`VaultFile::restore_backup_at_with`].
    pub fn restore_backup_with(&mut self, before: Before<'_, T>) -> Result<Restored, VaultError> {
        let _lock = ChangeLock::acquire(&self.path)?;
        let bak = paths::backup_path(&self.path);
        let (bytes, _) = read_backup(&bak)?;
        let envelope = format::decode(&bytes).map_err(|e| unusable(&bak, &e))?;
        let contents = match (&envelope, &self.key) {
            (Envelope::Clear { contents, .. }, None) => parse_contents(contents.as_bytes()),
            (Envelope::Sealed(sealed), Some(key))
                if key.derived_with(sealed.params, &sealed.salt) =>
            {
                key.open(sealed.aad().as_bytes(), &sealed.nonce, &sealed.ciphertext)
                    .and_then(|plain| parse_contents(&plain))
            }
            _ => Err(VaultError::Corrupt(
                "it is protected differently from the open vault".to_owned(),
            )),
        }
        .map_err(|e| unusable(&bak, &e))?;
        let generation = envelope.generation();
        let (stamp, restored) = put_back(&self.path, &bytes, generation, &mut |r| {
            before(&contents, r)
        })?;
        self.contents = contents;
        self.generation = generation;
        self.stamp = stamp;
        self.size_hint = bytes.len();
        Ok(restored)
    }
}

fn read_backup(bak: &Path) -> Result<(zeroize::Zeroizing<Vec<u8>>, FileStamp), VaultError> {
    atomic::read(bak).map_err(|e| match e {
        VaultError::NotFound(_) => VaultError::NoBackup(bak.to_path_buf()),
        other => other,
    })
}

fn unusable(bak: &Path, e: &VaultError) -> VaultError {
    VaultError::BadBackup(bak.to_path_buf(), e.to_string())
}

/// What a restore calls before it replaces the vault file: the backup's contents and the
/// restore to be made.
pub type Before<'a, T> = &'a mut dyn FnMut(&T, &Restored) -> Result<(), VaultError>;

/// Keeps the current file (if any) aside, lets `before` see the restore, then writes the
/// backup's bytes as the vault. If `before` or the write fails, the copy kept aside is removed
/// again (the vault file it copies is still in place). The caller holds the change lock.
fn put_back(
    path: &Path,
    bytes: &[u8],
    generation: u64,
    before: &mut dyn FnMut(&Restored) -> Result<(), VaultError>,
) -> Result<(Option<FileStamp>, Restored), VaultError> {
    let restored = Restored {
        generation,
        kept_as: keep_aside(path)?,
    };
    match before(&restored).and_then(|()| atomic::replace_durably(path, bytes)) {
        Ok(stamp) => Ok((stamp, restored)),
        Err(e) => {
            if let Some(aside) = &restored.kept_as {
                let _ = fs::remove_file(aside);
            }
            Err(e)
        }
    }
}

/// Links the current vault file as `<vault>.damaged-<n>` (the first free n from 1), so the
/// vault path is never absent; copies where links are not supported.
fn keep_aside(path: &Path) -> Result<Option<PathBuf>, VaultError> {
    match fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(VaultError::io("look at", path, &e)),
        Ok(_) => {}
    }
    for n in 1..=u32::MAX {
        let aside = paths::damaged_path(path, n);
        match fs::hard_link(path, &aside) {
            Ok(()) => return Ok(Some(aside)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(_) if !aside.exists() => {
                atomic::copy_synced(path, &aside)?;
                return Ok(Some(aside));
            }
            Err(e) => return Err(VaultError::io("keep aside the vault file as", &aside, &e)),
        }
    }
    Err(VaultError::Io(format!(
        "no free name to keep {} aside",
        path.display()
    )))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::core::vault_file::{KdfParams, NewProtection};
    use std::collections::BTreeMap;

    type Doc = BTreeMap<String, String>;

    fn two_generations(protection: NewProtection) -> (tempfile::TempDir, PathBuf, VaultFile<Doc>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vault.json");
        let mut v = VaultFile::create(&path, Doc::new(), protection).unwrap();
        v.update(|d| {
            d.insert("k".into(), "first".into());
            Ok::<_, VaultError>(())
        })
        .unwrap();
        v.update(|d| {
            d.insert("k".into(), "second".into());
            Ok::<_, VaultError>(())
        })
        .unwrap();
        (dir, path, v)
    }

    #[test]
    fn an_open_vault_takes_back_its_previous_generation() {
        let sealed = NewProtection::Passphrase("pw".into(), KdfParams::cheap_for_tests());
        let (_dir, path, mut v) = two_generations(sealed);
        let damaged = b"{ not a vault".to_vec();
        fs::write(&path, &damaged).unwrap();
        let restored = v.restore_backup().unwrap();
        assert_eq!(restored.generation, 2);
        let aside = restored.kept_as.unwrap();
        assert_eq!(aside, paths::damaged_path(&path, 1));
        assert_eq!(fs::read(&aside).unwrap(), damaged);
        assert_eq!(v.contents()["k"], "first");
        assert!(!v.changed_on_disk());
        let again = VaultFile::<Doc>::open(&path, Some("pw".into())).unwrap();
        assert_eq!(again.contents()["k"], "first");
        // A second restore keeps the first damaged copy and picks the next name.
        fs::write(&path, b"junk").unwrap();
        assert_eq!(
            v.restore_backup().unwrap().kept_as,
            Some(paths::damaged_path(&path, 2))
        );
        assert_eq!(fs::read(paths::damaged_path(&path, 1)).unwrap(), damaged);
    }

    #[test]
    fn a_backup_that_does_not_open_changes_nothing() {
        let (_dir, path, mut v) = two_generations(NewProtection::None);
        let bak = paths::backup_path(&path);
        let mut bytes = fs::read(&bak).unwrap();
        let at = bytes.len() / 2;
        bytes[at] ^= 0x20;
        fs::write(&bak, &bytes).unwrap();
        let current = fs::read(&path).unwrap();
        let err = v.restore_backup().unwrap_err();
        assert!(matches!(err, VaultError::BadBackup(..)), "{err}");
        assert_eq!(fs::read(&path).unwrap(), current);
        assert!(!paths::damaged_path(&path, 1).exists());
        assert_eq!(v.contents()["k"], "second");
    }

    #[test]
    fn no_backup_no_restore() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vault.json");
        let mut v = VaultFile::create(&path, Doc::new(), NewProtection::None).unwrap();
        assert_eq!(
            v.restore_backup().unwrap_err(),
            VaultError::NoBackup(paths::backup_path(&path))
        );
    }

    #[test]
    fn a_deleted_vault_is_restored_without_a_passphrase_only_if_unsealed() {
        let sealed = NewProtection::Passphrase("pw".into(), KdfParams::cheap_for_tests());
        let (_dir, path, _v) = two_generations(sealed);
        fs::remove_file(&path).unwrap();
        assert_eq!(
            VaultFile::<Doc>::restore_backup_at(&path, None).unwrap_err(),
            VaultError::PassphraseRequired
        );
        let err = VaultFile::<Doc>::restore_backup_at(&path, Some("wrong".into())).unwrap_err();
        assert!(matches!(err, VaultError::BadBackup(..)), "{err}");
        assert!(!path.exists());
        let (file, restored) =
            VaultFile::<Doc>::restore_backup_at(&path, Some("pw".into())).unwrap();
        assert_eq!(restored.kept_as, None);
        assert_eq!(file.contents()["k"], "first");
    }
}
