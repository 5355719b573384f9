//! Key import and deletion protection (`spec/alibaba-kms.md` §11.3-§11.4).

use super::shared::{KEY_ID, p};
use super::{Action, ActionSpec, Group, ParamKind};
use crate::core::policy::kms;

pub(super) const GET_PARAMETERS_FOR_IMPORT: ActionSpec = ActionSpec {
    action: Action::GetParametersForImport,
    name: kms::GET_PARAMETERS_FOR_IMPORT,
    group: Group::Keys,
    summary: "A wrapping public key and an ImportToken (24 h) for an EXTERNAL key",
    mutates: true,
    params: &[
        KEY_ID,
        p(
            "WrappingAlgorithm",
            true,
            ParamKind::Choice(&["RSAES_OAEP_SHA_256", "RSAES_OAEP_SHA_1", "SM2PKE"]),
            "OAEP with RSA_2048, SM2PKE with EC_SM2",
        ),
        p(
            "WrappingKeySpec",
            true,
            ParamKind::Choice(&["RSA_2048", "EC_SM2"]),
            "the wrapping key's spec",
        ),
    ],
};

pub(super) const IMPORT_KEY_MATERIAL: ActionSpec = ActionSpec {
    action: Action::ImportKeyMaterial,
    name: kms::IMPORT_KEY_MATERIAL,
    group: Group::Keys,
    summary: "Import wrapped key material into an EXTERNAL key",
    mutates: true,
    params: &[
        KEY_ID,
        p(
            "EncryptedKeyMaterial",
            true,
            ParamKind::Text,
            "base64 of the raw material wrapped with the PublicKey",
        ),
        p(
            "ImportToken",
            true,
            ParamKind::Text,
            "from GetParametersForImport",
        ),
        p(
            "KeyMaterialExpireUnix",
            false,
            ParamKind::Int,
            "Unix seconds; 0 or absent: never expires",
        ),
    ],
};

pub(super) const DELETE_KEY_MATERIAL: ActionSpec = ActionSpec {
    action: Action::DeleteKeyMaterial,
    name: kms::DELETE_KEY_MATERIAL,
    group: Group::Keys,
    summary: "Delete an EXTERNAL key's material; it waits for an import again",
    mutates: true,
    params: &[KEY_ID],
};

pub(super) const SET_DELETION_PROTECTION: ActionSpec = ActionSpec {
    action: Action::SetDeletionProtection,
    name: kms::SET_DELETION_PROTECTION,
    group: Group::Keys,
    summary: "Turn deletion protection on or off",
    mutates: true,
    params: &[
        p(
            "EnableDeletionProtection",
            true,
            ParamKind::Bool,
            "true: ScheduleKeyDeletion is refused",
        ),
        p(
            "KeyId",
            false,
            ParamKind::KeyRef,
            "KeyId, alias/<name> or key ARN (or ProtectedResourceArn)",
        ),
        p(
            "ProtectedResourceArn",
            false,
            ParamKind::Text,
            "acs:kms:<region>:<account>:key/<KeyId>",
        ),
        p(
            "DeletionProtectionDescription",
            false,
            ParamKind::Text,
            "why the key is protected",
        ),
    ],
};
