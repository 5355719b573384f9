//! The exclusive change lock: std `File::lock` (flock on Unix, LockFileEx on Windows) on
//! `vault.json.lock` beside the vault. The lock is held by an open file description, so two
//! handles in one process exclude each other just as two processes do.

use std::fs::{File, OpenOptions};
use std::path::Path;

use super::error::VaultError;
use crate::core::paths;

/// Held while a change is read, applied and written; released on drop (also on panic or when
/// the process dies, since the kernel drops the lock with the descriptor).
#[derive(Debug)]
pub(crate) struct ChangeLock {
    file: File,
}

impl ChangeLock {
    /// Blocks until the lock of the vault at `vault` is ours. Creates the lock file if needed.
    pub(crate) fn acquire(vault: &Path) -> Result<Self, VaultError> {
        let path = paths::lock_path(vault);
        let file = private_options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| VaultError::io("open the lock file", &path, &e))?;
        file.lock().map_err(|e| VaultError::io("lock", &path, &e))?;
        Ok(Self { file })
    }
}

impl Drop for ChangeLock {
    fn drop(&mut self) {
        // Closing the descriptor releases the lock anyway; unlocking first just makes it prompt.
        let _ = self.file.unlock();
    }
}

/// Open options for files only the owner may read: the vault, its backup, lock and audit log.
pub(crate) fn private_options() -> OpenOptions {
    #[allow(unused_mut)]
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn a_second_handle_waits_for_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let vault = dir.path().join("vault.json");
        let first = ChangeLock::acquire(&vault).unwrap();
        let other = File::open(paths::lock_path(&vault)).unwrap();
        assert!(other.try_lock().is_err());
        drop(first);
        assert!(other.try_lock().is_ok());
    }
}
