//! The two request signatures of the KMS RPC protocol, as pure functions of the request text:
//! V1 HMAC-SHA1 (`alibaba-kms.md` §7.1) and ACS3-HMAC-SHA256 (§7.2), with the canonical forms
//! `sdk-wire.md` §2 items 3–4 pin down. Verification compares MACs in constant time
//! (`Mac::verify_slice`).

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::api::percent_encode;

/// The `Authorization` scheme name of ACS3 (§7.2).
pub const ACS3_SCHEME: &str = "ACS3-HMAC-SHA256";

/// V1 StringToSign: `METHOD&%2F&` + encode(sorted `k=v` of every parameter but `Signature`,
/// empty values included), names and values RFC 3986-encoded (§7.1 steps 1–4).
pub fn v1_string_to_sign<'a>(
    method: &str,
    params: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> String {
    let mut pairs: Vec<(String, String)> = params
        .into_iter()
        .filter(|(k, _)| *k != "Signature")
        .map(|(k, v)| (percent_encode(k), percent_encode(v)))
        .collect();
    pairs.sort();
    let canonical = join_pairs(&pairs);
    format!("{method}&%2F&{}", percent_encode(&canonical))
}

/// The V1 signature of a StringToSign: base64 HMAC-SHA1 keyed by `secret + "&"` (§7.1 step 5).
pub fn v1_sign(secret: &str, string_to_sign: &str) -> String {
    v1_mac(secret, string_to_sign)
        .map(|mac| BASE64.encode(mac.finalize().into_bytes()))
        .unwrap_or_default()
}

/// Whether `signature` (base64) is the V1 signature of `string_to_sign`; constant time.
pub fn v1_verify(secret: &str, string_to_sign: &str, signature: &str) -> bool {
    BASE64
        .decode(signature.trim())
        .ok()
        .zip(v1_mac(secret, string_to_sign))
        .is_some_and(|(given, mac)| mac.verify_slice(&given).is_ok())
}

/// `None` never happens in practice: HMAC takes a key of any length.
fn v1_mac(secret: &str, string_to_sign: &str) -> Option<Hmac<Sha1>> {
    let mut key = zeroize::Zeroizing::new(Vec::with_capacity(secret.len() + 1));
    key.extend_from_slice(secret.as_bytes());
    key.push(b'&');
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(&key).ok()?;
    mac.update(string_to_sign.as_bytes());
    Some(mac)
}

/// The parts of an `Authorization: ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acs3Authorization {
    pub access_key_id: String,
    pub signed_headers: Vec<String>,
    pub signature: String,
}

/// Parses an ACS3 `Authorization` value; `None` when a part is missing or empty.
pub fn parse_acs3_authorization(value: &str) -> Option<Acs3Authorization> {
    let rest = value.trim().strip_prefix(ACS3_SCHEME)?;
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.trim().split(',') {
        let (name, v) = part.trim().split_once('=')?;
        match name.trim() {
            "Credential" => credential = Some(v.trim()),
            "SignedHeaders" => signed = Some(v.trim()),
            "Signature" => signature = Some(v.trim()),
            _ => {}
        }
    }
    let (credential, signed, signature) = (credential?, signed?, signature?);
    if credential.is_empty() || signed.is_empty() || signature.is_empty() {
        return None;
    }
    Some(Acs3Authorization {
        access_key_id: credential.to_owned(),
        signed_headers: signed.split(';').map(str::to_ascii_lowercase).collect(),
        signature: signature.to_owned(),
    })
}

/// The ACS3 canonical request (§7.2; `sdk-wire.md` §2.4). `query` holds the decoded query
/// parameters, `header` looks a header up by lower-case name (value as received), and
/// `payload_sha256` is the hex SHA-256 of the body as received.
pub fn acs3_canonical_request<'a>(
    method: &str,
    path: &str,
    query: impl IntoIterator<Item = (&'a str, &'a str)>,
    signed_headers: &[String],
    header: impl Fn(&str) -> Option<&'a str>,
    payload_sha256: &str,
) -> String {
    let mut pairs: Vec<(String, String)> = query
        .into_iter()
        .map(|(k, v)| (percent_encode(k), percent_encode(v)))
        .collect();
    pairs.sort();
    let mut out = format!("{method}\n{path}\n{}\n", join_pairs(&pairs));
    for name in signed_headers {
        out.push_str(name);
        out.push(':');
        out.push_str(header(name).unwrap_or_default().trim());
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&signed_headers.join(";"));
    out.push('\n');
    out.push_str(payload_sha256);
    out
}

/// ACS3 StringToSign: the scheme name and the hex SHA-256 of the canonical request.
pub fn acs3_string_to_sign(canonical_request: &str) -> String {
    format!(
        "{ACS3_SCHEME}\n{}",
        sha256_hex(canonical_request.as_bytes())
    )
}

/// The ACS3 signature: hex HMAC-SHA256 keyed by the bare secret (no `&`).
pub fn acs3_sign(secret: &str, string_to_sign: &str) -> String {
    acs3_mac(secret, string_to_sign)
        .map(|mac| hex(&mac.finalize().into_bytes()))
        .unwrap_or_default()
}

/// Whether `signature` (hex) is the ACS3 signature of `string_to_sign`; constant time.
pub fn acs3_verify(secret: &str, string_to_sign: &str, signature: &str) -> bool {
    unhex(signature.trim())
        .zip(acs3_mac(secret, string_to_sign))
        .is_some_and(|(given, mac)| mac.verify_slice(&given).is_ok())
}

fn acs3_mac(secret: &str, string_to_sign: &str) -> Option<Hmac<Sha256>> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).ok()?;
    mac.update(string_to_sign.as_bytes());
    Some(mac)
}

/// Lower-case hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn join_pairs(pairs: &[(String, String)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    text.as_bytes()
        .chunks(2)
        .map(|pair| {
            let digit = |c: u8| char::from(c).to_digit(16);
            let [high, low] = pair else { return None };
            u8::try_from(digit(*high)? * 16 + digit(*low)?).ok()
        })
        .collect()
}
