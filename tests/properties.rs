//! Property tests of the round trips: encrypt→decrypt for each symmetric spec, and ReEncrypt
//! from every source kind (symmetric of each spec, RSA-OAEP SHA-256/SHA-1, SM2) with contexts.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]

mod common;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::*;
use proptest::prelude::*;
use std::collections::BTreeMap;

fn context_json(pairs: &BTreeMap<String, String>) -> String {
    serde_json::to_string(pairs).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn symmetric_encrypt_decrypt_and_re_encrypt(
        spec in prop::sample::select(vec!["Aliyun_AES_256", "Aliyun_AES_128", "Aliyun_SM4"]),
        dest_spec in prop::sample::select(vec!["Aliyun_AES_256", "Aliyun_AES_128", "Aliyun_SM4"]),
        text in "\\PC{1,200}",
        ctx in prop::collection::btree_map("[a-z]{1,6}", "\\PC{0,10}", 0..4),
        dctx in prop::collection::btree_map("[a-z]{1,6}", "\\PC{0,10}", 0..4),
    ) {
        let (mut v, _) = memory_vault();
        let key = create_key(&mut v, spec);
        let dest = create_key(&mut v, dest_spec);
        let (c, d) = (context_json(&ctx), context_json(&dctx));
        let blob = s(&ok(&mut v, "Encrypt", &[("KeyId", &key), ("Plaintext", &text), ("EncryptionContext", &c)])["CiphertextBlob"]);
        prop_assert_eq!(s(&ok(&mut v, "Decrypt", &[("CiphertextBlob", &blob), ("EncryptionContext", &c)])["Plaintext"]), text.clone());
        let re = ok(&mut v, "ReEncrypt", &[("CiphertextBlob", &blob), ("DestinationKeyId", &dest), ("SourceEncryptionContext", &c), ("DestinationEncryptionContext", &d)]);
        prop_assert_eq!(s(&re["KeyId"]), dest);
        prop_assert_eq!(s(&ok(&mut v, "Decrypt", &[("CiphertextBlob", &s(&re["CiphertextBlob"])), ("EncryptionContext", &d)])["Plaintext"]), text);
    }

    #[test]
    fn asymmetric_re_encrypt_round_trip(
        which in 0usize..5,
        data in prop::collection::vec(any::<u8>(), 1..150),
    ) {
        let (spec, alg) = [
            ("RSA_2048", "RSAES_OAEP_SHA_256"),
            ("RSA_2048", "RSAES_OAEP_SHA_1"),
            ("RSA_3072", "RSAES_OAEP_SHA_256"),
            ("RSA_3072", "RSAES_OAEP_SHA_1"),
            ("EC_SM2", "SM2PKE"),
        ][which];
        let (mut v, _) = memory_vault();
        let key = create_key(&mut v, spec);
        let dest = create_key(&mut v, "Aliyun_AES_256");
        let ver = s(&ok(&mut v, "DescribeKey", &[("KeyId", &key)])["KeyMetadata"]["PrimaryKeyVersion"]);
        let pt = STANDARD.encode(&data);
        let ct = s(&ok(&mut v, "AsymmetricEncrypt", &[("KeyId", &key), ("KeyVersionId", &ver), ("Algorithm", alg), ("Plaintext", &pt)])["CiphertextBlob"]);
        let re = ok(&mut v, "ReEncrypt", &[("CiphertextBlob", &ct), ("DestinationKeyId", &dest), ("SourceKeyId", &key), ("SourceKeyVersionId", &ver), ("SourceEncryptionAlgorithm", alg)]);
        prop_assert_eq!(s(&ok(&mut v, "Decrypt", &[("CiphertextBlob", &s(&re["CiphertextBlob"]))])["Plaintext"]), pt);
    }

    #[test]
    fn arbitrary_blobs_never_panic_and_give_the_one_error(bytes in prop::collection::vec(any::<u8>(), 0..120), as_text in any::<bool>()) {
        let (mut v, _) = memory_vault();
        let key = create_key(&mut v, "Aliyun_AES_256");
        let text = if as_text { String::from_utf8_lossy(&bytes).into_owned() } else { STANDARD.encode(&bytes) };
        for action in ["Decrypt", "ReEncrypt"] {
            let e = call(&mut v, action, &[("CiphertextBlob", &text), ("DestinationKeyId", &key)]);
            match e {
                Ok(_) => prop_assert!(false, "random bytes decrypted"),
                Err(e) => prop_assert!(e.code == "InvalidParameter" || e.code == "Forbidden.KeyNotFound" || e.code == "MissingParameter", "{}", e.code),
            }
        }
    }

    #[test]
    fn arbitrary_parameters_never_panic(action in prop::sample::select(kms_console::api::ACTIONS.iter().map(|a| a.name).collect::<Vec<_>>()), values in prop::collection::vec("\\PC{0,40}", 8)) {
        let (mut v, _) = memory_vault();
        let spec = kms_console::api::find_action(action).unwrap();
        let params: Vec<(&str, &str)> = spec.params.iter().zip(values.iter()).map(|(p, val)| (p.name, val.as_str())).collect();
        if let Err(e) = call(&mut v, action, &params) {
            prop_assert_ne!(e.code, "InternalFailure");
        }
    }
}
