//! Key lifecycle: CreateKey, DescribeKey, ListKeys, UpdateKeyDescription, EnableKey, DisableKey,
//! ScheduleKeyDeletion, CancelKeyDeletion, and the `KeyMetadata` they report.

use std::collections::BTreeMap;

use serde::Serialize;

use super::paging::{Page, PageInfo};
use super::{Ctx, account_resource, authorize, key_for};
use crate::core::clock::{UnixTime, format_date};
use crate::core::error::KmsError;
use crate::core::material::KeyMaterial;
use crate::core::model::{Cmk, ExternalKey, KeyVersion, RotationPolicy, VaultState};
use crate::core::spec::{KeySpec, KeyState, KeyUsage, PROTECTION_LEVEL};

/// `KeyMetadata` of DescribeKey and CreateKey (`spec/alibaba-kms.md` §4.4). Empty optional
/// values are `""`, as in the API's examples.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyMetadata {
    pub key_id: String,
    pub arn: String,
    pub key_spec: String,
    pub key_usage: String,
    pub key_state: String,
    pub description: String,
    pub creation_date: String,
    pub creator: String,
    pub origin: String,
    pub protection_level: String,
    pub delete_date: String,
    pub deletion_protection: String,
    pub deletion_protection_description: String,
    pub automatic_rotation: String,
    pub rotation_interval: String,
    pub last_rotation_date: String,
    pub next_rotation_date: String,
    pub primary_key_version: String,
    pub material_expire_time: String,
}

impl KeyMetadata {
    pub fn of(state: &VaultState, key: &Cmk) -> Self {
        let rotation = automatic_rotation(key);
        Self {
            key_id: key.key_id.clone(),
            arn: state.key_arn(&key.key_id),
            key_spec: key.key_spec.as_str().into(),
            key_usage: key.key_usage.as_str().into(),
            key_state: key.key_state.as_str().into(),
            description: key.description.clone(),
            creation_date: format_date(key.creation_date),
            creator: key.creator.clone(),
            origin: key.origin().into(),
            protection_level: PROTECTION_LEVEL.into(),
            delete_date: key.delete_date.map(format_date).unwrap_or_default(),
            deletion_protection: if key.deletion_protection {
                "Enabled"
            } else {
                "Disabled"
            }
            .into(),
            deletion_protection_description: key.deletion_protection_description.clone(),
            automatic_rotation: rotation.into(),
            rotation_interval: key
                .rotation
                .interval_seconds
                .filter(|_| key.rotation.enabled)
                .map(|s| format!("{s}s"))
                .unwrap_or_default(),
            last_rotation_date: format_date(key.last_rotation_date()),
            next_rotation_date: key
                .next_rotation_date()
                .map(format_date)
                .unwrap_or_default(),
            primary_key_version: key.primary_version_id().to_owned(),
            material_expire_time: key
                .external
                .as_ref()
                .and_then(|e| e.material_expire)
                .filter(|_| !key.versions.is_empty())
                .map(format_date)
                .unwrap_or_default(),
        }
    }
}

/// `Enabled`, `Disabled`, or `Suspended` (policy on but the key not Enabled).
pub fn automatic_rotation(key: &Cmk) -> &'static str {
    match (key.rotation.enabled, key.key_state) {
        (false, _) => "Disabled",
        (true, KeyState::Enabled) => "Enabled",
        (true, _) => "Suspended",
    }
}

/// Parameters of CreateKey after parsing.
#[derive(Debug, Clone)]
pub struct CreateKeyRequest {
    pub key_spec: KeySpec,
    pub key_usage: KeyUsage,
    pub description: String,
    pub rotation: RotationPolicy,
    /// `Tags` of CreateKey, already checked against the limits of §11.5.
    pub tags: BTreeMap<String, String>,
}

/// Whether the caller may create keys; checked before the (possibly slow) key generation.
pub fn authorize_create_key(state: &VaultState, ctx: &Ctx<'_>) -> Result<(), KmsError> {
    authorize(state, ctx, "CreateKey", &account_resource(state))
}

/// CreateKey with material made beforehand (RSA generation takes long; it runs outside any lock).
pub fn create_key(
    state: &mut VaultState,
    ctx: &Ctx<'_>,
    req: CreateKeyRequest,
    material: KeyMaterial,
) -> Result<KeyMetadata, KmsError> {
    authorize_create_key(state, ctx)?;
    if !req.key_spec.allows(req.key_usage) {
        return Err(KmsError::invalid(
            "KeyUsage",
            format!(
                "A {} key cannot be {}.",
                req.key_spec.as_str(),
                req.key_usage.as_str()
            ),
        ));
    }
    if !material.fits(req.key_spec) {
        return Err(KmsError::InternalFailure(
            "key material does not fit the KeySpec".into(),
        ));
    }
    if req.rotation.enabled && !req.key_spec.is_symmetric() {
        return Err(KmsError::invalid(
            "EnableAutomaticRotation",
            "Automatic rotation is available only for symmetric keys.",
        ));
    }
    let now = ctx.clock.now();
    let mut key = new_key(ctx, req, KeyState::Enabled);
    key.versions.push(KeyVersion {
        key_version_id: ctx.ids.uuid(),
        creation_date: now,
        material,
    });
    let metadata = KeyMetadata::of(state, &key);
    state.insert_key(key);
    Ok(metadata)
}

/// CreateKey with `Origin=EXTERNAL`: a symmetric key without material, PendingImport until
/// ImportKeyMaterial (`spec/alibaba-kms.md` §11.3).
pub fn create_external_key(
    state: &mut VaultState,
    ctx: &Ctx<'_>,
    req: CreateKeyRequest,
) -> Result<KeyMetadata, KmsError> {
    authorize_create_key(state, ctx)?;
    if !matches!(req.key_spec, KeySpec::AliyunAes256 | KeySpec::AliyunSm4) {
        return Err(KmsError::invalid(
            "KeySpec",
            "Keys of Origin EXTERNAL are Aliyun_AES_256 or Aliyun_SM4.",
        ));
    }
    if req.rotation.enabled {
        return Err(KmsError::UnsupportedOrigin(
            "Automatic rotation is not available for keys of Origin EXTERNAL.".into(),
        ));
    }
    let mut key = new_key(ctx, req, KeyState::PendingImport);
    key.external = Some(ExternalKey::new(ctx.ids.uuid()));
    let metadata = KeyMetadata::of(state, &key);
    state.insert_key(key);
    Ok(metadata)
}

fn new_key(ctx: &Ctx<'_>, req: CreateKeyRequest, key_state: KeyState) -> Cmk {
    Cmk {
        key_id: ctx.ids.uuid(),
        key_spec: req.key_spec,
        key_usage: req.key_usage,
        key_state,
        description: req.description,
        creation_date: ctx.clock.now(),
        creator: ctx.principal.to_owned(),
        delete_date: None,
        rotation: req.rotation,
        deletion_protection: false,
        versions: Vec::new(),
        deletion_protection_description: String::new(),
        tags: req.tags,
        external: None,
    }
}

pub fn describe_key(
    state: &VaultState,
    ctx: &Ctx<'_>,
    key_ref: &str,
) -> Result<KeyMetadata, KmsError> {
    let key = key_for(state, ctx, "DescribeKey", key_ref)?;
    Ok(KeyMetadata::of(state, key))
}

/// One `Filters` entry of ListKeys: AND across entries, OR across values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyFilter {
    pub key: KeyFilterField,
    pub values: Vec<String>,
}

/// The fields ListKeys can filter on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFilterField {
    KeyState,
    KeySpec,
    KeyUsage,
    ProtectionLevel,
    CreatorType,
}

impl KeyFilterField {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "KeyState" => Self::KeyState,
            "KeySpec" => Self::KeySpec,
            "KeyUsage" => Self::KeyUsage,
            "ProtectionLevel" => Self::ProtectionLevel,
            "CreatorType" => Self::CreatorType,
            _ => return None,
        })
    }

    fn value_of(self, key: &Cmk) -> &'static str {
        match self {
            Self::KeyState => key.key_state.as_str(),
            Self::KeySpec => key.key_spec.as_str(),
            Self::KeyUsage => key.key_usage.as_str(),
            Self::ProtectionLevel => PROTECTION_LEVEL,
            Self::CreatorType => "User",
        }
    }
}

/// One entry of ListKeys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyEntry {
    pub key_id: String,
    pub key_arn: String,
}

/// `Keys.Key[]` wrapper, shaped as the API's response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyList {
    #[serde(rename = "Key")]
    pub key: Vec<KeyEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListKeysResponse {
    pub keys: KeyList,
    #[serde(flatten)]
    pub page: PageInfo,
}

pub fn list_keys(
    state: &VaultState,
    ctx: &Ctx<'_>,
    filters: &[KeyFilter],
    page: Page,
) -> Result<ListKeysResponse, KmsError> {
    authorize(state, ctx, "ListKeys", &account_resource(state))?;
    let matching: Vec<&Cmk> = state
        .keys()
        .iter()
        .filter(|k| {
            filters
                .iter()
                .all(|f| f.values.iter().any(|v| v == f.key.value_of(k)))
        })
        .collect();
    let (keys, info) = page.slice(&matching);
    Ok(ListKeysResponse {
        keys: KeyList {
            key: keys
                .into_iter()
                .map(|k| KeyEntry {
                    key_id: k.key_id.clone(),
                    key_arn: state.key_arn(&k.key_id),
                })
                .collect(),
        },
        page: info,
    })
}

/// Resolves a key for a change and returns its id (the borrow of `state` ends here).
pub(super) fn key_id_for(
    state: &VaultState,
    ctx: &Ctx<'_>,
    action: &str,
    key_ref: &str,
) -> Result<String, KmsError> {
    key_for(state, ctx, action, key_ref).map(|k| k.key_id.clone())
}

pub(super) fn change_key<R>(
    state: &mut VaultState,
    key_id: &str,
    f: impl FnOnce(&mut Cmk) -> Result<R, KmsError>,
) -> Result<R, KmsError> {
    let key = state.key_mut(key_id).ok_or(KmsError::KeyNotFound)?;
    f(key)
}

pub fn update_key_description(
    state: &mut VaultState,
    ctx: &Ctx<'_>,
    key_ref: &str,
    description: &str,
) -> Result<(), KmsError> {
    let id = key_id_for(state, ctx, "UpdateKeyDescription", key_ref)?;
    change_key(state, &id, |k| {
        description.clone_into(&mut k.description);
        Ok(())
    })
}

/// EnableKey: idempotent on Enabled/Disabled keys, refused on PendingDeletion.
pub fn enable_key(state: &mut VaultState, ctx: &Ctx<'_>, key_ref: &str) -> Result<(), KmsError> {
    set_enabled(state, ctx, "EnableKey", key_ref, KeyState::Enabled)
}

/// DisableKey: idempotent on Enabled/Disabled keys, refused on PendingDeletion.
pub fn disable_key(state: &mut VaultState, ctx: &Ctx<'_>, key_ref: &str) -> Result<(), KmsError> {
    set_enabled(state, ctx, "DisableKey", key_ref, KeyState::Disabled)
}

fn set_enabled(
    state: &mut VaultState,
    ctx: &Ctx<'_>,
    action: &str,
    key_ref: &str,
    to: KeyState,
) -> Result<(), KmsError> {
    let id = key_id_for(state, ctx, action, key_ref)?;
    change_key(state, &id, |k| {
        match k.key_state {
            KeyState::PendingDeletion => {
                return Err(KmsError::StateModifiedFailed(
                    "The key is PendingDeletion; cancel the deletion first.".into(),
                ));
            }
            KeyState::PendingImport => {
                return Err(KmsError::StateModifiedFailed(
                    "The key is PendingImport; import its material first.".into(),
                ));
            }
            KeyState::Enabled | KeyState::Disabled => {}
        }
        k.key_state = to;
        Ok(())
    })
}

/// ScheduleKeyDeletion: `PendingWindowInDays` 7–366; refused when already pending or protected.
pub fn schedule_key_deletion(
    state: &mut VaultState,
    ctx: &Ctx<'_>,
    key_ref: &str,
    pending_window_in_days: u32,
) -> Result<UnixTime, KmsError> {
    if !(7..=366).contains(&pending_window_in_days) {
        return Err(KmsError::invalid(
            "PendingWindowInDays",
            "It must be from 7 to 366.",
        ));
    }
    let id = key_id_for(state, ctx, "ScheduleKeyDeletion", key_ref)?;
    let delete_at = ctx.clock.now() + i64::from(pending_window_in_days) * 86_400;
    change_key(state, &id, |k| {
        if k.key_state == KeyState::PendingDeletion {
            return Err(KmsError::StateModifiedFailed(
                "The key is already PendingDeletion.".into(),
            ));
        }
        if k.deletion_protection {
            return Err(KmsError::StateModifiedFailed(
                "The key has deletion protection; turn it off with SetDeletionProtection first."
                    .into(),
            ));
        }
        k.key_state = KeyState::PendingDeletion;
        k.delete_date = Some(delete_at);
        Ok(delete_at)
    })
}

/// CancelKeyDeletion: only from PendingDeletion; the key comes back Enabled.
pub fn cancel_key_deletion(
    state: &mut VaultState,
    ctx: &Ctx<'_>,
    key_ref: &str,
) -> Result<(), KmsError> {
    let id = key_id_for(state, ctx, "CancelKeyDeletion", key_ref)?;
    change_key(state, &id, |k| {
        if k.key_state != KeyState::PendingDeletion {
            return Err(KmsError::StateModifiedFailed(
                "The key is not PendingDeletion.".into(),
            ));
        }
        // An EXTERNAL key whose material went while it waited comes back waiting for it.
        k.key_state = if k.versions.is_empty() {
            KeyState::PendingImport
        } else {
            KeyState::Enabled
        };
        k.delete_date = None;
        Ok(())
    })
}
