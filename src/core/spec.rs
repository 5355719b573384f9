//! The enumerations of the key model as the API spells them: KeySpec, KeyUsage, KeyState
//! (`spec/alibaba-kms.md` §4.1, §4.2).

use serde::{Deserialize, Serialize};

use super::crypto::{AsymmetricAlgorithm, SignAlgorithm, SymmetricAlgorithm};

/// The `KeySpec` of a CMK.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum KeySpec {
    #[serde(rename = "Aliyun_AES_256")]
    AliyunAes256,
    #[serde(rename = "Aliyun_AES_128")]
    AliyunAes128,
    #[serde(rename = "Aliyun_SM4")]
    AliyunSm4,
    #[serde(rename = "RSA_2048")]
    Rsa2048,
    #[serde(rename = "RSA_3072")]
    Rsa3072,
    #[serde(rename = "EC_SM2")]
    EcSm2,
    #[serde(rename = "EC_P256")]
    EcP256,
    #[serde(rename = "EC_P256K")]
    EcP256K,
}

impl KeySpec {
    /// Every spec this vault can make, in the order the UI lists them.
    pub const ALL: [KeySpec; 8] = [
        Self::AliyunAes256,
        Self::AliyunAes128,
        Self::AliyunSm4,
        Self::Rsa2048,
        Self::Rsa3072,
        Self::EcSm2,
        Self::EcP256,
        Self::EcP256K,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::AliyunAes256 => "Aliyun_AES_256",
            Self::AliyunAes128 => "Aliyun_AES_128",
            Self::AliyunSm4 => "Aliyun_SM4",
            Self::Rsa2048 => "RSA_2048",
            Self::Rsa3072 => "RSA_3072",
            Self::EcSm2 => "EC_SM2",
            Self::EcP256 => "EC_P256",
            Self::EcP256K => "EC_P256K",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|spec| spec.as_str() == s)
    }

    /// The AEAD of a symmetric spec; `None` for asymmetric specs.
    pub fn symmetric(self) -> Option<SymmetricAlgorithm> {
        match self {
            Self::AliyunAes256 => Some(SymmetricAlgorithm::Aes256Gcm),
            Self::AliyunAes128 => Some(SymmetricAlgorithm::Aes128Gcm),
            Self::AliyunSm4 => Some(SymmetricAlgorithm::Sm4Gcm),
            Self::Rsa2048 | Self::Rsa3072 | Self::EcSm2 | Self::EcP256 | Self::EcP256K => None,
        }
    }

    pub fn is_symmetric(self) -> bool {
        self.symmetric().is_some()
    }

    /// The encryption algorithms AsymmetricEncrypt/Decrypt accept for this spec.
    pub fn asymmetric_algorithms(self) -> &'static [AsymmetricAlgorithm] {
        match self {
            Self::Rsa2048 | Self::Rsa3072 => &[
                AsymmetricAlgorithm::RsaesOaepSha256,
                AsymmetricAlgorithm::RsaesOaepSha1,
            ],
            Self::EcSm2 => &[AsymmetricAlgorithm::Sm2Pke],
            Self::AliyunAes256
            | Self::AliyunAes128
            | Self::AliyunSm4
            | Self::EcP256
            | Self::EcP256K => &[],
        }
    }

    /// The signing algorithms AsymmetricSign/Verify accept for this spec
    /// (`spec/alibaba-kms.md` §11.1).
    pub fn sign_algorithms(self) -> &'static [SignAlgorithm] {
        match self {
            Self::Rsa2048 | Self::Rsa3072 => {
                &[SignAlgorithm::RsaPssSha256, SignAlgorithm::RsaPkcs1Sha256]
            }
            Self::EcP256 | Self::EcP256K => &[SignAlgorithm::EcdsaSha256],
            Self::EcSm2 => &[SignAlgorithm::Sm2Dsa],
            Self::AliyunAes256 | Self::AliyunAes128 | Self::AliyunSm4 => &[],
        }
    }

    /// Whether a key of this spec may have `usage` (§4.1: AES/SM4 encrypt only, EC_P256 and
    /// EC_P256K sign only, RSA and EC_SM2 either).
    pub fn allows(self, usage: KeyUsage) -> bool {
        match usage {
            KeyUsage::EncryptDecrypt => !matches!(self, Self::EcP256 | Self::EcP256K),
            KeyUsage::SignVerify => !self.is_symmetric(),
        }
    }

    /// CreateKey's `KeyUsage` when none is given: SIGN/VERIFY for the sign-only specs,
    /// ENCRYPT/DECRYPT for the rest (§11.1 [D]).
    pub fn default_usage(self) -> KeyUsage {
        if self.allows(KeyUsage::EncryptDecrypt) {
            KeyUsage::EncryptDecrypt
        } else {
            KeyUsage::SignVerify
        }
    }
}

/// The `KeyUsage` of a CMK: one per key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum KeyUsage {
    #[serde(rename = "ENCRYPT/DECRYPT")]
    EncryptDecrypt,
    #[serde(rename = "SIGN/VERIFY")]
    SignVerify,
}

impl KeyUsage {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EncryptDecrypt => "ENCRYPT/DECRYPT",
            Self::SignVerify => "SIGN/VERIFY",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::EncryptDecrypt, Self::SignVerify]
            .into_iter()
            .find(|usage| usage.as_str() == s)
    }
}

/// The `KeyState` of a CMK.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum KeyState {
    Enabled,
    Disabled,
    PendingDeletion,
    /// An `EXTERNAL` key without (or past the expiry of) its imported material (§11.3).
    PendingImport,
}

impl KeyState {
    pub const ALL: [KeyState; 4] = [
        Self::Enabled,
        Self::Disabled,
        Self::PendingDeletion,
        Self::PendingImport,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Enabled => "Enabled",
            Self::Disabled => "Disabled",
            Self::PendingDeletion => "PendingDeletion",
            Self::PendingImport => "PendingImport",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.as_str() == s)
    }
}

/// `Origin` of the keys this vault makes material for.
pub const ORIGIN: &str = "Aliyun_KMS";
/// `Origin` of a key whose material the caller imports (`spec/alibaba-kms.md` §11.3).
pub const ORIGIN_EXTERNAL: &str = "EXTERNAL";
/// `ProtectionLevel` of every key this vault makes.
pub const PROTECTION_LEVEL: &str = "SOFTWARE";
