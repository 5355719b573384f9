//! Symmetric AEAD of CiphertextBlobs: AES-256-GCM, AES-128-GCM and SM4-GCM (RFC 8998), laid out
//! as `header ‖ IV ‖ ciphertext ‖ tag` (`spec/alibaba-kms.md` §1).

use aes_gcm::aead::consts::U12;
use aes_gcm::aead::inout::InOutBuf;
use aes_gcm::aead::{Nonce, Tag};
use aes_gcm::{AeadInOut, Aes128Gcm, Aes256Gcm, AesGcm, KeyInit};
use rand::TryRng;
use rand::rngs::SysRng;

use crate::core::error::KmsError;
use crate::core::secret::SecretBytes;

/// SM4-GCM: GCM is defined for any 128-bit block cipher; RFC 8998 §3.1 fixes a 12-byte IV and a
/// 16-byte tag.
type Sm4Gcm = AesGcm<sm4::Sm4, U12>;

/// GCM IV length in a CiphertextBlob (`GCM_IV_LENGTH`, `spec/alibaba-kms.md` §1).
pub const IV_LEN: usize = 12;
/// GCM tag length, appended after the ciphertext (`spec/alibaba-kms.md` §1).
pub const TAG_LEN: usize = 16;

/// Symmetric AEAD of a key spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymmetricAlgorithm {
    /// `Aliyun_AES_256`.
    Aes256Gcm,
    /// `Aliyun_AES_128`.
    Aes128Gcm,
    /// `Aliyun_SM4`.
    Sm4Gcm,
}

impl SymmetricAlgorithm {
    /// Key length in bytes.
    pub fn key_len(self) -> usize {
        match self {
            Self::Aes256Gcm => 32,
            Self::Aes128Gcm | Self::Sm4Gcm => 16,
        }
    }
}

/// A new random key of the algorithm's length, straight from the OS random source.
///
/// Fails only if the OS random source fails (`InternalFailure`).
pub fn generate_symmetric_key(alg: SymmetricAlgorithm) -> Result<SecretBytes, KmsError> {
    let mut key = vec![0; alg.key_len()];
    fill_random(&mut key)?;
    Ok(SecretBytes::new(key))
}

/// Encrypts `plaintext` under `key` with `aad` bound, and returns
/// `header ‖ iv ‖ ciphertext ‖ tag` in one allocation. The IV is fresh from the OS random source.
///
/// A `key` of the wrong length is an `InternalFailure` (the vault holds only correct keys).
pub fn seal(
    alg: SymmetricAlgorithm,
    key: &[u8],
    header: &[u8],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, KmsError> {
    let mut iv = [0; IV_LEN];
    fill_random(&mut iv)?;
    seal_with_iv(alg, key, &iv, header, aad, plaintext)
}

/// Decrypts `iv ‖ ciphertext ‖ tag` (what follows the header of a blob) with `aad`.
///
/// Every failure — too short, altered bytes, wrong key, wrong AAD — is `InvalidCiphertext`.
pub fn open(
    alg: SymmetricAlgorithm,
    key: &[u8],
    iv_ct_tag: &[u8],
    aad: &[u8],
) -> Result<SecretBytes, KmsError> {
    match alg {
        SymmetricAlgorithm::Aes256Gcm => open_with::<Aes256Gcm>(key, iv_ct_tag, aad),
        SymmetricAlgorithm::Aes128Gcm => open_with::<Aes128Gcm>(key, iv_ct_tag, aad),
        SymmetricAlgorithm::Sm4Gcm => open_with::<Sm4Gcm>(key, iv_ct_tag, aad),
    }
}

/// [`seal`] with a given IV; outside tests the IV always comes from [`seal`].
fn seal_with_iv(
    alg: SymmetricAlgorithm,
    key: &[u8],
    iv: &[u8; IV_LEN],
    header: &[u8],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, KmsError> {
    match alg {
        SymmetricAlgorithm::Aes256Gcm => seal_with::<Aes256Gcm>(key, iv, header, aad, plaintext),
        SymmetricAlgorithm::Aes128Gcm => seal_with::<Aes128Gcm>(key, iv, header, aad, plaintext),
        SymmetricAlgorithm::Sm4Gcm => seal_with::<Sm4Gcm>(key, iv, header, aad, plaintext),
    }
}

fn seal_with<C: AeadInOut + KeyInit>(
    key: &[u8],
    iv: &[u8; IV_LEN],
    header: &[u8],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, KmsError> {
    let cipher =
        C::new_from_slice(key).map_err(|_| internal("symmetric key of the wrong length"))?;
    let nonce = Nonce::<C>::try_from(&iv[..]).map_err(|_| internal("IV of the wrong length"))?;
    let total = header
        .len()
        .checked_add(IV_LEN + TAG_LEN)
        .and_then(|n| n.checked_add(plaintext.len()))
        .ok_or_else(|| KmsError::invalid("Plaintext", "The plaintext is too long."))?;
    let mut out = vec![0; total];
    // `total` covers every part, so the splits below cannot fall short.
    let (head, rest) = out.split_at_mut(header.len());
    head.copy_from_slice(header);
    let (iv_slot, rest) = rest.split_at_mut(IV_LEN);
    iv_slot.copy_from_slice(iv);
    let (ct_slot, tag_slot) = rest.split_at_mut(plaintext.len());
    // Encrypt straight from the caller's plaintext into the output: no intermediate copy.
    let buf = InOutBuf::new(plaintext, ct_slot).map_err(|_| internal("buffer length mismatch"))?;
    let tag = cipher
        .encrypt_inout_detached(&nonce, aad, buf)
        .map_err(|_| KmsError::invalid("Plaintext", "The plaintext is too long."))?;
    tag_slot.copy_from_slice(&tag);
    Ok(out)
}

fn open_with<C: AeadInOut + KeyInit>(
    key: &[u8],
    iv_ct_tag: &[u8],
    aad: &[u8],
) -> Result<SecretBytes, KmsError> {
    let (iv, ct_tag) = iv_ct_tag
        .split_at_checked(IV_LEN)
        .ok_or(KmsError::InvalidCiphertext)?;
    let ct_len = ct_tag
        .len()
        .checked_sub(TAG_LEN)
        .ok_or(KmsError::InvalidCiphertext)?;
    let (ct, tag) = ct_tag
        .split_at_checked(ct_len)
        .ok_or(KmsError::InvalidCiphertext)?;
    let nonce = Nonce::<C>::try_from(iv).map_err(|_| KmsError::InvalidCiphertext)?;
    let tag = Tag::<C>::try_from(tag).map_err(|_| KmsError::InvalidCiphertext)?;
    let cipher = C::new_from_slice(key).map_err(|_| KmsError::InvalidCiphertext)?;
    // The crate verifies the tag before it writes any plaintext, so on failure `plain` still
    // holds only zeros and needs no wiping.
    let mut plain = vec![0; ct.len()];
    let buf = InOutBuf::new(ct, &mut plain).map_err(|_| KmsError::InvalidCiphertext)?;
    cipher
        .decrypt_inout_detached(&nonce, aad, buf, &tag)
        .map_err(|_| KmsError::InvalidCiphertext)?;
    Ok(SecretBytes::new(plain))
}

fn fill_random(dst: &mut [u8]) -> Result<(), KmsError> {
    SysRng
        .try_fill_bytes(dst)
        .map_err(|e| internal(&format!("the OS random source failed: {e}")))
}

fn internal(what: &str) -> KmsError {
    KmsError::InternalFailure(what.to_owned())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ALL: [SymmetricAlgorithm; 3] = [
        SymmetricAlgorithm::Aes256Gcm,
        SymmetricAlgorithm::Aes128Gcm,
        SymmetricAlgorithm::Sm4Gcm,
    ];

    fn hex(s: &str) -> Vec<u8> {
        let digits: Vec<u8> = s.bytes().filter(u8::is_ascii_hexdigit).collect();
        digits
            .chunks(2)
            .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap())
            .collect()
    }

    /// Checks a published vector through seal (fixed IV) and open.
    fn check_vector(
        alg: SymmetricAlgorithm,
        key: &str,
        iv: &str,
        aad: &str,
        pt: &str,
        ct: &str,
        tag: &str,
    ) {
        let (key, aad, pt) = (hex(key), hex(aad), hex(pt));
        let iv: [u8; IV_LEN] = hex(iv).try_into().unwrap();
        let header = b"hdr";
        let sealed = seal_with_iv(alg, &key, &iv, header, &aad, &pt).unwrap();
        let mut expected = header.to_vec();
        expected.extend_from_slice(&iv);
        expected.extend(hex(ct));
        expected.extend(hex(tag));
        assert_eq!(sealed, expected);
        let opened = open(alg, &key, &sealed[header.len()..], &aad).unwrap();
        assert_eq!(opened.expose(), pt.as_slice());
    }

    #[test]
    fn sm4_gcm_reproduces_rfc_8998_a1() {
        check_vector(
            SymmetricAlgorithm::Sm4Gcm,
            "0123456789ABCDEFFEDCBA9876543210",
            "00001234567800000000ABCD",
            "FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2",
            "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD
             EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA",
            "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735
             D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D",
            "83DE3541E4C2B58177E065A9BF7B62EC",
        );
    }

    #[test]
    fn aes_256_gcm_reproduces_gcm_spec_test_case_16() {
        // McGrew & Viega, "The Galois/Counter Mode of Operation", Test Case 16.
        check_vector(
            SymmetricAlgorithm::Aes256Gcm,
            "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
            "cafebabefacedbaddecaf888",
            "feedfacedeadbeeffeedfacedeadbeefabaddad2",
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72
             1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
            "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa
             8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
            "76fc6ece0f4e1768cddf8853bb2d551b",
        );
    }

    #[test]
    fn aes_128_gcm_reproduces_gcm_spec_test_case_4() {
        check_vector(
            SymmetricAlgorithm::Aes128Gcm,
            "feffe9928665731c6d6a8f9467308308",
            "cafebabefacedbaddecaf888",
            "feedfacedeadbeeffeedfacedeadbeefabaddad2",
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72
             1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
            "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e
             21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
            "5bc94fbc3221a5db94fae95ae7121a47",
        );
    }

    #[test]
    fn keys_have_the_algorithm_length_and_differ() {
        for alg in ALL {
            let a = generate_symmetric_key(alg).unwrap();
            let b = generate_symmetric_key(alg).unwrap();
            assert_eq!(a.len(), alg.key_len());
            assert_ne!(a, b);
        }
    }

    #[test]
    fn seal_lays_out_header_iv_ciphertext_tag_with_fresh_ivs() {
        for alg in ALL {
            let key = generate_symmetric_key(alg).unwrap();
            let a = seal(alg, key.expose(), b"HEADER", b"aad", b"hello").unwrap();
            let b = seal(alg, key.expose(), b"HEADER", b"aad", b"hello").unwrap();
            assert_eq!(a.len(), 6 + IV_LEN + 5 + TAG_LEN);
            assert!(a.starts_with(b"HEADER"));
            assert_ne!(a[6..6 + IV_LEN], b[6..6 + IV_LEN], "IV reused");
        }
    }

    #[test]
    fn wrong_key_length_is_an_internal_failure_on_seal() {
        let err = seal(SymmetricAlgorithm::Aes256Gcm, &[0; 16], b"", b"", b"x").unwrap_err();
        assert!(matches!(err, KmsError::InternalFailure(_)));
        let err = open(SymmetricAlgorithm::Sm4Gcm, &[0; 32], &[0; 40], b"").unwrap_err();
        assert_eq!(err, KmsError::InvalidCiphertext);
    }

    #[test]
    fn fail_tampering_wrong_aad_wrong_key_and_truncation() {
        for alg in ALL {
            let key = generate_symmetric_key(alg).unwrap();
            let other = generate_symmetric_key(alg).unwrap();
            let blob = seal(alg, key.expose(), b"", b"ctx", b"attack at dawn").unwrap();
            assert_eq!(
                open(alg, key.expose(), &blob, b"ctx").unwrap().expose(),
                b"attack at dawn"
            );
            for i in 0..blob.len() {
                let mut bad = blob.clone();
                bad[i] ^= 0x01;
                assert_eq!(
                    open(alg, key.expose(), &bad, b"ctx"),
                    Err(KmsError::InvalidCiphertext)
                );
            }
            assert_eq!(
                open(alg, key.expose(), &blob, b"ctx2"),
                Err(KmsError::InvalidCiphertext)
            );
            assert_eq!(
                open(alg, key.expose(), &blob, b""),
                Err(KmsError::InvalidCiphertext)
            );
            assert_eq!(
                open(alg, other.expose(), &blob, b"ctx"),
                Err(KmsError::InvalidCiphertext)
            );
            for len in 0..blob.len() {
                assert_eq!(
                    open(alg, key.expose(), &blob[..len], b"ctx"),
                    Err(KmsError::InvalidCiphertext)
                );
            }
        }
    }

    #[test]
    fn empty_plaintext_round_trips() {
        for alg in ALL {
            let key = generate_symmetric_key(alg).unwrap();
            let blob = seal(alg, key.expose(), b"h", b"", b"").unwrap();
            assert_eq!(blob.len(), 1 + IV_LEN + TAG_LEN);
            assert!(open(alg, key.expose(), &blob[1..], b"").unwrap().is_empty());
        }
    }

    fn any_alg() -> impl Strategy<Value = SymmetricAlgorithm> {
        prop::sample::select(ALL.to_vec())
    }

    proptest! {
        #[test]
        fn seal_open_round_trips(
            alg in any_alg(),
            header in prop::collection::vec(any::<u8>(), 0..40),
            aad in prop::collection::vec(any::<u8>(), 0..100),
            pt in prop::collection::vec(any::<u8>(), 0..600),
        ) {
            let key = generate_symmetric_key(alg).unwrap();
            let blob = seal(alg, key.expose(), &header, &aad, &pt).unwrap();
            prop_assert_eq!(&blob[..header.len()], header.as_slice());
            let opened = open(alg, key.expose(), &blob[header.len()..], &aad).unwrap();
            prop_assert_eq!(opened.expose(), pt.as_slice());
        }

        #[test]
        fn open_of_arbitrary_bytes_is_invalid_ciphertext(
            alg in any_alg(),
            key in prop::collection::vec(any::<u8>(), 0..40),
            bytes in prop::collection::vec(any::<u8>(), 0..100),
            aad in prop::collection::vec(any::<u8>(), 0..20),
        ) {
            prop_assert_eq!(open(alg, &key, &bytes, &aad), Err(KmsError::InvalidCiphertext));
        }
    }

    #[test]
    fn secret_output_debug_shows_no_material() {
        let key = generate_symmetric_key(SymmetricAlgorithm::Aes256Gcm).unwrap();
        let blob = seal(
            SymmetricAlgorithm::Aes256Gcm,
            key.expose(),
            b"",
            b"",
            b"top-secret-value",
        )
        .unwrap();
        let opened = open(SymmetricAlgorithm::Aes256Gcm, key.expose(), &blob, b"").unwrap();
        let shown = format!("{opened:?} {key:?}");
        assert!(!shown.contains("top-secret"), "{shown}");
        assert!(!shown.contains(&format!("{:?}", key.expose())), "{shown}");
    }
}
