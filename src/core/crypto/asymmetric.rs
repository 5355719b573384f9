//! Asymmetric CMK material and its encryption algorithms: RSAES-OAEP (SHA-256 or SHA-1, MGF1 with
//! the same hash, empty label) and SM2 public-key encryption with DER output
//! (`spec/alibaba-kms.md` §2, product §5).

use std::fmt;

use rand::rngs::SysRng;
use rsa::pkcs1::ALGORITHM_OID as RSA_ENCRYPTION_OID;
use rsa::pkcs8::der::Decode;
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding, PrivateKeyInfoRef};
use rsa::traits::PublicKeyParts;
use sha1::Sha1;
use sha2::Sha256;
use sm2::elliptic_curve::{ALGORITHM_OID as EC_PUBLIC_KEY_OID, Generate};
use sm2::pke::{Cipher, DecryptingKey, EncryptingKey, Mode};
use zeroize::Zeroize;

use super::sm2_der::{DER_SEQUENCE, UNCOMPRESSED_POINT, raw_c1c3c2_to_der};
use crate::core::error::KmsError;
use crate::core::secret::SecretBytes;

/// Largest SM2PKE plaintext Alibaba accepts (`spec/alibaba-kms.md` §2).
const SM2_MAX_PLAINTEXT: usize = 6047;
/// PEM label of a PKCS#8 `PrivateKeyInfo` (RFC 7468 §10).
const PKCS8_PEM_LABEL: &str = "PRIVATE KEY";

/// Asymmetric encryption algorithms of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsymmetricAlgorithm {
    /// OAEP with SHA-256 and MGF1-SHA-256, empty label.
    RsaesOaepSha256,
    /// OAEP with SHA-1 and MGF1-SHA-1, empty label.
    RsaesOaepSha1,
    /// SM2 public-key encryption (GM/T 0003.4), DER `SM2Cipher` output.
    Sm2Pke,
}

impl AsymmetricAlgorithm {
    /// The API name (`EncryptionAlgorithm` parameter).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RsaesOaepSha256 => "RSAES_OAEP_SHA_256",
            Self::RsaesOaepSha1 => "RSAES_OAEP_SHA_1",
            Self::Sm2Pke => "SM2PKE",
        }
    }

    /// Parses the exact API name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::RsaesOaepSha256, Self::RsaesOaepSha1, Self::Sm2Pke]
            .into_iter()
            .find(|alg| alg.as_str() == s)
    }
}

impl fmt::Display for AsymmetricAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The private key of an asymmetric CMK version. Both variants wipe their material on drop, and
/// `Debug` shows only the kind of key.
#[derive(Clone)]
pub enum AsymmetricKey {
    /// An RSA key (`RSA_2048`, `RSA_3072`).
    Rsa(Box<rsa::PrivateKey>),
    /// An SM2 key (`EC_SM2`).
    Sm2(Box<Sm2Key>),
    /// A NIST P-256 key (`EC_P256`); the signing key wipes its scalar on drop.
    P256(Box<p256::ecdsa::SigningKey>),
    /// A secp256k1 key (`EC_P256K`); the signing key wipes its scalar on drop.
    K256(Box<k256::ecdsa::SigningKey>),
}

/// An SM2 private key with its decrypting and signing keys made once: making one computes the
/// public point, a scalar multiplication that would otherwise add some 40 % to every decryption
/// (and more to a signature).
#[derive(Clone)]
pub struct Sm2Key {
    secret: sm2::SecretKey,
    decrypting: DecryptingKey,
    signing: sm2::dsa::SigningKey,
}

/// The SM2 user ID of Alibaba's SDK and OpenSSL's `distid` (GB/T 32918.2 default, §11.1).
pub const SM2_DIST_ID: &str = "1234567812345678";

impl Sm2Key {
    fn new(secret: sm2::SecretKey) -> Result<Box<Self>, KmsError> {
        let decrypting = DecryptingKey::new_with_mode(secret.to_nonzero_scalar(), Mode::C1C3C2);
        let signing = sm2::dsa::SigningKey::new(SM2_DIST_ID, &secret)
            .map_err(|_| bad_key("SM2 signing key"))?;
        Ok(Box::new(Self {
            secret,
            decrypting,
            signing,
        }))
    }

    /// The signing key (user ID [`SM2_DIST_ID`]).
    pub(super) fn signing(&self) -> &sm2::dsa::SigningKey {
        &self.signing
    }
}

impl std::ops::Deref for Sm2Key {
    type Target = sm2::SecretKey;

    fn deref(&self) -> &sm2::SecretKey {
        &self.secret
    }
}

impl Drop for Sm2Key {
    fn drop(&mut self) {
        // `SecretKey` wipes itself; `DecryptingKey` and the SM2 signing key do not, and give no
        // access to their scalars, so their places are overwritten with keys whose scalar is one —
        // made once, since making one costs a scalar multiplication (each drop paid two before).
        if let Some((decrypting, signing)) = &*SCALAR_ONE {
            self.decrypting = decrypting.clone();
            self.signing = signing.clone();
        }
    }
}

/// The decrypting and signing keys whose secret scalar is one: what an [`Sm2Key`]'s derived keys
/// are overwritten with when it is dropped. (Never `None`: one is a valid scalar and the user ID
/// is short.)
static SCALAR_ONE: std::sync::LazyLock<Option<(DecryptingKey, sm2::dsa::SigningKey)>> =
    std::sync::LazyLock::new(|| {
        let one = Option::from(sm2::NonZeroScalar::from_uint(sm2::U256::ONE))?;
        let signing = sm2::dsa::SigningKey::from_nonzero_scalar(SM2_DIST_ID, one).ok()?;
        Some((DecryptingKey::new_with_mode(one, Mode::C1C3C2), signing))
    });

impl fmt::Debug for AsymmetricKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rsa(key) => write!(f, "AsymmetricKey::Rsa({} bits)", key.size() * 8),
            Self::Sm2(_) => f.write_str("AsymmetricKey::Sm2"),
            Self::P256(_) => f.write_str("AsymmetricKey::P256"),
            Self::K256(_) => f.write_str("AsymmetricKey::K256"),
        }
    }
}

impl AsymmetricKey {
    /// A new RSA key of `bits` (2048 or 3072) and public exponent 65537, from the OS random source.
    /// Slow: about 0.1–1 s.
    pub fn generate_rsa(bits: usize) -> Result<Self, KmsError> {
        if bits != 2048 && bits != 3072 {
            return Err(KmsError::invalid(
                "KeySpec",
                "RSA keys have 2048 or 3072 bits.",
            ));
        }
        let key = rsa::PrivateKey::new(&mut SysRng, bits)
            .map_err(|e| internal(&format!("RSA key generation failed: {e}")))?;
        Ok(Self::Rsa(Box::new(key)))
    }

    /// A new SM2 key from the OS random source.
    pub fn generate_sm2() -> Result<Self, KmsError> {
        let key = sm2::SecretKey::try_generate_from_rng(&mut SysRng)
            .map_err(|e| internal(&format!("SM2 key generation failed: {e}")))?;
        Ok(Self::Sm2(Sm2Key::new(key)?))
    }

    /// A new NIST P-256 key from the OS random source.
    pub fn generate_p256() -> Result<Self, KmsError> {
        let key = p256::ecdsa::SigningKey::try_generate_from_rng(&mut SysRng)
            .map_err(|e| internal(&format!("P-256 key generation failed: {e}")))?;
        Ok(Self::P256(Box::new(key)))
    }

    /// A new secp256k1 key from the OS random source.
    pub fn generate_k256() -> Result<Self, KmsError> {
        let key = k256::ecdsa::SigningKey::try_generate_from_rng(&mut SysRng)
            .map_err(|e| internal(&format!("secp256k1 key generation failed: {e}")))?;
        Ok(Self::K256(Box::new(key)))
    }

    /// PKCS#8 DER of the private key, for the vault file.
    pub fn to_pkcs8_der(&self) -> Result<SecretBytes, KmsError> {
        let doc = match self {
            Self::Rsa(key) => key.to_pkcs8_der(),
            Self::Sm2(key) => key.to_pkcs8_der(),
            Self::P256(key) => key.to_pkcs8_der(),
            Self::K256(key) => key.to_pkcs8_der(),
        }
        .map_err(|e| internal(&format!("cannot encode the private key: {e}")))?;
        // `doc` is a SecretDocument and wipes its own copy on drop.
        Ok(SecretBytes::from_slice(doc.as_bytes()))
    }

    /// Parses PKCS#8 DER of an RSA key (`rsaEncryption`) or an EC key (`id-ecPublicKey` with the
    /// SM2, P-256 or secp256k1 curve). Anything else is an `InternalFailure`; the error never
    /// shows the bytes.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, KmsError> {
        let info = PrivateKeyInfoRef::from_der(der).map_err(|_| bad_key("not PKCS#8 DER"))?;
        let oid = info.algorithm.oid;
        if oid == RSA_ENCRYPTION_OID {
            let key = rsa::PrivateKey::try_from(info).map_err(|_| bad_key("bad RSA key"))?;
            Ok(Self::Rsa(Box::new(key)))
        } else if oid == EC_PUBLIC_KEY_OID {
            // Each conversion checks that the curve parameter is its own curve.
            if let Ok(key) = sm2::SecretKey::try_from(info.clone()) {
                Ok(Self::Sm2(Sm2Key::new(key)?))
            } else if let Ok(key) = p256::ecdsa::SigningKey::try_from(info.clone()) {
                Ok(Self::P256(Box::new(key)))
            } else {
                let key = k256::ecdsa::SigningKey::try_from(info)
                    .map_err(|_| bad_key("not an SM2, P-256 or secp256k1 key"))?;
                Ok(Self::K256(Box::new(key)))
            }
        } else {
            Err(bad_key("neither an RSA nor an EC key"))
        }
    }

    /// Parses a PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    pub fn from_pkcs8_pem(pem: &str) -> Result<Self, KmsError> {
        let (label, doc) =
            rsa::pkcs8::SecretDocument::from_pem(pem).map_err(|_| bad_key("not PEM"))?;
        if label != PKCS8_PEM_LABEL {
            return Err(bad_key("the PEM label is not PRIVATE KEY"));
        }
        Self::from_pkcs8_der(doc.as_bytes())
    }

    /// The public key as SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`) that
    /// `openssl pkeyutl -pubin` reads; an SM2 key is an EC key on the SM2 curve
    /// (OID 1.2.156.10197.1.301).
    pub fn public_key_pem(&self) -> Result<String, KmsError> {
        match self {
            Self::Rsa(key) => key.as_public_key().to_public_key_pem(LineEnding::LF),
            Self::Sm2(key) => key.public_key().to_public_key_pem(LineEnding::LF),
            Self::P256(key) => key.verifying_key().to_public_key_pem(LineEnding::LF),
            Self::K256(key) => key.verifying_key().to_public_key_pem(LineEnding::LF),
        }
        .map_err(|e| internal(&format!("cannot encode the public key: {e}")))
    }

    /// Whether `alg` applies to this key: both OAEP variants to RSA, SM2PKE to SM2.
    pub fn supports(&self, alg: AsymmetricAlgorithm) -> bool {
        matches!(
            (self, alg),
            (
                Self::Rsa(_),
                AsymmetricAlgorithm::RsaesOaepSha256 | AsymmetricAlgorithm::RsaesOaepSha1
            ) | (Self::Sm2(_), AsymmetricAlgorithm::Sm2Pke)
        )
    }

    /// The largest plaintext `alg` takes with this key, 0 when the key does not support it.
    /// RSA: modulus bytes − 2·hash − 2 (RFC 8017 §7.1.1); SM2: Alibaba's limit.
    pub fn max_plaintext_len(&self, alg: AsymmetricAlgorithm) -> usize {
        match (self, alg) {
            (Self::Rsa(key), AsymmetricAlgorithm::RsaesOaepSha256) => key.size().saturating_sub(66),
            (Self::Rsa(key), AsymmetricAlgorithm::RsaesOaepSha1) => key.size().saturating_sub(42),
            (Self::Sm2(_), AsymmetricAlgorithm::Sm2Pke) => SM2_MAX_PLAINTEXT,
            _ => 0,
        }
    }

    /// Encrypts with the public half. SM2 output is DER `SM2Cipher`.
    ///
    /// An algorithm the key does not support is `IncorrectKeyUsage`; a plaintext longer than
    /// [`Self::max_plaintext_len`] (or empty, for SM2) is `InvalidParameter` on `Plaintext`.
    pub fn encrypt(&self, alg: AsymmetricAlgorithm, plaintext: &[u8]) -> Result<Vec<u8>, KmsError> {
        if !self.supports(alg) {
            return Err(KmsError::IncorrectKeyUsage(format!(
                "{alg} does not apply to {} keys.",
                self.kind()
            )));
        }
        let max = self.max_plaintext_len(alg);
        if plaintext.len() > max {
            return Err(KmsError::invalid(
                "Plaintext",
                format!("The plaintext is too long: at most {max} bytes for {alg} with this key."),
            ));
        }
        let out = match self {
            Self::Rsa(key) => match alg {
                AsymmetricAlgorithm::RsaesOaepSha1 => {
                    key.as_public_key().oaep_encrypt::<Sha1>(plaintext)
                }
                _ => key.as_public_key().oaep_encrypt::<Sha256>(plaintext),
            }
            .map_err(|e| internal(&format!("RSA encryption failed: {e}")))?,
            Self::P256(_) | Self::K256(_) => {
                return Err(internal("an EC signing key cannot encrypt"));
            }
            Self::Sm2(key) => {
                if plaintext.is_empty() {
                    return Err(KmsError::invalid(
                        "Plaintext",
                        "SM2PKE cannot encrypt an empty plaintext.",
                    ));
                }
                EncryptingKey::new(key.public_key())
                    .encrypt_der(&mut SysRng, plaintext)
                    .map_err(|_| internal("SM2 encryption failed"))?
            }
        };
        Ok(out)
    }

    /// Decrypts. RSA: OAEP as in [`AsymmetricAlgorithm`]. SM2: DER `SM2Cipher` or raw
    /// `04 ‖ C1 ‖ C3 ‖ C2`. Every failure, including an algorithm the key does not support, is
    /// `InvalidCiphertext`.
    pub fn decrypt(
        &self,
        alg: AsymmetricAlgorithm,
        ciphertext: &[u8],
    ) -> Result<SecretBytes, KmsError> {
        match (self, alg) {
            (Self::Rsa(key), AsymmetricAlgorithm::RsaesOaepSha256) => {
                key.oaep_decrypt::<Sha256>(ciphertext)
            }
            (Self::Rsa(key), AsymmetricAlgorithm::RsaesOaepSha1) => {
                key.oaep_decrypt::<Sha1>(ciphertext)
            }
            (Self::Sm2(key), AsymmetricAlgorithm::Sm2Pke) => return sm2_decrypt(key, ciphertext),
            _ => return Err(KmsError::InvalidCiphertext),
        }
        .map(SecretBytes::new)
        .map_err(|_| KmsError::InvalidCiphertext)
    }

    /// `"RSA"`, `"SM2"`, `"P-256"` or `"secp256k1"`, for messages.
    fn kind(&self) -> &'static str {
        match self {
            Self::Rsa(_) => "RSA",
            Self::Sm2(_) => "SM2",
            Self::P256(_) => "P-256",
            Self::K256(_) => "secp256k1",
        }
    }

    /// The modulus size in bits of an RSA key, `None` for EC keys.
    pub fn rsa_bits(&self) -> Option<usize> {
        match self {
            Self::Rsa(key) => Some(key.size() * 8),
            _ => None,
        }
    }
}

/// SM2 decryption through the DER decoder: raw input is re-encoded first, because the crate's
/// raw parser spends a full scalar multiplication on the cofactor check (h = 1 for SM2) and
/// takes twice as long. The plaintext buffer is wiped if the C3 check fails.
fn sm2_decrypt(key: &Sm2Key, ciphertext: &[u8]) -> Result<SecretBytes, KmsError> {
    let reencoded;
    let der = match ciphertext.first() {
        Some(&DER_SEQUENCE) => ciphertext,
        Some(&UNCOMPRESSED_POINT) => {
            reencoded = raw_c1c3c2_to_der(ciphertext).ok_or(KmsError::InvalidCiphertext)?;
            &reencoded
        }
        _ => return Err(KmsError::InvalidCiphertext),
    };
    let cipher: Cipher<'_> = Cipher::from_der(der).map_err(|_| KmsError::InvalidCiphertext)?;
    let mut plain = vec![0; cipher.c2().len()];
    if key
        .decrypting
        .decrypt_cipher_with_buf(&cipher, &mut plain)
        .is_err()
    {
        plain.zeroize();
        return Err(KmsError::InvalidCiphertext);
    }
    Ok(SecretBytes::new(plain))
}

fn bad_key(why: &str) -> KmsError {
    internal(&format!("the stored private key cannot be read ({why})"))
}

fn internal(what: &str) -> KmsError {
    KmsError::InternalFailure(what.to_owned())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
