//! One drill line: parse it (bare blob or JSON), decide whether it is already current,
//! re-encrypt it through the core's ReEncrypt, verify the result, and render the output line.

use serde_json::{Map, Value};

use super::DrillOptions;
use crate::core::blob::CiphertextBlob;
use crate::core::context::EncryptionContext;
use crate::core::error::KmsError;
use crate::core::model::{Cmk, VaultState};
use crate::core::ops::Ctx;
use crate::core::ops::reencrypt::{ReEncryptRequest, check_destination, re_encrypt_traced};
use crate::core::ops::symmetric::{blob_source, open_blob};

const BLOB: &str = "CiphertextBlob";
const CONTEXT: &str = "EncryptionContext";
const DESTINATION_CONTEXT: &str = "DestinationEncryptionContext";

/// What happened to one line. Version ids borrow from the vault state.
#[derive(Debug)]
pub(super) enum Outcome<'s> {
    /// Blank; written back as it is.
    Empty,
    /// Already under the destination's primary version; written back as it is.
    Current(&'s str),
    /// Re-encrypted (or, in a dry run, would be) from this version.
    ReEncrypted(&'s str),
    /// Written back as it is; the version it names, if the vault has it.
    Failed(Option<&'s str>, KmsError),
}

/// The destination, checked once before any line is read.
pub(super) struct Plan<'s> {
    pub state: &'s VaultState,
    pub ctx: Ctx<'s>,
    pub destination: &'s Cmk,
    /// The destination's primary KeyVersionId.
    pub primary: &'s str,
    pub dry_run: bool,
}

impl<'s> Plan<'s> {
    /// Resolves the destination and checks once what every line would otherwise fail on in the
    /// same way: permission to ReEncryptTo, Enabled, symmetric.
    pub fn new(
        state: &'s VaultState,
        ctx: Ctx<'s>,
        options: &DrillOptions,
    ) -> Result<Self, KmsError> {
        let destination = check_destination(state, &ctx, &options.destination_key_id)?;
        let primary = destination
            .primary()
            .map(|v| v.key_version_id.as_str())
            .ok_or_else(|| KmsError::InternalFailure("key has no versions".into()))?;
        Ok(Self {
            state,
            ctx,
            destination,
            primary,
            dry_run: options.dry_run,
        })
    }

    /// Handles one line (without its terminator). A re-encrypted line's new text is appended
    /// to `out`; for every other outcome the caller writes the original bytes.
    pub fn process(&self, content: &[u8], out: &mut Vec<u8>) -> Outcome<'s> {
        let Ok(text) = std::str::from_utf8(content) else {
            return Outcome::Failed(None, KmsError::invalid(BLOB, "The line is not UTF-8 text."));
        };
        // A byte-order mark (from some editors) is not part of the first line's blob.
        let text = text.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        if text.is_empty() {
            return Outcome::Empty;
        }
        let line = match Line::parse(text) {
            Ok(line) => line,
            Err(e) => return Outcome::Failed(None, e),
        };
        let source = CiphertextBlob::parse(line.blob())
            .ok()
            .and_then(|b| self.state.version(b.key_version_id()))
            .map(|(_, v)| v.key_version_id.as_str());
        match self.re_encrypt(&line, source, out) {
            Ok(outcome) => outcome,
            Err(e) => Outcome::Failed(source, e),
        }
    }

    fn re_encrypt(
        &self,
        line: &Line<'_>,
        source: Option<&'s str>,
        out: &mut Vec<u8>,
    ) -> Result<Outcome<'s>, KmsError> {
        let current = source == Some(self.primary) && line.destination == line.context;
        let req = ReEncryptRequest {
            ciphertext_blob: line.blob(),
            destination_key_id: &self.destination.key_id,
            source_key_id: None,
            source_key_version_id: None,
            source_encryption_algorithm: None,
            source_encryption_context: &line.context,
            destination_encryption_context: &line.destination,
            // A current line is still checked as a ReEncrypt would check it (permission, key
            // state, that it decrypts with its context), but nothing is sealed.
            dry_run: current || self.dry_run,
        };
        let response = match re_encrypt_traced(self.state, &self.ctx, &req) {
            Ok((response, _)) => response,
            Err(KmsError::DryRunOperation) => {
                let from = source.ok_or_else(lost_source)?;
                return Ok(if current {
                    Outcome::Current(from)
                } else {
                    Outcome::ReEncrypted(from)
                });
            }
            Err(e) => return Err(e),
        };
        self.verify(line, &response.ciphertext_blob)?;
        line.render(&response.ciphertext_blob, out)?;
        Ok(Outcome::ReEncrypted(source.ok_or_else(lost_source)?))
    }

    /// Proves the new blob names the destination's primary version and decrypts, with the
    /// destination context, to exactly the plaintext of the original.
    ///
    /// This opens both blobs through the core's internal open path, without a kms:Decrypt
    /// check: the plaintext never leaves this function, so the check reveals nothing that
    /// ReEncrypt (already authorized for this line) did not; and demanding Decrypt would force
    /// giving rotation operators, who by design may only ReEncrypt (product §10), the right to
    /// read every plaintext.
    fn verify(&self, line: &Line<'_>, new_text: &str) -> Result<(), KmsError> {
        let mismatch = || {
            KmsError::InternalFailure(
                "verification failed: the new CiphertextBlob does not decrypt to the original plaintext".into(),
            )
        };
        let new_blob = CiphertextBlob::parse(new_text).map_err(|_| mismatch())?;
        if new_blob.key_version_id() != self.primary {
            return Err(mismatch());
        }
        let (key, version) = blob_source(self.state, &new_blob).map_err(|_| mismatch())?;
        let after =
            open_blob(key, version, &new_blob, &line.destination).map_err(|_| mismatch())?;
        let old_blob = CiphertextBlob::parse(line.blob())?;
        let (key, version) = blob_source(self.state, &old_blob)?;
        let before = open_blob(key, version, &old_blob, &line.context)?;
        if before.expose() == after.expose() {
            Ok(())
        } else {
            Err(mismatch())
        }
    }
}

/// ReEncrypt succeeded, so the blob named a version of this vault; not finding it again would
/// be a broken invariant.
fn lost_source() -> KmsError {
    KmsError::InternalFailure("the source version of a re-encrypted line vanished".into())
}

/// A parsed line.
struct Line<'a> {
    kind: Kind<'a>,
    context: EncryptionContext,
    /// The destination context: `DestinationEncryptionContext`, else the source context.
    destination: EncryptionContext,
}

enum Kind<'a> {
    Bare(&'a str),
    Json {
        members: Map<String, Value>,
        blob: String,
    },
}

impl<'a> Line<'a> {
    /// `text` is trimmed and not empty. Errors never echo the line (it may hold context values).
    fn parse(text: &'a str) -> Result<Self, KmsError> {
        if !text.starts_with('{') {
            return Ok(Self {
                kind: Kind::Bare(text),
                context: EncryptionContext::empty(),
                destination: EncryptionContext::empty(),
            });
        }
        let members: Map<String, Value> = serde_json::from_str(text).map_err(|e| {
            KmsError::invalid(
                BLOB,
                format!(
                    "The line is neither a base64 blob nor a JSON object (column {}).",
                    e.column()
                ),
            )
        })?;
        let blob = match members.get(BLOB) {
            Some(Value::String(blob)) => blob.clone(),
            Some(_) => return Err(KmsError::invalid(BLOB, "It must be a string.")),
            None => return Err(KmsError::missing(BLOB)),
        };
        let context = context_member(&members, CONTEXT)?.unwrap_or_default();
        let destination =
            context_member(&members, DESTINATION_CONTEXT)?.unwrap_or_else(|| context.clone());
        Ok(Self {
            kind: Kind::Json { members, blob },
            context,
            destination,
        })
    }

    fn blob(&self) -> &str {
        match &self.kind {
            Kind::Bare(blob) => blob,
            Kind::Json { blob, .. } => blob,
        }
    }

    /// Appends the output line for a new blob: the same kind of line as the input.
    fn render(&self, new_blob: &str, out: &mut Vec<u8>) -> Result<(), KmsError> {
        match &self.kind {
            Kind::Bare(_) => {
                out.extend_from_slice(new_blob.as_bytes());
                Ok(())
            }
            Kind::Json { members, .. } => {
                let mut members = members.clone();
                members.insert(BLOB.to_owned(), Value::String(new_blob.to_owned()));
                if let Some(destination) = members.shift_remove(DESTINATION_CONTEXT) {
                    members.insert(CONTEXT.to_owned(), destination);
                }
                serde_json::to_writer(out, &members)
                    .map_err(|e| KmsError::InternalFailure(format!("output line encoding: {e}")))
            }
        }
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
