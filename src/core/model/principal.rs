//! Principals as stored in the vault: name, policies and 0..=2 AccessKey pairs (product §7), and
//! the reading of vault files written when a principal held exactly one pair.

use serde::{Deserialize, Serialize};

use crate::core::clock::UnixTime;
use crate::core::policy::PolicyDocument;
use crate::core::secret::SecretString;

/// At most this many AccessKey pairs per principal, as in RAM (product §7).
pub const MAX_ACCESS_KEYS: usize = 2;

/// An AccessKey pair: how the HTTP endpoint (product §13) knows who signed a request.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccessKey {
    pub access_key_id: String,
    #[serde(with = "secret_string_serde")]
    pub access_key_secret: SecretString,
    pub creation_date: UnixTime,
}

impl std::fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessKey")
            .field("access_key_id", &self.access_key_id)
            .field("creation_date", &self.creation_date)
            .finish_non_exhaustive()
    }
}

/// Who may call the API: a name, 0 to [`MAX_ACCESS_KEYS`] AccessKey pairs (for the HTTP
/// endpoint) and RAM-style policies. Its `Debug` shows no secret ([`AccessKey`]'s hides it).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", from = "StoredPrincipal")]
pub struct Principal {
    pub name: String,
    pub access_keys: Vec<AccessKey>,
    pub policies: Vec<PolicyDocument>,
    pub creation_date: UnixTime,
}

/// A principal as stored: vault files written before AccessKey lists hold one pair in
/// `AccessKeyId`/`AccessKeySecret`; it becomes the first entry of `AccessKeys`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StoredPrincipal {
    name: String,
    #[serde(default)]
    access_keys: Vec<AccessKey>,
    #[serde(default)]
    access_key_id: Option<String>,
    #[serde(default, with = "optional_secret_serde")]
    access_key_secret: Option<SecretString>,
    policies: Vec<PolicyDocument>,
    creation_date: UnixTime,
}

impl From<StoredPrincipal> for Principal {
    fn from(mut p: StoredPrincipal) -> Self {
        let mut access_keys = Vec::new();
        // Before principals were permissioned, `init` gave its `admin` only `kms:*`: the owner's
        // principal then also gets `ram:*`, or nobody could manage principals in such a vault.
        if p.access_key_id.is_some()
            && p.name == "admin"
            && p.policies == [PolicyDocument::allow(&["kms:*"])]
        {
            p.policies = vec![PolicyDocument::allow(&["kms:*", "ram:*"])];
        }
        if let (Some(access_key_id), Some(access_key_secret)) =
            (p.access_key_id, p.access_key_secret)
        {
            access_keys.push(AccessKey {
                access_key_id,
                access_key_secret,
                creation_date: p.creation_date,
            });
        }
        access_keys.extend(p.access_keys);
        Self {
            name: p.name,
            access_keys,
            policies: p.policies,
            creation_date: p.creation_date,
        }
    }
}

/// Reads the single AccessKeySecret of old vault files.
mod optional_secret_serde {
    use super::SecretString;
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SecretString>, D::Error> {
        Option::<String>::deserialize(d).map(|s| s.map(SecretString::new))
    }
}

/// Serialises an AccessKeySecret into the vault file — the only place it is written.
mod secret_string_serde {
    use super::SecretString;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(secret: &SecretString, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(secret.expose())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SecretString, D::Error> {
        String::deserialize(d).map(SecretString::new)
    }
}
