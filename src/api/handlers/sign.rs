//! Handlers of the signing and data-key export actions (issue 14): AsymmetricSign,
//! AsymmetricVerify, ExportDataKey, GenerateAndExportDataKey. Each audit line names the key and
//! version the call used.

use super::Outcome;
use crate::api::params::Params;
use crate::core::context::EncryptionContext;
use crate::core::crypto::{SignAlgorithm, WrappingKeySpec};
use crate::core::error::KmsError;
use crate::core::ops::export::{ExportTarget, export_data_key, generate_and_export_data_key};
use crate::core::ops::sign::{SignRequest, asymmetric_sign, asymmetric_verify};
use crate::core::ops::symmetric::data_key_len;
use crate::core::vault::Vault;

fn sign_request(p: Params<'_>) -> Result<SignRequest<'_>, KmsError> {
    let algorithm = p.req("Algorithm")?;
    Ok(SignRequest {
        key_ref: p.req("KeyId")?,
        key_version_id: p.req("KeyVersionId")?,
        algorithm: SignAlgorithm::parse(algorithm.trim()).ok_or_else(|| {
            KmsError::invalid(
                "Algorithm",
                "It must be RSA_PSS_SHA_256, RSA_PKCS1_SHA_256, ECDSA_SHA_256 or SM2DSA.",
            )
        })?,
        digest: p.req("Digest")?,
        dry_run: p.dry_run()?,
    })
}

pub(super) fn sign(vault: &Vault, principal: &str, p: Params<'_>) -> Result<Outcome, KmsError> {
    let (state, ctx) = (vault.state(), vault.ctx(principal));
    let req = sign_request(p)?;
    let r = asymmetric_sign(state, &ctx, &req)?;
    Outcome::of_version(&r)
}

pub(super) fn verify(vault: &Vault, principal: &str, p: Params<'_>) -> Result<Outcome, KmsError> {
    let (state, ctx) = (vault.state(), vault.ctx(principal));
    let req = sign_request(p)?;
    let value = p.req("Value")?;
    let r = asymmetric_verify(state, &ctx, &req, value)?;
    Outcome::of_version(&r)
}

/// What both export actions read first, in this order: context, wrapping key, dry run.
fn export_common(p: Params<'_>) -> Result<(EncryptionContext, ExportTarget<'_>, bool), KmsError> {
    let context = p.context("EncryptionContext")?;
    let spec = p.req("WrappingKeySpec")?;
    let target = ExportTarget {
        public_key_blob: p.req("PublicKeyBlob")?,
        algorithm: p
            .algorithm("WrappingAlgorithm")?
            .ok_or_else(|| KmsError::missing("WrappingAlgorithm"))?,
        key_spec: WrappingKeySpec::parse(spec.trim()).ok_or_else(|| {
            KmsError::invalid("WrappingKeySpec", "It must be RSA_2048 or EC_SM2.")
        })?,
    };
    Ok((context, target, p.dry_run()?))
}

pub(super) fn export(vault: &Vault, principal: &str, p: Params<'_>) -> Result<Outcome, KmsError> {
    let (state, ctx) = (vault.state(), vault.ctx(principal));
    let (context, target, dry_run) = export_common(p)?;
    let blob = p.req("CiphertextBlob")?;
    let r = export_data_key(state, &ctx, blob, &context, &target, dry_run)?;
    Outcome::of_version(&r)
}

pub(super) fn generate_and_export(
    vault: &Vault,
    principal: &str,
    p: Params<'_>,
) -> Result<Outcome, KmsError> {
    let (state, ctx) = (vault.state(), vault.ctx(principal));
    let (context, target, dry_run) = export_common(p)?;
    let key = p.req("KeyId")?;
    let len = data_key_len(p.opt("KeySpec"), p.int("NumberOfBytes")?)?;
    let r = generate_and_export_data_key(state, &ctx, key, len, &context, &target, dry_run)?;
    Outcome::of_version(&r)
}
