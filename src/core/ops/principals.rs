//! Principals: who may call the API, with AccessKey pairs and RAM-style policies (product §7).
//! Managing them is itself permissioned with RAM's action names (`ram:CreateUser`, …), checked
//! here so that every front end (CLI, console, endpoint) gets the same answer; the last
//! principal able to manage principals cannot be deleted or stripped of that right.

mod access_keys;

use serde::Serialize;

pub use access_keys::{
    AccessKeyCreated, AccessKeySummary, create_access_key, delete_access_key, list_access_keys,
};

use super::Ctx;
use crate::core::error::KmsError;
use crate::core::model::{Principal, VaultState};
use crate::core::policy::{self, PolicyDocument, ram};

/// A principal as listed: its AccessKeyIds, never their secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PrincipalSummary {
    pub user_name: String,
    pub access_keys: Vec<AccessKeySummary>,
    pub policies: Vec<PolicyDocument>,
    /// Whether it holds every `ram:` action on every user (see [`can_manage_principals`]).
    pub manages_principals: bool,
}

/// Checks a principal name: 1–64 of `[A-Za-z0-9._-]` (RAM's UserName rule).
pub fn check_name(name: &str) -> Result<(), KmsError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(KmsError::invalid(
            "UserName",
            "A principal name has 1 to 64 letters, digits, '.', '_' or '-'.",
        ))
    }
}

/// `acs:ram::<account>:user/<name>`: the resource of a RAM action on a principal (RAM's user
/// ARN; `name` `*` stands for every user, as ListUsers asks).
pub fn user_arn(state: &VaultState, name: &str) -> String {
    format!("acs:ram::{}:user/{name}", state.account_id())
}

/// Checks that the caller may do `ram:<action>` on the principal `target`.
pub fn authorize_ram(
    state: &VaultState,
    ctx: &Ctx<'_>,
    action: &str,
    target: &str,
) -> Result<(), KmsError> {
    let caller = state
        .principal(ctx.principal)
        .ok_or_else(|| KmsError::UnknownPrincipal(ctx.principal.to_owned()))?;
    let resource = user_arn(state, target);
    if policy::is_allowed_parts(&caller.policies, ("ram:", action), (&resource, "")) {
        Ok(())
    } else {
        Err(KmsError::NoPermission {
            action: format!("ram:{action}"),
            resource,
        })
    }
}

/// The right that must never be lost: every `ram:` action allowed on every user
/// (`acs:ram::<account>:user/*`) by these policies, no Deny in the way.
pub fn can_manage_principals(state: &VaultState, policies: &[PolicyDocument]) -> bool {
    let every_user = user_arn(state, "*");
    ram::ALL
        .iter()
        .all(|a| policy::is_allowed_parts(policies, ("ram:", a), (&every_user, "")))
}

/// Refuses a change that would leave no principal able to manage principals. `name`'s policies
/// become `replacement`, or it is gone if `None`. A vault that has no such principal already is
/// left to its owner.
fn keep_a_manager(
    state: &VaultState,
    name: &str,
    replacement: Option<&[PolicyDocument]>,
    what: &str,
) -> Result<(), KmsError> {
    let managers = |p: &Principal| can_manage_principals(state, &p.policies);
    if !state.principals().iter().any(managers) {
        return Ok(());
    }
    let remains = state.principals().iter().any(|p| {
        if p.name == name {
            replacement.is_some_and(|policies| can_manage_principals(state, policies))
        } else {
            managers(p)
        }
    });
    if remains {
        Ok(())
    } else {
        Err(KmsError::LastPrincipalManager(format!(
            "{what} would leave no principal able to manage principals: {name:?} is the last one allowed every ram: action on every user."
        )))
    }
}

fn summary(state: &VaultState, p: &Principal) -> PrincipalSummary {
    PrincipalSummary {
        user_name: p.name.clone(),
        access_keys: p.access_keys.iter().map(AccessKeySummary::of).collect(),
        policies: p.policies.clone(),
        manages_principals: can_manage_principals(state, &p.policies),
    }
}

/// ListUsers: every principal, without secrets.
pub fn list_principals(
    state: &VaultState,
    ctx: &Ctx<'_>,
) -> Result<Vec<PrincipalSummary>, KmsError> {
    authorize_ram(state, ctx, ram::LIST_USERS, "*")?;
    Ok(state
        .principals()
        .iter()
        .map(|p| summary(state, p))
        .collect())
}

fn validate_all(state: &VaultState, policies: &[PolicyDocument]) -> Result<(), KmsError> {
    policies
        .iter()
        .try_for_each(|p| p.validate(state.region(), state.account_id()))
}

/// CreateUser (and AttachPolicyToUser for each of `policies`). It has no AccessKey until
/// [`create_access_key`].
pub fn create_principal(
    state: &mut VaultState,
    ctx: &Ctx<'_>,
    name: &str,
    policies: Vec<PolicyDocument>,
) -> Result<PrincipalSummary, KmsError> {
    authorize_ram(state, ctx, ram::CREATE_USER, name)?;
    if !policies.is_empty() {
        authorize_ram(state, ctx, ram::ATTACH_POLICY_TO_USER, name)?;
    }
    add_principal(state, ctx, name, policies)
}

/// Adds a principal without a permission check: only for a new vault's `admin`, made before
/// anyone can be asked.
pub(crate) fn add_principal(
    state: &mut VaultState,
    ctx: &Ctx<'_>,
    name: &str,
    policies: Vec<PolicyDocument>,
) -> Result<PrincipalSummary, KmsError> {
    check_name(name)?;
    if state.principal(name).is_some() {
        return Err(KmsError::ResourceConflict(format!(
            "A principal named {name:?} already exists."
        )));
    }
    validate_all(state, &policies)?;
    let principal = Principal {
        name: name.to_owned(),
        access_keys: Vec::new(),
        policies,
        creation_date: ctx.clock.now(),
    };
    let created = summary(state, &principal);
    state.principals_mut().push(principal);
    Ok(created)
}

/// DeleteUser, with its AccessKeys.
pub fn delete_principal(state: &mut VaultState, ctx: &Ctx<'_>, name: &str) -> Result<(), KmsError> {
    authorize_ram(state, ctx, ram::DELETE_USER, name)?;
    existing(state, name)?;
    keep_a_manager(state, name, None, "Deleting it")?;
    state.principals_mut().retain(|p| p.name != name);
    Ok(())
}

/// AttachPolicyToUser: checked against this vault first (unknown actions, malformed resources).
pub fn attach_policy(
    state: &mut VaultState,
    ctx: &Ctx<'_>,
    name: &str,
    policy: PolicyDocument,
) -> Result<(), KmsError> {
    authorize_ram(state, ctx, ram::ATTACH_POLICY_TO_USER, name)?;
    policy.validate(state.region(), state.account_id())?;
    let mut policies = existing(state, name)?.policies.clone();
    policies.push(policy);
    keep_a_manager(state, name, Some(&policies), "Attaching this policy")?;
    existing_mut(state, name)?.policies = policies;
    Ok(())
}

/// DetachPolicyFromUser: removes the policy at `index` (0-based, as listed) and returns it.
pub fn detach_policy(
    state: &mut VaultState,
    ctx: &Ctx<'_>,
    name: &str,
    index: usize,
) -> Result<PolicyDocument, KmsError> {
    authorize_ram(state, ctx, ram::DETACH_POLICY_FROM_USER, name)?;
    let mut policies = existing(state, name)?.policies.clone();
    if index >= policies.len() {
        return Err(KmsError::invalid(
            "Index",
            "There is no policy at that position.",
        ));
    }
    let detached = policies.remove(index);
    keep_a_manager(state, name, Some(&policies), "Detaching this policy")?;
    existing_mut(state, name)?.policies = policies;
    Ok(detached)
}

fn existing<'s>(state: &'s VaultState, name: &str) -> Result<&'s Principal, KmsError> {
    state
        .principal(name)
        .ok_or_else(|| principal_not_found(name))
}

fn existing_mut<'s>(state: &'s mut VaultState, name: &str) -> Result<&'s mut Principal, KmsError> {
    state
        .principals_mut()
        .iter_mut()
        .find(|p| p.name == name)
        .ok_or_else(|| principal_not_found(name))
}

/// Unknown principals are reported as a parameter problem of the name.
pub fn principal_not_found(name: &str) -> KmsError {
    KmsError::invalid("UserName", format!("There is no principal named {name:?}."))
}
