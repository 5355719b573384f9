//! One drill line through the core's ReEncrypt: pick where it goes (the destination key, or in
//! place the primary version of its own key), decide whether it is already current, re-encrypt
//! it, verify the result, and render the output line.

use super::DrillOptions;
use super::line::{Line, not_utf8, text_of};
use crate::core::blob::CiphertextBlob;
use crate::core::error::KmsError;
use crate::core::model::{Cmk, VaultState};
use crate::core::ops::asymmetric::{asymmetric_version, open_asymmetric};
use crate::core::ops::reencrypt::{ReEncryptRequest, check_destination, re_encrypt};
use crate::core::ops::symmetric::{blob_source, open_blob};
use crate::core::ops::{Ctx, resolve};

/// What happened to one line. Version ids borrow from the vault state.
#[derive(Debug)]
pub(super) enum Outcome<'s> {
    /// Blank; written back as it is.
    Empty,
    /// Already under the primary version of the key it belongs to; written back as it is.
    Current(&'s str),
    /// Re-encrypted (or, in a dry run, would be) from the first version to the second.
    ReEncrypted(&'s str, &'s str),
    /// An RSA / SM2 line in a drill without a destination key; written back as it is.
    NeedsDestination(Option<&'s str>),
    /// Written back as it is; the version it names, if the vault has it.
    Failed(Option<&'s str>, KmsError),
}

/// A key lines move to, and its primary version.
#[derive(Clone, Copy)]
pub(super) struct Target<'s> {
    pub key: &'s Cmk,
    pub primary: &'s str,
}

impl<'s> Target<'s> {
    /// Checks what every line would otherwise fail on in the same way: permission to
    /// ReEncryptTo, Enabled, symmetric.
    pub fn check(state: &'s VaultState, ctx: &Ctx<'_>, key_ref: &str) -> Result<Self, KmsError> {
        let key = check_destination(state, ctx, key_ref)?;
        let primary = key
            .primary()
            .map(|v| v.key_version_id.as_str())
            .ok_or_else(|| KmsError::InternalFailure("key has no versions".into()))?;
        Ok(Self { key, primary })
    }
}

/// The drill's settings, checked once before any line is read.
pub(super) struct Plan<'s> {
    pub state: &'s VaultState,
    pub ctx: Ctx<'s>,
    /// `None` in place: each symmetric line goes to its own key's primary version.
    pub destination: Option<Target<'s>>,
    pub dry_run: bool,
}

impl<'s> Plan<'s> {
    pub fn new(
        state: &'s VaultState,
        ctx: Ctx<'s>,
        options: &DrillOptions,
    ) -> Result<Self, KmsError> {
        let destination = match options.destination() {
            Some(key_ref) => Some(Target::check(state, &ctx, key_ref)?),
            None => None,
        };
        Ok(Self {
            state,
            ctx,
            destination,
            dry_run: options.dry_run,
        })
    }

    /// Handles one line (without its terminator). A re-encrypted line's new text is appended
    /// to `out`; for every other outcome the caller writes the original bytes.
    pub fn process(&self, content: &[u8], out: &mut Vec<u8>) -> Outcome<'s> {
        let Some(text) = text_of(content) else {
            return Outcome::Failed(None, not_utf8());
        };
        if text.is_empty() {
            return Outcome::Empty;
        }
        let line = match Line::parse(text) {
            Ok(line) => line,
            Err(e) => return Outcome::Failed(None, e),
        };
        let source = self.source_version(&line);
        let target = match (self.destination, &line.asymmetric) {
            (Some(target), _) => target,
            (None, Some(_)) => return Outcome::NeedsDestination(source),
            (None, None) => match self.own_target(&line) {
                Ok(target) => target,
                Err(e) => return Outcome::Failed(source, e),
            },
        };
        match self.re_encrypt(&line, source, target, out) {
            Ok(outcome) => outcome,
            Err(e) => Outcome::Failed(source, e),
        }
    }

    /// The version a line names, if this vault holds it.
    fn source_version(&self, line: &Line<'_>) -> Option<&'s str> {
        let id = match &line.asymmetric {
            Some(a) => {
                let key = resolve(self.state, &a.key_id).ok()?;
                return key
                    .version(a.key_version_id.trim())
                    .map(|v| v.key_version_id.as_str());
            }
            None => CiphertextBlob::parse(line.blob()).ok()?,
        };
        self.state
            .version(id.key_version_id())
            .map(|(_, v)| v.key_version_id.as_str())
    }

    /// In place: the key that made the blob, if it can take the line back.
    fn own_target(&self, line: &Line<'_>) -> Result<Target<'s>, KmsError> {
        let blob = CiphertextBlob::parse(line.blob())?;
        let (key, _) = blob_source(self.state, &blob)?;
        Target::check(self.state, &self.ctx, &key.key_id)
    }

    fn re_encrypt(
        &self,
        line: &Line<'_>,
        source: Option<&'s str>,
        target: Target<'s>,
        out: &mut Vec<u8>,
    ) -> Result<Outcome<'s>, KmsError> {
        let current = line.asymmetric.is_none()
            && source == Some(target.primary)
            && line.destination == line.context;
        let req = ReEncryptRequest {
            ciphertext_blob: line.blob(),
            destination_key_id: &target.key.key_id,
            source_key_id: line.source_key_id.as_deref(),
            source_key_version_id: line.source_key_version_id.as_deref(),
            source_encryption_algorithm: line.asymmetric.as_ref().map(|a| a.algorithm),
            source_encryption_context: &line.context,
            destination_encryption_context: &line.destination,
            // A current line is still checked as a ReEncrypt would check it (permission, key
            // state, that it decrypts with its context), but nothing is sealed.
            dry_run: current || self.dry_run,
        };
        let response = match re_encrypt(self.state, &self.ctx, &req) {
            Ok(done) => done.response,
            Err(KmsError::DryRunOperation) => {
                let from = source.ok_or_else(lost_source)?;
                return Ok(if current {
                    Outcome::Current(from)
                } else {
                    Outcome::ReEncrypted(from, target.primary)
                });
            }
            Err(e) => return Err(e),
        };
        self.verify(line, target, &response.ciphertext_blob)?;
        line.render(&response.ciphertext_blob, out)?;
        Ok(Outcome::ReEncrypted(
            source.ok_or_else(lost_source)?,
            target.primary,
        ))
    }

    /// Proves the new blob names the target's primary version and decrypts, with the
    /// destination context, to exactly the plaintext of the original (for RSA / SM2 lines: the
    /// base64 text of the raw plaintext, as ReEncrypt moves it).
    ///
    /// This opens both ciphertexts through the core's internal open path, without a kms:Decrypt
    /// check: the plaintext never leaves this function, so the check reveals nothing that
    /// ReEncrypt (already authorized for this line) did not; and demanding Decrypt would force
    /// giving rotation operators, who by design may only ReEncrypt (product §10), the right to
    /// read every plaintext.
    fn verify(&self, line: &Line<'_>, target: Target<'s>, new_text: &str) -> Result<(), KmsError> {
        let mismatch = || {
            KmsError::InternalFailure(
                "verification failed: the new CiphertextBlob does not decrypt to the original plaintext".into(),
            )
        };
        let new_blob = CiphertextBlob::parse(new_text).map_err(|_| mismatch())?;
        if new_blob.key_version_id() != target.primary {
            return Err(mismatch());
        }
        let (key, version) = blob_source(self.state, &new_blob).map_err(|_| mismatch())?;
        let after =
            open_blob(key, version, &new_blob, &line.destination).map_err(|_| mismatch())?;
        let same = if let Some(a) = &line.asymmetric {
            use base64::Engine;
            let key = resolve(self.state, &a.key_id)?;
            let (_, private) = asymmetric_version(key, &a.key_version_id)?;
            let raw = open_asymmetric(private, a.algorithm, line.blob())?;
            let text = base64::engine::general_purpose::STANDARD.encode(raw.expose());
            zeroize::Zeroizing::new(text).as_bytes() == after.expose()
        } else {
            let old_blob = CiphertextBlob::parse(line.blob())?;
            let (key, version) = blob_source(self.state, &old_blob)?;
            open_blob(key, version, &old_blob, &line.context)?.expose() == after.expose()
        };
        if same { Ok(()) } else { Err(mismatch()) }
    }
}

/// ReEncrypt succeeded, so the ciphertext named a version of this vault; not finding it again
/// would be a broken invariant.
fn lost_source() -> KmsError {
    KmsError::InternalFailure("the source version of a re-encrypted line vanished".into())
}
