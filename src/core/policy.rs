//! RAM-style policies: `{"Version":"1","Statement":[{"Effect","Action","Resource"}]}` with `*`
//! wildcards; an explicit Deny wins, otherwise some Allow must match (product §7).

mod actions;
mod explain;
mod validate;

use serde::{Deserialize, Serialize};

use super::error::KmsError;

pub use actions::{every_permission, kms, ram};
pub use explain::{Decision, StatementRef, Verdict, explain, explain_parts};

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Effect {
    Allow,
    Deny,
}

/// A string or a list of strings, as RAM accepts for `Action` and `Resource`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        let slice: &[String] = match self {
            Self::One(s) => std::slice::from_ref(s),
            Self::Many(v) => v,
        };
        slice.iter().map(String::as_str)
    }
}

/// One statement of a policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    #[serde(rename = "Effect")]
    pub effect: Effect,
    #[serde(rename = "Action")]
    pub action: OneOrMany,
    #[serde(rename = "Resource")]
    pub resource: OneOrMany,
}

/// A policy document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyDocument {
    #[serde(rename = "Version")]
    pub version: String,
    #[serde(rename = "Statement")]
    pub statement: Vec<Statement>,
}

impl PolicyDocument {
    /// Parses a policy given as JSON text (`param` names where it came from) and checks its
    /// shape and its actions; [`Self::validate`] also checks its resources against a vault.
    pub fn parse(param: &str, text: &str) -> Result<Self, KmsError> {
        let doc: Self = serde_json::from_str(text).map_err(|e| {
            KmsError::MalformedPolicyDocument(format!(
                "{param} must be a policy document {{\"Version\":\"1\",\"Statement\":[{{\"Effect\":\"Allow\"|\"Deny\",\"Action\":[...],\"Resource\":[...]}}]}} (line {} column {}).",
                e.line(),
                e.column()
            ))
        })?;
        if doc.version != "1" {
            return Err(KmsError::MalformedPolicyDocument(format!(
                "{param}: Version must be \"1\"."
            )));
        }
        for (n, s) in doc.statement.iter().enumerate() {
            if s.action.iter().next().is_none() || s.resource.iter().next().is_none() {
                return Err(KmsError::MalformedPolicyDocument(format!(
                    "{param}: Statement {} needs at least one Action and one Resource.",
                    n + 1
                )));
            }
        }
        doc.validate_actions()?;
        Ok(doc)
    }

    /// A policy allowing `actions` on every resource.
    pub fn allow(actions: &[&str]) -> Self {
        Self {
            version: "1".into(),
            statement: vec![Statement {
                effect: Effect::Allow,
                action: OneOrMany::Many(actions.iter().map(|a| (*a).to_owned()).collect()),
                resource: OneOrMany::One("*".into()),
            }],
        }
    }
}

/// Whether `policies` allow `action` (e.g. `kms:ReEncryptFrom`) on `resource` (a key ARN).
/// Actions compare case-insensitively, as RAM does; resources exactly.
pub fn is_allowed(policies: &[PolicyDocument], action: &str, resource: &str) -> bool {
    is_allowed_parts(policies, ("", action), (resource, ""))
}

/// [`is_allowed`] with the action and resource each given as two parts that are matched as if
/// concatenated (`("kms:", "Decrypt")`, `("acs:kms:…:key/", key_id)`), so the hot path of every
/// operation builds no strings.
pub fn is_allowed_parts(
    policies: &[PolicyDocument],
    action: (&str, &str),
    resource: (&str, &str),
) -> bool {
    explain_parts(policies, action, resource).allowed()
}

/// A text in two pieces.
#[derive(Clone, Copy)]
struct Parts<'a>(&'a [u8], &'a [u8]);

impl Parts<'_> {
    fn len(self) -> usize {
        self.0.len() + self.1.len()
    }

    fn get(self, i: usize) -> Option<u8> {
        match i.checked_sub(self.0.len()) {
            None => self.0.get(i).copied(),
            Some(j) => self.1.get(j).copied(),
        }
    }
}

/// `*` matches any run of characters (including none); everything else matches itself.
fn glob(pattern: &str, text: Parts<'_>, ignore_case: bool) -> bool {
    if pattern == "*" {
        return true;
    }
    let eq = |a: u8, b: u8| {
        if ignore_case {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    };
    let p = pattern.as_bytes();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < text.len() {
        match p.get(pi) {
            Some(b'*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if text.get(ti).is_some_and(|x| eq(c, x)) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|&c| c == b'*'))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ARN: &str = "acs:kms:cn-hangzhou:1234567890123456:key/abc";

    fn glob(p: &str, t: &str, ignore_case: bool) -> bool {
        super::glob(p, Parts(t.as_bytes(), b""), ignore_case)
    }

    #[test]
    fn split_text_matches_like_the_whole() {
        let whole = "acs:kms:cn-hangzhou:1:key/abc";
        for cut in 0..=whole.len() {
            let (a, b) = whole.split_at(cut);
            for p in [
                "acs:kms:*:*:key/*",
                "*abc",
                "acs:kms:cn-hangzhou:1:key/abc",
                "*:key/x*",
                "acs*1*c",
            ] {
                assert_eq!(
                    super::glob(p, Parts(a.as_bytes(), b.as_bytes()), false),
                    glob(p, whole, false),
                    "{p} {cut}"
                );
            }
        }
    }

    #[test]
    fn glob_matches() {
        assert!(glob("kms:ReEncrypt*", "kms:ReEncryptFrom", true));
        assert!(glob("kms:reencrypt*", "kms:ReEncryptTo", true));
        assert!(!glob("kms:ReEncrypt*", "kms:Encrypt", true));
        assert!(glob("acs:kms:*:*:key/*", ARN, false));
        assert!(!glob("acs:kms:*:*:key/x*", ARN, false));
        assert!(glob("a*b*c", "aXXbYYc", false));
        assert!(!glob("a*b*c", "aXXbYY", false));
        assert!(glob("**", "", false));
    }

    #[test]
    fn deny_wins_over_allow() {
        let allow = PolicyDocument::allow(&["kms:*"]);
        let deny = PolicyDocument::parse(
            "PolicyDocument",
            r#"{"Version":"1","Statement":[{"Effect":"Deny","Action":"kms:Decrypt","Resource":["*"]}]}"#,
        )
        .unwrap();
        assert!(is_allowed(std::slice::from_ref(&allow), "kms:Decrypt", ARN));
        assert!(!is_allowed(&[allow.clone(), deny], "kms:Decrypt", ARN));
        assert!(!is_allowed(&[], "kms:Decrypt", ARN));
    }

    #[test]
    fn reencrypt_star_grants_both() {
        let p = [PolicyDocument::allow(&["kms:ReEncrypt*"])];
        assert!(is_allowed(&p, "kms:ReEncryptFrom", ARN));
        assert!(is_allowed(&p, "kms:ReEncryptTo", ARN));
        assert!(!is_allowed(&p, "kms:Decrypt", ARN));
    }

    #[test]
    fn bad_documents_are_rejected() {
        for bad in [
            "",
            "{}",
            r#"{"Version":"2","Statement":[]}"#,
            r#"{"Version":"1","Statement":[{"Effect":"Maybe","Action":"kms:*","Resource":"*"}]}"#,
            r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
            r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":[],"Resource":"*"}]}"#,
            r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"kms:Foo","Resource":"*"}]}"#,
            r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"ram:Bar","Resource":"*"}]}"#,
        ] {
            assert_eq!(
                PolicyDocument::parse("PolicyDocument", bad)
                    .unwrap_err()
                    .code(),
                "MalformedPolicyDocument",
                "{bad}"
            );
        }
    }

    proptest! {
        #[test]
        fn glob_never_panics(p in "[a*:]{0,12}", t in "[a:]{0,12}") {
            let _ = glob(&p, &t, true);
        }

        #[test]
        fn literal_pattern_matches_only_itself(t in "[a-z:/]{0,12}", u in "[a-z:/]{0,12}") {
            prop_assert!(glob(&t, &t, false));
            prop_assert_eq!(glob(&t, &u, false), t == u);
        }
    }
}
