//! Sign/verify round trips on the pre-generated fixtures (never RSA keygen in tests), the PKCS#8
//! round trip of the EC keys, and the checks every signature makes first.

use super::*;
use proptest::prelude::*;
use std::sync::LazyLock;

fn load(pem: &str) -> AsymmetricKey {
    AsymmetricKey::from_pkcs8_pem(pem).expect("fixture loads")
}

static KEYS: LazyLock<Vec<(AsymmetricKey, SignAlgorithm)>> = LazyLock::new(|| {
    let rsa = load(include_str!("../../../../tests/fixtures/rsa2048.pem"));
    vec![
        (rsa.clone(), SignAlgorithm::RsaPssSha256),
        (rsa, SignAlgorithm::RsaPkcs1Sha256),
        (
            load(include_str!("../../../../tests/fixtures/ec_p256.pem")),
            SignAlgorithm::EcdsaSha256,
        ),
        (
            load(include_str!("../../../../tests/fixtures/ec_p256k.pem")),
            SignAlgorithm::EcdsaSha256,
        ),
        (
            load(include_str!("../../../../tests/fixtures/sm2.pem")),
            SignAlgorithm::Sm2Dsa,
        ),
    ]
});

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn signatures_verify_and_fail_on_another_digest(digest in prop::array::uniform32(any::<u8>()), flip in 0usize..32) {
        for (key, alg) in KEYS.iter() {
            let sig = key.sign(*alg, &digest).unwrap();
            prop_assert!(key.verify(*alg, &digest, &sig).unwrap(), "{alg}");
            let mut other = digest;
            other[flip] ^= 0x80;
            prop_assert!(!key.verify(*alg, &other, &sig).unwrap(), "{alg}: other digest");
            let mut bad = sig.clone();
            let last = bad.len() - 1;
            bad[last] ^= 1;
            prop_assert!(!key.verify(*alg, &digest, &bad).unwrap(), "{alg}: altered signature");
        }
    }
}

#[test]
fn every_key_refuses_the_algorithms_of_other_keys_and_digests_not_32_bytes() {
    for (key, alg) in KEYS.iter() {
        for other in SignAlgorithm::ALL {
            let rsa = |a: SignAlgorithm| {
                matches!(
                    a,
                    SignAlgorithm::RsaPssSha256 | SignAlgorithm::RsaPkcs1Sha256
                )
            };
            let expected = if rsa(*alg) { rsa(other) } else { other == *alg };
            assert_eq!(key.signs_with(other), expected, "{alg} key, {other}");
            if !key.signs_with(other) {
                let err = key.sign(other, &[0; 32]).unwrap_err();
                assert_eq!(err.code(), "InvalidParameter");
            }
        }
        for len in [0, 20, 31, 33, 48, 64] {
            let err = key.sign(*alg, &vec![1; len]).unwrap_err();
            assert!(format!("{err}").contains("Digest"), "{alg} {len}: {err}");
        }
    }
}

#[test]
fn ec_keys_round_trip_through_pkcs8_and_keep_their_public_key() {
    for key in [
        AsymmetricKey::generate_p256().unwrap(),
        AsymmetricKey::generate_k256().unwrap(),
        AsymmetricKey::generate_sm2().unwrap(),
    ] {
        let der = key.to_pkcs8_der().unwrap();
        let back = AsymmetricKey::from_pkcs8_der(der.expose()).unwrap();
        assert_eq!(
            back.public_key_pem().unwrap(),
            key.public_key_pem().unwrap()
        );
        assert_eq!(format!("{back:?}"), format!("{key:?}"));
        let alg = if matches!(key, AsymmetricKey::Sm2(_)) {
            SignAlgorithm::Sm2Dsa
        } else {
            SignAlgorithm::EcdsaSha256
        };
        let sig = key.sign(alg, &[9; 32]).unwrap();
        assert!(back.verify(alg, &[9; 32], &sig).unwrap());
    }
}

#[test]
fn sign_algorithm_names_round_trip() {
    for alg in SignAlgorithm::ALL {
        assert_eq!(SignAlgorithm::parse(alg.as_str()), Some(alg));
    }
    assert_eq!(SignAlgorithm::parse("ecdsa_sha_256"), None);
}
