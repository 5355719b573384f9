//! One audit line: `{"seq":n, …record fields…, "prev":"<hex>", "hash":"<hex>"}` and a newline.
//!
//! `hash` is SHA-256 over the line's own bytes up to (not including) `,"hash":…`, closed with
//! `}`; `prev` is the previous line's `hash` (64 zeros on the first line). So each line carries
//! the hash of the one before it, and an edit shows either in the line's own hash or in the
//! next line's `prev`.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{AuditEntry, AuditRecord};
use crate::core::vault_file::{VaultError, to_hex};

/// `prev` of the first line.
pub(crate) const ZERO_HASH: &str =
    "0000000000000000000000000000000000000000000000000000000000000000";
const HASH_HEX_LEN: usize = 64;
/// `,"hash":"` — what separates the hashed body from the hash.
const HASH_MEMBER: &[u8] = b",\"hash\":\"";

/// A line as written; field order is line order.
#[derive(Serialize)]
struct LineOut<'a> {
    seq: u64,
    time: &'a str,
    principal: &'a str,
    action: &'a str,
    key_id: Option<&'a str>,
    key_version_id: Option<&'a str>,
    result: &'a str,
    request_id: &'a str,
    details: Option<&'a serde_json::Value>,
    prev: &'a str,
}

/// A line as read.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LineIn {
    seq: u64,
    time: String,
    principal: String,
    action: String,
    key_id: Option<String>,
    key_version_id: Option<String>,
    result: String,
    request_id: String,
    details: Option<serde_json::Value>,
    prev: String,
    hash: String,
}

/// The bytes of line `seq` with its newline.
pub(crate) fn encode(seq: u64, record: &AuditRecord, prev: &str) -> Result<Vec<u8>, VaultError> {
    let out = LineOut {
        seq,
        time: &record.time,
        principal: &record.principal,
        action: &record.action,
        key_id: record.key_id.as_deref(),
        key_version_id: record.key_version_id.as_deref(),
        result: &record.result,
        request_id: &record.request_id,
        details: record.details.as_ref(),
        prev,
    };
    let mut line = serde_json::to_vec(&out).map_err(|e| VaultError::Encode(e.to_string()))?;
    let hash = hex_sha256(&line);
    line.pop(); // the closing brace, put back after the hash
    line.extend_from_slice(HASH_MEMBER);
    line.extend_from_slice(hash.as_bytes());
    line.extend_from_slice(b"\"}\n");
    Ok(line)
}

/// Parses one line (without its newline) and checks its own hash. The error says what is wrong
/// in words fit for `audit verify`.
pub(crate) fn parse(line: &[u8]) -> Result<AuditEntry, String> {
    let parsed: LineIn =
        serde_json::from_slice(line).map_err(|_| "it is not a valid audit entry".to_owned())?;
    if parsed.hash.len() != HASH_HEX_LEN || parsed.prev.len() != HASH_HEX_LEN {
        return Err("its hash fields are malformed".to_owned());
    }
    if hex_sha256_of_body(line).as_deref() != Some(parsed.hash.as_str()) {
        return Err("it was edited (its hash does not match its content)".to_owned());
    }
    Ok(AuditEntry {
        seq: parsed.seq,
        record: AuditRecord {
            time: parsed.time,
            principal: parsed.principal,
            action: parsed.action,
            key_id: parsed.key_id,
            key_version_id: parsed.key_version_id,
            result: parsed.result,
            request_id: parsed.request_id,
            details: parsed.details,
        },
        prev: parsed.prev,
        hash: parsed.hash,
    })
}

/// The hash of the body of a line that ends in `,"hash":"<64 hex>"}`; `None` for any other shape.
fn hex_sha256_of_body(line: &[u8]) -> Option<String> {
    let suffix_len = HASH_MEMBER.len() + HASH_HEX_LEN + 2;
    let cut = line.len().checked_sub(suffix_len)?;
    let (body, suffix) = line.split_at_checked(cut)?;
    if !suffix.starts_with(HASH_MEMBER) || !suffix.ends_with(b"\"}") {
        return None;
    }
    let mut hash = Sha256::new();
    hash.update(body);
    hash.update(b"}");
    Some(to_hex(&hash.finalize()))
}

pub(crate) fn hex_sha256(bytes: &[u8]) -> String {
    to_hex(&Sha256::digest(bytes))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn record() -> AuditRecord {
        AuditRecord {
            time: "2026-11-28T10:00:00Z".into(),
            principal: "admin".into(),
            action: "Encrypt".into(),
            key_id: Some("key-1".into()),
            key_version_id: None,
            result: "Success".into(),
            request_id: "r-1".into(),
            details: Some(serde_json::json!({"blobs": 3})),
        }
    }

    #[test]
    fn a_line_round_trips_and_names_its_own_hash() {
        let line = encode(1, &record(), ZERO_HASH).unwrap();
        let text = std::str::from_utf8(&line).unwrap();
        assert!(text.starts_with("{\"seq\":1,\"time\":"), "{text}");
        assert!(text.ends_with("\"}\n"));
        let entry = parse(&line[..line.len() - 1]).unwrap();
        assert_eq!(entry.seq, 1);
        assert_eq!(entry.record, record());
        assert_eq!(entry.prev, ZERO_HASH);
    }

    #[test]
    fn fail_an_edited_line() {
        let line = encode(1, &record(), ZERO_HASH).unwrap();
        let text = std::str::from_utf8(&line)
            .unwrap()
            .trim_end()
            .replace("Encrypt", "Decrypt");
        assert!(parse(text.as_bytes()).unwrap_err().contains("edited"));
        assert!(parse(b"{}").is_err());
        assert!(parse(b"").is_err());
    }
}
