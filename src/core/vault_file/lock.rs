//! The exclusive change lock: std `File::lock` (flock on Unix, LockFileEx on Windows) on
//! `vault.json.lock` beside the vault. The lock is held by an open file description, so two
//! handles in one process exclude each other just as two processes do.

use std::fs::{File, OpenOptions, TryLockError};
use std::io;
use std::path::Path;
use std::sync::OnceLock;

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
        lock_exclusive(&file, &path).map_err(|e| VaultError::io("lock", &path, &e))?;
        Ok(Self { file })
    }
}

/// Told, once per wait, that a lock is held elsewhere and this process is about to wait for it.
static WAIT_NOTICE: OnceLock<fn(&Path)> = OnceLock::new();

/// Sets what is told when a lock of the vault or its audit log is held by another process (or
/// handle) and this one waits: the command line says so on stderr, so a command that waits is
/// never silent. The first call wins; without one, waits are silent.
pub fn set_wait_notice(notice: fn(&Path)) {
    let _ = WAIT_NOTICE.set(notice);
}

/// Takes `file`'s exclusive lock, waiting for it (after the wait notice) if it is held.
pub(crate) fn lock_exclusive(file: &File, path: &Path) -> io::Result<()> {
    take(path, || file.try_lock(), || file.lock())
}

/// Takes `file`'s shared lock, waiting for it (after the wait notice) if it is held.
pub(crate) fn lock_shared(file: &File, path: &Path) -> io::Result<()> {
    take(path, || file.try_lock_shared(), || file.lock_shared())
}

fn take(
    path: &Path,
    now: impl FnOnce() -> Result<(), TryLockError>,
    wait: impl FnOnce() -> io::Result<()>,
) -> io::Result<()> {
    match now() {
        Ok(()) => Ok(()),
        Err(TryLockError::WouldBlock) => {
            notice(path);
            wait()
        }
        Err(TryLockError::Error(e)) => Err(e),
    }
}

fn notice(path: &Path) {
    if let Some(notice) = WAIT_NOTICE.get() {
        notice(path);
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

    static NOTICED: std::sync::Mutex<Vec<std::path::PathBuf>> = std::sync::Mutex::new(Vec::new());

    #[test]
    fn a_wait_is_told_once_before_it_blocks() {
        set_wait_notice(|path| NOTICED.lock().unwrap().push(path.to_path_buf()));
        let dir = tempfile::tempdir().unwrap();
        let vault = dir.path().join("vault.json");
        let first = ChangeLock::acquire(&vault).unwrap();
        assert!(
            NOTICED.lock().unwrap().is_empty(),
            "a free lock is taken silently"
        );
        let waiter = {
            let vault = vault.clone();
            std::thread::spawn(move || ChangeLock::acquire(&vault).map(drop))
        };
        while NOTICED.lock().unwrap().is_empty() {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        assert_eq!(NOTICED.lock().unwrap()[..], [paths::lock_path(&vault)]);
        drop(first);
        assert!(waiter.join().unwrap().is_ok(), "the waiter gets the lock");
    }

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
