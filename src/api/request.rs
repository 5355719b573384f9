//! `ApiRequest`: an action and its parameters as strings, the same from every front end; and its
//! equivalent command line and `?Action=…` query, which the console shows beside each result.

use std::collections::BTreeMap;
use std::fmt;

use zeroize::Zeroize;

use super::actions::{Action, ParamKind, find_action};

/// One API call. Parameter values are wiped when the request drops (they may hold plaintext).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ApiRequest {
    pub action: String,
    pub params: BTreeMap<String, String>,
}

impl Drop for ApiRequest {
    fn drop(&mut self) {
        for value in self.params.values_mut() {
            value.zeroize();
        }
    }
}

impl fmt::Debug for ApiRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown: BTreeMap<&str, &str> = self
            .params
            .iter()
            .map(|(k, v)| {
                let v = if is_secret(&self.action, k) {
                    "[REDACTED]"
                } else {
                    v.as_str()
                };
                (k.as_str(), v)
            })
            .collect();
        f.debug_struct("ApiRequest")
            .field("action", &self.action)
            .field("params", &shown)
            .finish()
    }
}

/// Whether a parameter carries a secret (plaintext) that must not be shown.
fn is_secret(action: &str, param: &str) -> bool {
    find_action(action)
        .and_then(|a| a.params.iter().find(|p| p.name == param))
        .is_some_and(|p| p.kind == ParamKind::Secret)
}

impl ApiRequest {
    pub fn new(action: impl Into<String>) -> Self {
        Self {
            action: action.into(),
            params: BTreeMap::new(),
        }
    }

    /// Whether this request is for `action` (its name, exactly as `dispatch` parses it).
    pub fn is(&self, action: Action) -> bool {
        self.action == action.name()
    }

    /// A request for `action`, without parameters.
    pub fn of(action: Action) -> Self {
        Self::new(action.name())
    }

    /// Adds a parameter (builder style).
    #[must_use]
    pub fn with(mut self, name: &str, value: impl Into<String>) -> Self {
        self.params.insert(name.to_owned(), value.into());
        self
    }

    /// Sets a parameter; an empty value removes it.
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        let value = value.into();
        if value.is_empty() {
            self.params.remove(name);
        } else {
            self.params.insert(name.to_owned(), value);
        }
    }

    /// The parameters in the order the action table lists them, then any others.
    fn ordered(&self) -> Vec<(&str, &str)> {
        let mut out: Vec<(&str, &str)> = Vec::new();
        if let Some(spec) = find_action(&self.action) {
            for p in spec.params {
                if let Some(v) = self.params.get(p.name) {
                    out.push((p.name, v));
                }
            }
        }
        for (k, v) in &self.params {
            if !out.iter().any(|(n, _)| n == k) {
                out.push((k, v));
            }
        }
        out
    }

    /// The equivalent command line. Secret values appear as `"$PLAINTEXT"` so the line can be
    /// shown and copied without showing the secret.
    pub fn to_cli_line(&self) -> String {
        let mut line = format!("kms-console {}", self.action);
        for (name, value) in self.ordered() {
            line.push_str(" --");
            line.push_str(name);
            line.push(' ');
            if is_secret(&self.action, name) {
                line.push_str("\"$PLAINTEXT\"");
            } else {
                line.push_str(&shell_quote(value));
            }
        }
        line
    }

    /// The equivalent RPC query, `?Action=…&Name=value…` (common parameters omitted).
    pub fn to_query(&self) -> String {
        let mut q = format!("?Action={}", percent_encode(&self.action));
        for (name, value) in self.ordered() {
            let value = if is_secret(&self.action, name) {
                "$PLAINTEXT".to_owned()
            } else {
                percent_encode(value)
            };
            q.push('&');
            q.push_str(&percent_encode(name));
            q.push('=');
            q.push_str(&value);
        }
        q
    }
}

/// Quotes a word for a POSIX shell (single quotes unless it is plainly safe).
pub fn shell_quote(word: &str) -> String {
    let safe = !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:=+,@%".contains(&b));
    if safe {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// RFC 3986 percent-encoding as the KMS RPC signature uses it (`spec/alibaba-kms.md` §7.1):
/// keeps `A–Z a–z 0–9 - _ . ~`, encodes everything else byte by byte.
pub fn percent_encode(text: &str) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_line_and_query() {
        let r = ApiRequest::new("ReEncrypt")
            .with("DestinationKeyId", "alias/orders")
            .with("CiphertextBlob", "ab+/=")
            .with("SourceEncryptionContext", r#"{"app":"a b"}"#);
        assert_eq!(
            r.to_cli_line(),
            r#"kms-console ReEncrypt --CiphertextBlob ab+/= --DestinationKeyId alias/orders --SourceEncryptionContext '{"app":"a b"}'"#
        );
        assert_eq!(
            r.to_query(),
            "?Action=ReEncrypt&CiphertextBlob=ab%2B%2F%3D&DestinationKeyId=alias%2Forders&SourceEncryptionContext=%7B%22app%22%3A%22a%20b%22%7D"
        );
    }

    #[test]
    fn secrets_are_not_shown() {
        let r = ApiRequest::new("Encrypt")
            .with("KeyId", "k")
            .with("Plaintext", "very secret");
        assert!(!r.to_cli_line().contains("very secret"));
        assert!(!r.to_query().contains("very"));
        assert!(!format!("{r:?}").contains("very secret"));
    }

    #[test]
    fn shell_quote_handles_quotes() {
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
    }
}
