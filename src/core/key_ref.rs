//! Key references as every action takes them (`KeyId`, `DestinationKeyId`, …): a KeyId,
//! `alias/<name>`, a key ARN `acs:kms:<region>:<account>:key/<KeyId>` or an alias ARN
//! `acs:kms:<region>:<account>:alias/<name>` (`spec/alibaba-kms.md` §4). The one parser: the API
//! resolves with it and the console's snapshot asks it too, so both refuse the same references.

use std::collections::BTreeMap;

use super::error::KmsError;

/// The ARN prefix of this service (`acs:kms:`), before region and account.
const ARN_PREFIX: &str = "acs:kms:";
/// An alias name's prefix, also an alias ARN's resource.
const ALIAS_PREFIX: &str = "alias/";
/// A key ARN's resource prefix.
const KEY_PREFIX: &str = "key/";

/// A parsed key reference: what it names, before any lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRef<'a> {
    /// A KeyId (from a bare id or a key ARN).
    KeyId(&'a str),
    /// An alias, `alias/<name>` (from a bare alias or an alias ARN).
    Alias(&'a str),
}

impl<'a> KeyRef<'a> {
    /// Parses `text` (trimmed). An ARN must name this vault's `region` and `account_id` and a
    /// `key/` or `alias/` resource; otherwise the key is not found, as Alibaba answers.
    pub fn parse(text: &'a str, region: &str, account_id: &str) -> Result<Self, KmsError> {
        let text = text.trim();
        let Some(rest) = text.strip_prefix(ARN_PREFIX) else {
            return Ok(if text.starts_with(ALIAS_PREFIX) {
                Self::Alias(text)
            } else {
                Self::KeyId(text)
            });
        };
        let mut parts = rest.splitn(3, ':');
        let (arn_region, arn_account, resource) = (parts.next(), parts.next(), parts.next());
        if arn_region != Some(region) || arn_account != Some(account_id) {
            return Err(KmsError::KeyNotFound);
        }
        match resource {
            Some(r) if r.starts_with(ALIAS_PREFIX) => Ok(Self::Alias(r)),
            Some(r) => r
                .strip_prefix(KEY_PREFIX)
                .map(Self::KeyId)
                .ok_or(KmsError::KeyNotFound),
            None => Err(KmsError::KeyNotFound),
        }
    }

    /// The KeyId this reference names, following an alias through `aliases`
    /// (`alias/<name>` → KeyId). Whether that key exists is the caller's lookup.
    pub fn key_id<'s>(self, aliases: &'s BTreeMap<String, String>) -> Result<&'s str, KmsError>
    where
        'a: 's,
    {
        match self {
            Self::KeyId(id) => Ok(id),
            Self::Alias(alias) => aliases
                .get(alias)
                .map(String::as_str)
                .ok_or(KmsError::AliasNotFound),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REGION: &str = "cn-hangzhou";
    const ACCOUNT: &str = "1234";

    fn parse(text: &str) -> Result<KeyRef<'_>, KmsError> {
        KeyRef::parse(text, REGION, ACCOUNT)
    }

    #[test]
    fn bare_ids_and_aliases() {
        assert_eq!(parse(" k-1 "), Ok(KeyRef::KeyId("k-1")));
        assert_eq!(parse("alias/orders"), Ok(KeyRef::Alias("alias/orders")));
    }

    #[test]
    fn arns_of_this_vault() {
        assert_eq!(
            parse("acs:kms:cn-hangzhou:1234:key/k-1"),
            Ok(KeyRef::KeyId("k-1"))
        );
        assert_eq!(
            parse("acs:kms:cn-hangzhou:1234:alias/orders"),
            Ok(KeyRef::Alias("alias/orders"))
        );
    }

    #[test]
    fn fail_foreign_or_malformed_arns() {
        for text in [
            "acs:kms:eu-west-1:1234:key/k-1",
            "acs:kms:cn-hangzhou:9999:key/k-1",
            "acs:kms:cn-hangzhou:9999:alias/orders",
            "acs:kms:cn-hangzhou:1234:secret/k-1",
            "acs:kms:cn-hangzhou:1234",
            "acs:kms:",
        ] {
            assert_eq!(parse(text), Err(KmsError::KeyNotFound), "{text}");
        }
    }

    #[test]
    fn aliases_follow_the_map() {
        let aliases = BTreeMap::from([("alias/orders".to_owned(), "k-1".to_owned())]);
        assert_eq!(KeyRef::Alias("alias/orders").key_id(&aliases), Ok("k-1"));
        assert_eq!(
            KeyRef::Alias("alias/none").key_id(&aliases),
            Err(KmsError::AliasNotFound)
        );
        assert_eq!(KeyRef::KeyId("k-9").key_id(&aliases), Ok("k-9"));
    }
}
