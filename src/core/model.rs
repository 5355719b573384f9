//! The vault's contents in memory: CMKs with their versions and material, aliases and
//! principals, with the indexes that find a key by id and a version by id in O(1).

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

mod external;
mod principal;

use super::audit::AuditAnchor;
use super::clock::UnixTime;
use super::material::KeyMaterial;
use super::spec::{KeySpec, KeyState, KeyUsage};

pub use external::{ExternalKey, ImportToken};
pub use principal::{AccessKey, MAX_ACCESS_KEYS, Principal};

/// Default region of a new vault.
pub const DEFAULT_REGION: &str = "cn-hangzhou";

/// One version of a CMK: its id, when it was made and its key material.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyVersion {
    pub key_version_id: String,
    pub creation_date: UnixTime,
    pub material: KeyMaterial,
}

impl std::fmt::Debug for KeyVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyVersion")
            .field("key_version_id", &self.key_version_id)
            .field("creation_date", &self.creation_date)
            .finish_non_exhaustive()
    }
}

/// The automatic rotation policy of a CMK.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RotationPolicy {
    pub enabled: bool,
    /// Interval in seconds; set whenever `enabled` is.
    pub interval_seconds: Option<u64>,
}

/// A customer master key.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Cmk {
    pub key_id: String,
    pub key_spec: KeySpec,
    pub key_usage: KeyUsage,
    pub key_state: KeyState,
    pub description: String,
    pub creation_date: UnixTime,
    pub creator: String,
    #[serde(default)]
    pub delete_date: Option<UnixTime>,
    #[serde(default)]
    pub rotation: RotationPolicy,
    #[serde(default)]
    pub deletion_protection: bool,
    /// Oldest first; the last one is the primary version. Never empty, except for an
    /// `EXTERNAL` key without its material (PendingImport).
    pub versions: Vec<KeyVersion>,
    /// `DeletionProtectionDescription` (§11.4); kept only while protection is on.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub deletion_protection_description: String,
    /// Tags, TagKey → TagValue (§11.5).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// Set for keys of Origin `EXTERNAL` (§11.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external: Option<ExternalKey>,
}

impl Cmk {
    /// The primary version: the one that encrypts.
    pub fn primary(&self) -> Option<&KeyVersion> {
        self.versions.last()
    }

    pub fn primary_version_id(&self) -> &str {
        self.primary().map_or("", |v| v.key_version_id.as_str())
    }

    /// `LastRotationDate`: the creation of the newest version.
    pub fn last_rotation_date(&self) -> UnixTime {
        self.primary()
            .map_or(self.creation_date, |v| v.creation_date)
    }

    /// When automatic rotation is next due, if the policy is on.
    pub fn next_rotation_date(&self) -> Option<UnixTime> {
        let interval = self.rotation.interval_seconds?;
        self.rotation.enabled.then(|| {
            self.last_rotation_date()
                .saturating_add(i64::try_from(interval).unwrap_or(i64::MAX))
        })
    }

    pub fn version(&self, id: &str) -> Option<&KeyVersion> {
        self.versions.iter().find(|v| v.key_version_id == id)
    }

    /// `Aliyun_KMS` or `EXTERNAL`.
    pub fn origin(&self) -> &'static str {
        if self.external.is_some() {
            super::spec::ORIGIN_EXTERNAL
        } else {
            super::spec::ORIGIN
        }
    }
}

/// The stored part of the vault: what goes into the vault file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VaultData {
    pub region: String,
    pub account_id: String,
    pub keys: Vec<Cmk>,
    /// `alias/<name>` → KeyId.
    pub aliases: BTreeMap<String, String>,
    pub principals: Vec<Principal>,
    /// The audit chain's key and anchor (§12); absent in vaults an older version wrote, until
    /// their first write.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit: Option<AuditAnchor>,
}

/// Hasher of the id indexes: ids are UUIDs this vault made, looked up twice per ReEncrypt, so a
/// fast (still randomly seeded) hash is worth having over SipHash.
type IdHasher = foldhash::fast::RandomState;

/// The vault in memory: [`VaultData`] plus lookup indexes rebuilt on load and on every change
/// that moves keys.
#[derive(Debug, Clone, Deserialize)]
#[serde(from = "VaultData")]
pub struct VaultState {
    data: VaultData,
    by_key_id: HashMap<String, usize, IdHasher>,
    /// `acs:kms:<region>:<account>:key/`, kept so permission checks build no strings.
    arn_prefix: String,
    /// KeyVersionId → (key index, version index).
    by_version_id: HashMap<String, (usize, usize), IdHasher>,
}

impl From<VaultData> for VaultState {
    fn from(data: VaultData) -> Self {
        let arn_prefix = format!("acs:kms:{}:{}:key/", data.region, data.account_id);
        let mut state = Self {
            data,
            arn_prefix,
            by_key_id: HashMap::default(),
            by_version_id: HashMap::default(),
        };
        state.reindex();
        state
    }
}

impl Serialize for VaultState {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.data.serialize(s)
    }
}

impl VaultState {
    /// An empty vault in `region` with a fresh 16-digit account id.
    pub fn new(region: &str, account_id: &str) -> Self {
        VaultData {
            region: region.to_owned(),
            account_id: account_id.to_owned(),
            keys: Vec::new(),
            aliases: BTreeMap::new(),
            principals: Vec::new(),
            audit: None,
        }
        .into()
    }

    pub fn data(&self) -> &VaultData {
        &self.data
    }

    pub fn region(&self) -> &str {
        &self.data.region
    }

    pub fn account_id(&self) -> &str {
        &self.data.account_id
    }

    pub fn keys(&self) -> &[Cmk] {
        &self.data.keys
    }

    pub fn aliases(&self) -> &BTreeMap<String, String> {
        &self.data.aliases
    }

    pub fn principals(&self) -> &[Principal] {
        &self.data.principals
    }

    pub fn principal(&self, name: &str) -> Option<&Principal> {
        self.data.principals.iter().find(|p| p.name == name)
    }

    /// The principal holding this AccessKeyId, and the pair (for the HTTP endpoint's signature
    /// checks).
    pub fn access_key(&self, access_key_id: &str) -> Option<(&Principal, &AccessKey)> {
        self.data.principals.iter().find_map(|p| {
            p.access_keys
                .iter()
                .find(|k| k.access_key_id == access_key_id)
                .map(|k| (p, k))
        })
    }

    pub(crate) fn principals_mut(&mut self) -> &mut Vec<Principal> {
        &mut self.data.principals
    }

    /// The audit chain's key and anchor, if this vault has them yet.
    pub fn audit_anchor(&self) -> Option<&AuditAnchor> {
        self.data.audit.as_ref()
    }

    pub(crate) fn audit_anchor_mut(&mut self) -> &mut Option<AuditAnchor> {
        &mut self.data.audit
    }

    pub(crate) fn aliases_mut(&mut self) -> &mut BTreeMap<String, String> {
        &mut self.data.aliases
    }

    /// The key with this exact KeyId.
    pub fn key(&self, key_id: &str) -> Option<&Cmk> {
        self.by_key_id
            .get(key_id)
            .and_then(|&i| self.data.keys.get(i))
    }

    pub(crate) fn key_mut(&mut self, key_id: &str) -> Option<&mut Cmk> {
        let i = *self.by_key_id.get(key_id)?;
        self.data.keys.get_mut(i)
    }

    /// The key and version holding this KeyVersionId.
    pub fn version(&self, key_version_id: &str) -> Option<(&Cmk, &KeyVersion)> {
        let &(k, v) = self.by_version_id.get(key_version_id)?;
        let key = self.data.keys.get(k)?;
        Some((key, key.versions.get(v)?))
    }

    /// The ARN of a key: `acs:kms:<region>:<account>:key/<KeyId>`.
    pub fn key_arn(&self, key_id: &str) -> String {
        format!("{}{key_id}", self.arn_prefix)
    }

    /// `acs:kms:<region>:<account>:key/`: a key's ARN without its KeyId.
    pub fn key_arn_prefix(&self) -> &str {
        &self.arn_prefix
    }

    /// The aliases that point at `key_id`, in name order.
    pub fn aliases_of<'a>(&'a self, key_id: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.data
            .aliases
            .iter()
            .filter(move |(_, k)| k.as_str() == key_id)
            .map(|(a, _)| a.as_str())
    }

    pub(crate) fn insert_key(&mut self, key: Cmk) {
        let k = self.data.keys.len();
        self.by_key_id.insert(key.key_id.clone(), k);
        for (v, version) in key.versions.iter().enumerate() {
            self.by_version_id
                .insert(version.key_version_id.clone(), (k, v));
        }
        self.data.keys.push(key);
    }

    /// Appends a version to a key (it becomes primary).
    pub(crate) fn push_version(&mut self, key_id: &str, version: KeyVersion) -> bool {
        let Some(&k) = self.by_key_id.get(key_id) else {
            return false;
        };
        let Some(key) = self.data.keys.get_mut(k) else {
            return false;
        };
        self.by_version_id
            .insert(version.key_version_id.clone(), (k, key.versions.len()));
        key.versions.push(version);
        true
    }

    /// Removes every version of a key (an `EXTERNAL` key's material is deleted or expired).
    pub(crate) fn clear_versions(&mut self, key_id: &str) {
        if let Some(key) = self.key_mut(key_id) {
            key.versions.clear();
            self.reindex();
        }
    }

    /// Removes keys for which `remove` holds, with their aliases; returns their ids.
    pub(crate) fn remove_keys(&mut self, remove: impl Fn(&Cmk) -> bool) -> Vec<String> {
        let removed: Vec<String> = self
            .data
            .keys
            .iter()
            .filter(|k| remove(k))
            .map(|k| k.key_id.clone())
            .collect();
        if removed.is_empty() {
            return removed;
        }
        self.data.keys.retain(|k| !removed.contains(&k.key_id));
        self.data
            .aliases
            .retain(|_, key_id| !removed.contains(key_id));
        self.reindex();
        removed
    }

    /// Moves every date by `seconds` (used to bring the demo vault's dates to the present).
    pub fn shift_dates(&mut self, seconds: i64) {
        for key in &mut self.data.keys {
            key.creation_date += seconds;
            key.delete_date = key.delete_date.map(|d| d + seconds);
            if let Some(external) = &mut key.external {
                external.material_expire = external.material_expire.map(|d| d + seconds);
                for token in &mut external.import_tokens {
                    token.expire += seconds;
                }
            }
            for version in &mut key.versions {
                version.creation_date += seconds;
            }
        }
        for principal in &mut self.data.principals {
            principal.creation_date += seconds;
            for access_key in &mut principal.access_keys {
                access_key.creation_date += seconds;
            }
        }
    }

    fn reindex(&mut self) {
        self.by_key_id.clear();
        self.by_version_id.clear();
        for (k, key) in self.data.keys.iter().enumerate() {
            self.by_key_id.insert(key.key_id.clone(), k);
            for (v, version) in key.versions.iter().enumerate() {
                self.by_version_id
                    .insert(version.key_version_id.clone(), (k, v));
            }
        }
    }
}
