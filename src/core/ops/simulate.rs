//! The policy simulator: "may principal P do action A on key K?" — answered by the same
//! evaluation the operations use ([`policy::explain_parts`]) on the same resources they check
//! (a key's ARN, or the account's key resource for CreateKey/ListKeys/ListAliases, a user's ARN
//! for RAM actions), naming the statement that decided (product §7). ReEncrypt is asked as its
//! two halves, `kms:ReEncryptFrom` and `kms:ReEncryptTo`, on the same key.

use super::principals::{authorize_ram, principal_not_found, user_arn};
use super::{Ctx, account_resource, resolve};
use crate::core::error::KmsError;
use crate::core::model::VaultState;
use crate::core::policy::{self, Decision, kms, ram};

/// One permission check of a simulation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// `kms:ReEncryptFrom`, `ram:CreateUser`, …
    pub permission: String,
    /// The ARN the permission was checked on.
    pub resource: String,
    pub decision: Decision,
    /// The deciding statement as compact JSON, if one decided.
    pub statement: Option<String>,
}

/// The answer for one principal, action and key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Simulation {
    pub principal: String,
    pub action: String,
    pub checks: Vec<Check>,
}

impl Simulation {
    /// Allowed only if every check allows.
    pub fn allowed(&self) -> bool {
        self.checks.iter().all(|c| c.decision.allowed())
    }

    /// The check that decided the answer: the first that denies, else the last.
    pub fn deciding(&self) -> Option<&Check> {
        self.checks
            .iter()
            .find(|c| !c.decision.allowed())
            .or(self.checks.last())
    }
}

/// Actions whose resource is the account, not a key.
const ACCOUNT_LEVEL: &[&str] = &[kms::CREATE_KEY, kms::LIST_KEYS, kms::LIST_ALIASES];

/// Simulates `action` (an API action name: `ReEncrypt`, `CreateUser`, …) for `principal` on
/// `target` (a key reference for KMS actions; a principal name, default every principal, for RAM
/// actions). The caller may always ask about itself; asking about another principal needs
/// `ram:ListUsers`, as reading its policies does.
pub fn simulate(
    state: &VaultState,
    ctx: &Ctx<'_>,
    principal: &str,
    action: &str,
    target: Option<&str>,
) -> Result<Simulation, KmsError> {
    if principal != ctx.principal {
        authorize_ram(state, ctx, ram::LIST_USERS, "*")?;
    }
    let subject = state
        .principal(principal)
        .ok_or_else(|| principal_not_found(principal))?;
    let target = target.map(str::trim).filter(|t| !t.is_empty());
    let asks: Vec<(String, String)> = if let Some(&name) = kms::ALL.iter().find(|a| **a == action) {
        let resource = if ACCOUNT_LEVEL.contains(&name) {
            account_resource(state)
        } else {
            let key_ref = target.ok_or_else(|| KmsError::MissingParameter("KeyId".into()))?;
            let key = resolve(state, key_ref)?;
            format!("{}{}", state.key_arn_prefix(), key.key_id)
        };
        let names: &[&str] = if name == kms::RE_ENCRYPT {
            kms::RE_ENCRYPT_PERMISSIONS
        } else {
            std::slice::from_ref(&name)
        };
        names
            .iter()
            .map(|n| (format!("kms:{n}"), resource.clone()))
            .collect()
    } else if let Some(name) = ram::ALL.iter().find(|a| **a == action) {
        vec![(
            format!("ram:{name}"),
            user_arn(state, target.unwrap_or("*")),
        )]
    } else {
        return Err(KmsError::UnknownAction(action.to_owned()));
    };
    let checks = asks
        .into_iter()
        .map(|(permission, resource)| {
            let decision = policy::explain(&subject.policies, &permission, &resource);
            let statement = decision.statement.and_then(|at| {
                let s = subject
                    .policies
                    .get(at.policy)?
                    .statement
                    .get(at.statement)?;
                serde_json::to_string(s).ok()
            });
            Check {
                permission,
                resource,
                decision,
                statement,
            }
        })
        .collect();
    Ok(Simulation {
        principal: principal.to_owned(),
        action: action.to_owned(),
        checks,
    })
}
