//! Lines written before the change they record (fail closed, product §12): a change's lines
//! reach the disk — synced — while the log stays locked, and are taken back if the vault write
//! that makes the change then fails. See `core::vault::audit` for the order of one change.

use std::io::{self, Write};

use super::PendingAppend;
use crate::core::vault_file::VaultError;

impl PendingAppend {
    /// Writes the lines pushed so far and syncs them, keeping the log locked; a later
    /// [`PendingAppend::commit`] only unlocks, and [`PendingAppend::undo`] takes them back. On
    /// failure (a full disk, a read-only log) the log is cut back to where it was, so no half
    /// line stays behind.
    pub fn write_synced(&mut self) -> Result<(), VaultError> {
        if self.pushed == 0 {
            return Ok(());
        }
        let Some(file) = self.file.as_ref() else {
            return Ok(());
        };
        let written = (&*file)
            .write_all(&self.out)
            .and_then(|()| file.sync_data());
        if let Err(e) = written {
            let _ = file.set_len(self.start);
            return Err(VaultError::io("append to", &self.path, &e));
        }
        // The lines are in place: the log's last line is now the last one pushed.
        self.start = self
            .start
            .saturating_add(u64::try_from(self.out.len()).unwrap_or(u64::MAX));
        self.found = Some(self.head.clone());
        self.out.clear();
        self.pushed = 0;
        Ok(())
    }

    /// Takes back whatever [`PendingAppend::write_synced`] wrote (cutting the log to its length
    /// when it was locked) and unlocks it, remembering nothing of it. Used when the vault write
    /// those lines recorded failed.
    pub fn undo(mut self) -> Result<(), VaultError> {
        let io_err = |what: &str, e: &io::Error| VaultError::io(what, &self.path, e);
        let Some(file) = self.file.take() else {
            return Ok(());
        };
        let cut = file
            .set_len(self.locked_len)
            .and_then(|()| file.sync_data())
            .map_err(|e| io_err("take back the lines of a failed change from", &e));
        let unlocked = self.give_back(file, None);
        cut.and(unlocked)
    }
}
