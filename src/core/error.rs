//! The one error type of the core: every failure of an operation, with its API code, HTTP status
//! and message decided here and nowhere else (`spec/alibaba-kms.md` §6.2).

use std::fmt;

/// Every way a KMS operation can fail.
///
/// Messages never carry key bytes, plaintext or encryption-context values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KmsError {
    /// A required parameter is absent.
    #[error("The parameter \"{0}\" is needed but not provided.")]
    MissingParameter(String),
    /// A parameter is present but not acceptable; `reason` says why, without echoing secrets.
    #[error("The specified parameter \"{name}\" is not valid. {reason}")]
    InvalidParameter { name: String, reason: String },
    /// Every symmetric or asymmetric decryption failure: not base64, too short, bad header, wrong
    /// context, altered bytes, wrong key or algorithm. Deliberately one message (product §5).
    #[error(
        "The specified parameter \"CiphertextBlob\" is not valid. The ciphertext could not be decrypted."
    )]
    InvalidCiphertext,
    #[error("The specified Key is not found.")]
    KeyNotFound,
    #[error("The specified Key version is not found.")]
    KeyVersionNotFound,
    #[error("The specified Alias is not found.")]
    AliasNotFound,
    /// The caller's policies do not allow `action` on `resource`.
    #[error("This operation is forbidden by permission system. ({action} on {resource})")]
    NoPermission { action: String, resource: String },
    /// The request runs as a principal this vault does not have.
    #[error(
        "This operation is forbidden by permission system. (there is no principal {0:?} in this vault)"
    )]
    UnknownPrincipal(String),
    #[error("The request was rejected because the key state is Disabled.")]
    Disabled,
    /// ReEncrypt's source or destination key (`role`) is Disabled; same code as [`Self::Disabled`].
    #[error("The request was rejected because the {role} key {key_id} is Disabled.")]
    DisabledKey { role: &'static str, key_id: String },
    #[error("The request was rejected because the key state is PendingDeletion.")]
    PendingDeletion,
    #[error("Keystate modified failed. {0}")]
    StateModifiedFailed(String),
    #[error("AliasName Already Exists.")]
    AliasAlreadyExists,
    /// The key's usage or spec does not allow the operation (e.g. Encrypt with an RSA key).
    #[error("The key usage or spec does not support this operation. {0}")]
    IncorrectKeyUsage(String),
    /// `DryRun=true` and every check passed.
    #[error("Request would have succeeded, but DryRun flag is set.")]
    DryRunOperation,
    /// A principal name that already exists, or other resource conflicts outside the API table.
    #[error("{0}")]
    ResourceConflict(String),
    /// A policy document that is not a policy, or names an action or resource that cannot exist;
    /// the message names the bad entry.
    #[error("The policy document is malformed. {0}")]
    MalformedPolicyDocument(String),
    /// A third AccessKey for one principal (RAM allows two).
    #[error("The count of AccessKey per user exceeds the limit. {0}")]
    AccessKeyLimitExceeded(String),
    /// The change would leave no principal able to manage principals (product §7).
    #[error("{0}")]
    LastPrincipalManager(String),
    /// The action is not one this service offers.
    #[error("Specified api is not found, please check your url and method. ({0})")]
    UnknownAction(String),
    /// A real internal fault (I/O while saving the vault, a broken invariant) — never bad input.
    #[error("Internal Failure. {0}")]
    InternalFailure(String),
    // Key import, tags (`spec/alibaba-kms.md` §11.3, §11.5).
    /// An `EXTERNAL` key without usable material.
    #[error("The request was rejected because the key state is PendingImport.")]
    PendingImport,
    /// An ImportToken this vault did not issue for this key.
    #[error("import token is invalid.")]
    InvalidImportToken,
    /// An ImportToken past its 24 hours.
    #[error("import token is expired.")]
    ExpiredImportToken,
    /// Wrapped material that does not unwrap, has the wrong length, or differs from the
    /// material imported before. Deliberately one message.
    #[error("key material is invalid.")]
    InvalidKeyMaterial,
    /// The action does not apply to keys of this origin.
    #[error("This key origin is not valid for this api. {0}")]
    UnsupportedOrigin(String),
    /// A count limit (tags per key, resources per request).
    #[error("The request was rejected because a limit was exceeded. {0}")]
    LimitExceeded(String),
}

impl KmsError {
    /// Shorthand for [`KmsError::InvalidParameter`].
    pub fn invalid(name: impl Into<String>, reason: impl fmt::Display) -> Self {
        Self::InvalidParameter {
            name: name.into(),
            reason: reason.to_string(),
        }
    }

    /// Shorthand for [`KmsError::MissingParameter`].
    pub fn missing(name: impl Into<String>) -> Self {
        Self::MissingParameter(name.into())
    }

    /// The API error code (`Code` of the error document).
    pub fn code(&self) -> &'static str {
        match self {
            Self::MissingParameter(_) => "MissingParameter",
            Self::InvalidParameter { .. } | Self::InvalidCiphertext => "InvalidParameter",
            Self::KeyNotFound => "Forbidden.KeyNotFound",
            Self::KeyVersionNotFound => "Forbidden.KeyVersionNotFound",
            Self::AliasNotFound => "Forbidden.AliasNotFound",
            Self::NoPermission { .. } | Self::UnknownPrincipal(_) => "Forbidden.NoPermission",
            Self::Disabled | Self::DisabledKey { .. } => "Rejected.Disabled",
            Self::PendingDeletion => "Rejected.PendingDeletion",
            Self::StateModifiedFailed(_) => "Rejected.StateModifiedFailed",
            Self::AliasAlreadyExists => "AliasAlreadyExists",
            Self::IncorrectKeyUsage(_) => "IncorrectKeyUsage",
            Self::DryRunOperation => "DryRunOperationError",
            Self::ResourceConflict(_) => "Rejected.ResourceExist",
            Self::UnknownAction(_) => "InvalidAction.NotFound",
            Self::MalformedPolicyDocument(_) => "MalformedPolicyDocument",
            Self::AccessKeyLimitExceeded(_) => "LimitExceeded.User.AccessKey",
            Self::LastPrincipalManager(_) => "DeleteConflict.User.LastManager",
            Self::InternalFailure(_) => "InternalFailure",
            Self::PendingImport => "Rejected.PendingImport",
            Self::InvalidImportToken => "InvalidImportToken",
            Self::ExpiredImportToken => "ExpiredImportToken",
            Self::InvalidKeyMaterial => "InvalidKeyMaterial",
            Self::UnsupportedOrigin(_) => "Unsupported.Origin",
            Self::LimitExceeded(_) => "Rejected.LimitExceeded",
        }
    }

    /// The HTTP status that goes with [`Self::code`].
    pub fn http_status(&self) -> u16 {
        match self {
            Self::MissingParameter(_)
            | Self::InvalidParameter { .. }
            | Self::InvalidCiphertext
            | Self::AliasAlreadyExists
            | Self::IncorrectKeyUsage(_)
            | Self::DryRunOperation
            | Self::MalformedPolicyDocument(_)
            | Self::InvalidImportToken
            | Self::ExpiredImportToken
            | Self::InvalidKeyMaterial
            | Self::UnsupportedOrigin(_)
            | Self::LimitExceeded(_) => 400,
            Self::NoPermission { .. } | Self::UnknownPrincipal(_) => 403,
            Self::KeyNotFound
            | Self::KeyVersionNotFound
            | Self::AliasNotFound
            | Self::UnknownAction(_) => 404,
            Self::Disabled
            | Self::DisabledKey { .. }
            | Self::PendingDeletion
            | Self::StateModifiedFailed(_)
            | Self::ResourceConflict(_)
            | Self::AccessKeyLimitExceeded(_)
            | Self::LastPrincipalManager(_)
            | Self::PendingImport => 409,
            Self::InternalFailure(_) => 500,
        }
    }

    /// A short hint for the error document's `Recommend` field.
    pub fn recommend(&self) -> &'static str {
        match self {
            Self::MissingParameter(_) => "Add the named parameter to the request.",
            Self::InvalidParameter { .. } => "Check the value of the named parameter.",
            Self::InvalidCiphertext => {
                "Check that the blob is complete and that the same EncryptionContext is given as when it was made."
            }
            Self::KeyNotFound | Self::KeyVersionNotFound | Self::AliasNotFound => {
                "Check the key reference with ListKeys, ListKeyVersions or ListAliases."
            }
            Self::NoPermission { .. } => {
                "Ask an administrator to attach a policy that allows this action (principal attach-policy)."
            }
            Self::UnknownPrincipal(_) => {
                "Act as a principal that `kms-console principal list` shows."
            }
            Self::Disabled | Self::DisabledKey { .. } => {
                "Enable the key with EnableKey, or use another key."
            }
            Self::PendingDeletion => {
                "Cancel the deletion with CancelKeyDeletion, or use another key."
            }
            Self::StateModifiedFailed(_) => "Check the key state with DescribeKey.",
            Self::AliasAlreadyExists => "Choose another alias name, or move it with UpdateAlias.",
            Self::IncorrectKeyUsage(_) => {
                "Use a key whose KeySpec and KeyUsage support the operation."
            }
            Self::DryRunOperation => "Run the request again without DryRun to perform it.",
            Self::ResourceConflict(_) => "Choose another name.",
            Self::UnknownAction(_) => "Check the action name; `kms-console --help` lists them.",
            Self::MalformedPolicyDocument(_) => {
                "Name only kms: and ram: actions that exist, and resources \"*\", acs:kms:<region>:<account>:key/<KeyId> or acs:ram::<account>:user/<name> (with * wildcards)."
            }
            Self::AccessKeyLimitExceeded(_) => {
                "Delete an unused AccessKey with `principal access-key delete` first."
            }
            Self::LastPrincipalManager(_) => {
                "Give another principal ram:* on * first (principal attach-policy)."
            }
            Self::InternalFailure(_) => {
                "Try again; if it persists, check the vault file, its audit log and their folder (free space, permissions)."
            }
            Self::PendingImport => "Import the key material with ImportKeyMaterial first.",
            Self::InvalidImportToken | Self::ExpiredImportToken => {
                "Get a new ImportToken and PublicKey with GetParametersForImport."
            }
            Self::InvalidKeyMaterial => {
                "Wrap the raw material with the PublicKey and WrappingAlgorithm of the token; re-import only the material imported before."
            }
            Self::UnsupportedOrigin(_) => "Check the key's Origin with DescribeKey.",
            Self::LimitExceeded(_) => "Stay within the limit the message names.",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_statuses_follow_the_api_table() {
        assert_eq!(KmsError::missing("KeyId").code(), "MissingParameter");
        assert_eq!(
            KmsError::missing("KeyId").to_string(),
            "The parameter \"KeyId\" is needed but not provided."
        );
        assert_eq!(KmsError::InvalidCiphertext.code(), "InvalidParameter");
        assert_eq!(KmsError::KeyNotFound.http_status(), 404);
        assert_eq!(KmsError::Disabled.http_status(), 409);
        assert_eq!(KmsError::DryRunOperation.code(), "DryRunOperationError");
        assert_eq!(KmsError::InternalFailure(String::new()).http_status(), 500);
    }
}
