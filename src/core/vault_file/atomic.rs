//! Reading the vault together with the identity of the bytes read, and writing the next
//! generation so that a crash at any instant leaves the old or the new file (product §3):
//! write `vault.json.tmp`, fsync it, link the current file as `vault.json.bak`, rename the
//! temporary file over the vault, fsync the folder. Nothing here ever writes the vault in place.

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

    /// The stamp of whatever is at `path` now; `None` if it cannot be read.
    pub(crate) fn current(path: &Path) -> Option<Self> {
        fs::metadata(path).ok().map(|m| Self::of(&m))
    }
}

/// Reads the vault file whole. The stamp comes from the open descriptor, so it describes exactly
/// the bytes returned even if another process renames a new generation into place meanwhile.
pub(crate) fn read(path: &Path) -> Result<(Zeroizing<Vec<u8>>, FileStamp), VaultError> {
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

/// Replaces the vault at `path` with `bytes` durably and returns the new file's stamp.
/// The caller holds the change lock, which makes the fixed temporary names safe.
pub(crate) fn write_durably(path: &Path, bytes: &[u8]) -> Result<FileStamp, VaultError> {
    let tmp = paths::temp_path(path);
    if let Err(e) = write_synced(&tmp, bytes) {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    let result = keep_backup(path).and_then(|()| {
        fs::rename(&tmp, path).map_err(|e| VaultError::io("rename the new vault file to", path, &e))
    });
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    sync_dir(paths::parent_dir(path))?;
    let meta = fs::metadata(path).map_err(|e| VaultError::io("read the metadata of", path, &e))?;
    Ok(FileStamp::of(&meta))
}

/// Replaces the vault at `path` with `bytes` durably, keeping no backup (a restore puts the
/// backup itself back). The caller holds the change lock.
pub(crate) fn replace_durably(path: &Path, bytes: &[u8]) -> Result<FileStamp, VaultError> {
    let tmp = paths::temp_path(path);
    let written = write_synced(&tmp, bytes).and_then(|()| {
        fs::rename(&tmp, path).map_err(|e| VaultError::io("rename the new vault file to", path, &e))
    });
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    sync_dir(paths::parent_dir(path))?;
    let meta = fs::metadata(path).map_err(|e| VaultError::io("read the metadata of", path, &e))?;
    Ok(FileStamp::of(&meta))
}

/// Writes `bytes` to a fresh file at `path` and fsyncs it.
fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), VaultError> {
    remove_if_present(path)?;
    let mut file = private_options()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| VaultError::io("create", path, &e))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| VaultError::io("write", path, &e))
}

/// Makes the current generation (if any) `vault.json.bak`, replacing the older backup in one
/// rename, so that the vault itself is never absent. A hard link costs no copy; filesystems
/// without links get a synced copy.
fn keep_backup(path: &Path) -> Result<(), VaultError> {
    let bak_tmp = paths::backup_temp_path(path);
    remove_if_present(&bak_tmp)?;
    match fs::hard_link(path, &bak_tmp) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(_) => copy_synced(path, &bak_tmp)?,
    }
    let bak = paths::backup_path(path);
    fs::rename(&bak_tmp, &bak).map_err(|e| VaultError::io("rename the backup to", &bak, &e))
}

pub(crate) fn copy_synced(from: &Path, to: &Path) -> Result<(), VaultError> {
    let mut source = File::open(from).map_err(|e| VaultError::io("open", from, &e))?;
    let mut target = private_options()
        .write(true)
        .create_new(true)
        .open(to)
        .map_err(|e| VaultError::io("create", to, &e))?;
    io::copy(&mut source, &mut target)
        .and_then(|_| target.sync_all())
        .map_err(|e| VaultError::io("copy the vault to", to, &e))
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
        File::open(dir)
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
        assert_eq!(stamp, second);
        assert_eq!(FileStamp::current(&vault), Some(second));
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
