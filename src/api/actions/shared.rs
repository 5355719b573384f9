//! Parameters several actions share, and the choice lists they offer.

use super::{ParamKind, ParamSpec};

pub(super) const fn p(
    name: &'static str,
    required: bool,
    kind: ParamKind,
    help: &'static str,
) -> ParamSpec {
    ParamSpec {
        name,
        required,
        kind,
        help,
    }
}

pub(super) const ALGORITHMS: &[&str] = &["RSAES_OAEP_SHA_256", "RSAES_OAEP_SHA_1", "SM2PKE"];
pub(super) const KEY_SPECS: &[&str] = &[
    "Aliyun_AES_256",
    "Aliyun_AES_128",
    "Aliyun_SM4",
    "RSA_2048",
    "RSA_3072",
    "EC_SM2",
    "EC_P256",
    "EC_P256K",
];
pub(super) const DATA_KEY_SPECS: &[&str] = &["AES_256", "AES_128"];

// Parameters of the batch tag actions (§11.5); on the wire the lists are flat
// (`ResourceId.1`, `Tag.1.Key`, `TagKey.1`), on the command line JSON.
pub(super) const REGION_ID: ParamSpec = p(
    "RegionId",
    false,
    ParamKind::Text,
    "the vault's region (default)",
);
pub(super) const RESOURCE_TYPE: ParamSpec = p(
    "ResourceType",
    true,
    ParamKind::Choice(&["key"]),
    "key (this vault holds no secrets)",
);
pub(super) const RESOURCE_IDS: ParamSpec = p(
    "ResourceId",
    true,
    ParamKind::Json,
    r#"["id",...] (at most 50); on the wire ResourceId.1, ResourceId.2, ..."#,
);
pub(super) const BATCH_TAGS: ParamSpec = p(
    "Tag",
    true,
    ParamKind::Json,
    r#"[{"Key":"k","Value":"v"}] (at most 20); on the wire Tag.1.Key, Tag.1.Value"#,
);

pub(super) const KEY_ID: ParamSpec = p(
    "KeyId",
    true,
    ParamKind::KeyRef,
    "KeyId, alias/<name> or key ARN",
);
pub(super) const KEY_VERSION_ID: ParamSpec = p(
    "KeyVersionId",
    true,
    ParamKind::KeyVersionId,
    "version of the key",
);
pub(super) const DRY_RUN: ParamSpec = p(
    "DryRun",
    false,
    ParamKind::Bool,
    "check only; fails with DryRunOperationError if it would succeed",
);
pub(super) const CONTEXT: ParamSpec = p(
    "EncryptionContext",
    false,
    ParamKind::Context,
    "JSON object of string pairs bound to the ciphertext",
);
pub(super) const PAGE_NUMBER: ParamSpec = p(
    "PageNumber",
    false,
    ParamKind::Int,
    "page, from 1 (default 1)",
);
pub(super) const PAGE_SIZE: ParamSpec = p(
    "PageSize",
    false,
    ParamKind::Int,
    "entries per page, 1-100 (default 10)",
);
pub(super) const ALIAS_NAME: ParamSpec = p("AliasName", true, ParamKind::AliasName, "alias/<name>");

pub(super) const DATA_KEY_PARAMS: &[ParamSpec] = &[
    KEY_ID,
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
];

pub(super) const SIGN_ALGORITHM: ParamSpec = p(
    "Algorithm",
    true,
    ParamKind::Choice(&[
        "RSA_PSS_SHA_256",
        "RSA_PKCS1_SHA_256",
        "ECDSA_SHA_256",
        "SM2DSA",
    ]),
    "RSA_PSS_SHA_256 or RSA_PKCS1_SHA_256 (RSA), ECDSA_SHA_256 (EC_P256/K), SM2DSA (EC_SM2)",
);
pub(super) const DIGEST: ParamSpec = p(
    "Digest",
    true,
    ParamKind::Blob,
    "32-byte SHA-256 (SM2: SM3(Z||M)) digest, base64",
);
pub(super) const PUBLIC_KEY_BLOB: ParamSpec = p(
    "PublicKeyBlob",
    true,
    ParamKind::Blob,
    "your public key: base64 DER SubjectPublicKeyInfo",
);
pub(super) const WRAPPING_ALGORITHM: ParamSpec = p(
    "WrappingAlgorithm",
    true,
    ParamKind::Choice(ALGORITHMS),
    "RSAES_OAEP_SHA_256 / RSAES_OAEP_SHA_1 (RSA_2048) or SM2PKE (EC_SM2)",
);
pub(super) const WRAPPING_KEY_SPEC: ParamSpec = p(
    "WrappingKeySpec",
    true,
    ParamKind::Choice(&["RSA_2048", "EC_SM2"]),
    "RSA_2048 or EC_SM2",
);
