//! The console's light copy of the vault: what the screens show (keys, versions, aliases,
//! principals), built by the worker after each change. It never holds key material or
//! AccessKey secrets, so the UI task cannot leak them.

use std::collections::{BTreeMap, HashMap};

use crate::core::clock::format_date;
use crate::core::drill::outlook::{VersionFacts, VersionLookup};
use crate::core::error::KmsError;
use crate::core::key_ref::KeyRef;
use crate::core::model::{Cmk, VaultState};
use crate::core::ops::keys::automatic_rotation;
use crate::core::spec::{KeySpec, KeyState};

/// One version of a key as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionRow {
    pub id: String,
    pub created: String,
}

/// One key as listed, with what its detail pane shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRow {
    pub key_id: String,
    pub arn: String,
    pub aliases: Vec<String>,
    pub spec: KeySpec,
    pub usage: crate::core::spec::KeyUsage,
    pub state: KeyState,
    /// DeletionProtection: ScheduleKeyDeletion is refused while it is on.
    pub deletion_protection: bool,
    pub description: String,
    pub created: String,
    pub creator: String,
    /// `Enabled`, `Disabled` or `Suspended`.
    pub rotation: &'static str,
    pub rotation_interval: Option<u64>,
    pub next_rotation: Option<String>,
    pub delete_date: Option<String>,
    /// Oldest first; the last is primary.
    pub versions: Vec<VersionRow>,
    /// Lower-case text the filter searches.
    haystack: String,
}

impl KeyRow {
    fn of(state: &VaultState, key: &Cmk) -> Self {
        let aliases: Vec<String> = state.aliases_of(&key.key_id).map(str::to_owned).collect();
        let haystack = format!(
            "{} {} {} {} {}",
            aliases.join(" "),
            key.key_id,
            key.key_spec.as_str(),
            key.key_state.as_str(),
            key.description
        )
        .to_lowercase();
        Self {
            key_id: key.key_id.clone(),
            arn: state.key_arn(&key.key_id),
            aliases,
            spec: key.key_spec,
            usage: key.key_usage,
            state: key.key_state,
            deletion_protection: key.deletion_protection,
            description: key.description.clone(),
            created: format_date(key.creation_date),
            creator: key.creator.clone(),
            rotation: automatic_rotation(key),
            rotation_interval: key
                .rotation
                .interval_seconds
                .filter(|_| key.rotation.enabled),
            next_rotation: key.next_rotation_date().map(format_date),
            delete_date: key.delete_date.map(format_date),
            versions: key
                .versions
                .iter()
                .map(|v| VersionRow {
                    id: v.key_version_id.clone(),
                    created: format_date(v.creation_date),
                })
                .collect(),
            haystack,
        }
    }

    pub fn primary(&self) -> Option<&VersionRow> {
        self.versions.last()
    }

    pub fn primary_id(&self) -> &str {
        self.primary().map_or("", |v| v.id.as_str())
    }

    /// How forms refer to the key: its first alias, else its KeyId.
    pub fn reference(&self) -> &str {
        self.aliases.first().unwrap_or(&self.key_id)
    }

    /// The first alias, or `—`.
    pub fn alias_label(&self) -> &str {
        self.aliases.first().map_or("—", String::as_str)
    }

    /// The rotation column: the interval in days, or `off`.
    pub fn rotation_label(&self) -> String {
        match (self.rotation, self.rotation_interval) {
            ("Disabled", _) | (_, None) => "off".to_owned(),
            (state, Some(s)) => {
                let days = s / 86_400;
                let shown = if s % 86_400 == 0 {
                    format!("{days}d")
                } else {
                    format!("{s}s")
                };
                if state == "Suspended" {
                    format!("{shown} (susp.)")
                } else {
                    shown
                }
            }
        }
    }

    pub fn matches(&self, needle_lower: &str) -> bool {
        self.haystack.contains(needle_lower)
    }
}

/// A principal as listed: never its AccessKeySecret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalRow {
    pub name: String,
    pub access_key_ids: Vec<String>,
    /// Each policy document, pretty JSON.
    pub policies: Vec<String>,
}

/// The whole vault as the console shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VaultView {
    pub region: String,
    pub account_id: String,
    pub keys: Vec<KeyRow>,
    pub principals: Vec<PrincipalRow>,
    /// `alias/<name>` → KeyId.
    pub aliases: BTreeMap<String, String>,
    by_id: HashMap<String, usize>,
    /// KeyVersionId → (key index, version index).
    by_version: HashMap<String, (usize, usize)>,
}

impl VaultView {
    pub fn from_state(state: &VaultState) -> Self {
        let keys: Vec<KeyRow> = state.keys().iter().map(|k| KeyRow::of(state, k)).collect();
        let mut by_id = HashMap::with_capacity(keys.len());
        let mut by_version = HashMap::with_capacity(keys.len());
        for (k, key) in keys.iter().enumerate() {
            by_id.insert(key.key_id.clone(), k);
            for (v, version) in key.versions.iter().enumerate() {
                by_version.insert(version.id.clone(), (k, v));
            }
        }
        let principals = state
            .principals()
            .iter()
            .map(|p| PrincipalRow {
                name: p.name.clone(),
                access_key_ids: p
                    .access_keys
                    .iter()
                    .map(|k| k.access_key_id.clone())
                    .collect(),
                policies: p
                    .policies
                    .iter()
                    .map(|d| serde_json::to_string_pretty(d).unwrap_or_default())
                    .collect(),
            })
            .collect();
        Self {
            region: state.region().to_owned(),
            account_id: state.account_id().to_owned(),
            keys,
            principals,
            aliases: state.aliases().clone(),
            by_id,
            by_version,
        }
    }

    pub fn key_index(&self, key_id: &str) -> Option<usize> {
        self.by_id.get(key_id).copied()
    }

    pub fn key(&self, key_id: &str) -> Option<&KeyRow> {
        self.key_index(key_id).and_then(|i| self.keys.get(i))
    }

    /// The key a form's reference names: a KeyId, `alias/…` or key or alias ARN, parsed by the
    /// core as the API parses it ([`KeyRef::parse`]).
    pub fn resolve(&self, key_ref: &str) -> Option<&KeyRow> {
        self.try_resolve(key_ref).ok()
    }

    /// [`Self::resolve`] with the error the API gives for the same reference.
    pub fn try_resolve(&self, key_ref: &str) -> Result<&KeyRow, KmsError> {
        let parsed = KeyRef::parse(key_ref, &self.region, &self.account_id)?;
        let key_id = parsed.key_id(&self.aliases)?;
        self.key(key_id).ok_or(KmsError::KeyNotFound)
    }

    /// The key holding a version, and the version's position in it.
    pub fn version(&self, key_version_id: &str) -> Option<(&KeyRow, usize)> {
        let &(k, v) = self.by_version.get(key_version_id)?;
        Some((self.keys.get(k)?, v))
    }

    /// Indexes of the keys whose alias, id, spec, state or description contain `query`
    /// (case-insensitive); all keys for an empty query.
    pub fn filter(&self, query: &str) -> Vec<usize> {
        let needle = query.trim().to_lowercase();
        if needle.is_empty() {
            return (0..self.keys.len()).collect();
        }
        self.keys
            .iter()
            .enumerate()
            .filter(|(_, k)| k.matches(&needle))
            .map(|(i, _)| i)
            .collect()
    }
}

/// The drill outlook reads the console's copy of the vault as it would the vault.
impl VersionLookup for VaultView {
    fn version_facts(&self, key_version_id: &str) -> Option<VersionFacts<'_>> {
        let (key, at) = self.version(key_version_id)?;
        Some(VersionFacts {
            key_id: &key.key_id,
            key_state: key.state,
            symmetric: key.spec.is_symmetric(),
            primary: at + 1 == key.versions.len(),
        })
    }
}
