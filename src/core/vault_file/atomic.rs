//! Reading the vault together with the identity of the bytes read, and writing the next
//! generation so that a crash at any instant leaves the old or the new file (product §3):
//! write `vault.json.tmp`, fsync it, link the current file as `vault.json.bak`, rename the
//! temporary file over the vault, fsync the folder. Nothing here ever writes the vault in place.
//!
//! A failure at any step before the rename over the vault (a full disk, a read-only folder)
//! leaves the vault as it was and no temporary file behind; once that rename is done the new
//! generation is what every reader sees, so what fails after it does not fail the save. Unit
//! tests make each [`Step`] fail in turn (`fault`).

use std::fs::{self, File, Metadata};
use std::io::{self, Read, Write};
use std::path::Path;
use std::time::SystemTime;

use zeroize::Zeroizing;

use super::error::VaultError;
use super::lock::private_options;
use crate::core::paths;

/// The largest vault file this program reads (a 10,000-key vault is about 5 MB).
pub(crate) const MAX_FILE_BYTES: u64 = 1 << 30;

/// The steps of a save, in order, where a fault can strike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    CreateTemp,
    WriteTemp,
    SyncTemp,
    LinkBackup,
    /// The fallback where hard links are not supported.
    CopyBackup,
    RenameBackup,
    RenameTemp,
    SyncFolder,
}

#[cfg(test)]
impl Step {
    pub(crate) const ALL: [Self; 8] = [
        Self::CreateTemp,
        Self::WriteTemp,
        Self::SyncTemp,
        Self::LinkBackup,
        Self::CopyBackup,
        Self::RenameBackup,
        Self::RenameTemp,
        Self::SyncFolder,
    ];
}

/// Injected faults, for unit tests only: the steps listed fail with ENOSPC on this thread.
#[cfg(test)]
pub(crate) mod fault {
    use std::cell::RefCell;
    use std::io;

    use super::Step;

    thread_local! {
        static FAILING: RefCell<Vec<Step>> = const { RefCell::new(Vec::new()) };
    }

    /// Makes `steps` fail on this thread until called again.
    pub(crate) fn fail_at(steps: &[Step]) {
        FAILING.with(|f| *f.borrow_mut() = steps.to_vec());
    }

    pub(super) fn check(step: Step) -> io::Result<()> {
        if FAILING.with(|f| f.borrow().contains(&step)) {
            return Err(io::Error::from_raw_os_error(28)); // ENOSPC
        }
        Ok(())
    }
}

#[cfg(not(test))]
mod fault {
    #[allow(clippy::unnecessary_wraps)] // the same signature as the test build's
    #[inline]
    pub(super) fn check(_: super::Step) -> std::io::Result<()> {
        Ok(())
    }
}

use self::fault::check;

/// What `stat` says about one generation of the vault file. Every save renames a new inode into
/// place, so a different inode, size, mtime or ctime means another generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FileStamp {
    len: u64,
    modified: Option<SystemTime>,
    #[cfg(unix)]
    unix: (u64, u64, i64, i64),
}

impl FileStamp {
    pub(crate) fn of(meta: &Metadata) -> Self {
        Self {
            len: meta.len(),
            modified: meta.modified().ok(),
            #[cfg(unix)]
            unix: {
                use std::os::unix::fs::MetadataExt;
                (meta.dev(), meta.ino(), meta.ctime(), meta.ctime_nsec())
            },
        }
    }

    /// The stamp of whatever is at `path` now (not following a symbolic link, which is never
    /// a vault); `None` if it cannot be read.
    pub(crate) fn current(path: &Path) -> Option<Self> {
        fs::symlink_metadata(path).ok().map(|m| Self::of(&m))
    }
}

/// Reads the vault file whole. The stamp comes from the open descriptor, so it describes exactly
/// the bytes returned even if another process renames a new generation into place meanwhile.
pub(crate) fn read(path: &Path) -> Result<(Zeroizing<Vec<u8>>, FileStamp), VaultError> {
    refuse_symlink(path)?;
    let file = File::open(path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => VaultError::NotFound(path.to_path_buf()),
        _ => VaultError::io("open", path, &e),
    })?;
    let meta = file
        .metadata()
        .map_err(|e| VaultError::io("read the metadata of", path, &e))?;
    if !meta.is_file() {
        return Err(VaultError::Io(format!(
            "{} is not a regular file",
            path.display()
        )));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(VaultError::Corrupt(format!(
            "the file is {} bytes, more than the 1 GiB a vault may have",
            meta.len()
        )));
    }
    // Sized up front so that no reallocation leaves an unwiped copy of a clear vault behind.
    let capacity = usize::try_from(meta.len()).unwrap_or(0).saturating_add(1);
    let mut bytes = Zeroizing::new(Vec::with_capacity(capacity));
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| VaultError::io("read", path, &e))?;
    Ok((bytes, FileStamp::of(&meta)))
}

/// Replaces the vault at `path` with `bytes` durably and returns the new file's stamp (`None`
/// if it cannot be read back, which makes the next change re-read first). The caller holds the
/// change lock, which makes the fixed temporary names safe.
pub(crate) fn write_durably(path: &Path, bytes: &[u8]) -> Result<Option<FileStamp>, VaultError> {
    refuse_symlink(path)?;
    let tmp = paths::temp_path(path);
    let result = write_synced(&tmp, bytes)
        .and_then(|()| keep_backup(path))
        .and_then(|()| rename_over(&tmp, path));
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(settle(path))
}

/// Replaces the vault at `path` with `bytes` durably, keeping no backup (a restore puts the
/// backup itself back). The caller holds the change lock.
pub(crate) fn replace_durably(path: &Path, bytes: &[u8]) -> Result<Option<FileStamp>, VaultError> {
    let tmp = paths::temp_path(path);
    let written = write_synced(&tmp, bytes).and_then(|()| rename_over(&tmp, path));
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(settle(path))
}

fn rename_over(tmp: &Path, path: &Path) -> Result<(), VaultError> {
    check(Step::RenameTemp)
        .and_then(|()| fs::rename(tmp, path))
        .map_err(|e| VaultError::io("rename the new vault file to", path, &e))
}

/// After the rename: the new generation is in place and is what every reader now sees, so a
/// failure here must not report the save as failed (the caller would then take back the
/// change's audit lines while the change stands). A folder that cannot be synced only weakens
/// durability across a power loss; a file that cannot be stat'ed is re-read before the next
/// change.
fn settle(path: &Path) -> Option<FileStamp> {
    let _ = sync_dir(paths::parent_dir(path));
    FileStamp::current(path)
}

/// Writes `bytes` to a fresh file at `path` and fsyncs it; on failure the caller removes it.
fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), VaultError> {
    remove_if_present(path)?;
    let mut file = check(Step::CreateTemp)
        .and_then(|()| private_options().write(true).create_new(true).open(path))
        .map_err(|e| VaultError::io("create", path, &e))?;
    check(Step::WriteTemp)
        .and_then(|()| file.write_all(bytes))
        .and_then(|()| check(Step::SyncTemp))
        .and_then(|()| file.sync_all())
        .map_err(|e| VaultError::io("write", path, &e))
}

/// Makes the current generation (if any) `vault.json.bak`, replacing the older backup in one
/// rename, so that the vault itself is never absent. A hard link costs no copy; filesystems
/// without links get a synced copy. On failure no `vault.json.bak.tmp` is left behind.
fn keep_backup(path: &Path) -> Result<(), VaultError> {
    let bak_tmp = paths::backup_temp_path(path);
    remove_if_present(&bak_tmp)?;
    let made = match check(Step::LinkBackup).and_then(|()| fs::hard_link(path, &bak_tmp)) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(_) => copy_synced(path, &bak_tmp),
    };
    let bak = paths::backup_path(path);
    let result = made.and_then(|()| {
        check(Step::RenameBackup)
            .and_then(|()| fs::rename(&bak_tmp, &bak))
            .map_err(|e| VaultError::io("rename the backup to", &bak, &e))
    });
    if result.is_err() {
        let _ = fs::remove_file(&bak_tmp);
    }
    result
}

/// Copies `from` to a new file `to` and fsyncs it; on failure `to` is removed again.
pub(crate) fn copy_synced(from: &Path, to: &Path) -> Result<(), VaultError> {
    let mut source = File::open(from).map_err(|e| VaultError::io("open", from, &e))?;
    let mut target = private_options()
        .write(true)
        .create_new(true)
        .open(to)
        .map_err(|e| VaultError::io("create", to, &e))?;
    let copied = check(Step::CopyBackup)
        .and_then(|()| io::copy(&mut source, &mut target))
        .and_then(|_| target.sync_all())
        .map_err(|e| VaultError::io("copy the vault to", to, &e));
    if copied.is_err() {
        drop(target);
        let _ = fs::remove_file(to);
    }
    copied
}

/// A symbolic link where the vault should be is refused, never followed: every save renames a
/// new file over the vault's path, which would silently replace the link with a file and leave
/// the file it points to behind, unchanged.
fn refuse_symlink(path: &Path) -> Result<(), VaultError> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => Err(VaultError::Io(format!(
            "{} is a symbolic link, not a vault file: every save replaces the vault file, \
             which would break the link; give the path of the file it points to",
            path.display()
        ))),
        _ => Ok(()),
    }
}

fn remove_if_present(path: &Path) -> Result<(), VaultError> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => {
            Err(VaultError::io("remove the stale file", path, &e))
        }
        _ => Ok(()),
    }
}

/// Makes the renames durable. Windows cannot open a folder for syncing, and there NTFS
/// journals the metadata change anyway.
fn sync_dir(dir: &Path) -> Result<(), VaultError> {
    #[cfg(unix)]
    {
        check(Step::SyncFolder)
            .and_then(|()| File::open(dir))
            .and_then(|d| d.sync_all())
            .map_err(|e| VaultError::io("sync the folder", dir, &e))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn the_previous_generation_becomes_the_backup() {
        let dir = tempfile::tempdir().unwrap();
        let vault = dir.path().join("vault.json");
        let first = write_durably(&vault, b"one\n").unwrap();
        assert!(!paths::backup_path(&vault).exists());
        let second = write_durably(&vault, b"two\n").unwrap();
        assert_ne!(first, second);
        assert_eq!(fs::read(&vault).unwrap(), b"two\n");
        assert_eq!(fs::read(paths::backup_path(&vault)).unwrap(), b"one\n");
        assert!(!paths::temp_path(&vault).exists());
        assert!(!paths::backup_temp_path(&vault).exists());
        let (bytes, stamp) = read(&vault).unwrap();
        assert_eq!(bytes.as_slice(), b"two\n");
        assert_eq!(Some(stamp), second);
        assert_eq!(FileStamp::current(&vault), second);
    }

    #[test]
    fn stale_temporary_files_do_not_block_a_save() {
        let dir = tempfile::tempdir().unwrap();
        let vault = dir.path().join("vault.json");
        write_durably(&vault, b"one\n").unwrap();
        fs::write(paths::temp_path(&vault), b"half a vau").unwrap();
        fs::hard_link(&vault, paths::backup_temp_path(&vault)).unwrap();
        write_durably(&vault, b"two\n").unwrap();
        assert_eq!(fs::read(&vault).unwrap(), b"two\n");
        assert_eq!(fs::read(paths::backup_path(&vault)).unwrap(), b"one\n");
    }

    /// The temporary files a save may make; none may outlive it.
    fn leftovers(vault: &Path) -> Vec<PathBuf> {
        [paths::temp_path(vault), paths::backup_temp_path(vault)]
            .into_iter()
            .filter(|p| p.symlink_metadata().is_ok())
            .collect()
    }

    #[test]
    fn a_full_disk_at_every_step_keeps_the_old_generation_and_no_temporary_file() {
        let mut cases: Vec<Vec<Step>> = Step::ALL.iter().map(|s| vec![*s]).collect();
        cases.push(vec![Step::LinkBackup, Step::CopyBackup]);
        for failing in cases {
            let dir = tempfile::tempdir().unwrap();
            let vault = dir.path().join("vault.json");
            write_durably(&vault, b"one\n").unwrap();
            write_durably(&vault, b"two\n").unwrap();
            fault::fail_at(&failing);
            let result = write_durably(&vault, b"three\n");
            fault::fail_at(&[]);
            // Steps with a fallback (a copy for a link) or after the rename do not fail a save.
            let survivable = matches!(
                failing.as_slice(),
                [Step::LinkBackup | Step::CopyBackup | Step::SyncFolder]
            );
            if survivable {
                result.unwrap();
                assert_eq!(fs::read(&vault).unwrap(), b"three\n", "{failing:?}");
                assert_eq!(fs::read(paths::backup_path(&vault)).unwrap(), b"two\n");
            } else {
                let err = result.unwrap_err().to_string();
                assert!(
                    err.contains("No space left on device"),
                    "{failing:?}: {err}"
                );
                assert_eq!(fs::read(&vault).unwrap(), b"two\n", "{failing:?}");
            }
            assert_eq!(leftovers(&vault), Vec::<PathBuf>::new(), "{failing:?}");
            // And the next save goes through.
            write_durably(&vault, b"four\n").unwrap();
            assert_eq!(fs::read(&vault).unwrap(), b"four\n");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let vault = dir.path().join("vault.json");
        let real = dir.path().join("real.json");
        fs::write(&real, b"one\n").unwrap();
        std::os::unix::fs::symlink(&real, &vault).unwrap();
        let err = read(&vault).unwrap_err().to_string();
        assert!(err.contains("is a symbolic link"), "{err}");
        let err = write_durably(&vault, b"two\n").unwrap_err().to_string();
        assert!(err.contains("is a symbolic link"), "{err}");
        assert!(vault.symlink_metadata().unwrap().file_type().is_symlink());
        assert_eq!(fs::read(&real).unwrap(), b"one\n");
    }

    #[test]
    fn a_missing_file_is_not_found() {
        let dir = tempfile::tempdir().unwrap();
        let vault = dir.path().join("vault.json");
        assert_eq!(read(&vault).unwrap_err(), VaultError::NotFound(vault));
    }

    #[cfg(unix)]
    #[test]
    fn files_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let vault = dir.path().join("vault.json");
        write_durably(&vault, b"one\n").unwrap();
        write_durably(&vault, b"two\n").unwrap();
        for path in [vault.clone(), paths::backup_path(&vault)] {
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "{}", path.display());
        }
    }
}
