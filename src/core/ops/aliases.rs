//! Aliases: CreateAlias, UpdateAlias, DeleteAlias, ListAliases, ListAliasesByKeyId
//! (`spec/alibaba-kms.md` §4.5). An alias is `alias/<name>`; one key each, many per key.

use serde::Serialize;

use super::paging::{Page, PageInfo};
use super::{Ctx, account_resource, authorize, authorize_key, key_for};
use crate::core::error::KmsError;
use crate::core::model::VaultState;
use crate::core::spec::KeyState;

/// Checks an alias name: `alias/` then 1–255 characters of `[A-Za-z0-9_/-]`, not `alias/acs/…`
/// (reserved for cloud services).
pub fn check_alias_name(param: &str, name: &str) -> Result<(), KmsError> {
    let rest = name
        .strip_prefix("alias/")
        .ok_or_else(|| KmsError::invalid(param, "An alias name must start with \"alias/\"."))?;
    let ok_chars = rest
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'/' | b'-'));
    if rest.is_empty() || rest.len() > 255 || !ok_chars {
        return Err(KmsError::invalid(
            param,
            "After \"alias/\" it must have 1 to 255 letters, digits, '_', '-' or '/'.",
        ));
    }
    if rest.starts_with("acs/") {
        return Err(KmsError::invalid(
            param,
            "The prefix \"alias/acs/\" is reserved.",
        ));
    }
    Ok(())
}

pub fn create_alias(
    state: &mut VaultState,
    ctx: &Ctx<'_>,
    alias_name: &str,
    key_ref: &str,
) -> Result<(), KmsError> {
    check_alias_name("AliasName", alias_name)?;
    let key_id = alias_target(state, ctx, "CreateAlias", key_ref)?;
    if state.aliases().contains_key(alias_name) {
        return Err(KmsError::AliasAlreadyExists);
    }
    state.aliases_mut().insert(alias_name.to_owned(), key_id);
    Ok(())
}

/// UpdateAlias: points an existing alias at another key (fails if that key is PendingDeletion).
pub fn update_alias(
    state: &mut VaultState,
    ctx: &Ctx<'_>,
    alias_name: &str,
    key_ref: &str,
) -> Result<(), KmsError> {
    check_alias_name("AliasName", alias_name)?;
    let current = state
        .aliases()
        .get(alias_name)
        .ok_or(KmsError::AliasNotFound)?;
    if let Some(old) = state.key(current) {
        authorize_key(state, ctx, "UpdateAlias", old)?;
    }
    let key_id = alias_target(state, ctx, "UpdateAlias", key_ref)?;
    state.aliases_mut().insert(alias_name.to_owned(), key_id);
    Ok(())
}

/// The key an alias may point at: the caller may `action` it and it is not PendingDeletion.
fn alias_target(
    state: &VaultState,
    ctx: &Ctx<'_>,
    action: &str,
    key_ref: &str,
) -> Result<String, KmsError> {
    let key = key_for(state, ctx, action, key_ref)?;
    if key.key_state == KeyState::PendingDeletion {
        return Err(KmsError::PendingDeletion);
    }
    Ok(key.key_id.clone())
}

pub fn delete_alias(
    state: &mut VaultState,
    ctx: &Ctx<'_>,
    alias_name: &str,
) -> Result<(), KmsError> {
    let key_id = state
        .aliases()
        .get(alias_name)
        .ok_or(KmsError::AliasNotFound)?;
    match state.key(key_id) {
        Some(key) => authorize_key(state, ctx, "DeleteAlias", key)?,
        None => authorize(state, ctx, "DeleteAlias", &account_resource(state))?,
    }
    state.aliases_mut().remove(alias_name);
    Ok(())
}

/// One alias of the list responses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AliasEntry {
    pub alias_name: String,
    pub alias_arn: String,
    pub key_id: String,
}

/// `Aliases.Alias[]` wrapper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AliasList {
    #[serde(rename = "Alias")]
    pub alias: Vec<AliasEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListAliasesResponse {
    pub aliases: AliasList,
    #[serde(flatten)]
    pub page: PageInfo,
}

fn entries<'a>(state: &'a VaultState, key_id: Option<&'a str>) -> Vec<AliasEntry> {
    state
        .aliases()
        .iter()
        .filter(|(_, k)| key_id.is_none_or(|id| id == k.as_str()))
        .map(|(name, k)| AliasEntry {
            alias_name: name.clone(),
            alias_arn: format!("acs:kms:{}:{}:{name}", state.region(), state.account_id()),
            key_id: k.clone(),
        })
        .collect()
}

pub fn list_aliases(
    state: &VaultState,
    ctx: &Ctx<'_>,
    page: Page,
) -> Result<ListAliasesResponse, KmsError> {
    authorize(state, ctx, "ListAliases", &account_resource(state))?;
    let (alias, page) = page.slice(&entries(state, None));
    Ok(ListAliasesResponse {
        aliases: AliasList { alias },
        page,
    })
}

pub fn list_aliases_by_key_id(
    state: &VaultState,
    ctx: &Ctx<'_>,
    key_ref: &str,
    page: Page,
) -> Result<ListAliasesResponse, KmsError> {
    let key = key_for(state, ctx, "ListAliasesByKeyId", key_ref)?;
    let (alias, page) = page.slice(&entries(state, Some(&key.key_id)));
    Ok(ListAliasesResponse {
        aliases: AliasList { alias },
        page,
    })
}
