//! The action table: every action of product §6 with its parameters, as the API names them. The
//! dispatcher, the command line (its per-action options and help) and the console's forms are
//! all built from this one table. The action names come from the core's list of the actions a
//! policy may grant (`core::policy::kms`), so that the two cannot drift apart.

use crate::core::policy::kms;

/// What a parameter holds; front ends choose their input widget from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    Text,
    /// A KeyId, `alias/…` or key ARN.
    KeyRef,
    KeyVersionId,
    AliasName,
    /// Base64 ciphertext.
    Blob,
    /// An EncryptionContext JSON object.
    Context,
    /// `true` / `false`.
    Bool,
    Int,
    /// One of fixed values.
    Choice(&'static [&'static str]),
    /// JSON (e.g. `Filters`).
    Json,
    /// Plaintext: never shown, never logged.
    Secret,
}

impl ParamKind {
    /// The values a parameter of this kind can take, where they are a fixed list (offered by
    /// shell completion and help); empty for free values.
    pub fn values(self) -> &'static [&'static str] {
        match self {
            Self::Choice(values) => values,
            Self::Bool => &["true", "false"],
            Self::Text
            | Self::KeyRef
            | Self::KeyVersionId
            | Self::AliasName
            | Self::Blob
            | Self::Context
            | Self::Int
            | Self::Json
            | Self::Secret => &[],
        }
    }
}

/// One parameter of an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamSpec {
    pub name: &'static str,
    pub required: bool,
    pub kind: ParamKind,
    pub help: &'static str,
}

/// Groups of product §6, in the order the console lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    ReEncryption,
    SymmetricData,
    AsymmetricData,
    Keys,
    Versions,
    Aliases,
}

impl Group {
    pub fn title(self) -> &'static str {
        match self {
            Self::ReEncryption => "re-encryption",
            Self::SymmetricData => "symmetric data",
            Self::AsymmetricData => "asymmetric data",
            Self::Keys => "keys",
            Self::Versions => "versions, rotation",
            Self::Aliases => "aliases",
        }
    }
}

/// One action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionSpec {
    pub name: &'static str,
    pub group: Group,
    pub summary: &'static str,
    /// Whether it changes the vault (and so takes the vault's lock).
    pub mutates: bool,
    pub params: &'static [ParamSpec],
}

const fn p(name: &'static str, required: bool, kind: ParamKind, help: &'static str) -> ParamSpec {
    ParamSpec {
        name,
        required,
        kind,
        help,
    }
}

const ALGORITHMS: &[&str] = &["RSAES_OAEP_SHA_256", "RSAES_OAEP_SHA_1", "SM2PKE"];
const KEY_SPECS: &[&str] = &[
    "Aliyun_AES_256",
    "Aliyun_AES_128",
    "Aliyun_SM4",
    "RSA_2048",
    "RSA_3072",
    "EC_SM2",
    "EC_P256",
    "EC_P256K",
];
const DATA_KEY_SPECS: &[&str] = &["AES_256", "AES_128"];

// Parameters of the batch tag actions (§11.5); on the wire the lists are flat
// (`ResourceId.1`, `Tag.1.Key`, `TagKey.1`), on the command line JSON.
const REGION_ID: ParamSpec = p(
    "RegionId",
    false,
    ParamKind::Text,
    "the vault's region (default)",
);
const RESOURCE_TYPE: ParamSpec = p(
    "ResourceType",
    true,
    ParamKind::Choice(&["key"]),
    "key (this vault holds no secrets)",
);
const RESOURCE_IDS: ParamSpec = p(
    "ResourceId",
    true,
    ParamKind::Json,
    r#"["id",...] (at most 50); on the wire ResourceId.1, ResourceId.2, ..."#,
);
const BATCH_TAGS: ParamSpec = p(
    "Tag",
    true,
    ParamKind::Json,
    r#"[{"Key":"k","Value":"v"}] (at most 20); on the wire Tag.1.Key, Tag.1.Value"#,
);

const KEY_ID: ParamSpec = p(
    "KeyId",
    true,
    ParamKind::KeyRef,
    "KeyId, alias/<name> or key ARN",
);
const KEY_VERSION_ID: ParamSpec = p(
    "KeyVersionId",
    true,
    ParamKind::KeyVersionId,
    "version of the key",
);
const DRY_RUN: ParamSpec = p(
    "DryRun",
    false,
    ParamKind::Bool,
    "check only; fails with DryRunOperationError if it would succeed",
);
const CONTEXT: ParamSpec = p(
    "EncryptionContext",
    false,
    ParamKind::Context,
    "JSON object of string pairs bound to the ciphertext",
);
const PAGE_NUMBER: ParamSpec = p(
    "PageNumber",
    false,
    ParamKind::Int,
    "page, from 1 (default 1)",
);
const PAGE_SIZE: ParamSpec = p(
    "PageSize",
    false,
    ParamKind::Int,
    "entries per page, 1-100 (default 10)",
);
const ALIAS_NAME: ParamSpec = p("AliasName", true, ParamKind::AliasName, "alias/<name>");

const DATA_KEY_PARAMS: &[ParamSpec] = &[
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

const SIGN_ALGORITHM: ParamSpec = p(
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
const DIGEST: ParamSpec = p(
    "Digest",
    true,
    ParamKind::Blob,
    "32-byte SHA-256 (SM2: SM3(Z||M)) digest, base64",
);
const PUBLIC_KEY_BLOB: ParamSpec = p(
    "PublicKeyBlob",
    true,
    ParamKind::Blob,
    "your public key: base64 DER SubjectPublicKeyInfo",
);
const WRAPPING_ALGORITHM: ParamSpec = p(
    "WrappingAlgorithm",
    true,
    ParamKind::Choice(ALGORITHMS),
    "RSAES_OAEP_SHA_256 / RSAES_OAEP_SHA_1 (RSA_2048) or SM2PKE (EC_SM2)",
);
const WRAPPING_KEY_SPEC: ParamSpec = p(
    "WrappingKeySpec",
    true,
    ParamKind::Choice(&["RSA_2048", "EC_SM2"]),
    "RSA_2048 or EC_SM2",
);

/// Every action, ReEncrypt first.
pub const ACTIONS: &[ActionSpec] = &[
    ActionSpec {
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
    },
    ActionSpec {
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
    },
    ActionSpec {
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
    },
    ActionSpec {
        name: kms::GENERATE_DATA_KEY,
        group: Group::SymmetricData,
        summary: "Make a random data key; return it and its CiphertextBlob",
        mutates: false,
        params: DATA_KEY_PARAMS,
    },
    ActionSpec {
        name: kms::GENERATE_DATA_KEY_WITHOUT_PLAINTEXT,
        group: Group::SymmetricData,
        summary: "Make a random data key; return only its CiphertextBlob",
        mutates: false,
        params: DATA_KEY_PARAMS,
    },
    ActionSpec {
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
    },
    ActionSpec {
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
    },
    ActionSpec {
        name: kms::GET_PUBLIC_KEY,
        group: Group::AsymmetricData,
        summary: "The public key of an RSA or EC key version, as PEM",
        mutates: false,
        params: &[KEY_ID, KEY_VERSION_ID],
    },
    ActionSpec {
        name: kms::CREATE_KEY,
        group: Group::Keys,
        summary: "Create a customer master key",
        mutates: true,
        params: &[
            p(
                "KeySpec",
                false,
                ParamKind::Choice(KEY_SPECS),
                "default Aliyun_AES_256",
            ),
            p(
                "KeyUsage",
                false,
                ParamKind::Choice(&["ENCRYPT/DECRYPT", "SIGN/VERIFY"]),
                "default SIGN/VERIFY for EC_P256(K), else ENCRYPT/DECRYPT",
            ),
            p("Description", false, ParamKind::Text, "free text"),
            p(
                "EnableAutomaticRotation",
                false,
                ParamKind::Bool,
                "symmetric keys only",
            ),
            p(
                "RotationInterval",
                false,
                ParamKind::Text,
                "e.g. 30d or 2592000s (7-730 days)",
            ),
            p(
                "Origin",
                false,
                ParamKind::Choice(&["Aliyun_KMS", "EXTERNAL"]),
                "EXTERNAL: no material until ImportKeyMaterial (Aliyun_AES_256, Aliyun_SM4)",
            ),
            p(
                "Tags",
                false,
                ParamKind::Json,
                r#"[{"TagKey":"k","TagValue":"v"}], at most 20"#,
            ),
            p(
                "ProtectionLevel",
                false,
                ParamKind::Choice(&["SOFTWARE"]),
                "only SOFTWARE",
            ),
        ],
    },
    ActionSpec {
        name: kms::DESCRIBE_KEY,
        group: Group::Keys,
        summary: "A key's metadata",
        mutates: false,
        params: &[KEY_ID],
    },
    ActionSpec {
        name: kms::LIST_KEYS,
        group: Group::Keys,
        summary: "List keys, with optional Filters",
        mutates: false,
        params: &[
            PAGE_NUMBER,
            PAGE_SIZE,
            p(
                "Filters",
                false,
                ParamKind::Json,
                r#"[{"Key":"KeyState","Values":["Enabled"]}]"#,
            ),
        ],
    },
    ActionSpec {
        name: kms::UPDATE_KEY_DESCRIPTION,
        group: Group::Keys,
        summary: "Change a key's description",
        mutates: true,
        params: &[
            KEY_ID,
            p("Description", true, ParamKind::Text, "new description"),
        ],
    },
    ActionSpec {
        name: kms::ENABLE_KEY,
        group: Group::Keys,
        summary: "Enable a disabled key",
        mutates: true,
        params: &[KEY_ID],
    },
    ActionSpec {
        name: kms::DISABLE_KEY,
        group: Group::Keys,
        summary: "Disable a key: it can no longer encrypt or decrypt",
        mutates: true,
        params: &[KEY_ID],
    },
    ActionSpec {
        name: kms::SCHEDULE_KEY_DELETION,
        group: Group::Keys,
        summary: "Delete a key after a waiting period",
        mutates: true,
        params: &[
            KEY_ID,
            p("PendingWindowInDays", true, ParamKind::Int, "7-366 days"),
        ],
    },
    ActionSpec {
        name: kms::CANCEL_KEY_DELETION,
        group: Group::Keys,
        summary: "Cancel a scheduled deletion; the key is Enabled again",
        mutates: true,
        params: &[KEY_ID],
    },
    ActionSpec {
        name: kms::CREATE_KEY_VERSION,
        group: Group::Versions,
        summary: "Rotate a key by hand: make a new primary version",
        mutates: true,
        params: &[KEY_ID],
    },
    ActionSpec {
        name: kms::DESCRIBE_KEY_VERSION,
        group: Group::Versions,
        summary: "A key version's metadata",
        mutates: false,
        params: &[KEY_ID, KEY_VERSION_ID],
    },
    ActionSpec {
        name: kms::LIST_KEY_VERSIONS,
        group: Group::Versions,
        summary: "List a key's versions, oldest first",
        mutates: false,
        params: &[KEY_ID, PAGE_NUMBER, PAGE_SIZE],
    },
    ActionSpec {
        name: kms::UPDATE_ROTATION_POLICY,
        group: Group::Versions,
        summary: "Turn automatic rotation on or off",
        mutates: true,
        params: &[
            KEY_ID,
            p(
                "EnableAutomaticRotation",
                true,
                ParamKind::Bool,
                "true or false (or the older EnableAutoRotation)",
            ),
            p(
                "RotationInterval",
                false,
                ParamKind::Text,
                "e.g. 30d or 2592000s (7-730 days)",
            ),
            p(
                "EnableAutoRotation",
                false,
                ParamKind::Bool,
                "older name of EnableAutomaticRotation",
            ),
            p(
                "RotationIntervalInDays",
                false,
                ParamKind::Int,
                "older form of RotationInterval",
            ),
        ],
    },
    ActionSpec {
        name: kms::CREATE_ALIAS,
        group: Group::Aliases,
        summary: "Give a key an alias",
        mutates: true,
        params: &[ALIAS_NAME, KEY_ID],
    },
    ActionSpec {
        name: kms::UPDATE_ALIAS,
        group: Group::Aliases,
        summary: "Point an alias at another key",
        mutates: true,
        params: &[ALIAS_NAME, KEY_ID],
    },
    ActionSpec {
        name: kms::DELETE_ALIAS,
        group: Group::Aliases,
        summary: "Delete an alias (the key stays)",
        mutates: true,
        params: &[ALIAS_NAME],
    },
    ActionSpec {
        name: kms::LIST_ALIASES,
        group: Group::Aliases,
        summary: "List all aliases",
        mutates: false,
        params: &[PAGE_NUMBER, PAGE_SIZE],
    },
    ActionSpec {
        name: kms::LIST_ALIASES_BY_KEY_ID,
        group: Group::Aliases,
        summary: "List the aliases of one key",
        mutates: false,
        params: &[KEY_ID, PAGE_NUMBER, PAGE_SIZE],
    },
    // Key import, deletion protection and tags (`spec/alibaba-kms.md` §11.3-§11.5).
    ActionSpec {
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
    },
    ActionSpec {
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
    },
    ActionSpec {
        name: kms::DELETE_KEY_MATERIAL,
        group: Group::Keys,
        summary: "Delete an EXTERNAL key's material; it waits for an import again",
        mutates: true,
        params: &[KEY_ID],
    },
    ActionSpec {
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
    },
    ActionSpec {
        name: kms::TAG_RESOURCE,
        group: Group::Keys,
        summary: "Add or overwrite a key's tags (at most 10 a key)",
        mutates: true,
        params: &[
            KEY_ID,
            p(
                "Tags",
                true,
                ParamKind::Json,
                r#"[{"TagKey":"k","TagValue":"v"}]"#,
            ),
        ],
    },
    ActionSpec {
        name: kms::UNTAG_RESOURCE,
        group: Group::Keys,
        summary: "Remove tags from a key",
        mutates: true,
        params: &[
            KEY_ID,
            p("TagKeys", true, ParamKind::Json, r#"["k1","k2"] or k1,k2"#),
        ],
    },
    ActionSpec {
        name: kms::LIST_RESOURCE_TAGS,
        group: Group::Keys,
        summary: "A key's tags",
        mutates: false,
        params: &[KEY_ID],
    },
    ActionSpec {
        name: kms::TAG_RESOURCES,
        group: Group::Keys,
        summary: "Tag several keys (ResourceId.N, Tag.N.Key/Value)",
        mutates: true,
        params: &[REGION_ID, RESOURCE_TYPE, RESOURCE_IDS, BATCH_TAGS],
    },
    ActionSpec {
        name: kms::UNTAG_RESOURCES,
        group: Group::Keys,
        summary: "Remove tags from several keys (ResourceId.N, TagKey.N or All)",
        mutates: true,
        params: &[
            REGION_ID,
            RESOURCE_TYPE,
            RESOURCE_IDS,
            p(
                "TagKey",
                false,
                ParamKind::Json,
                r#"["k1","k2"]; on the wire TagKey.1, TagKey.2, ..."#,
            ),
            p(
                "All",
                false,
                ParamKind::Bool,
                "remove every tag (no TagKey)",
            ),
        ],
    },
    ActionSpec {
        name: kms::LIST_TAG_RESOURCES,
        group: Group::Keys,
        summary: "Tags of several keys, 200 rows a page",
        mutates: false,
        params: &[
            REGION_ID,
            RESOURCE_TYPE,
            p(
                "ResourceId",
                false,
                ParamKind::Json,
                r#"["id",...]; on the wire ResourceId.1, ...; absent: every key"#,
            ),
            p(
                "Tag",
                false,
                ParamKind::Json,
                r#"[{"Key":"k","Value":"v"}]; on the wire Tag.1.Key, Tag.1.Value"#,
            ),
            p(
                "NextToken",
                false,
                ParamKind::Text,
                "from the previous page",
            ),
        ],
    },
    // Signing and data-key export (issue 14, spec §11.1–11.2).
    ActionSpec {
        name: kms::ASYMMETRIC_SIGN,
        group: Group::AsymmetricData,
        summary: "Sign a digest (base64) with a SIGN/VERIFY key version",
        mutates: false,
        params: &[KEY_ID, KEY_VERSION_ID, SIGN_ALGORITHM, DIGEST, DRY_RUN],
    },
    ActionSpec {
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
    },
    ActionSpec {
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
    },
    ActionSpec {
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
    },
];

/// The action with this exact name.
pub fn find_action(name: &str) -> Option<&'static ActionSpec> {
    ACTIONS.iter().find(|a| a.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_exactly_the_actions_policies_can_name() {
        let table: Vec<&str> = ACTIONS.iter().map(|a| a.name).collect();
        assert_eq!(table, kms::ALL);
    }
}
