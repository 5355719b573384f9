//! Why a set of policies allows or denies a request: the one evaluation behind both the
//! permission check of every operation ([`super::is_allowed_parts`]) and the policy simulator,
//! so the simulator's answer cannot differ from what the operation does (product §7: an explicit
//! Deny wins, otherwise some Allow must match).

use super::{Effect, Parts, PolicyDocument, glob};

/// How a request was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// A statement allowed it and none denied it.
    Allow,
    /// A statement denied it (whatever else allowed it).
    ExplicitDeny,
    /// No statement matched with `Allow`.
    NoAllow,
}

/// Where a deciding statement sits: the policy's index among the principal's policies and the
/// statement's index within that policy (both from 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatementRef {
    pub policy: usize,
    pub statement: usize,
}

/// The answer: the verdict, and the statement that decided it (the first matching Deny; else
/// the first matching Allow; none when no Allow matched).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub verdict: Verdict,
    pub statement: Option<StatementRef>,
}

impl Decision {
    pub fn allowed(self) -> bool {
        self.verdict == Verdict::Allow
    }
}

/// Decides `action` on `resource`, each given in two parts matched as if concatenated (see
/// [`super::is_allowed_parts`]). Stops at the first matching Deny.
pub fn explain_parts(
    policies: &[PolicyDocument],
    action: (&str, &str),
    resource: (&str, &str),
) -> Decision {
    let action = Parts(action.0.as_bytes(), action.1.as_bytes());
    let resource = Parts(resource.0.as_bytes(), resource.1.as_bytes());
    let mut allow = None;
    for (p, policy) in policies.iter().enumerate() {
        for (s, statement) in policy.statement.iter().enumerate() {
            let matches = statement.action.iter().any(|a| glob(a, action, true))
                && statement.resource.iter().any(|r| glob(r, resource, false));
            if !matches {
                continue;
            }
            let at = StatementRef {
                policy: p,
                statement: s,
            };
            match statement.effect {
                Effect::Deny => {
                    return Decision {
                        verdict: Verdict::ExplicitDeny,
                        statement: Some(at),
                    };
                }
                Effect::Allow => {
                    allow.get_or_insert(at);
                }
            }
        }
    }
    match allow {
        Some(at) => Decision {
            verdict: Verdict::Allow,
            statement: Some(at),
        },
        None => Decision {
            verdict: Verdict::NoAllow,
            statement: None,
        },
    }
}

/// [`explain_parts`] with the action and resource whole.
pub fn explain(policies: &[PolicyDocument], action: &str, resource: &str) -> Decision {
    explain_parts(policies, ("", action), (resource, ""))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const ARN: &str = "acs:kms:cn-hangzhou:1234567890123456:key/abc";

    fn policy(text: &str) -> PolicyDocument {
        PolicyDocument::parse("PolicyDocument", text).unwrap()
    }

    #[test]
    fn the_first_matching_allow_decides_when_nothing_denies() {
        let policies = [
            policy(
                r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"kms:List*","Resource":"*"}]}"#,
            ),
            policy(
                r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"kms:Describe*","Resource":"*"},{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}"#,
            ),
        ];
        let d = explain(&policies, "kms:DescribeKey", ARN);
        assert_eq!(d.verdict, Verdict::Allow);
        assert_eq!(
            d.statement,
            Some(StatementRef {
                policy: 1,
                statement: 0
            })
        );
    }

    #[test]
    fn an_explicit_deny_wins_and_is_named() {
        let policies = [
            policy(
                r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}"#,
            ),
            policy(
                r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"},{"Effect":"Deny","Action":"kms:ReEncrypt*","Resource":"acs:kms:*:*:key/abc"}]}"#,
            ),
        ];
        let d = explain(&policies, "kms:ReEncryptFrom", ARN);
        assert_eq!(d.verdict, Verdict::ExplicitDeny);
        assert_eq!(
            d.statement,
            Some(StatementRef {
                policy: 1,
                statement: 1
            })
        );
        assert!(explain(&policies, "kms:Encrypt", ARN).allowed());
    }

    #[test]
    fn no_allow_names_no_statement() {
        let policies = [policy(
            r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"kms:Describe*","Resource":"*"}]}"#,
        )];
        let d = explain(&policies, "kms:ReEncryptTo", ARN);
        assert_eq!(d.verdict, Verdict::NoAllow);
        assert_eq!(d.statement, None);
        assert_eq!(
            explain(&[], "kms:ReEncryptTo", ARN).verdict,
            Verdict::NoAllow
        );
    }
}
