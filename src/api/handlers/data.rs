//! Handlers of the data actions: ReEncrypt, the symmetric and the asymmetric operations.

use super::{Outcome, Touched};
use crate::api::params::Params;
use crate::core::error::KmsError;
use crate::core::ops::reencrypt::{ReEncryptRequest, re_encrypt_traced};
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
    let (response, source) = re_encrypt_traced(vault.state(), &vault.ctx(principal), &req)?;
    let touched = Touched {
        source_key_id: Some(source.key_id),
        source_key_version_id: Some(source.key_version_id),
        ..Touched::version(&response.key_id, &response.key_version_id)
    };
    Ok(Outcome::of(&response)?.touching(touched))
}

pub(super) fn symmetric(
    vault: &Vault,
    principal: &str,
    action: &str,
    p: Params<'_>,
) -> Result<Outcome, KmsError> {
    let (state, ctx) = (vault.state(), vault.ctx(principal));
    let context = p.context("EncryptionContext")?;
    let dry_run = p.dry_run()?;
    match action {
        "Encrypt" => {
            let plaintext = p.secret("Plaintext")?;
            let key = p.req("KeyId")?;
            let r = symmetric::encrypt(state, &ctx, key, &plaintext, &context, dry_run)?;
            Ok(Outcome::of(&r)?.touching(Touched::version(&r.key_id, &r.key_version_id)))
        }
        "Decrypt" => {
            let blob = p.req("CiphertextBlob")?;
            let r = symmetric::decrypt(state, &ctx, blob, &context, dry_run)?;
            Ok(Outcome::of(&r)?.touching(Touched::version(&r.key_id, &r.key_version_id)))
        }
        _ => {
            let key = p.req("KeyId")?;
            let len = symmetric::data_key_len(p.opt("KeySpec"), p.int("NumberOfBytes")?)?;
            let with_plaintext = action == "GenerateDataKey";
            let r = symmetric::generate_data_key(
                state,
                &ctx,
                key,
                len,
                &context,
                with_plaintext,
                dry_run,
            )?;
            Ok(Outcome::of(&r)?.touching(Touched::version(&r.key_id, &r.key_version_id)))
        }
    }
}

pub(super) fn asymmetric(
    vault: &Vault,
    principal: &str,
    action: &str,
    p: Params<'_>,
) -> Result<Outcome, KmsError> {
    let (state, ctx) = (vault.state(), vault.ctx(principal));
    let key = p.req("KeyId")?;
    let version = p.req("KeyVersionId")?;
    if action == "GetPublicKey" {
        let r = asymmetric::get_public_key(state, &ctx, key, version)?;
        return Ok(Outcome::of(&r)?.touching(Touched::version(&r.key_id, &r.key_version_id)));
    }
    let algorithm = p
        .algorithm("Algorithm")?
        .ok_or_else(|| KmsError::missing("Algorithm"))?;
    let dry_run = p.dry_run()?;
    if action == "AsymmetricEncrypt" {
        let plaintext = p.secret("Plaintext")?;
        let r = asymmetric::asymmetric_encrypt(
            state, &ctx, key, version, algorithm, &plaintext, dry_run,
        )?;
        Ok(Outcome::of(&r)?.touching(Touched::version(&r.key_id, &r.key_version_id)))
    } else {
        let blob = p.req("CiphertextBlob")?;
        let r =
            asymmetric::asymmetric_decrypt(state, &ctx, key, version, algorithm, blob, dry_run)?;
        Ok(Outcome::of(&r)?.touching(Touched::version(&r.key_id, &r.key_version_id)))
    }
}
