//! EncryptionContext: a JSON object of string → string, bound to symmetric ciphertext as GCM AAD
//! in one canonical form — keys sorted by byte order, compact JSON (product §5,
//! `spec/alibaba-kms.md` §3). `{}`, an empty string and an absent context are the same: no AAD.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{Deserializer, MapAccess, Visitor};

use super::error::KmsError;

/// Longest context accepted, in characters (`spec/alibaba-kms.md` §3).
pub const MAX_CONTEXT_CHARS: usize = 8192;

/// A parsed encryption context and its canonical AAD bytes.
///
/// Values may be sensitive, so `Debug` shows only the keys.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct EncryptionContext {
    pairs: BTreeMap<String, String>,
    canonical: Vec<u8>,
}

impl fmt::Debug for EncryptionContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.pairs.keys()).finish()
    }
}

impl EncryptionContext {
    /// The empty context (no AAD).
    pub fn empty() -> Self {
        Self::default()
    }

    /// Parses the JSON text of parameter `param` (for error messages). Blank text is empty.
    pub fn parse(param: &str, text: &str) -> Result<Self, KmsError> {
        if text.chars().count() > MAX_CONTEXT_CHARS {
            return Err(KmsError::invalid(
                param,
                format!("It must be at most {MAX_CONTEXT_CHARS} characters."),
            ));
        }
        if text.trim().is_empty() {
            return Ok(Self::empty());
        }
        let mut de = serde_json::Deserializer::from_str(text);
        let pairs = de
            .deserialize_map(PairsVisitor)
            .and_then(|pairs| de.end().map(|()| pairs))
            .map_err(|e| {
                KmsError::invalid(
                    param,
                    format!(
                        "It must be a JSON object of string keys and string values ({}).",
                        describe(&e)
                    ),
                )
            })?;
        Ok(Self::from_pairs(pairs))
    }

    /// Builds a context from pairs (already validated as strings).
    pub fn from_pairs(pairs: BTreeMap<String, String>) -> Self {
        let canonical = if pairs.is_empty() {
            Vec::new()
        } else {
            // A map of strings always serialises; the fallback keeps this total.
            serde_json::to_vec(&pairs).unwrap_or_default()
        };
        Self { pairs, canonical }
    }

    /// The AAD bound into the ciphertext.
    pub fn aad(&self) -> &[u8] {
        &self.canonical
    }

    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    pub fn pairs(&self) -> &BTreeMap<String, String> {
        &self.pairs
    }

    /// The canonical JSON text (`{}` when empty), e.g. for showing an equivalent request.
    pub fn to_json(&self) -> String {
        if self.canonical.is_empty() {
            "{}".to_owned()
        } else {
            String::from_utf8_lossy(&self.canonical).into_owned()
        }
    }
}

/// A serde error's category and position, never its echo of the input.
fn describe(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let what = match e.classify() {
        Category::Syntax | Category::Io => "syntax error",
        Category::Eof => "unexpected end of input",
        Category::Data => "not an object of strings, or a duplicate key",
    };
    format!("{what} at line {} column {}", e.line(), e.column())
}

struct PairsVisitor;

impl<'de> Visitor<'de> for PairsVisitor {
    type Value = BTreeMap<String, String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object whose values are strings")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut pairs = BTreeMap::new();
        while let Some((k, v)) = map.next_entry::<String, String>()? {
            if pairs.insert(k, v).is_some() {
                return Err(serde::de::Error::custom("duplicate key"));
            }
        }
        Ok(pairs)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn empty_forms_are_the_same() {
        for text in ["", "  ", "{}", " { } "] {
            let c = EncryptionContext::parse("EncryptionContext", text).unwrap();
            assert!(c.aad().is_empty(), "{text:?}");
        }
    }

    #[test]
    fn order_and_whitespace_do_not_matter() {
        let a = EncryptionContext::parse("C", r#"{"b":"2","a":"1"}"#).unwrap();
        let b = EncryptionContext::parse("C", "{ \"a\" : \"1\",\n \"b\":\"2\" }").unwrap();
        assert_eq!(a.aad(), b.aad());
        assert_eq!(a.aad(), br#"{"a":"1","b":"2"}"#);
    }

    #[test]
    fn rejects_what_is_not_an_object_of_strings() {
        for bad in [
            "[]",
            "\"x\"",
            "1",
            r#"{"a":1}"#,
            r#"{"a":null}"#,
            r#"{"a":{"b":"c"}}"#,
            r#"{"a":"1","a":"2"}"#,
            r#"{"a":"1"} x"#,
            "{",
            "not json",
        ] {
            let err = EncryptionContext::parse("SourceEncryptionContext", bad).unwrap_err();
            assert_eq!(err.code(), "InvalidParameter", "{bad}");
            assert!(err.to_string().contains("SourceEncryptionContext"));
        }
    }

    #[test]
    fn error_message_never_echoes_values() {
        let err = EncryptionContext::parse("C", r#"{"k":"secret-value", "n": 5}"#).unwrap_err();
        assert!(!err.to_string().contains("secret-value"));
    }

    #[test]
    fn rejects_overlong() {
        let long = format!(r#"{{"a":"{}"}}"#, "x".repeat(MAX_CONTEXT_CHARS));
        assert!(EncryptionContext::parse("C", &long).is_err());
    }

    proptest! {
        #[test]
        fn canonical_form_ignores_order(pairs in proptest::collection::btree_map(".{0,8}", ".{0,8}", 0..6)) {
            let forward: Vec<String> = pairs.iter().map(|(k, v)| format!("{}: {}", serde_json::to_string(k).unwrap(), serde_json::to_string(v).unwrap())).collect();
            let mut backward = forward.clone();
            backward.reverse();
            let a = EncryptionContext::parse("C", &format!("{{{}}}", forward.join(","))).unwrap();
            let b = EncryptionContext::parse("C", &format!("{{ {} }}", backward.join(" ,\n "))).unwrap();
            prop_assert_eq!(a.aad(), b.aad());
            prop_assert_eq!(a.pairs(), &pairs);
        }

        #[test]
        fn parse_never_panics(text in ".{0,64}") {
            let _ = EncryptionContext::parse("C", &text);
        }
    }
}
