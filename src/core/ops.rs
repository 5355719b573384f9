//! The KMS operations as typed functions over the in-memory vault. Each checks the caller's
//! permission, the key's state and usage, then does its work; the API layer parses parameters
//! and turns results into documents.

pub mod aliases;
pub mod asymmetric;
pub mod export;
pub mod import;
pub mod keys;
pub mod maintenance;
pub mod paging;
pub mod principals;
pub mod protection;
pub mod reencrypt;
pub mod sign;
pub mod simulate;
pub mod symmetric;
pub mod tags;
pub mod versions;

use super::clock::{Clock, IdSource};
use super::error::KmsError;
use super::model::{Cmk, VaultState};
use super::policy;
use super::spec::KeyState;

/// Who is calling and where time and ids come from.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    /// The principal the request runs as.
    pub principal: &'a str,
    pub clock: &'a dyn Clock,
    pub ids: &'a dyn IdSource,
}

/// Finds a key by KeyId, `alias/<name>` or key ARN (`acs:kms:<region>:<account>:key/<KeyId>`,
/// or an alias ARN `…:alias/<name>`).
pub fn resolve<'s>(state: &'s VaultState, key_ref: &str) -> Result<&'s Cmk, KmsError> {
    let key_ref = key_ref.trim();
    let key_id = if let Some(rest) = key_ref.strip_prefix("acs:kms:") {
        let mut parts = rest.splitn(3, ':');
        let (region, account, resource) = (parts.next(), parts.next(), parts.next());
        if region != Some(state.region()) || account != Some(state.account_id()) {
            return Err(KmsError::KeyNotFound);
        }
        match resource {
            Some(r) if r.starts_with("alias/") => alias_target(state, r)?,
            Some(r) => r.strip_prefix("key/").ok_or(KmsError::KeyNotFound)?,
            None => return Err(KmsError::KeyNotFound),
        }
    } else if key_ref.starts_with("alias/") {
        alias_target(state, key_ref)?
    } else {
        key_ref
    };
    state.key(key_id).ok_or(KmsError::KeyNotFound)
}

fn alias_target<'s>(state: &'s VaultState, alias: &str) -> Result<&'s str, KmsError> {
    state
        .aliases()
        .get(alias)
        .map(String::as_str)
        .ok_or(KmsError::AliasNotFound)
}

/// The resource of account-level actions (CreateKey, ListKeys, ListAliases).
pub fn account_resource(state: &VaultState) -> String {
    format!("acs:kms:{}:{}:key", state.region(), state.account_id())
}

/// Checks that the caller may do `action` (without the `kms:` prefix) on `resource`.
pub fn authorize(
    state: &VaultState,
    ctx: &Ctx<'_>,
    action: &str,
    resource: &str,
) -> Result<(), KmsError> {
    authorize_parts(state, ctx, action, (resource, ""))
}

/// Checks permission for `action` on a key (its ARN, built only if the check fails).
pub fn authorize_key(
    state: &VaultState,
    ctx: &Ctx<'_>,
    action: &str,
    key: &Cmk,
) -> Result<(), KmsError> {
    authorize_parts(state, ctx, action, (state.key_arn_prefix(), &key.key_id))
}

fn authorize_parts(
    state: &VaultState,
    ctx: &Ctx<'_>,
    action: &str,
    resource: (&str, &str),
) -> Result<(), KmsError> {
    debug_assert!(
        policy::kms::permissions().any(|a| a == action),
        "{action} is not in the list of kms: actions policies can name"
    );
    let principal = state
        .principal(ctx.principal)
        .ok_or_else(|| KmsError::UnknownPrincipal(ctx.principal.to_owned()))?;
    if policy::is_allowed_parts(&principal.policies, ("kms:", action), resource) {
        Ok(())
    } else {
        Err(KmsError::NoPermission {
            action: format!("kms:{action}"),
            resource: format!("{}{}", resource.0, resource.1),
        })
    }
}

/// Cryptographic use needs an Enabled key (`spec/alibaba-kms.md` §4.2).
pub fn ensure_enabled(key: &Cmk) -> Result<(), KmsError> {
    match key.key_state {
        KeyState::Enabled => Ok(()),
        KeyState::Disabled => Err(KmsError::Disabled),
        KeyState::PendingDeletion => Err(KmsError::PendingDeletion),
        KeyState::PendingImport => Err(KmsError::PendingImport),
    }
}

/// Resolves, authorizes and returns a key in one step.
pub fn key_for<'s>(
    state: &'s VaultState,
    ctx: &Ctx<'_>,
    action: &str,
    key_ref: &str,
) -> Result<&'s Cmk, KmsError> {
    let key = resolve(state, key_ref)?;
    authorize_key(state, ctx, action, key)?;
    Ok(key)
}
