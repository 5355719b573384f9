//! Versions and rotation: CreateKeyVersion, DescribeKeyVersion, ListKeyVersions,
//! UpdateRotationPolicy, and the `RotationInterval` grammar (`spec/alibaba-kms.md` §4.3).

use serde::Serialize;

use super::paging::{Page, PageInfo};
use super::{Ctx, ensure_enabled, key_for};
use crate::core::clock::format_date;
use crate::core::error::KmsError;
use crate::core::material::KeyMaterial;
use crate::core::model::{Cmk, KeyVersion, RotationPolicy, VaultState};

/// Shortest and longest automatic rotation interval: 7 and 730 days.
pub const MIN_ROTATION_SECONDS: u64 = 7 * 86_400;
pub const MAX_ROTATION_SECONDS: u64 = 730 * 86_400;

/// Parses `RotationInterval`: an integer with unit `d`, `h`, `m` or `s` (`30d`, `2592000s`),
/// 7–730 days. A bare integer is taken as seconds.
pub fn parse_rotation_interval(param: &str, text: &str) -> Result<u64, KmsError> {
    let text = text.trim();
    let (digits, unit) = match text.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&text[..i], c.to_ascii_lowercase()),
        _ => (text, 's'),
    };
    let scale = match unit {
        'd' => 86_400,
        'h' => 3_600,
        'm' => 60,
        's' => 1,
        _ => 0,
    };
    let seconds = digits
        .parse::<u64>()
        .ok()
        .filter(|_| scale > 0 && !digits.starts_with('+'))
        .and_then(|n| n.checked_mul(scale))
        .ok_or_else(|| {
            KmsError::invalid(
                param,
                "It must be a number with a unit d, h, m or s, e.g. 30d.",
            )
        })?;
    if !(MIN_ROTATION_SECONDS..=MAX_ROTATION_SECONDS).contains(&seconds) {
        return Err(KmsError::invalid(
            param,
            "It must be from 7 to 730 days (604800s to 63072000s).",
        ));
    }
    Ok(seconds)
}

/// `KeyVersion` of the responses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyVersionInfo {
    pub key_id: String,
    pub key_version_id: String,
    pub creation_date: String,
}

impl KeyVersionInfo {
    fn of(key: &Cmk, version: &KeyVersion) -> Self {
        Self {
            key_id: key.key_id.clone(),
            key_version_id: version.key_version_id.clone(),
            creation_date: format_date(version.creation_date),
        }
    }
}

/// Checks permission and state for CreateKeyVersion before material is made.
pub fn prepare_key_version<'s>(
    state: &'s VaultState,
    ctx: &Ctx<'_>,
    key_ref: &str,
) -> Result<&'s Cmk, KmsError> {
    let key = key_for(state, ctx, "CreateKeyVersion", key_ref)?;
    refuse_external(key)?;
    ensure_enabled(key)?;
    Ok(key)
}

/// CreateKeyVersion (manual rotation): the new version becomes primary.
pub fn create_key_version(
    state: &mut VaultState,
    ctx: &Ctx<'_>,
    key_ref: &str,
    material: KeyMaterial,
) -> Result<KeyVersionInfo, KmsError> {
    let key = prepare_key_version(state, ctx, key_ref)?;
    if !material.fits(key.key_spec) {
        return Err(KmsError::InternalFailure(
            "key material does not fit the KeySpec".into(),
        ));
    }
    let key_id = key.key_id.clone();
    add_version(state, ctx, &key_id, material)
}

/// EXTERNAL keys are never rotated: new material means a new key (`spec/alibaba-kms.md` §11.3).
fn refuse_external(key: &Cmk) -> Result<(), KmsError> {
    if key.external.is_some() {
        return Err(KmsError::UnsupportedOrigin(
            "Keys of Origin EXTERNAL are not rotated; create a key and import new material.".into(),
        ));
    }
    Ok(())
}

/// Appends a version made now; shared with automatic rotation.
pub(crate) fn add_version(
    state: &mut VaultState,
    ctx: &Ctx<'_>,
    key_id: &str,
    material: KeyMaterial,
) -> Result<KeyVersionInfo, KmsError> {
    let version = KeyVersion {
        key_version_id: ctx.ids.uuid(),
        creation_date: ctx.clock.now(),
        material,
    };
    let info = KeyVersionInfo {
        key_id: key_id.to_owned(),
        key_version_id: version.key_version_id.clone(),
        creation_date: format_date(version.creation_date),
    };
    if state.push_version(key_id, version) {
        Ok(info)
    } else {
        Err(KmsError::KeyNotFound)
    }
}

pub fn describe_key_version(
    state: &VaultState,
    ctx: &Ctx<'_>,
    key_ref: &str,
    key_version_id: &str,
) -> Result<KeyVersionInfo, KmsError> {
    let key = key_for(state, ctx, "DescribeKeyVersion", key_ref)?;
    let version = key
        .version(key_version_id.trim())
        .ok_or(KmsError::KeyVersionNotFound)?;
    Ok(KeyVersionInfo::of(key, version))
}

/// `KeyVersions.KeyVersion[]` wrapper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyVersionList {
    #[serde(rename = "KeyVersion")]
    pub key_version: Vec<KeyVersionInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListKeyVersionsResponse {
    pub key_versions: KeyVersionList,
    #[serde(flatten)]
    pub page: PageInfo,
}

/// ListKeyVersions, oldest first.
pub fn list_key_versions(
    state: &VaultState,
    ctx: &Ctx<'_>,
    key_ref: &str,
    page: Page,
) -> Result<ListKeyVersionsResponse, KmsError> {
    let key = key_for(state, ctx, "ListKeyVersions", key_ref)?;
    let all: Vec<KeyVersionInfo> = key
        .versions
        .iter()
        .map(|v| KeyVersionInfo::of(key, v))
        .collect();
    let (key_version, page) = page.slice(&all);
    Ok(ListKeyVersionsResponse {
        key_versions: KeyVersionList { key_version },
        page,
    })
}

/// UpdateRotationPolicy: only on Enabled symmetric keys; an interval is required to enable.
pub fn update_rotation_policy(
    state: &mut VaultState,
    ctx: &Ctx<'_>,
    key_ref: &str,
    enable: bool,
    interval_seconds: Option<u64>,
) -> Result<(), KmsError> {
    let key = key_for(state, ctx, "UpdateRotationPolicy", key_ref)?;
    if !key.key_spec.is_symmetric() {
        return Err(KmsError::IncorrectKeyUsage(
            "Automatic rotation is available only for symmetric keys.".into(),
        ));
    }
    if enable {
        refuse_external(key)?;
    }
    ensure_enabled(key)?;
    let interval = match (enable, interval_seconds.or(key.rotation.interval_seconds)) {
        (true, None) => return Err(KmsError::missing("RotationInterval")),
        (_, interval) => interval,
    };
    let key_id = key.key_id.clone();
    let key = state.key_mut(&key_id).ok_or(KmsError::KeyNotFound)?;
    key.rotation = RotationPolicy {
        enabled: enable,
        interval_seconds: interval,
    };
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn rotation_interval_grammar() {
        assert_eq!(parse_rotation_interval("R", "30d").unwrap(), 2_592_000);
        assert_eq!(parse_rotation_interval("R", "2592000s").unwrap(), 2_592_000);
        assert_eq!(parse_rotation_interval("R", "604800").unwrap(), 604_800);
        assert_eq!(parse_rotation_interval("R", "168h").unwrap(), 604_800);
        assert_eq!(
            parse_rotation_interval("R", "730d").unwrap(),
            MAX_ROTATION_SECONDS
        );
        for bad in [
            "6d",
            "731d",
            "",
            "d",
            "-7d",
            "+7d",
            "7x",
            "1e9d",
            "99999999999999999999d",
        ] {
            let e = parse_rotation_interval("RotationInterval", bad).unwrap_err();
            assert_eq!(e.code(), "InvalidParameter", "{bad}");
        }
    }
}
