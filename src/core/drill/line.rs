//! The one parser of drill lines, shared by the drill and the census: a bare base64 blob, or a
//! JSON object with `CiphertextBlob`, optional contexts and — for RSA / SM2 ciphertext — the
//! source fields `SourceKeyId`, `SourceKeyVersionId` and `SourceEncryptionAlgorithm`.

use serde_json::{Map, Value};

use crate::core::blob::CiphertextBlob;
use crate::core::context::EncryptionContext;
use crate::core::crypto::AsymmetricAlgorithm;
use crate::core::error::KmsError;

pub(super) const BLOB: &str = "CiphertextBlob";
const CONTEXT: &str = "EncryptionContext";
const DESTINATION_CONTEXT: &str = "DestinationEncryptionContext";
const SOURCE_KEY: &str = "SourceKeyId";
const SOURCE_VERSION: &str = "SourceKeyVersionId";
const SOURCE_ALGORITHM: &str = "SourceEncryptionAlgorithm";

/// Where a line's ciphertext comes from, read without decrypting anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Found<'a> {
    /// A symmetric blob naming this KeyVersionId in its header.
    Symmetric(String),
    /// Raw RSA / SM2 ciphertext with its source fields (the key as given: id, alias or ARN).
    Asymmetric {
        key_ref: &'a str,
        key_version_id: &'a str,
    },
}

/// A parsed, non-blank line.
pub(super) struct Line<'a> {
    kind: Kind<'a>,
    pub context: EncryptionContext,
    /// The destination context: `DestinationEncryptionContext`, else the source context.
    pub destination: EncryptionContext,
    /// Present on RSA / SM2 lines (those with `SourceEncryptionAlgorithm`).
    pub asymmetric: Option<AsymmetricSource>,
    /// `SourceKeyId` / `SourceKeyVersionId` of a symmetric line: ReEncrypt checks they agree
    /// with the blob, as the API does.
    pub source_key_id: Option<String>,
    pub source_key_version_id: Option<String>,
}

/// The source of an asymmetric line.
pub(super) struct AsymmetricSource {
    pub key_id: String,
    pub key_version_id: String,
    pub algorithm: AsymmetricAlgorithm,
}

enum Kind<'a> {
    Bare(&'a str),
    Json {
        members: Map<String, Value>,
        blob: String,
    },
}

/// Trims a raw line (whitespace and a byte-order mark); `None` if it is not UTF-8.
pub(super) fn text_of(content: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(content).ok()?;
    Some(text.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}'))
}

pub(super) fn not_utf8() -> KmsError {
    KmsError::invalid(BLOB, "The line is not UTF-8 text.")
}

impl<'a> Line<'a> {
    /// `text` is trimmed and not empty. Errors never echo the line (it may hold context values).
    pub fn parse(text: &'a str) -> Result<Self, KmsError> {
        if !text.starts_with('{') {
            return Ok(Self {
                kind: Kind::Bare(text),
                context: EncryptionContext::empty(),
                destination: EncryptionContext::empty(),
                asymmetric: None,
                source_key_id: None,
                source_key_version_id: None,
            });
        }
        let members = json_members(text)?;
        let blob = match members.get(BLOB) {
            Some(Value::String(blob)) => blob.clone(),
            Some(_) => return Err(KmsError::invalid(BLOB, "It must be a string.")),
            None => return Err(KmsError::missing(BLOB)),
        };
        let context = context_member(&members, CONTEXT)?.unwrap_or_default();
        let destination =
            context_member(&members, DESTINATION_CONTEXT)?.unwrap_or_else(|| context.clone());
        let source_key_id = string_member(&members, SOURCE_KEY)?.map(str::to_owned);
        let source_key_version_id = string_member(&members, SOURCE_VERSION)?.map(str::to_owned);
        let asymmetric = match string_member(&members, SOURCE_ALGORITHM)? {
            None => None,
            Some(name) => Some(AsymmetricSource {
                algorithm: algorithm(name)?,
                key_id: source_key_id
                    .clone()
                    .ok_or_else(|| KmsError::missing(SOURCE_KEY))?,
                key_version_id: source_key_version_id
                    .clone()
                    .ok_or_else(|| KmsError::missing(SOURCE_VERSION))?,
            }),
        };
        Ok(Self {
            kind: Kind::Json { members, blob },
            context,
            destination,
            asymmetric,
            source_key_id,
            source_key_version_id,
        })
    }

    pub fn blob(&self) -> &str {
        match &self.kind {
            Kind::Bare(blob) => blob,
            Kind::Json { blob, .. } => blob,
        }
    }

    /// Appends the output line for a new blob: the same kind of line as the input. The source
    /// fields of an asymmetric line go (the new blob is symmetric and names its own version).
    pub fn render(&self, new_blob: &str, out: &mut Vec<u8>) -> Result<(), KmsError> {
        match &self.kind {
            Kind::Bare(_) => {
                out.extend_from_slice(new_blob.as_bytes());
                Ok(())
            }
            Kind::Json { members, .. } => {
                let mut members = members.clone();
                members.insert(BLOB.to_owned(), Value::String(new_blob.to_owned()));
                if self.asymmetric.is_some() {
                    for name in [SOURCE_KEY, SOURCE_VERSION, SOURCE_ALGORITHM] {
                        members.shift_remove(name);
                    }
                }
                if let Some(destination) = members.shift_remove(DESTINATION_CONTEXT) {
                    members.insert(CONTEXT.to_owned(), destination);
                }
                serde_json::to_writer(out, &members)
                    .map_err(|e| KmsError::InternalFailure(format!("output line encoding: {e}")))
            }
        }
    }
}

// Borrowed strings: the census reads millions of lines and needs only these three fields.
#[derive(serde::Deserialize)]
struct Fields<'a> {
    #[serde(rename = "CiphertextBlob", borrow, default)]
    blob: Option<std::borrow::Cow<'a, str>>,
    #[serde(rename = "SourceKeyId", borrow, default)]
    key: Option<&'a str>,
    #[serde(rename = "SourceKeyVersionId", borrow, default)]
    version: Option<&'a str>,
    #[serde(rename = "SourceEncryptionAlgorithm", borrow, default)]
    algorithm: Option<&'a str>,
}

/// What the census needs of a line, without decrypting it and without parsing contexts.
/// `text` is trimmed and not empty.
pub(super) fn classify(text: &str) -> Result<Found<'_>, KmsError> {
    let blob_version = |blob: &str| {
        CiphertextBlob::parse(blob).map(|b| Found::Symmetric(b.key_version_id().to_owned()))
    };
    if !text.starts_with('{') {
        return blob_version(text);
    }
    let fields: Fields<'_> = serde_json::from_str(text).map_err(|e| not_json(&e))?;
    let blob = fields.blob.ok_or_else(|| KmsError::missing(BLOB))?;
    match fields.algorithm {
        None => blob_version(&blob),
        Some(name) => {
            algorithm(name)?;
            Ok(Found::Asymmetric {
                key_ref: fields.key.ok_or_else(|| KmsError::missing(SOURCE_KEY))?,
                key_version_id: fields
                    .version
                    .ok_or_else(|| KmsError::missing(SOURCE_VERSION))?
                    .trim(),
            })
        }
    }
}

/// What one raw drill line names, read without decrypting: the classification the census uses,
/// for other front ends' quick looks (the console's scan of a drill input).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineSource {
    /// Blank (whitespace or a byte-order mark only).
    Blank,
    /// Not a drill line: neither a blob nor a JSON line with the fields a drill needs.
    Bad,
    /// The KeyVersionId of a symmetric blob's header or of an RSA / SM2 line's source fields.
    Version(String),
}

/// Classifies one line (without its terminator); see [`LineSource`].
pub fn line_source(raw: &[u8]) -> LineSource {
    match text_of(raw) {
        None => LineSource::Bad,
        Some("") => LineSource::Blank,
        Some(text) => match classify(text) {
            Ok(Found::Symmetric(version)) => LineSource::Version(version),
            Ok(Found::Asymmetric { key_version_id, .. }) => {
                LineSource::Version(key_version_id.to_owned())
            }
            Err(_) => LineSource::Bad,
        },
    }
}

fn json_members(text: &str) -> Result<Map<String, Value>, KmsError> {
    serde_json::from_str(text).map_err(|e| not_json(&e))
}

fn not_json(e: &serde_json::Error) -> KmsError {
    KmsError::invalid(
        BLOB,
        format!(
            "The line is neither a base64 blob nor a JSON object of drill fields (column {}).",
            e.column()
        ),
    )
}

fn algorithm(name: &str) -> Result<AsymmetricAlgorithm, KmsError> {
    AsymmetricAlgorithm::parse(name.trim()).ok_or_else(|| {
        KmsError::invalid(
            SOURCE_ALGORITHM,
            "It must be RSAES_OAEP_SHA_256, RSAES_OAEP_SHA_1 or SM2PKE.",
        )
    })
}

fn string_member<'m>(
    members: &'m Map<String, Value>,
    name: &str,
) -> Result<Option<&'m str>, KmsError> {
    match members.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(KmsError::invalid(name, "It must be a string.")),
    }
}

/// A context member: an object of strings or its JSON text; absent or null is none.
fn context_member(
    members: &Map<String, Value>,
    name: &str,
) -> Result<Option<EncryptionContext>, KmsError> {
    match members.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => EncryptionContext::parse(name, text).map(Some),
        Some(value @ Value::Object(_)) => {
            EncryptionContext::parse(name, &value.to_string()).map(Some)
        }
        Some(_) => Err(KmsError::invalid(
            name,
            "It must be a JSON object of string keys and string values.",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asymmetric_lines_need_all_three_source_fields() {
        let line =
            r#"{"CiphertextBlob":"AAAA","SourceKeyId":"k","SourceEncryptionAlgorithm":"SM2PKE"}"#;
        assert_eq!(
            Line::parse(line).err().map(|e| e.to_string()),
            Some(KmsError::missing(SOURCE_VERSION).to_string())
        );
        assert!(classify(line).is_err());
        let line = r#"{"CiphertextBlob":"AAAA","SourceKeyId":"k","SourceKeyVersionId":"v","SourceEncryptionAlgorithm":"ROT13"}"#;
        assert_eq!(
            Line::parse(line).err().map(|e| e.code()),
            Some("InvalidParameter")
        );
        assert_eq!(
            classify(line).err().map(|e| e.code()),
            Some("InvalidParameter")
        );
    }

    #[test]
    fn classify_reads_the_source_fields_of_an_asymmetric_line() {
        let line = r#"{"CiphertextBlob":"AAAA","SourceKeyId":"alias/a","SourceKeyVersionId":" v1 ","SourceEncryptionAlgorithm":"RSAES_OAEP_SHA_256"}"#;
        assert_eq!(
            classify(line).unwrap(),
            Found::Asymmetric {
                key_ref: "alias/a",
                key_version_id: "v1"
            }
        );
        assert_eq!(
            classify("not base64!").err(),
            Some(KmsError::InvalidCiphertext)
        );
        assert_eq!(
            classify("{nope").err().map(|e| e.code()),
            Some("InvalidParameter")
        );
    }
}
