//! ReEncrypt and the symmetric data actions: Encrypt, Decrypt, the data-key actions and their
//! export (`spec/alibaba-kms.md` §11.2).

use super::shared::{
    ALGORITHMS, CONTEXT, DATA_KEY_PARAMS, DATA_KEY_SPECS, DRY_RUN, KEY_ID, PUBLIC_KEY_BLOB,
    WRAPPING_ALGORITHM, WRAPPING_KEY_SPEC, p,
};
use super::{Action, ActionSpec, Group, ParamKind};
use crate::core::policy::kms;

pub(super) const RE_ENCRYPT: ActionSpec = ActionSpec {
    action: Action::ReEncrypt,
    name: kms::RE_ENCRYPT,
    group: Group::ReEncryption,
    summary: "Decrypt a ciphertext and encrypt it again under the primary version of a destination key",
    mutates: false,
    params: &[
        p(
            "CiphertextBlob",
            true,
            ParamKind::Blob,
            "symmetric blob, or RSA/SM2 ciphertext (base64)",
        ),
        p(
            "DestinationKeyId",
            true,
            ParamKind::KeyRef,
            "symmetric key to encrypt under",
        ),
        p(
            "SourceEncryptionAlgorithm",
            false,
            ParamKind::Choice(ALGORITHMS),
            "only for asymmetric ciphertext",
        ),
        p(
            "SourceKeyId",
            false,
            ParamKind::KeyRef,
            "required for asymmetric ciphertext",
        ),
        p(
            "SourceKeyVersionId",
            false,
            ParamKind::KeyVersionId,
            "required for asymmetric ciphertext",
        ),
        p(
            "SourceEncryptionContext",
            false,
            ParamKind::Context,
            "context the blob was made with",
        ),
        p(
            "DestinationEncryptionContext",
            false,
            ParamKind::Context,
            "context for the new blob",
        ),
        DRY_RUN,
    ],
};

pub(super) const ENCRYPT: ActionSpec = ActionSpec {
    action: Action::Encrypt,
    name: kms::ENCRYPT,
    group: Group::SymmetricData,
    summary: "Encrypt up to 6 KB of text under the primary version of a symmetric key",
    mutates: false,
    params: &[
        KEY_ID,
        p("Plaintext", true, ParamKind::Secret, "text to encrypt"),
        CONTEXT,
        DRY_RUN,
    ],
};

pub(super) const DECRYPT: ActionSpec = ActionSpec {
    action: Action::Decrypt,
    name: kms::DECRYPT,
    group: Group::SymmetricData,
    summary: "Decrypt a symmetric CiphertextBlob (the blob names its key version)",
    mutates: false,
    params: &[
        p(
            "CiphertextBlob",
            true,
            ParamKind::Blob,
            "symmetric blob (base64)",
        ),
        CONTEXT,
        DRY_RUN,
    ],
};

pub(super) const GENERATE_DATA_KEY: ActionSpec = ActionSpec {
    action: Action::GenerateDataKey,
    name: kms::GENERATE_DATA_KEY,
    group: Group::SymmetricData,
    summary: "Make a random data key; return it and its CiphertextBlob",
    mutates: false,
    params: DATA_KEY_PARAMS,
};

pub(super) const GENERATE_DATA_KEY_WITHOUT_PLAINTEXT: ActionSpec = ActionSpec {
    action: Action::GenerateDataKeyWithoutPlaintext,
    name: kms::GENERATE_DATA_KEY_WITHOUT_PLAINTEXT,
    group: Group::SymmetricData,
    summary: "Make a random data key; return only its CiphertextBlob",
    mutates: false,
    params: DATA_KEY_PARAMS,
};

pub(super) const EXPORT_DATA_KEY: ActionSpec = ActionSpec {
    action: Action::ExportDataKey,
    name: kms::EXPORT_DATA_KEY,
    group: Group::SymmetricData,
    summary: "Wrap the data key of a GenerateDataKey blob under your public key",
    mutates: false,
    params: &[
        p(
            "CiphertextBlob",
            true,
            ParamKind::Blob,
            "data key blob of GenerateDataKey (base64)",
        ),
        PUBLIC_KEY_BLOB,
        WRAPPING_ALGORITHM,
        WRAPPING_KEY_SPEC,
        CONTEXT,
        DRY_RUN,
    ],
};

pub(super) const GENERATE_AND_EXPORT_DATA_KEY: ActionSpec = ActionSpec {
    action: Action::GenerateAndExportDataKey,
    name: kms::GENERATE_AND_EXPORT_DATA_KEY,
    group: Group::SymmetricData,
    summary: "Make a data key; return its blob and the key wrapped under your public key",
    mutates: false,
    params: &[
        KEY_ID,
        PUBLIC_KEY_BLOB,
        WRAPPING_ALGORITHM,
        WRAPPING_KEY_SPEC,
        p(
            "KeySpec",
            false,
            ParamKind::Choice(DATA_KEY_SPECS),
            "data key length (default AES_256)",
        ),
        p(
            "NumberOfBytes",
            false,
            ParamKind::Int,
            "data key length 1-1024 (overrides KeySpec)",
        ),
        CONTEXT,
        DRY_RUN,
    ],
};
