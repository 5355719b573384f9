//! Restoring an open vault, or the vault at a path that may not open, to its previous generation
//! (`vault.json.bak`), and recording it in the audit log as `RestoreVault`; and re-reading the
//! file with the file's own error, for a console that reports a damaged file as such.

use std::path::Path;

use serde_json::json;

use super::{Backend, Sources, Vault};
use crate::core::audit::AuditRecord;
use crate::core::clock::format_date;
use crate::core::model::VaultState;
use crate::core::secret::SecretString;
use crate::core::vault_file::{Restored, VaultError, VaultFile};

/// The audit action of a restore.
pub const RESTORE_ACTION: &str = "RestoreVault";

impl Vault {
    /// Restores this vault's file to its previous generation (checked with the key held) and
    /// takes its contents; audited as `principal`.
    pub fn restore_backup(&mut self, principal: &str) -> Result<Restored, VaultError> {
        let restored = match &mut self.backend {
            Backend::Memory(_) => {
                return Err(VaultError::Io(
                    "an in-memory vault has no file to restore".to_owned(),
                ));
            }
            Backend::File(file) => file.restore_backup()?,
        };
        self.audit_restore(principal, &restored);
        Ok(restored)
    }

    /// Restores the vault file at `path` (which may be damaged or gone) to its previous
    /// generation, then opens it (without running maintenance) and audits as `principal`.
    pub fn restore_backup_at(
        path: &Path,
        passphrase: Option<SecretString>,
        principal: &str,
        sources: Sources,
    ) -> Result<(Self, Restored), VaultError> {
        let (file, restored) = VaultFile::<VaultState>::restore_backup_at(path, passphrase)?;
        let mut vault = Self::from_file(file, sources);
        vault.audit_restore(principal, &restored);
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

    /// Records the restore, anchored by a vault write of the restored contents: the backup
    /// carries the audit head of its own generation, and this write brings the anchor up to the
    /// log's end again (lines written since the backup stay verified, not "after the anchor").
    fn audit_restore(&mut self, principal: &str, restored: &Restored) {
        let kept_as = restored.kept_as.as_ref().map(|p| p.display().to_string());
        let record = AuditRecord {
            time: format_date(self.sources.clock.now()),
            principal: principal.to_owned(),
            action: RESTORE_ACTION.to_owned(),
            result: "Success".to_owned(),
            request_id: self.sources.ids.uuid(),
            details: Some(json!({
                "RestoredGeneration": restored.generation,
                "KeptAs": kept_as,
            })),
            ..AuditRecord::default()
        };
        let anchored = record.clone();
        if self
            .update_audited(principal, |_, _| Ok(()), move |()| vec![anchored])
            .is_err()
        {
            self.append_audit(&record);
        }
    }
}
