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
pub mod subject;
pub mod symmetric;
pub mod symmetric_key;
pub mod tags;
pub mod versions;

use super::clock::{Clock, IdSource};
use super::error::KmsError;
use super::key_ref::KeyRef;
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

/// Finds a key by KeyId, `alias/<name>` or key or alias ARN of this vault ([`KeyRef::parse`]).
pub fn resolve<'s>(state: &'s VaultState, key_ref: &str) -> Result<&'s Cmk, KmsError> {
    let parsed = KeyRef::parse(key_ref, state.region(), state.account_id())?;
    let key_id = parsed.key_id(state.aliases())?;
    state.key(key_id).ok_or(KmsError::KeyNotFound)
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
