//! The one list of action names a policy may grant: the KMS API's actions (the API's action
//! table in `api/actions.rs` takes its names from here) and RAM's principal-management actions.

/// Defines one constant per name and `ALL`, the list of them, so that a name cannot be defined
/// without being listed.
macro_rules! action_names {
    ($($constant:ident = $name:literal),* $(,)?) => {
        $(#[doc = concat!("`", $name, "`")] pub const $constant: &str = $name;)*
        /// Every name, in table order.
        pub const ALL: &[&str] = &[$($constant),*];
    };
}

/// The KMS API's actions (`kms:<Action>` in a policy), in the order of the action table.
pub mod kms {
    action_names! {
        RE_ENCRYPT = "ReEncrypt",
        ENCRYPT = "Encrypt",
        DECRYPT = "Decrypt",
        GENERATE_DATA_KEY = "GenerateDataKey",
        GENERATE_DATA_KEY_WITHOUT_PLAINTEXT = "GenerateDataKeyWithoutPlaintext",
        ASYMMETRIC_ENCRYPT = "AsymmetricEncrypt",
        ASYMMETRIC_DECRYPT = "AsymmetricDecrypt",
        GET_PUBLIC_KEY = "GetPublicKey",
        CREATE_KEY = "CreateKey",
        DESCRIBE_KEY = "DescribeKey",
        LIST_KEYS = "ListKeys",
        UPDATE_KEY_DESCRIPTION = "UpdateKeyDescription",
        ENABLE_KEY = "EnableKey",
        DISABLE_KEY = "DisableKey",
        SCHEDULE_KEY_DELETION = "ScheduleKeyDeletion",
        CANCEL_KEY_DELETION = "CancelKeyDeletion",
        CREATE_KEY_VERSION = "CreateKeyVersion",
        DESCRIBE_KEY_VERSION = "DescribeKeyVersion",
        LIST_KEY_VERSIONS = "ListKeyVersions",
        UPDATE_ROTATION_POLICY = "UpdateRotationPolicy",
        CREATE_ALIAS = "CreateAlias",
        UPDATE_ALIAS = "UpdateAlias",
        DELETE_ALIAS = "DeleteAlias",
        LIST_ALIASES = "ListAliases",
        LIST_ALIASES_BY_KEY_ID = "ListAliasesByKeyId",
        // Key import, deletion protection and tags (`spec/alibaba-kms.md` §11.3-§11.5).
        GET_PARAMETERS_FOR_IMPORT = "GetParametersForImport",
        IMPORT_KEY_MATERIAL = "ImportKeyMaterial",
        DELETE_KEY_MATERIAL = "DeleteKeyMaterial",
        SET_DELETION_PROTECTION = "SetDeletionProtection",
        TAG_RESOURCE = "TagResource",
        UNTAG_RESOURCE = "UntagResource",
        LIST_RESOURCE_TAGS = "ListResourceTags",
        TAG_RESOURCES = "TagResources",
        UNTAG_RESOURCES = "UntagResources",
        LIST_TAG_RESOURCES = "ListTagResources",
        // Signing and data-key export (`spec/alibaba-kms.md` §11.1-§11.2).
        ASYMMETRIC_SIGN = "AsymmetricSign",
        ASYMMETRIC_VERIFY = "AsymmetricVerify",
        EXPORT_DATA_KEY = "ExportDataKey",
        GENERATE_AND_EXPORT_DATA_KEY = "GenerateAndExportDataKey",
    }

    /// ReEncrypt is granted in two halves (product §7): `kms:ReEncryptFrom` on the source key
    /// and `kms:ReEncryptTo` on the destination; a policy naming `kms:ReEncrypt` alone grants
    /// nothing.
    pub const RE_ENCRYPT_PERMISSIONS: &[&str] = &["ReEncryptFrom", "ReEncryptTo"];

    /// The names a `kms:` permission check can ask for.
    pub fn permissions() -> impl Iterator<Item = &'static str> {
        ALL.iter()
            .copied()
            .filter(|a| *a != RE_ENCRYPT)
            .chain(RE_ENCRYPT_PERMISSIONS.iter().copied())
    }
}

/// RAM's actions for managing principals (`ram:<Action>`), as RAM names them.
pub mod ram {
    action_names! {
        CREATE_USER = "CreateUser",
        DELETE_USER = "DeleteUser",
        ATTACH_POLICY_TO_USER = "AttachPolicyToUser",
        DETACH_POLICY_FROM_USER = "DetachPolicyFromUser",
        CREATE_ACCESS_KEY = "CreateAccessKey",
        DELETE_ACCESS_KEY = "DeleteAccessKey",
        LIST_USERS = "ListUsers",
        LIST_ACCESS_KEYS = "ListAccessKeys",
    }
}

/// Every `service:Action` a policy can grant.
pub fn every_permission() -> impl Iterator<Item = (&'static str, &'static str)> {
    kms::permissions()
        .map(|a| ("kms:", a))
        .chain(ram::ALL.iter().map(|a| ("ram:", *a)))
}
