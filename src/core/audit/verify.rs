//! `audit verify`: every line's MAC (or, before the upgrade, hash), `seq` counting 1, 2, 3, …,
//! each `prev` naming the line before, and the log against the anchor the vault holds — so
//! lines cut from the end, an emptied or a deleted log fail too.

use serde::Serialize;

use super::anchor::AuditAnchor;
use super::{AuditLog, Seal, line};
use crate::core::vault_file::VaultError;

/// The outcome of [`AuditLog::verify`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditVerifyReport {
    /// Lines looked at: all of them if `ok`, else up to and including the first bad one.
    pub lines_checked: usize,
    pub ok: bool,
    /// The first bad line (from 1) and what is wrong with it; for a log shorter than the
    /// anchor, the first missing line.
    pub first_bad_line: Option<(usize, String)>,
    /// Lines at the start written before the chain was keyed (plain SHA-256, which anyone can
    /// recompute), and the seq of the last of them.
    pub legacy_lines: usize,
    pub legacy_until: Option<u64>,
    /// The line the vault's anchor names (0: the log was empty at the last vault write);
    /// `None` if the vault holds no anchor (never written by this version).
    pub anchor_seq: Option<u64>,
    /// Lines appended since the last vault write: checked, but nothing outside the log
    /// vouches that none were cut from among them.
    pub after_anchor: usize,
    /// The chain value of the last line if `ok` and the log is not empty.
    pub last_mac: Option<String>,
    /// The findings in words, one per line of the report.
    pub notes: Vec<String>,
}

impl AuditLog {
    /// Checks the log against `anchor` (the vault's; `None` for a vault an older version wrote,
    /// whose unkeyed lines can be checked only among themselves). Stops at the first bad line.
    pub fn verify(&self, anchor: Option<&AuditAnchor>) -> Result<AuditVerifyReport, VaultError> {
        let mut check = Check::new(anchor);
        let exists = self.for_each_line(|n, bytes, complete| {
            check.report.lines_checked = n;
            match check.line(n, bytes, complete) {
                Ok(()) => Ok(true),
                Err(reason) => {
                    check.report.ok = false;
                    check.report.first_bad_line = Some((n, reason));
                    Ok(false)
                }
            }
        })?;
        Ok(check.finish(exists))
    }
}

struct Check<'a> {
    anchor: Option<&'a AuditAnchor>,
    prev: String,
    report: AuditVerifyReport,
}

impl<'a> Check<'a> {
    fn new(anchor: Option<&'a AuditAnchor>) -> Self {
        Self {
            anchor,
            prev: line::ZERO_HASH.to_owned(),
            report: AuditVerifyReport {
                lines_checked: 0,
                ok: true,
                first_bad_line: None,
                legacy_lines: 0,
                legacy_until: None,
                anchor_seq: anchor.map(|a| a.head_seq),
                after_anchor: 0,
                last_mac: None,
                notes: Vec::new(),
            },
        }
    }

    /// Line `n`: sound and following the line before, or why not.
    fn line(&mut self, n: usize, bytes: &[u8], complete: bool) -> Result<(), String> {
        if !complete {
            return Err("it is incomplete (no final newline): the log was cut short".to_owned());
        }
        let entry = line::parse(bytes)?;
        let seq = u64::try_from(n).unwrap_or(u64::MAX);
        match (&entry.seal, self.anchor) {
            (Seal::Hash(_), Some(a)) if seq >= a.keyed_from => {
                return Err(format!(
                    "it is unkeyed (a plain hash) where the vault expects keyed lines from seq {}: \
                     it was forged or rewritten",
                    a.keyed_from
                ));
            }
            (Seal::Hash(_), _) => {
                self.report.legacy_lines += 1;
                self.report.legacy_until = Some(seq);
            }
            (Seal::Mac(_), None) => {
                return Err(
                    "it is keyed, but the vault holds no audit key to check it with".to_owned(),
                );
            }
            (Seal::Mac(_), Some(a)) => {
                if seq < a.keyed_from {
                    return Err(format!(
                        "it is keyed, but the vault's chain was keyed only from seq {}",
                        a.keyed_from
                    ));
                }
                line::check_mac(bytes, &entry, &a.key)?;
            }
        }
        if entry.seq != seq {
            return Err(format!(
                "its seq is {}, not {n}: a line was removed or the lines were reordered",
                entry.seq
            ));
        }
        if entry.prev != self.prev {
            return Err(
                "its prev does not match the MAC of the line before: a line was edited, removed or moved"
                    .to_owned(),
            );
        }
        if let Some(a) = self.anchor.filter(|a| a.head_seq == seq)
            && a.head_mac.as_deref() != Some(entry.chain())
        {
            return Err(
                "it is not the line the vault's anchor names: the log was rewritten".to_owned(),
            );
        }
        entry.chain().clone_into(&mut self.prev);
        Ok(())
    }

    /// The checks on the log as a whole, once every line passed: not shorter than the anchor.
    fn finish(mut self, exists: bool) -> AuditVerifyReport {
        let r = &mut self.report;
        let lines = r.lines_checked;
        if r.ok
            && let Some(a) = self.anchor
        {
            let anchored = usize::try_from(a.head_seq).unwrap_or(usize::MAX);
            if lines < anchored {
                r.ok = false;
                let why = if !exists {
                    format!(
                        "the log is missing, but the vault's anchor says it holds {anchored} lines"
                    )
                } else if lines == 0 {
                    format!(
                        "the log is empty, but the vault's anchor says it holds {anchored} lines"
                    )
                } else {
                    format!(
                        "the log ends at line {lines}, but the vault's anchor says it holds \
                         {anchored} lines: lines were cut from the end"
                    )
                };
                r.first_bad_line = Some((lines + 1, why));
            } else {
                r.after_anchor = lines - anchored;
            }
        }
        if r.ok {
            if lines > 0 {
                r.last_mac = Some(self.prev);
            }
            r.notes = notes(r, self.anchor);
        } else if let Some((line, why)) = &r.first_bad_line {
            r.notes = vec![format!("line {line}: {why}")];
        }
        self.report
    }
}

fn notes(r: &AuditVerifyReport, anchor: Option<&AuditAnchor>) -> Vec<String> {
    let mut notes = vec![format!("{} lines, chain intact", r.lines_checked)];
    if let Some(until) = r.legacy_until {
        notes.push(format!(
            "{} legacy lines, unkeyed, up to seq {until} (written before the chain was keyed: \
             anyone could have recomputed them)",
            r.legacy_lines
        ));
    }
    match anchor {
        Some(a) => {
            notes.push(format!(
                "anchored in the vault up to seq {}: nothing was cut before it",
                a.head_seq
            ));
            notes.push(format!(
                "{} lines after the anchor (appended since the last vault write)",
                r.after_anchor
            ));
        }
        None => notes.push(
            "the vault holds no anchor yet (written by an older version): lines cut from the \
             end cannot be detected until its next write"
                .to_owned(),
        ),
    }
    notes
}
