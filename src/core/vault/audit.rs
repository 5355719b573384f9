//! The audit side of vault writes (product §12): every write records the audit head in the
//! vault, and a change's own audit lines are anchored by the very write that makes the change.
//!
//! The order of one audited change, under the vault's lock:
//! 1. re-read the vault if another process saved, apply the change (if it fails, nothing is
//!    written and the caller audits the failure as an ordinary line);
//! 2. lock the log and find its last line (appends from other processes wait from here on),
//!    push the change's lines, keyed, and record the new head in the vault;
//! 3. write the vault;
//! 4. if the write succeeded, write the lines and unlock the log; if it failed, drop them
//!    unwritten (the change did not happen) and return the error, which the caller audits.
//!
//! So a line saying `Success` is never written for a change that was not saved, and the anchor
//! never names a line other than the one written. A crash between 3 and 4 leaves an anchor past
//! the end of the log, and `audit verify` reports those lines as missing — which they are.

use super::{Backend, Vault};
use crate::core::audit::{AuditAnchor, AuditKey, AuditLog, AuditRecord, PendingAppend};
use crate::core::error::KmsError;
use crate::core::model::VaultState;
use crate::core::ops::Ctx;

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

    /// Applies a change under the vault's lock and writes the audit lines `records` makes of
    /// its result, anchored by the same vault write (see the module notes for the order). If
    /// `f` or the write fails, no line is written: audit the error as any failed call.
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
                let (out, pending) = file.update(|state| {
                    let out = f(state, &ctx)?;
                    let pending = match audit {
                        Some(log) => Some(anchor_lines(state, log, &records(&out))?),
                        None => None,
                    };
                    Ok::<_, KmsError>((out, pending))
                })?;
                // The change is saved: a failure to write its lines now shows in `audit
                // verify` (the anchor names lines the log lacks), not as a failed call.
                if let Some(pending) = pending {
                    let _ = pending.commit();
                }
                Ok(out)
            }
        }
    }

    /// Appends to the audit log, after the anchor. A vault an older version wrote gets its audit
    /// key first (one vault write, anchoring this line). A failure to audit is reported on the
    /// next `audit verify` rather than failing the operation that already happened.
    pub fn append_audit(&mut self, record: &AuditRecord) -> bool {
        let Some(log) = &self.audit else {
            return true;
        };
        if let Some(anchor) = self.state().audit_anchor() {
            return log.append(&anchor.key, record).is_ok();
        }
        let record = record.clone();
        self.update_audited(
            crate::core::ops::maintenance::SYSTEM_PRINCIPAL,
            |_, _| Ok(()),
            |()| vec![record],
        )
        .is_ok()
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
    let mut pending = log.begin()?;
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
