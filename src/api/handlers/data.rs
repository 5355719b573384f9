//! Handlers of the data actions: ReEncrypt, the symmetric and the asymmetric operations.

use super::{Outcome, Touched};
use crate::api::params::Params;
use crate::core::context::EncryptionContext;
use crate::core::crypto::AsymmetricAlgorithm;
use crate::core::error::KmsError;
use crate::core::ops::reencrypt::{self, ReEncryptRequest};
use crate::core::ops::subject::HasSubject;
use crate::core::ops::{asymmetric, symmetric};
use crate::core::vault::Vault;

pub(super) fn re_encrypt(
    vault: &Vault,
    principal: &str,
    p: Params<'_>,
) -> Result<Outcome, KmsError> {
    let source_context = p.context("SourceEncryptionContext")?;
    let destination_context = p.context("DestinationEncryptionContext")?;
    let req = ReEncryptRequest {
        ciphertext_blob: p.req("CiphertextBlob")?,
        destination_key_id: p.req("DestinationKeyId")?,
        source_key_id: p.opt("SourceKeyId"),
        source_key_version_id: p.opt("SourceKeyVersionId"),
        source_encryption_algorithm: p.algorithm("SourceEncryptionAlgorithm")?,
        source_encryption_context: &source_context,
        destination_encryption_context: &destination_context,
        dry_run: p.dry_run()?,
    };
    let done = reencrypt::re_encrypt(vault.state(), &vault.ctx(principal), &req)?;
    let response = done.response;
    let touched = Touched {
        source_key_id: Some(done.source.key_id.to_owned()),
        source_key_version_id: Some(done.source.key_version_id.to_owned()),
        ..Touched::version(&response.key_id, &response.key_version_id)
    };
    let subject = response.subject();
    Ok(Outcome::of(&response)?.touching(touched).about(subject))
}

/// The parameters every symmetric data action reads first, in this order.
fn symmetric_common(p: Params<'_>) -> Result<(EncryptionContext, bool), KmsError> {
    Ok((p.context("EncryptionContext")?, p.dry_run()?))
}

pub(super) fn encrypt(vault: &Vault, principal: &str, p: Params<'_>) -> Result<Outcome, KmsError> {
    let (state, ctx) = (vault.state(), vault.ctx(principal));
    let (context, dry_run) = symmetric_common(p)?;
    let plaintext = p.secret("Plaintext")?;
    let key = p.req("KeyId")?;
    let r = symmetric::encrypt(state, &ctx, key, &plaintext, &context, dry_run)?;
    Outcome::of_version(&r)
}

pub(super) fn decrypt(vault: &Vault, principal: &str, p: Params<'_>) -> Result<Outcome, KmsError> {
    let (state, ctx) = (vault.state(), vault.ctx(principal));
    let (context, dry_run) = symmetric_common(p)?;
    let blob = p.req("CiphertextBlob")?;
    let r = symmetric::decrypt(state, &ctx, blob, &context, dry_run)?;
    Outcome::of_version(&r)
}

/// GenerateDataKey (`with_plaintext`) and GenerateDataKeyWithoutPlaintext.
pub(super) fn generate_data_key(
    vault: &Vault,
    principal: &str,
    p: Params<'_>,
    with_plaintext: bool,
) -> Result<Outcome, KmsError> {
    let (state, ctx) = (vault.state(), vault.ctx(principal));
    let (context, dry_run) = symmetric_common(p)?;
    let key = p.req("KeyId")?;
    let len = symmetric::data_key_len(p.opt("KeySpec"), p.int("NumberOfBytes")?)?;
    let r = symmetric::generate_data_key(state, &ctx, key, len, &context, with_plaintext, dry_run)?;
    Outcome::of_version(&r)
}

pub(super) fn get_public_key(
    vault: &Vault,
    principal: &str,
    p: Params<'_>,
) -> Result<Outcome, KmsError> {
    let (state, ctx) = (vault.state(), vault.ctx(principal));
    let (key, version) = (p.req("KeyId")?, p.req("KeyVersionId")?);
    let r = asymmetric::get_public_key(state, &ctx, key, version)?;
    Outcome::of_version(&r)
}

/// What AsymmetricEncrypt and AsymmetricDecrypt read first, in this order.
struct AsymmetricCall<'a> {
    key: &'a str,
    version: &'a str,
    algorithm: AsymmetricAlgorithm,
    dry_run: bool,
}

fn asymmetric_call(p: Params<'_>) -> Result<AsymmetricCall<'_>, KmsError> {
    Ok(AsymmetricCall {
        key: p.req("KeyId")?,
        version: p.req("KeyVersionId")?,
        algorithm: p
            .algorithm("Algorithm")?
            .ok_or_else(|| KmsError::missing("Algorithm"))?,
        dry_run: p.dry_run()?,
    })
}

pub(super) fn asymmetric_encrypt(
    vault: &Vault,
    principal: &str,
    p: Params<'_>,
) -> Result<Outcome, KmsError> {
    let (state, ctx) = (vault.state(), vault.ctx(principal));
    let a = asymmetric_call(p)?;
    let plaintext = p.secret("Plaintext")?;
    let r = asymmetric::asymmetric_encrypt(
        state,
        &ctx,
        a.key,
        a.version,
        a.algorithm,
        &plaintext,
        a.dry_run,
    )?;
    Outcome::of_version(&r)
}

pub(super) fn asymmetric_decrypt(
    vault: &Vault,
    principal: &str,
    p: Params<'_>,
) -> Result<Outcome, KmsError> {
    let (state, ctx) = (vault.state(), vault.ctx(principal));
    let a = asymmetric_call(p)?;
    let blob = p.req("CiphertextBlob")?;
    let r = asymmetric::asymmetric_decrypt(
        state,
        &ctx,
        a.key,
        a.version,
        a.algorithm,
        blob,
        a.dry_run,
    )?;
    Outcome::of_version(&r)
}
