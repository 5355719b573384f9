//! Handlers of the data actions: ReEncrypt, the symmetric and the asymmetric operations.

use super::Outcome;
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
    let mut outcome = Outcome::of(&response)?;
    outcome.details = Some(serde_json::json!({
        "SourceKeyId": source.key_id,
        "SourceKeyVersionId": source.key_version_id,
    }));
    Ok(outcome)
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
            Outcome::of(&symmetric::encrypt(
                state, &ctx, key, &plaintext, &context, dry_run,
            )?)
        }
        "Decrypt" => Outcome::of(&symmetric::decrypt(
            state,
            &ctx,
            p.req("CiphertextBlob")?,
            &context,
            dry_run,
        )?),
        _ => {
            let key = p.req("KeyId")?;
            let len = symmetric::data_key_len(p.opt("KeySpec"), p.int("NumberOfBytes")?)?;
            let with_plaintext = action == "GenerateDataKey";
            Outcome::of(&symmetric::generate_data_key(
                state,
                &ctx,
                key,
                len,
                &context,
                with_plaintext,
                dry_run,
            )?)
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
        return Outcome::of(&asymmetric::get_public_key(state, &ctx, key, version)?);
    }
    let algorithm = p
        .algorithm("Algorithm")?
        .ok_or_else(|| KmsError::missing("Algorithm"))?;
    let dry_run = p.dry_run()?;
    if action == "AsymmetricEncrypt" {
        let plaintext = p.secret("Plaintext")?;
        Outcome::of(&asymmetric::asymmetric_encrypt(
            state, &ctx, key, version, algorithm, &plaintext, dry_run,
        )?)
    } else {
        let blob = p.req("CiphertextBlob")?;
        Outcome::of(&asymmetric::asymmetric_decrypt(
            state, &ctx, key, version, algorithm, blob, dry_run,
        )?)
    }
}
