//! AccessKey pairs of a principal (product §7): at most two, as in RAM; the AccessKeySecret is
//! returned once, at creation, and never listed.

use serde::Serialize;

use super::{Ctx, authorize_ram, existing, existing_mut};
use crate::core::clock::format_date;
use crate::core::error::KmsError;
use crate::core::model::{AccessKey, MAX_ACCESS_KEYS, VaultState};
use crate::core::policy::ram;
use crate::core::random;
use crate::core::secret::{RevealedPlaintext, SecretString};

/// The alphabet of AccessKeyIds and secrets (Alibaba's look: `LTAI` + 20, secret 30).
const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// An AccessKey as listed: never its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccessKeySummary {
    pub access_key_id: String,
    pub create_date: String,
}

impl AccessKeySummary {
    pub fn of(key: &AccessKey) -> Self {
        Self {
            access_key_id: key.access_key_id.clone(),
            create_date: format_date(key.creation_date),
        }
    }
}

/// A new AccessKey: the only time its AccessKeySecret is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccessKeyCreated {
    pub user_name: String,
    pub access_key_id: String,
    pub access_key_secret: RevealedPlaintext,
    pub create_date: String,
}

/// ListAccessKeys: the ids and dates of a principal's pairs.
pub fn list_access_keys(
    state: &VaultState,
    ctx: &Ctx<'_>,
    name: &str,
) -> Result<Vec<AccessKeySummary>, KmsError> {
    authorize_ram(state, ctx, ram::LIST_ACCESS_KEYS, name)?;
    Ok(existing(state, name)?
        .access_keys
        .iter()
        .map(AccessKeySummary::of)
        .collect())
}

/// CreateAccessKey: a new pair from the OS random source; refused past [`MAX_ACCESS_KEYS`].
pub fn create_access_key(
    state: &mut VaultState,
    ctx: &Ctx<'_>,
    name: &str,
) -> Result<AccessKeyCreated, KmsError> {
    authorize_ram(state, ctx, ram::CREATE_ACCESS_KEY, name)?;
    if existing(state, name)?.access_keys.len() >= MAX_ACCESS_KEYS {
        return Err(KmsError::AccessKeyLimitExceeded(format!(
            "{name:?} already holds {MAX_ACCESS_KEYS} AccessKeys."
        )));
    }
    let access_key_id = loop {
        let id = format!("LTAI{}", random::token(ALNUM, 20)?);
        if state.access_key(&id).is_none() {
            break id;
        }
    };
    let secret = SecretString::new(random::token(ALNUM, 30)?);
    let creation_date = ctx.clock.now();
    existing_mut(state, name)?.access_keys.push(AccessKey {
        access_key_id: access_key_id.clone(),
        access_key_secret: secret.clone(),
        creation_date,
    });
    Ok(AccessKeyCreated {
        user_name: name.to_owned(),
        access_key_id,
        access_key_secret: RevealedPlaintext::new(secret),
        create_date: format_date(creation_date),
    })
}

/// DeleteAccessKey.
pub fn delete_access_key(
    state: &mut VaultState,
    ctx: &Ctx<'_>,
    name: &str,
    access_key_id: &str,
) -> Result<(), KmsError> {
    authorize_ram(state, ctx, ram::DELETE_ACCESS_KEY, name)?;
    let keys = &mut existing_mut(state, name)?.access_keys;
    let before = keys.len();
    keys.retain(|k| k.access_key_id != access_key_id);
    if keys.len() == before {
        return Err(KmsError::invalid(
            "UserAccessKeyId",
            format!("{name:?} has no AccessKey {access_key_id:?}."),
        ));
    }
    Ok(())
}
