//! The audit side of vault writes (product §12), failing closed: no change is saved and no call
//! answered unless its audit lines are on disk, as Vault's audit devices do. Every write records
//! the audit head in the vault, and a change's own lines are anchored by the write that makes it.
//!
//! The order of one audited change, under the vault's lock:
//! 1. re-read the vault if another process saved, apply the change (if it fails, nothing is
//!    written and the caller audits the failure as an ordinary line);
//! 2. lock the log and find its last line (appends from other processes wait from here on),
//!    push the change's lines, keyed, and record the new head in the vault;
//! 3. write the lines and sync them — if that fails (full disk, read-only log), the log is cut
//!    back, nothing is saved and the call fails with `InternalFailure` naming the log;
//! 4. write the vault — if that fails, the lines are taken back (the log cut to its length at
//!    step 2, which needs no free space) and the call fails;
//! 5. unlock the log.
//!
//! So a change is never saved without its lines: the lines reach the disk first. The reverse
//! order would leave an unaudited change whenever the line write failed after the vault write.
//! What can remain is the lesser fault, never the greater: a crash between 3 and 4 (or a log
//! that cannot even be cut back at 4) leaves lines for a change that was not saved, after the
//! anchor — `audit verify` counts them as "after the anchor" until the next vault write anchors
//! them. Their RequestId matches no answer any caller received.
//!
//! A call that changes nothing (a crypto operation, a read, a failed call) is audited by
//! [`Vault::append_audit`] once it has run and before its result is handed out: if the line
//! cannot be written the result is dropped and the call fails instead.

use std::slice;

use super::{Backend, Vault};
use crate::core::audit::{AuditAnchor, AuditKey, AuditLog, AuditRecord, PendingAppend};
use crate::core::error::KmsError;
use crate::core::model::VaultState;
use crate::core::ops::Ctx;
use crate::core::vault_file::VaultError;

/// The error of a call refused because its audit lines could not be written.
pub(crate) fn audit_refused(e: &VaultError) -> KmsError {
    KmsError::InternalFailure(format!(
        "the call was refused because its audit line could not be written ({e}); \
         nothing runs unaudited"
    ))
}

impl Vault {
    /// Applies a change under the vault's lock; nothing is written if `f` fails. The write
    /// records the audit head; the caller audits the change afterwards (after the anchor).
    pub fn update<R>(
        &mut self,
        f: impl FnOnce(&mut VaultState, &Ctx<'_>) -> Result<R, KmsError>,
        principal: &str,
    ) -> Result<R, KmsError> {
        self.update_audited(principal, f, |_| Vec::new())
    }

    /// Applies a change under the vault's lock with the audit lines `records` makes of its
    /// result, written before the vault and anchored by it (see the module notes for the
    /// order). If `f`, the lines or the vault write fail, neither the change nor its lines stay:
    /// audit the error as any failed call.
    pub fn update_audited<R>(
        &mut self,
        principal: &str,
        f: impl FnOnce(&mut VaultState, &Ctx<'_>) -> Result<R, KmsError>,
        records: impl FnOnce(&R) -> Vec<AuditRecord>,
    ) -> Result<R, KmsError> {
        let Self {
            backend,
            audit,
            sources,
        } = self;
        let ctx = Ctx {
            principal,
            clock: sources.clock.as_ref(),
            ids: sources.ids.as_ref(),
        };
        match backend {
            Backend::Memory(state) => {
                let mut draft = state.as_ref().clone();
                let out = f(&mut draft, &ctx)?;
                **state = draft;
                Ok(out)
            }
            Backend::File(file) => {
                // Lines on disk, kept locked until the vault write is known to have succeeded.
                let mut written: Option<PendingAppend> = None;
                let saved = file.update(|state| {
                    let out = f(state, &ctx)?;
                    if let Some(log) = audit {
                        let mut pending = anchor_lines(state, log, &records(&out))?;
                        pending.write_synced().map_err(|e| audit_refused(&e))?;
                        written = Some(pending);
                    }
                    Ok::<_, KmsError>(out)
                });
                if let Some(pending) = written {
                    match &saved {
                        // Nothing is left to write: this only unlocks.
                        Ok(_) => drop(pending.commit()),
                        // The change was not saved: its lines go too (see the module notes).
                        Err(_) => drop(pending.undo()),
                    }
                }
                saved
            }
        }
    }

    /// Appends one line to the audit log, after the anchor (see [`Vault::append_audit_all`]).
    pub fn append_audit(&mut self, record: &AuditRecord) -> Result<(), KmsError> {
        self.append_audit_all(slice::from_ref(record))
    }

    /// Appends lines to the audit log in one write, after the anchor. A vault an older version
    /// wrote gets its audit key first (one vault write, anchoring these lines). An error —
    /// `InternalFailure` naming the log — means no line was written: the caller must then not
    /// hand out the result of the call they record (fail closed).
    pub fn append_audit_all(&mut self, records: &[AuditRecord]) -> Result<(), KmsError> {
        if self.audit.is_none() || records.is_empty() {
            return Ok(());
        }
        if self.state().audit_anchor().is_some() {
            return self.append_anchored(records);
        }
        let records = records.to_vec();
        self.update_audited(
            crate::core::ops::maintenance::SYSTEM_PRINCIPAL,
            |_, _| Ok(()),
            |()| records,
        )
    }

    /// [`Vault::append_audit_all`] for a vault that already has its audit key (and for callers
    /// that hold only a shared borrow): an error if it has none.
    pub(crate) fn append_anchored(&self, records: &[AuditRecord]) -> Result<(), KmsError> {
        let Some(log) = &self.audit else {
            return Ok(());
        };
        let Some(anchor) = self.state().audit_anchor() else {
            return Err(KmsError::InternalFailure(
                "the vault has no audit key yet".into(),
            ));
        };
        let append = || {
            let mut pending = log.begin()?;
            for record in records {
                pending.push(&anchor.key, record)?;
            }
            pending.commit()
        };
        append().map_err(|e| audit_refused(&e))
    }
}

/// Step 2: locks the log, pushes `records` after its last line, and moves the vault's anchor to
/// the new head — creating the key first for a vault that has none (its older lines stay
/// unkeyed). The anchor only moves on if the line it names is still in place: a log cut or
/// rewritten behind it keeps the old anchor, so `verify` goes on reporting the damage.
fn anchor_lines(
    state: &mut VaultState,
    log: &AuditLog,
    records: &[AuditRecord],
) -> Result<PendingAppend, KmsError> {
    let mut pending = log.begin().map_err(|e| audit_refused(&e))?;
    let slot = state.audit_anchor_mut();
    if slot.is_none() {
        *slot = Some(AuditAnchor::new(AuditKey::generate()?, pending.head()));
    }
    let Some(anchor) = slot.as_mut() else {
        return Err(KmsError::InternalFailure("no audit anchor".into()));
    };
    let intact = pending.still_holds(
        anchor.head_seq,
        anchor.head_mac.as_deref(),
        anchor.head_offset,
    );
    for record in records {
        pending.push(&anchor.key, record)?;
    }
    if intact {
        anchor.set_head(pending.head());
    }
    Ok(pending)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::fs;

    use super::*;
    use crate::core::vault::{Sources, new_vault_state};
    use crate::core::vault_file::{NewProtection, Step, fault};

    fn line(action: &str) -> AuditRecord {
        AuditRecord {
            principal: "admin".into(),
            action: action.into(),
            result: "Success".into(),
            ..AuditRecord::default()
        }
    }

    #[test]
    fn a_change_whose_vault_write_fails_takes_its_lines_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vault.json");
        let sources = Sources::default();
        let state = new_vault_state(&sources).unwrap();
        let mut vault = Vault::create(&path, state, NewProtection::None, sources).unwrap();
        vault.append_audit(&line("Encrypt")).unwrap();
        let log = vault.audit_log().unwrap().path().to_path_buf();
        let before = fs::read(&log).unwrap();
        let saved = fs::read(&path).unwrap();
        for step in [Step::CreateTemp, Step::WriteTemp, Step::RenameTemp] {
            fault::fail_at(&[step]);
            let result = vault.update_audited("admin", |_, _| Ok(()), |()| vec![line("Change")]);
            fault::fail_at(&[]);
            let err = result.unwrap_err();
            assert_eq!(err.code(), "InternalFailure", "{step:?}");
            assert_eq!(fs::read(&log).unwrap(), before, "{step:?}");
            assert_eq!(fs::read(&path).unwrap(), saved, "{step:?}");
        }
        // The log is unlocked again and whole: the next change writes its line after the last.
        vault
            .update_audited("admin", |_, _| Ok(()), |()| vec![line("Change")])
            .unwrap();
        let entries = vault.audit_log().unwrap().read().unwrap();
        let actions: Vec<&str> = entries.iter().map(|e| e.record.action.as_str()).collect();
        assert_eq!(actions, ["Encrypt", "Change"]);
    }
}
