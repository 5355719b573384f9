//! What a drill found and did: totals, the count under each key version before and after, the
//! failed lines with their API codes — as the report document and the audit record's details.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::{Value, json};

use super::plan::Outcome;
use crate::core::model::VaultState;

/// Line counts. `lines` = `re_encrypted + already_current + failed + empty`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DrillTotals {
    pub lines: u64,
    /// Re-encrypted and verified (in a dry run: would be re-encrypted).
    pub re_encrypted: u64,
    /// Already under the destination's primary version; kept as they were.
    pub already_current: u64,
    /// Kept as they were and listed in `Failures`.
    pub failed: u64,
    /// Blank lines, kept.
    pub empty: u64,
}

/// How many lines sit under one key version before the drill and after it. Failed lines stay
/// where they were; lines whose blob names no version of this vault are in no row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct VersionCount {
    pub key_id: String,
    pub key_version_id: String,
    pub before: u64,
    pub after: u64,
}

/// Lines of one key before the drill and after it, and the key's primary version when the drill
/// ran: the per-key view of [`VersionCount`] (and what each key's audit entry records).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyCount {
    pub key_id: String,
    pub primary_key_version_id: String,
    pub before: u64,
    pub after: u64,
}

/// A key rotated (CreateKeyVersion) before the lines were read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Rotation {
    pub key_id: String,
    pub from_key_version_id: String,
    pub to_key_version_id: String,
}

/// The code of an RSA / SM2 line in a drill in place: it has no symmetric key of its own.
pub const DESTINATION_REQUIRED: &str = "Drill.DestinationRequired";

/// A line that could not be re-encrypted: its number (from 1), API code and message. The
/// message never holds plaintext or context values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LineFailure {
    pub line: u64,
    pub code: String,
    pub message: String,
}

/// The result of a drill.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DrillReport {
    /// Empty (and left out of the document) in place.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub destination_key_id: String,
    /// The primary version everything was moved to; empty in place.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub destination_key_version_id: String,
    /// No destination key: each symmetric line went to its own key's primary version.
    pub in_place: bool,
    /// Whether keys were rotated first (see [`super::run_job`]); which ones in `rotations`.
    pub rotated: bool,
    pub rotations: Vec<Rotation>,
    pub dry_run: bool,
    pub threads: usize,
    pub totals: DrillTotals,
    /// Sorted by KeyId, then oldest version first.
    pub versions: Vec<VersionCount>,
    /// The same counts per key, sorted by KeyId.
    pub keys: Vec<KeyCount>,
    /// In line order, at most `max_failures` of them.
    pub failures: Vec<LineFailure>,
    pub failures_omitted: u64,
    pub elapsed_seconds: f64,
    pub lines_per_second: f64,
}

impl DrillReport {
    /// The audit record's details: the counts, never a plaintext or context value.
    pub fn audit_details(&self) -> Value {
        json!({
            "DryRun": self.dry_run,
            "InPlace": self.in_place,
            "Rotated": self.rotated,
            "Rotations": self.rotations,
            "Totals": self.totals,
            "Versions": self.versions,
        })
    }
}

/// Counts of a batch, and of the whole drill once batches are merged in order.
#[derive(Debug, Default)]
pub(super) struct Tally<'s> {
    pub totals: DrillTotals,
    /// KeyVersionId → [before, after].
    versions: HashMap<&'s str, [u64; 2]>,
    pub failures: Vec<LineFailure>,
    pub failures_omitted: u64,
}

impl<'s> Tally<'s> {
    /// Counts one line's outcome.
    pub fn record(&mut self, line: u64, outcome: Outcome<'s>) {
        self.totals.lines += 1;
        match outcome {
            Outcome::Empty => self.totals.empty += 1,
            Outcome::Current(version) => {
                self.totals.already_current += 1;
                self.count(version, version);
            }
            Outcome::ReEncrypted(from, to) => {
                self.totals.re_encrypted += 1;
                self.count(from, to);
            }
            Outcome::NeedsDestination(version) => {
                self.totals.failed += 1;
                if let Some(version) = version {
                    self.count(version, version);
                }
                self.failures.push(LineFailure {
                    line,
                    code: DESTINATION_REQUIRED.to_owned(),
                    message:
                        "This RSA / SM2 line (SourceEncryptionAlgorithm) has no symmetric key \
                              of its own to move to in place; give a DestinationKeyId."
                            .to_owned(),
                });
            }
            Outcome::Failed(version, error) => {
                self.totals.failed += 1;
                if let Some(version) = version {
                    self.count(version, version);
                }
                self.failures.push(LineFailure {
                    line,
                    code: error.code().to_owned(),
                    message: error.to_string(),
                });
            }
        }
    }

    fn count(&mut self, before: &'s str, after: &'s str) {
        self.versions.entry(before).or_default()[0] += 1;
        self.versions.entry(after).or_default()[1] += 1;
    }

    /// Adds a later batch; keeps at most `max_failures` listed failures.
    pub fn merge(&mut self, other: Tally<'s>, max_failures: usize) {
        let t = &mut self.totals;
        t.lines += other.totals.lines;
        t.re_encrypted += other.totals.re_encrypted;
        t.already_current += other.totals.already_current;
        t.failed += other.totals.failed;
        t.empty += other.totals.empty;
        for (version, [before, after]) in other.versions {
            let entry = self.versions.entry(version).or_default();
            entry[0] += before;
            entry[1] += after;
        }
        let room = max_failures.saturating_sub(self.failures.len());
        let omitted = other.failures.len().saturating_sub(room);
        self.failures.extend(other.failures.into_iter().take(room));
        self.failures_omitted +=
            u64::try_from(omitted).unwrap_or(u64::MAX) + other.failures_omitted;
    }

    /// The version table, sorted by KeyId and then by the versions' order in their key.
    pub fn version_counts(&self, state: &VaultState) -> Vec<VersionCount> {
        let mut rows: Vec<(usize, VersionCount)> = self
            .versions
            .iter()
            .filter_map(|(&id, &[before, after])| {
                let (key, _) = state.version(id)?;
                let order = key.versions.iter().position(|v| v.key_version_id == id)?;
                Some((
                    order,
                    VersionCount {
                        key_id: key.key_id.clone(),
                        key_version_id: id.to_owned(),
                        before,
                        after,
                    },
                ))
            })
            .collect();
        rows.sort_by(|(a_order, a), (b_order, b)| {
            a.key_id.cmp(&b.key_id).then(a_order.cmp(b_order))
        });
        rows.into_iter().map(|(_, row)| row).collect()
    }
}

/// Sums version rows (sorted by KeyId) per key.
pub(super) fn key_counts(state: &VaultState, versions: &[VersionCount]) -> Vec<KeyCount> {
    let mut keys: Vec<KeyCount> = Vec::new();
    for row in versions {
        match keys.last_mut() {
            Some(last) if last.key_id == row.key_id => {
                last.before += row.before;
                last.after += row.after;
            }
            _ => keys.push(KeyCount {
                key_id: row.key_id.clone(),
                primary_key_version_id: state
                    .key(&row.key_id)
                    .map(|k| k.primary_version_id().to_owned())
                    .unwrap_or_default(),
                before: row.before,
                after: row.after,
            }),
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::error::KmsError;

    fn failing(lines: std::ops::Range<u64>) -> Tally<'static> {
        let mut t = Tally::default();
        for line in lines {
            t.record(
                line,
                Outcome::Failed(Some("v1"), KmsError::InvalidCiphertext),
            );
        }
        t
    }

    #[test]
    fn merging_adds_counts_and_caps_the_listed_failures() {
        let mut all = Tally::default();
        all.merge(failing(1..4), 5);
        all.merge(failing(4..8), 5);
        let mut moved = Tally::default();
        moved.record(8, Outcome::ReEncrypted("v1", "v2"));
        moved.record(9, Outcome::Current("v2"));
        moved.record(10, Outcome::Empty);
        all.merge(moved, 5);
        assert_eq!(
            all.totals,
            DrillTotals {
                lines: 10,
                re_encrypted: 1,
                already_current: 1,
                failed: 7,
                empty: 1
            }
        );
        assert_eq!(
            all.failures.iter().map(|f| f.line).collect::<Vec<_>>(),
            [1, 2, 3, 4, 5]
        );
        assert_eq!(all.failures_omitted, 2);
        assert_eq!(all.failures[0].code, "InvalidParameter");
        assert_eq!(all.versions.get("v1"), Some(&[8, 7]));
        assert_eq!(all.versions.get("v2"), Some(&[1, 2]));
    }
}
