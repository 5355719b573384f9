//! The drill's outlook: what a drill would do with the lines under each key version — move them
//! to the primary version they go to, keep them as already current, or fail them and why —
//! decided from the vault's facts before any line is decrypted. The console's histogram shows
//! it before a drill starts; it is made here, beside the drill, so the two cannot disagree
//! (`tests/drill_outlook.rs` runs real drills against it). It is an outlook, not a promise: a
//! line can still fail on decryption (a wrong context, altered bytes).

use std::collections::HashSet;

use crate::core::model::VaultState;
use crate::core::spec::KeyState;

/// What a drill would do with the lines of one version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// Re-encrypted to the primary version they go to (in place: their own key's).
    Moves,
    /// Already under the primary version they would go to; kept.
    Current,
    /// Blank lines; kept as they are.
    Kept,
    /// Reported as failed, for this reason.
    Fails(&'static str),
    /// No destination chosen that the vault has: nothing can be said yet.
    Unknown,
}

/// What the outlook needs to know of the key that holds a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VersionFacts<'a> {
    pub key_id: &'a str,
    pub key_state: KeyState,
    pub symmetric: bool,
    /// The version is its key's primary version.
    pub primary: bool,
}

/// Where the vault's facts come from: the vault itself, or a front end's copy of it.
pub trait VersionLookup {
    /// The facts of the key holding `key_version_id`, if the vault has it.
    fn version_facts(&self, key_version_id: &str) -> Option<VersionFacts<'_>>;
}

impl VersionLookup for VaultState {
    fn version_facts(&self, key_version_id: &str) -> Option<VersionFacts<'_>> {
        let (key, version) = self.version(key_version_id)?;
        Some(VersionFacts {
            key_id: &key.key_id,
            key_state: key.key_state,
            symmetric: key.key_spec.is_symmetric(),
            primary: key
                .primary()
                .is_some_and(|p| p.key_version_id == version.key_version_id),
        })
    }
}

/// Where a drill sends the lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination<'a> {
    /// To the primary version of this key (its KeyId).
    Key(&'a str),
    /// Each symmetric line to its own key's primary version.
    InPlace,
    /// A destination this vault does not have.
    Unknown,
}

/// The fate of the lines under each of `versions` (KeyVersionIds, as a scan of the input found
/// them), in the same order. `rotate`: the drill first makes a new version of the destination
/// key (in place: of each key with lines under an older version), so lines under the old
/// primary move too.
pub fn fates(
    vault: &dyn VersionLookup,
    versions: &[&str],
    destination: Destination<'_>,
    rotate: bool,
) -> Vec<Fate> {
    // In place, rotating first makes a new version of each key that has lines under an old one.
    let rotated: HashSet<&str> = if rotate && destination == Destination::InPlace {
        versions
            .iter()
            .filter_map(|id| vault.version_facts(id))
            .filter(|f| f.symmetric && !f.primary)
            .map(|f| f.key_id)
            .collect()
    } else {
        HashSet::new()
    };
    versions
        .iter()
        .map(|id| {
            let Some(facts) = vault.version_facts(id) else {
                return Fate::Fails("not in vault");
            };
            match destination {
                Destination::Unknown => Fate::Unknown,
                _ if facts.key_state == KeyState::Disabled => Fate::Fails("key disabled"),
                _ if facts.key_state == KeyState::PendingDeletion => {
                    Fate::Fails("pending deletion")
                }
                _ if facts.key_state == KeyState::PendingImport => Fate::Fails("pending import"),
                Destination::InPlace if !facts.symmetric => Fate::Fails("needs a destination"),
                Destination::InPlace if facts.primary && !rotated.contains(facts.key_id) => {
                    Fate::Current
                }
                Destination::Key(key_id) if key_id == facts.key_id && facts.primary && !rotate => {
                    Fate::Current
                }
                Destination::InPlace | Destination::Key(_) => Fate::Moves,
            }
        })
        .collect()
}
