//! Restoring an open vault, or the vault at a path that may not open, to its previous generation
//! (`vault.json.bak`), and recording it in the audit log as `RestoreVault`; and re-reading the
//! file with the file's own error, for a console that reports a damaged file as such.
//!
//! A restore is a change, so it fails closed as every change does (`super::audit`): its line is
//! written and synced, keyed with the backup's own audit key, under both locks and before the
//! vault file is replaced; if the line cannot be written nothing is restored, and if the vault
//! file cannot be replaced the line is taken back. A vault write then brings the anchor up to
//! the log's end (the backup carries the head of its own generation); should that write fail,
//! the line stays "after the anchor" — audited, not yet anchored.

use std::path::Path;

use serde_json::json;

use super::{Backend, Sources, Vault};
use crate::core::audit::{AuditLog, AuditRecord, PendingAppend};
use crate::core::clock::format_date;
use crate::core::model::VaultState;
use crate::core::secret::SecretString;
use crate::core::vault_file::{Restored, VaultError, VaultFile};

/// The audit action of a restore.
pub const RESTORE_ACTION: &str = "RestoreVault";

impl Vault {
    /// Restores this vault's file to its previous generation (checked with the key held) and
    /// takes its contents; audited as `principal`, and refused if that cannot be written.
    pub fn restore_backup(&mut self, principal: &str) -> Result<Restored, VaultError> {
        let base = self.restore_record(principal);
        let log = self.audit.clone();
        let mut line = RestoreLine::new(log.as_ref(), base);
        let result = match &mut self.backend {
            Backend::Memory(_) => {
                return Err(VaultError::Io(
                    "an in-memory vault has no file to restore".to_owned(),
                ));
            }
            Backend::File(file) => file.restore_backup_with(&mut |state, r| line.write(state, r)),
        };
        let restored = line.settle(result)?;
        self.anchor_restore(principal, &line);
        Ok(restored)
    }

    /// Restores the vault file at `path` (which may be damaged or gone) to its previous
    /// generation, then opens it (without running maintenance) and audits as `principal`; refused
    /// if that cannot be written.
    pub fn restore_backup_at(
        path: &Path,
        passphrase: Option<SecretString>,
        principal: &str,
        sources: Sources,
    ) -> Result<(Self, Restored), VaultError> {
        let log = AuditLog::for_vault(path);
        let base = restore_record(&sources, principal);
        let mut line = RestoreLine::new(Some(&log), base);
        let result =
            VaultFile::<VaultState>::restore_backup_at_with(path, passphrase, &mut |state, r| {
                line.write(state, r)
            });
        let (file, restored) = line.settle(result)?;
        let mut vault = Self::from_file(file, sources);
        vault.anchor_restore(principal, &line);
        Ok((vault, restored))
    }

    /// [`Self::refresh`] with the vault file's own error (what is wrong with the file on disk);
    /// the contents held stay as they were on error.
    pub fn reload_file(&mut self) -> Result<bool, VaultError> {
        match &mut self.backend {
            Backend::Memory(_) => Ok(false),
            Backend::File(file) => file.reload(),
        }
    }

    fn restore_record(&self, principal: &str) -> AuditRecord {
        restore_record(&self.sources, principal)
    }

    /// Anchors the restore's line with a vault write of the restored contents — or, for a
    /// backup older than the audit key (its line could not be keyed before), writes the line
    /// now, anchored by the write that makes the key.
    fn anchor_restore(&mut self, principal: &str, line: &RestoreLine) {
        let unkeyed = line.unkeyed.clone();
        // A failure leaves the line after the anchor (or, unkeyed, unwritten: see the notes).
        let _ = self.update_audited(principal, |_, _| Ok(()), move |()| unkeyed);
    }
}

fn restore_record(sources: &Sources, principal: &str) -> AuditRecord {
    AuditRecord {
        time: format_date(sources.clock.now()),
        principal: principal.to_owned(),
        action: RESTORE_ACTION.to_owned(),
        result: "Success".to_owned(),
        request_id: sources.ids.uuid(),
        ..AuditRecord::default()
    }
}

/// The restore's audit line, written before the vault file is replaced.
struct RestoreLine<'a> {
    log: Option<&'a AuditLog>,
    base: AuditRecord,
    /// The line on disk, its log still locked, until the restore is known to have happened.
    written: Option<PendingAppend>,
    /// The line, if the backup had no audit key to write it with beforehand.
    unkeyed: Vec<AuditRecord>,
}

impl<'a> RestoreLine<'a> {
    fn new(log: Option<&'a AuditLog>, base: AuditRecord) -> Self {
        Self {
            log,
            base,
            written: None,
            unkeyed: Vec::new(),
        }
    }

    /// Called by the vault file under its lock, before it replaces the file.
    fn write(&mut self, state: &VaultState, restored: &Restored) -> Result<(), VaultError> {
        let Some(log) = self.log else {
            return Ok(());
        };
        let kept_as = restored.kept_as.as_ref().map(|p| p.display().to_string());
        let record = AuditRecord {
            details: Some(json!({
                "RestoredGeneration": restored.generation,
                "KeptAs": kept_as,
            })),
            ..self.base.clone()
        };
        let Some(anchor) = state.audit_anchor() else {
            self.unkeyed = vec![record];
            return Ok(());
        };
        let refused = |e: VaultError| {
            VaultError::Audit(format!(
                "the restore was refused because its line could not be written ({e}); \
                 nothing was changed"
            ))
        };
        let mut pending = log.begin().map_err(refused)?;
        pending.push(&anchor.key, &record).map_err(refused)?;
        pending.write_synced().map_err(refused)?;
        self.written = Some(pending);
        Ok(())
    }

    /// Unlocks the log after a restore, or takes the line back after a failed one.
    fn settle<R>(&mut self, result: Result<R, VaultError>) -> Result<R, VaultError> {
        if let Some(pending) = self.written.take() {
            match &result {
                Ok(_) => drop(pending.commit()),
                Err(_) => drop(pending.undo()),
            }
        }
        result
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::fs;

    use super::*;
    use crate::core::paths;
    use crate::core::vault::new_vault_state;
    use crate::core::vault_file::{NewProtection, Step, fault};

    #[test]
    fn a_restore_whose_vault_write_fails_takes_its_line_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vault.json");
        let sources = Sources::default();
        let state = new_vault_state(&sources).unwrap();
        let mut vault = Vault::create(&path, state, NewProtection::None, sources).unwrap();
        vault.update(|_, _| Ok(()), "admin").unwrap();
        let log = paths::audit_path(&path);
        let (file, lines) = (fs::read(&path).unwrap(), fs::read(&log).unwrap_or_default());
        fault::fail_at(&[Step::WriteTemp]);
        let err = vault.restore_backup("admin").unwrap_err();
        fault::fail_at(&[]);
        assert!(err.to_string().contains("No space left on device"), "{err}");
        assert_eq!(fs::read(&path).unwrap(), file);
        assert_eq!(fs::read(&log).unwrap_or_default(), lines);
        assert!(!paths::damaged_path(&path, 1).exists());
        // Then it goes through, recorded and anchored.
        vault.restore_backup("admin").unwrap();
        let entries = vault.audit_log().unwrap().read().unwrap();
        assert_eq!(entries.last().unwrap().record.action, RESTORE_ACTION);
        let report = vault
            .audit_log()
            .unwrap()
            .verify(vault.state().audit_anchor())
            .unwrap();
        assert!(report.ok && report.after_anchor == 0, "{report:?}");
    }
}
