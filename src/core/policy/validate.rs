//! Refusing policies that cannot mean anything (product §7): every Action must be able to match
//! a real `kms:` or `ram:` action, every Resource must be `*` or an ARN pattern of this vault's
//! keys or users. The error names the statement and the entry.

use super::actions::every_permission;
use super::{Parts, PolicyDocument, glob};
use crate::core::error::KmsError;

/// The form a Resource must have, for error messages.
const RESOURCE_FORMS: &str = "\"*\", a key ARN acs:kms:<region>:<account>:key/<KeyId> (or :key for account-level actions) or a user ARN acs:ram::<account>:user/<name>, with * wildcards";

impl PolicyDocument {
    /// Checks every Action and Resource against this vault (`region`, `account`).
    pub fn validate(&self, region: &str, account: &str) -> Result<(), KmsError> {
        self.validate_actions()?;
        for (n, statement) in self.statement.iter().enumerate() {
            for resource in statement.resource.iter() {
                check_resource(resource, region, account)
                    .map_err(|why| malformed(n, "Resource", resource, &why))?;
            }
        }
        Ok(())
    }

    /// Checks that every Action can match some real action (needs no vault).
    pub fn validate_actions(&self) -> Result<(), KmsError> {
        for (n, statement) in self.statement.iter().enumerate() {
            for action in statement.action.iter() {
                if !action_exists(action) {
                    return Err(malformed(
                        n,
                        "Action",
                        action,
                        "matches no kms: or ram: action",
                    ));
                }
            }
        }
        Ok(())
    }
}

fn malformed(index: usize, field: &str, entry: &str, why: &str) -> KmsError {
    KmsError::MalformedPolicyDocument(format!("Statement {} {field} {entry:?} {why}.", index + 1))
}

/// Whether `pattern` (case-insensitive, `*` wildcards) matches at least one real action.
pub(super) fn action_exists(pattern: &str) -> bool {
    every_permission()
        .any(|(service, action)| glob(pattern, Parts(service.as_bytes(), action.as_bytes()), true))
}

fn matches(pattern: &str, text: &str) -> bool {
    glob(pattern, Parts(text.as_bytes(), b""), false)
}

/// Letters, digits, `*` and the given extra bytes; not empty.
fn plain(text: &str, extra: &[u8]) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'*' || extra.contains(&b))
}

fn check_resource(resource: &str, region: &str, account: &str) -> Result<(), String> {
    if resource == "*" {
        return Ok(());
    }
    let form = || format!("is not {RESOURCE_FORMS}");
    let mut parts = resource.splitn(5, ':');
    let (Some("acs"), Some(service), Some(res_region), Some(res_account), Some(rest)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(form());
    };
    if !matches(res_account, account) {
        return Err(format!(
            "names an account other than this vault's ({account})"
        ));
    }
    let key = matches(service, "kms")
        && (rest == "*"
            || rest == "key"
            || rest.strip_prefix("key/").is_some_and(|id| plain(id, b"-")));
    let user = matches(service, "ram")
        && (rest == "*"
            || rest
                .strip_prefix("user/")
                .is_some_and(|name| plain(name, b"._-")));
    if key && !matches(res_region, region) {
        return Err(format!("names a region other than this vault's ({region})"));
    }
    // RAM's user ARNs have an empty region (`acs:ram::<account>:user/<name>`).
    let user = user && (res_region.is_empty() || matches(res_region, ""));
    if key || user { Ok(()) } else { Err(form()) }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const REGION: &str = "cn-hangzhou";
    const ACCOUNT: &str = "1234567890123456";

    fn doc(action: &str, resource: &str) -> PolicyDocument {
        PolicyDocument::parse(
            "PolicyDocument",
            &format!(
                r#"{{"Version":"1","Statement":[{{"Effect":"Allow","Action":["{action}"],"Resource":["{resource}"]}}]}}"#
            ),
        )
        .unwrap()
    }

    #[test]
    fn real_actions_and_wildcards_that_match_them_are_accepted() {
        for action in [
            "*",
            "kms:*",
            "ram:*",
            "kms:ReEncrypt*",
            "kms:reencryptfrom",
            "kms:List*",
            "ram:CreateUser",
            "ram:*AccessKey*",
            "*:Encrypt",
        ] {
            assert!(action_exists(action), "{action}");
        }
    }

    #[test]
    fn actions_that_match_nothing_are_refused() {
        for action in [
            "kms:Foo",
            "ram:Bar",
            "s3:*",
            "kms:ReEncrypt",
            "Encrypt",
            "kms:Encrypt*x",
            "",
        ] {
            assert!(!action_exists(action), "{action}");
        }
    }

    #[test]
    fn resources_of_this_vault_are_accepted() {
        for resource in [
            "*",
            "acs:kms:cn-hangzhou:1234567890123456:key/abc-1",
            "acs:kms:*:*:key/*",
            "acs:kms:cn-*:1234567890123456:key",
            "acs:kms:*:*:*",
            "acs:ram::1234567890123456:user/alice",
            "acs:ram:*:*:user/*",
            "acs:*:*:*:*",
        ] {
            doc("kms:*", resource).validate(REGION, ACCOUNT).unwrap();
        }
    }

    #[test]
    fn malformed_resources_are_refused_naming_the_entry() {
        for resource in [
            "acs:kms:cn-hangzhou:1234567890123456:alias/orders",
            "acs:kms:cn-shanghai:1234567890123456:key/abc",
            "acs:kms:cn-hangzhou:999:key/abc",
            "acs:kms:cn-hangzhou:1234567890123456:key/",
            "acs:kms:*",
            "arn:aws:kms:*:*:key/*",
            "acs:ram:cn-hangzhou:*:user/bob",
            "acs:oss:*:*:*",
            "key/abc",
            "",
        ] {
            let e = doc("kms:*", resource)
                .validate(REGION, ACCOUNT)
                .unwrap_err();
            assert_eq!(e.code(), "MalformedPolicyDocument", "{resource}");
            assert!(
                e.to_string().contains(&format!("Resource {resource:?}")),
                "{e}"
            );
        }
    }
}
