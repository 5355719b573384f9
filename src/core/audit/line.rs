//! One audit line: `{"seq":n, …record fields…, "prev":"<hex>", "mac":"<hex>"}` and a newline.
//!
//! `mac` is HMAC-SHA256, keyed by the vault's audit key, over the line's own bytes up to (not
//! including) `,"mac":…`, closed with `}`; `prev` is the previous line's `mac` (64 zeros on the
//! first line). So each line carries the MAC of the one before it, an edit shows either in the
//! line's own MAC or in the next line's `prev`, and nobody without the key can recompute them.
//!
//! Lines written before the chain was keyed end in `,"hash":"<hex>"}` instead: SHA-256 over the
//! same bytes, which anyone can recompute. They lack the fields added with the key (`key_ref`,
//! `source_key_id`, `source_key_version_id`, `alias_name`), and are still read and verified.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::anchor::AuditKey;
use super::{AuditEntry, AuditRecord, Seal};
use crate::core::vault_file::{VaultError, to_hex};

/// `prev` of the first line.
pub(crate) const ZERO_HASH: &str =
    "0000000000000000000000000000000000000000000000000000000000000000";
const HEX_LEN: usize = 64;
/// What separates the MACed body from the MAC, and from the hash of an unkeyed line.
const MAC_MEMBER: &[u8] = b",\"mac\":\"";
const HASH_MEMBER: &[u8] = b",\"hash\":\"";

/// A line as written; field order is line order.
#[derive(Serialize)]
struct LineOut<'a> {
    seq: u64,
    time: &'a str,
    principal: &'a str,
    action: &'a str,
    key_ref: Option<&'a str>,
    key_id: Option<&'a str>,
    key_version_id: Option<&'a str>,
    source_key_id: Option<&'a str>,
    source_key_version_id: Option<&'a str>,
    alias_name: Option<&'a str>,
    result: &'a str,
    request_id: &'a str,
    details: Option<&'a serde_json::Value>,
    prev: &'a str,
}

/// A line as read (keyed or unkeyed).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LineIn {
    seq: u64,
    time: String,
    principal: String,
    action: String,
    #[serde(default)]
    key_ref: Option<String>,
    key_id: Option<String>,
    key_version_id: Option<String>,
    #[serde(default)]
    source_key_id: Option<String>,
    #[serde(default)]
    source_key_version_id: Option<String>,
    #[serde(default)]
    alias_name: Option<String>,
    result: String,
    request_id: String,
    details: Option<serde_json::Value>,
    prev: String,
    #[serde(default)]
    mac: Option<String>,
    #[serde(default)]
    hash: Option<String>,
}

/// The bytes of line `seq` with its newline, and its MAC.
pub(crate) fn encode(
    seq: u64,
    record: &AuditRecord,
    prev: &str,
    key: &AuditKey,
) -> Result<(Vec<u8>, String), VaultError> {
    let r = record;
    let out = LineOut {
        seq,
        time: &r.time,
        principal: &r.principal,
        action: &r.action,
        key_ref: r.key_ref.as_deref(),
        key_id: r.key_id.as_deref(),
        key_version_id: r.key_version_id.as_deref(),
        source_key_id: r.source_key_id.as_deref(),
        source_key_version_id: r.source_key_version_id.as_deref(),
        alias_name: r.alias_name.as_deref(),
        result: &r.result,
        request_id: &r.request_id,
        details: r.details.as_ref(),
        prev,
    };
    let mut line = serde_json::to_vec(&out).map_err(|e| VaultError::Encode(e.to_string()))?;
    line.pop(); // the closing brace, MACed and put back after the MAC
    let mac = key.mac_hex(&[&line, b"}"]);
    line.extend_from_slice(MAC_MEMBER);
    line.extend_from_slice(mac.as_bytes());
    line.extend_from_slice(b"\"}\n");
    Ok((line, mac))
}

/// Parses one line (without its newline): its shape only, and for an unkeyed line its hash.
/// A keyed line's MAC needs the key: see [`check_mac`]. The error says what is wrong in words
/// fit for `audit verify`.
pub(crate) fn parse(line: &[u8]) -> Result<AuditEntry, String> {
    let parsed: LineIn =
        serde_json::from_slice(line).map_err(|_| "it is not a valid audit entry".to_owned())?;
    let seal = match (parsed.mac, parsed.hash) {
        (Some(mac), None) => Seal::Mac(mac),
        (None, Some(hash)) => Seal::Hash(hash),
        _ => return Err("it is not a valid audit entry".to_owned()),
    };
    if seal.value().len() != HEX_LEN || parsed.prev.len() != HEX_LEN {
        return Err("its chain fields are malformed".to_owned());
    }
    if let Seal::Hash(hash) = &seal
        && body(line, HASH_MEMBER).map(|b| hex_sha256_parts(&[b, b"}"])) != Some(hash.clone())
    {
        return Err("it was edited (its hash does not match its content)".to_owned());
    }
    Ok(AuditEntry {
        seq: parsed.seq,
        record: AuditRecord {
            time: parsed.time,
            principal: parsed.principal,
            action: parsed.action,
            key_ref: parsed.key_ref,
            key_id: parsed.key_id,
            key_version_id: parsed.key_version_id,
            source_key_id: parsed.source_key_id,
            source_key_version_id: parsed.source_key_version_id,
            alias_name: parsed.alias_name,
            result: parsed.result,
            request_id: parsed.request_id,
            details: parsed.details,
        },
        prev: parsed.prev,
        seal,
    })
}

/// Whether the keyed line `line` (already parsed into `entry`) carries its true MAC.
pub(crate) fn check_mac(line: &[u8], entry: &AuditEntry, key: &AuditKey) -> Result<(), String> {
    let sound = body(line, MAC_MEMBER).is_some_and(|b| key.verify_hex(&[b, b"}"], entry.chain()));
    if sound {
        Ok(())
    } else {
        Err("it was edited or forged (its MAC does not match its content)".to_owned())
    }
}

/// The body of a line that ends in `<member><64 hex>"}`; `None` for any other shape.
fn body<'a>(line: &'a [u8], member: &[u8]) -> Option<&'a [u8]> {
    let suffix_len = member.len() + HEX_LEN + 2;
    let cut = line.len().checked_sub(suffix_len)?;
    let (body, suffix) = line.split_at_checked(cut)?;
    (suffix.starts_with(member) && suffix.ends_with(b"\"}")).then_some(body)
}

pub(crate) fn hex_sha256(bytes: &[u8]) -> String {
    hex_sha256_parts(&[bytes])
}

fn hex_sha256_parts(parts: &[&[u8]]) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update(part);
    }
    to_hex(&hash.finalize())
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
            key_ref: Some("alias/orders".into()),
            key_id: Some("key-1".into()),
            result: "Success".into(),
            request_id: "r-1".into(),
            details: Some(serde_json::json!({"blobs": 3})),
            ..AuditRecord::default()
        }
    }

    #[test]
    fn a_line_round_trips_and_carries_its_own_mac() {
        let key = AuditKey::generate().unwrap();
        let (line, mac) = encode(1, &record(), ZERO_HASH, &key).unwrap();
        let text = std::str::from_utf8(&line).unwrap();
        assert!(text.starts_with("{\"seq\":1,\"time\":"), "{text}");
        assert!(text.ends_with(&format!(",\"mac\":\"{mac}\"}}\n")), "{text}");
        let entry = parse(&line[..line.len() - 1]).unwrap();
        assert_eq!(entry.seq, 1);
        assert_eq!(entry.record, record());
        assert_eq!(entry.prev, ZERO_HASH);
        assert_eq!(entry.seal, Seal::Mac(mac));
        check_mac(&line[..line.len() - 1], &entry, &key).unwrap();
        let other = AuditKey::generate().unwrap();
        assert!(check_mac(&line[..line.len() - 1], &entry, &other).is_err());
    }

    #[test]
    fn fail_an_edited_line() {
        let key = AuditKey::generate().unwrap();
        let (line, _) = encode(1, &record(), ZERO_HASH, &key).unwrap();
        let text = std::str::from_utf8(&line)
            .unwrap()
            .trim_end()
            .replace("Encrypt", "Decrypt");
        let entry = parse(text.as_bytes()).unwrap();
        assert!(
            check_mac(text.as_bytes(), &entry, &key)
                .unwrap_err()
                .contains("edited")
        );
        assert!(parse(b"{}").is_err());
        assert!(parse(b"").is_err());
    }
}
