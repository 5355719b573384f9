//! Parameter parsing: the one place each parameter is read, so every front end rejects bad input
//! with the same code and message.

use std::collections::BTreeMap;

use crate::core::context::EncryptionContext;
use crate::core::crypto::AsymmetricAlgorithm;
use crate::core::error::KmsError;
use crate::core::ops::keys::{KeyFilter, KeyFilterField};
use crate::core::ops::paging::Page;
use crate::core::secret::SecretString;

/// Typed access to a request's parameters. An empty value counts as absent.
#[derive(Clone, Copy)]
pub struct Params<'a> {
    map: &'a BTreeMap<String, String>,
}

impl<'a> Params<'a> {
    pub fn new(map: &'a BTreeMap<String, String>) -> Self {
        Self { map }
    }

    /// An optional text parameter.
    pub fn opt(&self, name: &str) -> Option<&'a str> {
        self.map
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.trim().is_empty())
    }

    /// A required text parameter.
    pub fn req(&self, name: &str) -> Result<&'a str, KmsError> {
        self.opt(name).ok_or_else(|| KmsError::missing(name))
    }

    /// A required secret (plaintext); copied into a wiped-on-drop string.
    pub fn secret(&self, name: &str) -> Result<SecretString, KmsError> {
        self.map
            .get(name)
            .filter(|v| !v.is_empty())
            .map(|v| SecretString::from(v.as_str()))
            .ok_or_else(|| KmsError::missing(name))
    }

    /// An EncryptionContext; absent is empty.
    pub fn context(&self, name: &str) -> Result<EncryptionContext, KmsError> {
        self.opt(name).map_or_else(
            || Ok(EncryptionContext::empty()),
            |t| EncryptionContext::parse(name, t),
        )
    }

    /// `true` / `false`, in any case.
    pub fn bool(&self, name: &str) -> Result<Option<bool>, KmsError> {
        self.opt(name)
            .map(|v| match v.trim().to_ascii_lowercase().as_str() {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(KmsError::invalid(name, "It must be true or false.")),
            })
            .transpose()
    }

    /// The parameters whose names start with `prefix` (flat RPC lists such as `ResourceId.1`),
    /// with the rest of the name.
    pub fn prefixed(&self, prefix: &'a str) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.map
            .iter()
            .filter_map(move |(k, v)| k.strip_prefix(prefix).map(|rest| (rest, v.as_str())))
    }

    /// `DryRun`, default false.
    pub fn dry_run(&self) -> Result<bool, KmsError> {
        Ok(self.bool("DryRun")?.unwrap_or(false))
    }

    /// A non-negative whole number.
    pub fn int(&self, name: &str) -> Result<Option<usize>, KmsError> {
        self.opt(name)
            .map(|v| {
                v.trim()
                    .parse::<usize>()
                    .map_err(|_| KmsError::invalid(name, "It must be a whole number."))
            })
            .transpose()
    }

    /// `PageNumber` and `PageSize`.
    pub fn page(&self) -> Result<Page, KmsError> {
        let default = Page::default();
        Page::new(
            self.int("PageNumber")?.unwrap_or(default.number),
            self.int("PageSize")?.unwrap_or(default.size),
        )
    }

    /// An asymmetric algorithm name.
    pub fn algorithm(&self, name: &str) -> Result<Option<AsymmetricAlgorithm>, KmsError> {
        self.opt(name)
            .map(|v| {
                AsymmetricAlgorithm::parse(v.trim()).ok_or_else(|| {
                    KmsError::invalid(
                        name,
                        "It must be RSAES_OAEP_SHA_256, RSAES_OAEP_SHA_1 or SM2PKE.",
                    )
                })
            })
            .transpose()
    }

    /// ListKeys `Filters`: `[{"Key":"KeyState","Values":["Enabled"]}]`.
    pub fn filters(&self) -> Result<Vec<KeyFilter>, KmsError> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Raw {
            #[serde(rename = "Key")]
            key: String,
            #[serde(rename = "Values")]
            values: Vec<String>,
        }
        let Some(text) = self.opt("Filters") else {
            return Ok(Vec::new());
        };
        let raw: Vec<Raw> = serde_json::from_str(text).map_err(|_| {
            KmsError::invalid(
                "Filters",
                r#"It must be a JSON array like [{"Key":"KeyState","Values":["Enabled"]}]."#,
            )
        })?;
        raw.into_iter()
            .map(|r| {
                let key = KeyFilterField::parse(&r.key).ok_or_else(|| {
                    KmsError::invalid(
                        "Filters",
                        "Key must be KeyState, KeySpec, KeyUsage, ProtectionLevel or CreatorType.",
                    )
                })?;
                Ok(KeyFilter {
                    key,
                    values: r.values,
                })
            })
            .collect()
    }
}
