//! The vault file's JSON envelope, version 1 (product §3). Both kinds start with the same header:
//!
//! ```text
//! {
//!   "format": "kms-console-vault",      FORMAT_NAME: anything else is refused
//!   "version": 1,                       FORMAT_VERSION: anything else is refused
//!   "generation": 7,                    +1 on every save
//!   "protection": "none" | "passphrase",
//! ```
//!
//! An unprotected vault continues with `"checksum": "sha256:<hex>"` and `"contents": {…}`
//! (pretty JSON, readable by hand). The checksum is SHA-256 over the canonical header (see
//! [`canonical_header`]) followed by the exact bytes of the `contents` value, so any edit of the
//! contents or the generation is caught.
//!
//! A sealed vault continues with `"kdf": {"algorithm": "argon2id", "version": 19, "m_cost_kib",
//! "t_cost", "p_cost", "salt": "<base64, 16 bytes>"}`, `"cipher": "AES-256-GCM"`,
//! `"nonce": "<base64, 12 bytes>"` and `"ciphertext": "<base64 of AES-256-GCM(contents) ‖ tag>"`,
//! where the contents are compact JSON and the associated data is the canonical header.
//!
//! Every file ends with a newline; a file without one was cut short. Unknown fields are refused.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

use super::buf::{IndentWriter, SecretBuf};
use super::error::VaultError;
use super::seal::{KdfParams, NONCE_LEN, SALT_LEN, SealKey};
use super::{Protection, redact_serde_error};

/// The format name every vault file carries.
pub(crate) const FORMAT_NAME: &str = "kms-console-vault";
/// The only format version this program reads and writes.
pub(crate) const FORMAT_VERSION: u64 = 1;
const PROTECTION_NONE: &str = "none";
const PROTECTION_PASSPHRASE: &str = "passphrase";
const KDF_ALGORITHM: &str = "argon2id";
/// Argon2 version 0x13 (RFC 9106).
const ARGON2_VERSION: u32 = 0x13;
const CIPHER: &str = "AES-256-GCM";
const CHECKSUM_PREFIX: &str = "sha256:";
const CHECKSUM_HEX_LEN: usize = 64;

const CLEAR_FIELDS: &[&str] = &[
    "format",
    "version",
    "generation",
    "protection",
    "checksum",
    "contents",
];
const SEALED_FIELDS: &[&str] = &[
    "format",
    "version",
    "generation",
    "protection",
    "kdf",
    "cipher",
    "nonce",
    "ciphertext",
];

/// The `kdf` object of a sealed vault.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KdfHeader {
    algorithm: String,
    version: u32,
    m_cost_kib: u32,
    t_cost: u32,
    p_cost: u32,
    salt: String,
}

/// A sealed vault as written; field order is file order.
#[derive(Serialize)]
struct SealedFile<'a> {
    format: &'a str,
    version: u64,
    generation: u64,
    protection: &'a str,
    kdf: KdfHeader,
    cipher: &'a str,
    nonce: String,
    ciphertext: String,
}

/// A vault file whose envelope has been checked, before any key is involved.
pub(crate) enum Envelope<'a> {
    /// Checksum verified; `contents` is the JSON text of the contents.
    Clear {
        generation: u64,
        contents: &'a str,
    },
    Sealed(SealedEnvelope),
}

/// The parts of a sealed vault, decoded from base64 and length-checked.
pub(crate) struct SealedEnvelope {
    pub(crate) generation: u64,
    pub(crate) params: KdfParams,
    pub(crate) salt: [u8; SALT_LEN],
    pub(crate) nonce: [u8; NONCE_LEN],
    pub(crate) ciphertext: Vec<u8>,
}

impl Envelope<'_> {
    pub(crate) fn protection(&self) -> Protection {
        match self {
            Self::Clear { .. } => Protection::None,
            Self::Sealed(_) => Protection::Passphrase,
        }
    }

    pub(crate) fn generation(&self) -> u64 {
        match self {
            Self::Clear { generation, .. } => *generation,
            Self::Sealed(sealed) => sealed.generation,
        }
    }
}

impl SealedEnvelope {
    /// The associated data the ciphertext was sealed with.
    pub(crate) fn aad(&self) -> String {
        canonical_header(self.generation, Some((&self.params, &self.salt)))
    }
}

/// The header as sealed or checksummed: one `name=value` line per field, in a fixed order, so
/// that it does not depend on how the JSON around it is laid out.
pub(crate) fn canonical_header(
    generation: u64,
    kdf: Option<(&KdfParams, &[u8; SALT_LEN])>,
) -> String {
    let mut text =
        format!("format={FORMAT_NAME}\nversion={FORMAT_VERSION}\ngeneration={generation}\n");
    match kdf {
        None => text.push_str("protection=none\n"),
        Some((p, salt)) => {
            // Writing to a String cannot fail.
            let _ = write!(
                text,
                "protection=passphrase\nkdf={KDF_ALGORITHM};v={ARGON2_VERSION};m={};t={};p={};salt={}\ncipher={CIPHER}\n",
                p.m_cost_kib,
                p.t_cost,
                p.p_cost,
                BASE64.encode(salt)
            );
        }
    }
    text
}

/// Checks the envelope of a whole vault file. Parses the JSON once; the contents stay raw text.
pub(crate) fn decode(bytes: &[u8]) -> Result<Envelope<'_>, VaultError> {
    if bytes.is_empty() {
        return Err(VaultError::Corrupt("the file is empty".into()));
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|_| VaultError::Corrupt("the file is not UTF-8 text".into()))?;
    let fields: BTreeMap<String, &RawValue> = serde_json::from_str(text).map_err(|e| {
        if e.is_data() {
            VaultError::UnsupportedFormat("not a kms-console vault (no JSON object)".into())
        } else {
            json_error("the file", &e)
        }
    })?;
    check_format(&fields)?;
    if !text.ends_with('\n') {
        return Err(VaultError::Corrupt(
            "the file is truncated (no final newline)".into(),
        ));
    }
    let generation: u64 = field(&fields, "generation")?;
    let protection: String = field(&fields, "protection")?;
    match protection.as_str() {
        PROTECTION_NONE => {
            only_fields(&fields, CLEAR_FIELDS)?;
            let contents = decode_clear(&fields, generation)?;
            Ok(Envelope::Clear {
                generation,
                contents,
            })
        }
        PROTECTION_PASSPHRASE => {
            only_fields(&fields, SEALED_FIELDS)?;
            decode_sealed(&fields, generation).map(Envelope::Sealed)
        }
        other => Err(VaultError::UnsupportedFormat(format!(
            "protection {}",
            shown(other)
        ))),
    }
}

/// Refuses anything that is not `kms-console-vault` version 1, before looking further.
fn check_format(fields: &BTreeMap<String, &RawValue>) -> Result<(), VaultError> {
    let name = fields
        .get("format")
        .and_then(|raw| serde_json::from_str::<String>(raw.get()).ok())
        .ok_or_else(|| {
            VaultError::UnsupportedFormat("no format name: not a kms-console vault".into())
        })?;
    if name != FORMAT_NAME {
        return Err(VaultError::UnsupportedFormat(format!(
            "format {}",
            shown(&name)
        )));
    }
    let version = fields
        .get("version")
        .ok_or_else(|| VaultError::Corrupt("the field \"version\" is missing".into()))?;
    match serde_json::from_str::<u64>(version.get()) {
        Ok(FORMAT_VERSION) => Ok(()),
        Ok(other) => Err(VaultError::UnsupportedFormat(format!("version {other}"))),
        Err(_) => Err(VaultError::UnsupportedFormat(format!(
            "version {}",
            shown(version.get())
        ))),
    }
}

fn decode_clear<'a>(
    fields: &BTreeMap<String, &'a RawValue>,
    generation: u64,
) -> Result<&'a str, VaultError> {
    let checksum: String = field(fields, "checksum")?;
    let expected = checksum
        .strip_prefix(CHECKSUM_PREFIX)
        .filter(|hex| hex.len() == CHECKSUM_HEX_LEN && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or_else(|| VaultError::Corrupt("the checksum is malformed".into()))?;
    let contents = fields
        .get("contents")
        .ok_or_else(|| VaultError::Corrupt("the field \"contents\" is missing".into()))?
        .get();
    if expected != to_hex(&clear_digest(generation, contents.as_bytes())) {
        return Err(VaultError::Corrupt(
            "the checksum does not match: the file was altered".into(),
        ));
    }
    Ok(contents)
}

fn decode_sealed(
    fields: &BTreeMap<String, &RawValue>,
    generation: u64,
) -> Result<SealedEnvelope, VaultError> {
    let kdf: KdfHeader = field(fields, "kdf")?;
    if kdf.algorithm != KDF_ALGORITHM {
        return Err(VaultError::UnsupportedFormat(format!(
            "key derivation {}",
            shown(&kdf.algorithm)
        )));
    }
    if kdf.version != ARGON2_VERSION {
        return Err(VaultError::UnsupportedFormat(format!(
            "Argon2 version {}",
            kdf.version
        )));
    }
    let params = KdfParams {
        m_cost_kib: kdf.m_cost_kib,
        t_cost: kdf.t_cost,
        p_cost: kdf.p_cost,
    };
    params.validate()?;
    let cipher: String = field(fields, "cipher")?;
    if cipher != CIPHER {
        return Err(VaultError::UnsupportedFormat(format!(
            "cipher {}",
            shown(&cipher)
        )));
    }
    let ciphertext = base64_field(&field::<String>(fields, "ciphertext")?, "ciphertext")?;
    Ok(SealedEnvelope {
        generation,
        params,
        salt: fixed(&base64_field(&kdf.salt, "kdf.salt")?, "kdf.salt")?,
        nonce: fixed(
            &base64_field(&field::<String>(fields, "nonce")?, "nonce")?,
            "nonce",
        )?,
        ciphertext,
    })
}

/// Writes an unprotected vault: the header, a checksum placeholder patched once the contents
/// are in the buffer, and the contents as indented pretty JSON — all in one buffer, wiped on drop.
pub(crate) fn encode_clear<T: Serialize>(
    generation: u64,
    contents: &T,
    capacity: usize,
) -> Result<SecretBuf, VaultError> {
    let mut out = SecretBuf::with_capacity(capacity);
    let io = |e: std::io::Error| VaultError::Encode(e.to_string());
    write!(
        out,
        "{{\n  \"format\": \"{FORMAT_NAME}\",\n  \"version\": {FORMAT_VERSION},\n  \"generation\": {generation},\n  \"protection\": \"{PROTECTION_NONE}\",\n  \"checksum\": \"{CHECKSUM_PREFIX}"
    )
    .map_err(io)?;
    let checksum_at = out.len();
    out.write_all(&[b'0'; CHECKSUM_HEX_LEN]).map_err(io)?;
    out.write_all(b"\",\n  \"contents\": ").map_err(io)?;
    let contents_at = out.len();
    serde_json::to_writer_pretty(IndentWriter::new(&mut out, b"  "), contents)
        .map_err(|e| VaultError::Encode(redact_serde_error(&e)))?;
    let contents_end = out.len();
    out.write_all(b"\n}\n").map_err(io)?;
    let digest = clear_digest(generation, &out.as_slice()[contents_at..contents_end]);
    out.as_mut_slice()[checksum_at..checksum_at + CHECKSUM_HEX_LEN]
        .copy_from_slice(to_hex(&digest).as_bytes());
    Ok(out)
}

/// Writes a sealed vault. The serialized plaintext lives only in a buffer wiped on drop.
pub(crate) fn encode_sealed<T: Serialize>(
    generation: u64,
    contents: &T,
    key: &SealKey,
    capacity: usize,
) -> Result<Vec<u8>, VaultError> {
    let mut plaintext = SecretBuf::with_capacity(capacity);
    serde_json::to_writer(&mut plaintext, contents)
        .map_err(|e| VaultError::Encode(redact_serde_error(&e)))?;
    let params = key.params();
    let aad = canonical_header(generation, Some((&params, key.salt())));
    let (nonce, ciphertext) = key.seal(aad.as_bytes(), plaintext.as_slice())?;
    let file = SealedFile {
        format: FORMAT_NAME,
        version: FORMAT_VERSION,
        generation,
        protection: PROTECTION_PASSPHRASE,
        kdf: KdfHeader {
            algorithm: KDF_ALGORITHM.into(),
            version: ARGON2_VERSION,
            m_cost_kib: params.m_cost_kib,
            t_cost: params.t_cost,
            p_cost: params.p_cost,
            salt: BASE64.encode(key.salt()),
        },
        cipher: CIPHER,
        nonce: BASE64.encode(nonce),
        ciphertext: BASE64.encode(&ciphertext),
    };
    let mut out =
        serde_json::to_vec_pretty(&file).map_err(|e| VaultError::Encode(e.to_string()))?;
    out.push(b'\n');
    Ok(out)
}

fn clear_digest(generation: u64, contents: &[u8]) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(canonical_header(generation, None).as_bytes());
    hash.update(contents);
    hash.finalize().into()
}

/// Lower-case hex.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

fn field<'de, V: Deserialize<'de>>(
    fields: &BTreeMap<String, &'de RawValue>,
    name: &str,
) -> Result<V, VaultError> {
    let raw = fields
        .get(name)
        .ok_or_else(|| VaultError::Corrupt(format!("the field \"{name}\" is missing")))?;
    serde_json::from_str(raw.get())
        .map_err(|_| VaultError::Corrupt(format!("the field \"{name}\" is malformed")))
}

fn only_fields(fields: &BTreeMap<String, &RawValue>, allowed: &[&str]) -> Result<(), VaultError> {
    match fields.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(extra) => Err(VaultError::Corrupt(format!(
            "unexpected field {}",
            shown(extra)
        ))),
        None => Ok(()),
    }
}

fn base64_field(text: &str, name: &str) -> Result<Vec<u8>, VaultError> {
    BASE64
        .decode(text)
        .map_err(|_| VaultError::Corrupt(format!("the field \"{name}\" is not valid base64")))
}

fn fixed<const N: usize>(bytes: &[u8], name: &str) -> Result<[u8; N], VaultError> {
    <[u8; N]>::try_from(bytes).map_err(|_| {
        VaultError::Corrupt(format!(
            "the field \"{name}\" must be {N} bytes, not {}",
            bytes.len()
        ))
    })
}

/// A value from the file, quoted and cut short, for an error message.
fn shown(text: &str) -> String {
    let cut: String = text.chars().take(40).collect();
    format!("{cut:?}")
}

/// A JSON syntax error of `what`, as truncation or as bad JSON with its position.
pub(crate) fn json_error(what: &str, e: &serde_json::Error) -> VaultError {
    if e.is_eof() {
        VaultError::Corrupt(format!("{what} is truncated (the JSON ends early)"))
    } else {
        VaultError::Corrupt(format!(
            "{what} is not valid JSON (line {}, column {})",
            e.line(),
            e.column()
        ))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::core::secret::SecretString;

    #[test]
    fn a_clear_vault_round_trips_and_reads_like_json() {
        let value = serde_json::json!({"keys": {"k1": {"spec": "Aliyun_AES_256"}}});
        let out = encode_clear(3, &value, 0).unwrap();
        let text = std::str::from_utf8(out.as_slice()).unwrap();
        assert!(text.starts_with("{\n  \"format\": \"kms-console-vault\",\n  \"version\": 1,\n"));
        assert!(
            text.contains("\n  \"contents\": {\n    \"keys\": {\n"),
            "{text}"
        );
        let whole: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(whole["contents"], value);
        let Envelope::Clear {
            generation,
            contents,
        } = decode(out.as_slice()).unwrap()
        else {
            panic!("not clear");
        };
        assert_eq!(generation, 3);
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(contents).unwrap(),
            value
        );
    }

    #[test]
    fn a_sealed_vault_round_trips() {
        let key =
            SealKey::derive_new(&SecretString::from("pw"), KdfParams::cheap_for_tests()).unwrap();
        let out = encode_sealed(9, &serde_json::json!({"a": 1}), &key, 0).unwrap();
        let Envelope::Sealed(sealed) = decode(&out).unwrap() else {
            panic!("not sealed");
        };
        assert_eq!(sealed.generation, 9);
        assert!(key.derived_with(sealed.params, &sealed.salt));
        let plain = key
            .open(sealed.aad().as_bytes(), &sealed.nonce, &sealed.ciphertext)
            .unwrap();
        assert_eq!(plain.as_slice(), b"{\"a\":1}");
    }

    #[test]
    fn the_canonical_header_names_every_sealed_parameter() {
        let p = KdfParams::production();
        assert_eq!(
            canonical_header(2, Some((&p, &[0u8; SALT_LEN]))),
            "format=kms-console-vault\nversion=1\ngeneration=2\nprotection=passphrase\n\
             kdf=argon2id;v=19;m=65536;t=3;p=1;salt=AAAAAAAAAAAAAAAAAAAAAA==\ncipher=AES-256-GCM\n"
        );
    }

    #[test]
    fn fail_unknown_versions_names_and_fields() {
        let bad = |text: &str| decode(text.as_bytes()).err().unwrap();
        assert!(matches!(
            bad("{\"format\":\"kms-console-vault\",\"version\":2}\n"),
            VaultError::UnsupportedFormat(m) if m == "version 2"
        ));
        assert!(matches!(
            bad("{\"format\":\"other\",\"version\":1}\n"),
            VaultError::UnsupportedFormat(_)
        ));
        assert!(matches!(bad("[1]\n"), VaultError::UnsupportedFormat(_)));
        assert!(matches!(bad("{\"format\":"), VaultError::Corrupt(m) if m.contains("truncated")));
        assert!(matches!(bad("{]"), VaultError::Corrupt(m) if m.contains("not valid JSON")));
        assert!(matches!(bad(""), VaultError::Corrupt(_)));
        assert!(matches!(bad("\u{feff}{}"), VaultError::Corrupt(_)));
        let value = serde_json::json!({});
        let good = encode_clear(1, &value, 0).unwrap();
        let text = std::str::from_utf8(good.as_slice()).unwrap();
        let extra = text.replacen("{\n", "{\n  \"x\": 1,\n", 1);
        assert!(matches!(bad(&extra), VaultError::Corrupt(m) if m.contains("unexpected")));
        let other_protection = text.replace("\"none\"", "\"rot13\"");
        assert!(matches!(
            bad(&other_protection),
            VaultError::UnsupportedFormat(_)
        ));
        assert!(matches!(bad(text.trim_end()), VaultError::Corrupt(m) if m.contains("truncated")));
        let later = text.replace("\"generation\": 1", "\"generation\": 2");
        assert!(matches!(bad(&later), VaultError::Corrupt(m) if m.contains("checksum")));
    }
}
