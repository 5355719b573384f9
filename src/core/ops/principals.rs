//! Principals: who may call the API, with an AccessKey pair and RAM-style policies (product §7).
//! These are console commands of the vault's owner — whoever can open the vault file — so they
//! are not themselves subject to policies, but every change is audited.

use serde::Serialize;

use super::Ctx;
use crate::core::error::KmsError;
use crate::core::model::{Principal, VaultState};
use crate::core::policy::PolicyDocument;
use crate::core::random;
use crate::core::secret::{RevealedPlaintext, SecretString};

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// A principal as listed: never its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PrincipalSummary {
    pub name: String,
    pub access_key_id: String,
    pub policies: Vec<PolicyDocument>,
}

/// A new principal: the only time its AccessKeySecret is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PrincipalCreated {
    pub name: String,
    pub access_key_id: String,
    pub access_key_secret: RevealedPlaintext,
}

/// Checks a principal name: 1–64 of `[A-Za-z0-9._-]`.
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
            "Name",
            "A principal name has 1 to 64 letters, digits, '.', '_' or '-'.",
        ))
    }
}

pub fn list_principals(state: &VaultState) -> Vec<PrincipalSummary> {
    state
        .principals()
        .iter()
        .map(|p| PrincipalSummary {
            name: p.name.clone(),
            access_key_id: p.access_key_id.clone(),
            policies: p.policies.clone(),
        })
        .collect()
}

pub fn create_principal(
    state: &mut VaultState,
    ctx: &Ctx<'_>,
    name: &str,
    policies: Vec<PolicyDocument>,
) -> Result<PrincipalCreated, KmsError> {
    check_name(name)?;
    if state.principal(name).is_some() {
        return Err(KmsError::ResourceConflict(format!(
            "A principal named {name:?} already exists."
        )));
    }
    let access_key_id = format!("LTAI{}", random::token(ALNUM, 20)?);
    let secret = SecretString::new(random::token(ALNUM, 30)?);
    state.principals_mut().push(Principal {
        name: name.to_owned(),
        access_key_id: access_key_id.clone(),
        access_key_secret: secret.clone(),
        policies,
        creation_date: ctx.clock.now(),
    });
    Ok(PrincipalCreated {
        name: name.to_owned(),
        access_key_id,
        access_key_secret: RevealedPlaintext::new(secret),
    })
}

pub fn delete_principal(state: &mut VaultState, name: &str) -> Result<(), KmsError> {
    let before = state.principals().len();
    state.principals_mut().retain(|p| p.name != name);
    if state.principals().len() == before {
        return Err(principal_not_found(name));
    }
    Ok(())
}

pub fn attach_policy(
    state: &mut VaultState,
    name: &str,
    policy: PolicyDocument,
) -> Result<(), KmsError> {
    let p = state
        .principals_mut()
        .iter_mut()
        .find(|p| p.name == name)
        .ok_or_else(|| principal_not_found(name))?;
    p.policies.push(policy);
    Ok(())
}

/// Removes the policy at `index` (0-based, as listed).
pub fn detach_policy(state: &mut VaultState, name: &str, index: usize) -> Result<(), KmsError> {
    let p = state
        .principals_mut()
        .iter_mut()
        .find(|p| p.name == name)
        .ok_or_else(|| principal_not_found(name))?;
    if index >= p.policies.len() {
        return Err(KmsError::invalid(
            "Index",
            "There is no policy at that position.",
        ));
    }
    p.policies.remove(index);
    Ok(())
}

/// Unknown principals are reported as a parameter problem of the name.
pub fn principal_not_found(name: &str) -> KmsError {
    KmsError::invalid("Name", format!("There is no principal named {name:?}."))
}
