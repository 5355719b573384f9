//! Secret byte strings: key material, plaintext, passphrases and derived keys. They are wiped on
//! drop and cannot be printed: `Debug` shows only the length.

use std::fmt;
use zeroize::{Zeroize, Zeroizing};

/// Bytes that must never reach the screen, a log or the audit log.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SecretBytes(Zeroizing<Vec<u8>>);

impl SecretBytes {
    /// Takes ownership of `bytes`; they are wiped when this value drops.
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(Zeroizing::new(bytes))
    }

    /// Copies `bytes` into a new secret.
    pub fn from_slice(bytes: &[u8]) -> Self {
        Self::new(bytes.to_vec())
    }

    /// The secret bytes. Callers must not copy them into non-secret storage.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// Mutable access, for filling a fresh buffer (e.g. from the OS random source).
    pub fn expose_mut(&mut self) -> &mut [u8] {
        &mut self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<Vec<u8>> for SecretBytes {
    fn from(bytes: Vec<u8>) -> Self {
        Self::new(bytes)
    }
}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretBytes([REDACTED; {} bytes])", self.0.len())
    }
}

/// A secret text (a passphrase, an AccessKeySecret, a Plaintext parameter).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SecretString(Zeroizing<String>);

impl SecretString {
    pub fn new(text: String) -> Self {
        Self(Zeroizing::new(text))
    }

    /// The secret text. Callers must not copy it into non-secret storage.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Converts into secret bytes without leaving an unwiped copy behind.
    pub fn into_bytes(mut self) -> SecretBytes {
        let bytes = self.0.as_bytes().to_vec();
        self.0.zeroize();
        SecretBytes::new(bytes)
    }
}

impl From<String> for SecretString {
    fn from(text: String) -> Self {
        Self::new(text)
    }
}

impl From<&str> for SecretString {
    fn from(text: &str) -> Self {
        Self::new(text.to_owned())
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretString([REDACTED])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_bytes() {
        let s = SecretBytes::from_slice(b"top-secret-material");
        let shown = format!("{s:?}");
        assert!(!shown.contains("top-secret"), "{shown}");
        assert!(shown.contains("REDACTED"));
        let t = SecretString::from("hunter2");
        assert!(!format!("{t:?}").contains("hunter2"));
    }
}

/// A plaintext on its way out in a response document (Decrypt, GenerateDataKey,
/// AsymmetricDecrypt): the one secret type that serialises, and only as that response field.
#[derive(Clone, PartialEq, Eq)]
pub struct RevealedPlaintext(SecretString);

impl RevealedPlaintext {
    pub fn new(text: SecretString) -> Self {
        Self(text)
    }

    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

impl fmt::Debug for RevealedPlaintext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RevealedPlaintext([REDACTED])")
    }
}

impl serde::Serialize for RevealedPlaintext {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.expose())
    }
}
