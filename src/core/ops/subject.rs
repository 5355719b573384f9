//! The subject of a response: the key, and the version, an operation's result is about, read
//! from the typed response. The audit line names it and the console's result summary shows it,
//! so neither digs in the response document for `KeyId` and `KeyVersionId`.

use super::asymmetric::{
    AsymmetricDecryptResponse, AsymmetricEncryptResponse, GetPublicKeyResponse,
};
use super::export::{ExportDataKeyResponse, GenerateAndExportDataKeyResponse};
use super::import::ImportParameters;
use super::keys::KeyMetadata;
use super::reencrypt::ReEncryptResponse;
use super::sign::{AsymmetricSignResponse, AsymmetricVerifyResponse};
use super::symmetric::{DecryptResponse, EncryptResponse, GenerateDataKeyResponse};
use super::versions::KeyVersionInfo;

/// The key (by KeyId) and version a response is about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Subject {
    pub key_id: String,
    pub key_version_id: Option<String>,
}

/// A response about one key.
pub trait HasSubject {
    fn subject(&self) -> Subject;
}

/// Responses whose `KeyId` and `KeyVersionId` are the version the operation used.
macro_rules! version_subject {
    ($($response:ty),* $(,)?) => {
        $(impl HasSubject for $response {
            fn subject(&self) -> Subject {
                Subject {
                    key_id: self.key_id.clone(),
                    key_version_id: Some(self.key_version_id.clone()),
                }
            }
        })*
    };
}

version_subject!(
    EncryptResponse,
    DecryptResponse,
    GenerateDataKeyResponse,
    ReEncryptResponse,
    AsymmetricEncryptResponse,
    AsymmetricDecryptResponse,
    GetPublicKeyResponse,
    AsymmetricSignResponse,
    AsymmetricVerifyResponse,
    ExportDataKeyResponse,
    GenerateAndExportDataKeyResponse,
    KeyVersionInfo,
);

/// `KeyMetadata` is about the key and its primary version (`""` while it has none).
impl HasSubject for KeyMetadata {
    fn subject(&self) -> Subject {
        Subject {
            key_id: self.key_id.clone(),
            key_version_id: Some(self.primary_key_version.clone()),
        }
    }
}

impl HasSubject for ImportParameters {
    fn subject(&self) -> Subject {
        Subject {
            key_id: self.key_id.clone(),
            key_version_id: None,
        }
    }
}
