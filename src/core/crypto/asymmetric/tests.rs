//! Tests of asymmetric keys against pre-generated OpenSSL fixtures (never RSA keygen in tests).

use super::*;
use proptest::prelude::*;
use std::sync::LazyLock;

static RSA_2048: LazyLock<AsymmetricKey> =
    LazyLock::new(|| load(include_str!("../../../../tests/fixtures/rsa2048.pem")));
static RSA_3072: LazyLock<AsymmetricKey> =
    LazyLock::new(|| load(include_str!("../../../../tests/fixtures/rsa3072.pem")));
static SM2: LazyLock<AsymmetricKey> =
    LazyLock::new(|| load(include_str!("../../../../tests/fixtures/sm2.pem")));

const ALL: [AsymmetricAlgorithm; 3] = [
    AsymmetricAlgorithm::RsaesOaepSha256,
    AsymmetricAlgorithm::RsaesOaepSha1,
    AsymmetricAlgorithm::Sm2Pke,
];

fn load(pem: &str) -> AsymmetricKey {
    AsymmetricKey::from_pkcs8_pem(pem).expect("fixture loads")
}

fn keys() -> [(&'static AsymmetricKey, &'static str); 3] {
    [
        (&RSA_2048, "rsa2048"),
        (&RSA_3072, "rsa3072"),
        (&SM2, "sm2"),
    ]
}

#[test]
fn algorithm_names_round_trip() {
    for alg in ALL {
        assert_eq!(AsymmetricAlgorithm::parse(alg.as_str()), Some(alg));
    }
    assert_eq!(
        AsymmetricAlgorithm::RsaesOaepSha256.as_str(),
        "RSAES_OAEP_SHA_256"
    );
    assert_eq!(
        AsymmetricAlgorithm::RsaesOaepSha1.as_str(),
        "RSAES_OAEP_SHA_1"
    );
    assert_eq!(AsymmetricAlgorithm::Sm2Pke.as_str(), "SM2PKE");
    assert_eq!(AsymmetricAlgorithm::parse("sm2pke"), None);
    assert_eq!(AsymmetricAlgorithm::parse("RSAES_OAEP_SHA_512"), None);
}

#[test]
fn fixtures_load_with_the_right_kind_and_limits() {
    use AsymmetricAlgorithm::{RsaesOaepSha1, RsaesOaepSha256, Sm2Pke};
    assert_eq!(RSA_2048.max_plaintext_len(RsaesOaepSha256), 190);
    assert_eq!(RSA_2048.max_plaintext_len(RsaesOaepSha1), 214);
    assert_eq!(RSA_3072.max_plaintext_len(RsaesOaepSha256), 318);
    assert_eq!(RSA_3072.max_plaintext_len(RsaesOaepSha1), 342);
    assert_eq!(SM2.max_plaintext_len(Sm2Pke), 6047);
    assert_eq!(SM2.max_plaintext_len(RsaesOaepSha1), 0);
    assert_eq!(RSA_2048.max_plaintext_len(Sm2Pke), 0);
    assert!(RSA_2048.supports(RsaesOaepSha256) && RSA_2048.supports(RsaesOaepSha1));
    assert!(!RSA_2048.supports(Sm2Pke));
    assert!(SM2.supports(Sm2Pke) && !SM2.supports(RsaesOaepSha256));
}

#[test]
fn round_trips_at_every_size_limit() {
    for (key, name) in keys() {
        for alg in ALL.into_iter().filter(|&a| key.supports(a)) {
            let max = key.max_plaintext_len(alg);
            for len in [1, 32, max] {
                let pt: Vec<u8> = (0..len).map(|i| u8::try_from(i % 251).unwrap()).collect();
                let ct = key.encrypt(alg, &pt).unwrap();
                assert_eq!(
                    key.decrypt(alg, &ct).unwrap().expose(),
                    pt.as_slice(),
                    "{name} {alg}"
                );
            }
            let err = key.encrypt(alg, &vec![0; max + 1]).unwrap_err();
            assert!(
                matches!(&err, KmsError::InvalidParameter { name, reason } if name == "Plaintext" && reason.contains("too long")),
                "{err:?}"
            );
        }
    }
}

#[test]
fn rsa_ciphertext_has_the_modulus_length_and_sm2_is_der() {
    let ct = RSA_2048
        .encrypt(AsymmetricAlgorithm::RsaesOaepSha256, b"x")
        .unwrap();
    assert_eq!(ct.len(), 256);
    let ct = RSA_3072
        .encrypt(AsymmetricAlgorithm::RsaesOaepSha1, b"x")
        .unwrap();
    assert_eq!(ct.len(), 384);
    let ct = SM2.encrypt(AsymmetricAlgorithm::Sm2Pke, &[7; 32]).unwrap();
    assert_eq!(ct.first(), Some(&0x30));
    assert!((138..=141).contains(&ct.len()), "{}", ct.len());
}

#[test]
fn unsupported_algorithm_is_incorrect_key_usage_on_encrypt() {
    let err = RSA_2048
        .encrypt(AsymmetricAlgorithm::Sm2Pke, b"x")
        .unwrap_err();
    assert!(matches!(err, KmsError::IncorrectKeyUsage(_)), "{err:?}");
    let err = SM2
        .encrypt(AsymmetricAlgorithm::RsaesOaepSha1, b"x")
        .unwrap_err();
    assert!(matches!(err, KmsError::IncorrectKeyUsage(_)), "{err:?}");
    let err = SM2.encrypt(AsymmetricAlgorithm::Sm2Pke, b"").unwrap_err();
    assert!(matches!(err, KmsError::InvalidParameter { .. }), "{err:?}");
}

#[test]
fn fail_wrong_algorithm_or_key_is_invalid_ciphertext() {
    use AsymmetricAlgorithm::{RsaesOaepSha1, RsaesOaepSha256, Sm2Pke};
    let rsa = RSA_2048.encrypt(RsaesOaepSha256, b"secret").unwrap();
    assert_eq!(
        RSA_2048.decrypt(RsaesOaepSha1, &rsa),
        Err(KmsError::InvalidCiphertext)
    );
    assert_eq!(
        RSA_2048.decrypt(Sm2Pke, &rsa),
        Err(KmsError::InvalidCiphertext)
    );
    assert_eq!(
        RSA_3072.decrypt(RsaesOaepSha256, &rsa),
        Err(KmsError::InvalidCiphertext)
    );
    assert_eq!(SM2.decrypt(Sm2Pke, &rsa), Err(KmsError::InvalidCiphertext));
    let sm2 = SM2.encrypt(Sm2Pke, b"secret").unwrap();
    assert_eq!(
        SM2.decrypt(RsaesOaepSha256, &sm2),
        Err(KmsError::InvalidCiphertext)
    );
    assert_eq!(
        RSA_2048.decrypt(RsaesOaepSha256, &sm2),
        Err(KmsError::InvalidCiphertext)
    );
    let other = AsymmetricKey::generate_sm2().unwrap();
    assert_eq!(
        other.decrypt(Sm2Pke, &sm2),
        Err(KmsError::InvalidCiphertext)
    );
}

#[test]
fn fail_altered_or_truncated_ciphertext() {
    use AsymmetricAlgorithm::{RsaesOaepSha256, Sm2Pke};
    let rsa = RSA_2048.encrypt(RsaesOaepSha256, b"secret").unwrap();
    for i in [0, 100, 255] {
        let mut bad = rsa.clone();
        bad[i] ^= 0x01;
        assert_eq!(
            RSA_2048.decrypt(RsaesOaepSha256, &bad),
            Err(KmsError::InvalidCiphertext)
        );
    }
    assert_eq!(
        RSA_2048.decrypt(RsaesOaepSha256, &rsa[..255]),
        Err(KmsError::InvalidCiphertext)
    );
    let sm2 = SM2.encrypt(Sm2Pke, b"secret").unwrap();
    for i in 0..sm2.len() {
        let mut bad = sm2.clone();
        bad[i] ^= 0x01;
        assert_eq!(
            SM2.decrypt(Sm2Pke, &bad),
            Err(KmsError::InvalidCiphertext),
            "byte {i}"
        );
    }
    for len in 0..sm2.len() {
        assert_eq!(
            SM2.decrypt(Sm2Pke, &sm2[..len]),
            Err(KmsError::InvalidCiphertext)
        );
    }
    let mut trailing = sm2.clone();
    trailing.push(0);
    assert_eq!(
        SM2.decrypt(Sm2Pke, &trailing),
        Err(KmsError::InvalidCiphertext)
    );
}

fn raw_c1c3c2(key: &AsymmetricKey, mode: Mode, msg: &[u8]) -> Vec<u8> {
    let AsymmetricKey::Sm2(sk) = key else {
        unreachable!()
    };
    EncryptingKey::new_with_mode(sk.public_key(), mode)
        .encrypt(&mut SysRng, msg)
        .unwrap()
}

#[test]
fn sm2_accepts_raw_c1c3c2_but_not_c1c2c3() {
    let raw = raw_c1c3c2(&SM2, Mode::C1C3C2, b"raw input");
    assert_eq!(raw.first(), Some(&0x04));
    assert_eq!(
        SM2.decrypt(AsymmetricAlgorithm::Sm2Pke, &raw)
            .unwrap()
            .expose(),
        b"raw input"
    );
    let old = raw_c1c3c2(&SM2, Mode::C1C2C3, b"raw input");
    assert_eq!(
        SM2.decrypt(AsymmetricAlgorithm::Sm2Pke, &old),
        Err(KmsError::InvalidCiphertext)
    );
    let mut bad = raw.clone();
    bad[70] ^= 0x80; // inside C3
    assert_eq!(
        SM2.decrypt(AsymmetricAlgorithm::Sm2Pke, &bad),
        Err(KmsError::InvalidCiphertext)
    );
    bad = raw;
    bad[10] ^= 0x01; // C1 no longer on the curve
    assert_eq!(
        SM2.decrypt(AsymmetricAlgorithm::Sm2Pke, &bad),
        Err(KmsError::InvalidCiphertext)
    );
}

#[test]
fn pkcs8_der_round_trips_and_public_pem_is_spki() {
    for (key, name) in keys() {
        let der = key.to_pkcs8_der().unwrap();
        let again = AsymmetricKey::from_pkcs8_der(der.expose()).unwrap();
        assert_eq!(
            again.public_key_pem().unwrap(),
            key.public_key_pem().unwrap(),
            "{name}"
        );
        assert_eq!(again.to_pkcs8_der().unwrap(), der, "{name}");
        let pem = key.public_key_pem().unwrap();
        assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\n"), "{pem}");
    }
    let generated = AsymmetricKey::generate_sm2().unwrap();
    let der = generated.to_pkcs8_der().unwrap();
    assert!(matches!(
        AsymmetricKey::from_pkcs8_der(der.expose()),
        Ok(AsymmetricKey::Sm2(_))
    ));
}

#[test]
fn sm2_public_key_names_the_sm2_curve() {
    let pem = SM2.public_key_pem().unwrap();
    let (_, doc) = rsa::pkcs8::Document::from_pem(&pem).unwrap();
    // 1.2.156.10197.1.301 in DER: 06 08 2A 81 1C CF 55 01 82 2D
    let curve_oid = [0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x82, 0x2d];
    assert!(
        doc.as_bytes()
            .windows(curve_oid.len())
            .any(|w| w == curve_oid)
    );
}

#[test]
fn fail_bad_key_input_is_an_error_not_a_panic() {
    for bad in [
        "",
        "junk",
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    ] {
        assert!(matches!(
            AsymmetricKey::from_pkcs8_pem(bad),
            Err(KmsError::InternalFailure(_))
        ));
    }
    // A PKCS#1 "RSA PRIVATE KEY" label is not PKCS#8.
    let pkcs1 = include_str!("../../../../tests/fixtures/rsa2048.pem")
        .replace("PRIVATE KEY", "RSA PRIVATE KEY");
    assert!(AsymmetricKey::from_pkcs8_pem(&pkcs1).is_err());
    let der = RSA_2048.to_pkcs8_der().unwrap();
    for len in [0, 1, 10, der.len() / 2, der.len() - 1] {
        assert!(AsymmetricKey::from_pkcs8_der(&der.expose()[..len]).is_err());
    }
}

#[test]
fn generate_rsa_rejects_other_sizes_without_generating() {
    let err = AsymmetricKey::generate_rsa(1024).unwrap_err();
    assert!(matches!(err, KmsError::InvalidParameter { .. }), "{err:?}");
}

#[test]
fn debug_shows_no_material() {
    let sm2_scalar = {
        let AsymmetricKey::Sm2(sk) = &*SM2 else {
            unreachable!()
        };
        format!("{:?}", sk.to_bytes())
    };
    let shown = format!(
        "{:?} {:?} {:?}",
        *RSA_2048,
        *SM2,
        SM2.to_pkcs8_der().unwrap()
    );
    assert!(
        shown.starts_with(
            "AsymmetricKey::Rsa(2048 bits) AsymmetricKey::Sm2 SecretBytes([REDACTED; "
        ),
        "{shown}"
    );
    assert!(!shown.contains(&sm2_scalar));
    let pt = SM2
        .decrypt(
            AsymmetricAlgorithm::Sm2Pke,
            &SM2.encrypt(AsymmetricAlgorithm::Sm2Pke, b"top-secret")
                .unwrap(),
        )
        .unwrap();
    assert!(!format!("{pt:?}").contains("top-secret"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn sm2_round_trips(pt in prop::collection::vec(any::<u8>(), 1..700)) {
        let ct = SM2.encrypt(AsymmetricAlgorithm::Sm2Pke, &pt).unwrap();
        let back = SM2.decrypt(AsymmetricAlgorithm::Sm2Pke, &ct).unwrap();
        prop_assert_eq!(back.expose(), pt.as_slice());
    }

    #[test]
    fn decrypt_of_arbitrary_bytes_never_panics(
        first in prop::sample::select(vec![0x30_u8, 0x04, 0x00, 0xff]),
        rest in prop::collection::vec(any::<u8>(), 0..400),
        alg in prop::sample::select(ALL.to_vec()),
    ) {
        let mut bytes = vec![first];
        bytes.extend(rest);
        for key in [&*SM2, &*RSA_2048] {
            prop_assert_eq!(key.decrypt(alg, &bytes), Err(KmsError::InvalidCiphertext));
        }
    }

    #[test]
    fn rsa_decrypt_of_modulus_sized_garbage_is_invalid(bytes in prop::collection::vec(any::<u8>(), 256)) {
        prop_assert_eq!(RSA_2048.decrypt(AsymmetricAlgorithm::RsaesOaepSha256, &bytes), Err(KmsError::InvalidCiphertext));
        prop_assert_eq!(RSA_2048.decrypt(AsymmetricAlgorithm::RsaesOaepSha1, &bytes), Err(KmsError::InvalidCiphertext));
    }

    #[test]
    fn sm2_der_shaped_garbage_is_invalid(
        x in prop::collection::vec(any::<u8>(), 32),
        y in prop::collection::vec(any::<u8>(), 32),
        c3 in prop::collection::vec(any::<u8>(), 32),
        c2 in prop::collection::vec(any::<u8>(), 1..64),
    ) {
        let mut raw = vec![0x04];
        raw.extend(x.iter().chain(&y).chain(&c3).chain(&c2));
        prop_assert_eq!(SM2.decrypt(AsymmetricAlgorithm::Sm2Pke, &raw), Err(KmsError::InvalidCiphertext));
        let der = super::super::sm2_der::raw_c1c3c2_to_der(&raw).unwrap();
        prop_assert_eq!(SM2.decrypt(AsymmetricAlgorithm::Sm2Pke, &der), Err(KmsError::InvalidCiphertext));
    }
}

#[test]
fn a_dropped_sm2_key_leaves_scalar_one_in_place_of_its_derived_keys() {
    let (decrypting, signing) = SCALAR_ONE.as_ref().expect("scalar one is a valid SM2 key");
    let one = sm2::NonZeroScalar::from_uint(sm2::U256::ONE).unwrap();
    assert_eq!(decrypting.as_nonzero_scalar().to_bytes(), one.to_bytes());
    assert_eq!(signing.as_nonzero_scalar().to_bytes(), one.to_bytes());
    // Dropping many keys stays cheap and leaves a working fixture behind.
    let AsymmetricKey::Sm2(key) = &*SM2 else {
        panic!("SM2 fixture")
    };
    for _ in 0..1000 {
        drop(key.clone());
    }
    assert_ne!(key.signing().as_nonzero_scalar().to_bytes(), one.to_bytes());
}
