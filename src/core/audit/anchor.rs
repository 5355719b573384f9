//! What the vault holds of its audit log (product §12): the secret that keys the chain and the
//! anchor — the last line (seq and MAC) written when the vault was last saved.
//!
//! The key is 32 bytes from the OS random source, made when the vault is created (or, for a
//! vault written by an older version, at its first write after the upgrade). It never leaves the
//! vault file: no `Debug` shows it, and it is wiped on drop. With a sealed vault nobody without
//! the passphrase can compute a line's MAC.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::core::error::KmsError;
use crate::core::random;
use crate::core::vault_file::to_hex;

const KEY_LEN: usize = 32;

/// The secret that keys the audit chain (HMAC-SHA256).
#[derive(Clone)]
pub struct AuditKey(Zeroizing<[u8; KEY_LEN]>);

impl AuditKey {
    /// A fresh key from the OS random source.
    pub fn generate() -> Result<Self, KmsError> {
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        random::fill(key.as_mut())?;
        Ok(Self(key))
    }

    /// HMAC-SHA256 of `parts` (concatenated), in lower-case hex.
    pub(crate) fn mac_hex(&self, parts: &[&[u8]]) -> String {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(self.0.as_ref())
            .unwrap_or_else(|_| unreachable_key_len());
        for part in parts {
            mac.update(part);
        }
        to_hex(&mac.finalize().into_bytes())
    }

    /// Whether `mac_hex` is the MAC of `parts` (compared in constant time).
    pub(crate) fn verify_hex(&self, parts: &[&[u8]], mac_hex: &str) -> bool {
        let Some(tag) = from_hex(mac_hex) else {
            return false;
        };
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(self.0.as_ref())
            .unwrap_or_else(|_| unreachable_key_len());
        for part in parts {
            mac.update(part);
        }
        mac.verify_slice(&tag).is_ok()
    }
}

/// HMAC takes keys of any length, so `new_from_slice` cannot fail; this keeps the code free of
/// `expect` without pretending there is an error to report.
fn unreachable_key_len() -> Hmac<Sha256> {
    <Hmac<Sha256> as KeyInit>::new(&hmac::digest::Key::<Hmac<Sha256>>::default())
}

impl fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuditKey(…)")
    }
}

/// Compares two keys held in memory (never a key against input).
impl PartialEq for AuditKey {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_ref() == other.0.as_ref()
    }
}

impl Serialize for AuditKey {
    /// Hex, into the vault file — the only place the key is written.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&Zeroizing::new(to_hex(self.0.as_ref())))
    }
}

impl<'de> Deserialize<'de> for AuditKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = Zeroizing::new(String::deserialize(d)?);
        let bytes = Zeroizing::new(
            from_hex(&text).ok_or_else(|| serde::de::Error::custom("a malformed audit key"))?,
        );
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        if bytes.len() != KEY_LEN {
            return Err(serde::de::Error::custom("an audit key of the wrong length"));
        }
        key.copy_from_slice(&bytes);
        Ok(Self(key))
    }
}

/// The audit state inside the vault: the chain's key, where keyed lines begin, and the head of
/// the log at the last vault write.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AuditAnchor {
    pub key: AuditKey,
    /// The first keyed line. Lines before it were written, unkeyed, by an older version.
    pub keyed_from: u64,
    /// The last line of the log when the vault was last written (0: the log was empty).
    pub head_seq: u64,
    /// That line's MAC (its `hash` if it is an unkeyed line); `None` iff `head_seq` is 0.
    pub head_mac: Option<String>,
    /// Where that line ends in the log (bytes, its newline included), so that each write can
    /// check in one read that the anchored line is still there before moving the anchor on.
    #[serde(default)]
    pub head_offset: u64,
}

impl AuditAnchor {
    /// A new key for a log whose last line is `head` (seq 0: empty): keyed lines start after it.
    pub fn new(key: AuditKey, head: &AuditHead) -> Self {
        Self {
            key,
            keyed_from: head.seq.saturating_add(1),
            head_seq: head.seq,
            head_mac: head.mac.clone(),
            head_offset: head.offset,
        }
    }

    /// Moves the anchor to `head`.
    pub fn set_head(&mut self, head: &AuditHead) {
        self.head_seq = head.seq;
        self.head_mac.clone_from(&head.mac);
        self.head_offset = head.offset;
    }
}

/// The last line of a log: its seq (0 for an empty log) and the chain value it ends with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditHead {
    pub seq: u64,
    pub mac: Option<String>,
    /// The log's length in bytes up to the end of that line.
    pub offset: u64,
}

fn from_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    text.as_bytes()
        .chunks_exact(2)
        .map(|pair| {
            let digit = |c: u8| char::from(c).to_digit(16);
            u8::try_from(digit(pair[0])? * 16 + digit(pair[1])?).ok()
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn the_key_round_trips_and_never_shows() {
        let key = AuditKey::generate().unwrap();
        let anchor = AuditAnchor::new(key.clone(), &AuditHead::default());
        let json = serde_json::to_string(&anchor).unwrap();
        let back: AuditAnchor = serde_json::from_str(&json).unwrap();
        assert_eq!(back, anchor);
        assert_eq!(anchor.keyed_from, 1);
        let shown = format!("{anchor:?}");
        assert!(shown.contains("AuditKey(…)"), "{shown}");
        assert!(!shown.contains(&to_hex(key.0.as_ref())));
    }

    #[test]
    fn macs_are_keyed() {
        let (a, b) = (AuditKey::generate().unwrap(), AuditKey::generate().unwrap());
        let mac = a.mac_hex(&[b"body", b"}"]);
        assert!(a.verify_hex(&[b"body}"], &mac));
        assert!(!b.verify_hex(&[b"body}"], &mac));
        assert!(!a.verify_hex(&[b"Body}"], &mac));
        assert!(!a.verify_hex(&[b"body}"], "zz"));
    }

    #[test]
    fn fail_malformed_keys() {
        for bad in ["\"00\"", "\"xyz\"", "\"0g\"", "1"] {
            assert!(serde_json::from_str::<AuditKey>(bad).is_err(), "{bad}");
        }
    }
}
