//! The asymmetric data actions: encryption, the public key, signing (`spec/alibaba-kms.md` §11.1).

use super::shared::{ALGORITHMS, DIGEST, DRY_RUN, KEY_ID, KEY_VERSION_ID, SIGN_ALGORITHM, p};
use super::{Action, ActionSpec, Group, ParamKind};
use crate::core::policy::kms;

pub(super) const ASYMMETRIC_ENCRYPT: ActionSpec = ActionSpec {
    action: Action::AsymmetricEncrypt,
    name: kms::ASYMMETRIC_ENCRYPT,
    group: Group::AsymmetricData,
    summary: "Encrypt base64 data with the public key of an RSA or SM2 key version",
    mutates: false,
    params: &[
        KEY_ID,
        KEY_VERSION_ID,
        p(
            "Algorithm",
            true,
            ParamKind::Choice(ALGORITHMS),
            "RSAES_OAEP_SHA_256, RSAES_OAEP_SHA_1 or SM2PKE",
        ),
        p(
            "Plaintext",
            true,
            ParamKind::Secret,
            "data to encrypt (base64)",
        ),
        DRY_RUN,
    ],
};

pub(super) const ASYMMETRIC_DECRYPT: ActionSpec = ActionSpec {
    action: Action::AsymmetricDecrypt,
    name: kms::ASYMMETRIC_DECRYPT,
    group: Group::AsymmetricData,
    summary: "Decrypt RSA-OAEP or SM2 ciphertext; the plaintext comes back base64",
    mutates: false,
    params: &[
        KEY_ID,
        KEY_VERSION_ID,
        p(
            "Algorithm",
            true,
            ParamKind::Choice(ALGORITHMS),
            "RSAES_OAEP_SHA_256, RSAES_OAEP_SHA_1 or SM2PKE",
        ),
        p(
            "CiphertextBlob",
            true,
            ParamKind::Blob,
            "ciphertext (base64)",
        ),
        DRY_RUN,
    ],
};

pub(super) const GET_PUBLIC_KEY: ActionSpec = ActionSpec {
    action: Action::GetPublicKey,
    name: kms::GET_PUBLIC_KEY,
    group: Group::AsymmetricData,
    summary: "The public key of an RSA or EC key version, as PEM",
    mutates: false,
    params: &[KEY_ID, KEY_VERSION_ID],
};

pub(super) const ASYMMETRIC_SIGN: ActionSpec = ActionSpec {
    action: Action::AsymmetricSign,
    name: kms::ASYMMETRIC_SIGN,
    group: Group::AsymmetricData,
    summary: "Sign a digest (base64) with a SIGN/VERIFY key version",
    mutates: false,
    params: &[KEY_ID, KEY_VERSION_ID, SIGN_ALGORITHM, DIGEST, DRY_RUN],
};

pub(super) const ASYMMETRIC_VERIFY: ActionSpec = ActionSpec {
    action: Action::AsymmetricVerify,
    name: kms::ASYMMETRIC_VERIFY,
    group: Group::AsymmetricData,
    summary: "Check a signature of a digest; Value is true or false",
    mutates: false,
    params: &[
        KEY_ID,
        KEY_VERSION_ID,
        SIGN_ALGORITHM,
        DIGEST,
        p("Value", true, ParamKind::Blob, "signature (base64)"),
        DRY_RUN,
    ],
};
