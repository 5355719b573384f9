//! Every operation through `api::dispatch` on an in-memory vault: success paths, each error
//! code, the seed page's three ReEncrypt cases, rotation, states, aliases and permissions.
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
use kms_console::core::vault::Vault;

fn encrypt(vault: &mut Vault, key: &str, text: &str, ctx: &str) -> serde_json::Value {
    ok(
        vault,
        "Encrypt",
        &[
            ("KeyId", key),
            ("Plaintext", text),
            ("EncryptionContext", ctx),
        ],
    )
}

fn decrypt(vault: &mut Vault, blob: &str, ctx: &str) -> String {
    s(&ok(
        vault,
        "Decrypt",
        &[("CiphertextBlob", blob), ("EncryptionContext", ctx)],
    )["Plaintext"])
}

#[test]
fn rotation_case_blob_of_v1_moves_to_v3_and_all_versions_still_decrypt() {
    let (mut v, clock) = memory_vault();
    let key = create_key(&mut v, "Aliyun_AES_256");
    let b1 = s(&encrypt(&mut v, &key, "one", "")["CiphertextBlob"]);
    clock.advance(86_400);
    ok(&mut v, "CreateKeyVersion", &[("KeyId", &key)]);
    let b2 = s(&encrypt(&mut v, &key, "two", "")["CiphertextBlob"]);
    clock.advance(86_400);
    let v3 = ok(&mut v, "CreateKeyVersion", &[("KeyId", &key)]);
    let v3_id = s(&v3["KeyVersion"]["KeyVersionId"]);
    let re = ok(
        &mut v,
        "ReEncrypt",
        &[("CiphertextBlob", &b1), ("DestinationKeyId", &key)],
    );
    assert_eq!(s(&re["KeyVersionId"]), v3_id);
    assert_eq!(s(&re["KeyId"]), key);
    let new_blob = s(&re["CiphertextBlob"]);
    let header = STANDARD.decode(&new_blob).unwrap();
    assert_eq!(
        &header[..36],
        v3_id.as_bytes(),
        "the new blob names version 3"
    );
    assert_eq!(decrypt(&mut v, &new_blob, ""), "one");
    assert_eq!(decrypt(&mut v, &b1, ""), "one");
    assert_eq!(decrypt(&mut v, &b2, ""), "two");
    let versions = ok(&mut v, "ListKeyVersions", &[("KeyId", &key)]);
    assert_eq!(versions["TotalCount"], 3);
    let meta = ok(&mut v, "DescribeKey", &[("KeyId", &key)]);
    assert_eq!(s(&meta["KeyMetadata"]["PrimaryKeyVersion"]), v3_id);
}

#[test]
fn context_change_case() {
    let (mut v, _) = memory_vault();
    let key = create_key(&mut v, "Aliyun_AES_256");
    let blob = s(&encrypt(&mut v, &key, "data", r#"{"a":"1","b":"2"}"#)["CiphertextBlob"]);
    // Key order and whitespace of the source context do not matter.
    let re = ok(
        &mut v,
        "ReEncrypt",
        &[
            ("CiphertextBlob", &blob),
            ("DestinationKeyId", &key),
            ("SourceEncryptionContext", "{ \"b\": \"2\", \"a\": \"1\" }"),
            ("DestinationEncryptionContext", r#"{"a":"new"}"#),
        ],
    );
    let new_blob = s(&re["CiphertextBlob"]);
    assert_eq!(decrypt(&mut v, &new_blob, r#"{"a":"new"}"#), "data");
    assert_eq!(
        code(&mut v, "Decrypt", &[("CiphertextBlob", &new_blob)]),
        "InvalidParameter"
    );
    // The wrong source context is the one decryption error.
    let e = call(
        &mut v,
        "ReEncrypt",
        &[
            ("CiphertextBlob", &blob),
            ("DestinationKeyId", &key),
            ("SourceEncryptionContext", r#"{"a":"1"}"#),
        ],
    )
    .unwrap_err();
    assert_eq!(e.code, "InvalidParameter");
    assert!(e.message.contains("CiphertextBlob"));
}

#[test]
fn another_key_case_for_every_symmetric_spec() {
    let (mut v, _) = memory_vault();
    for from in ["Aliyun_AES_256", "Aliyun_AES_128", "Aliyun_SM4"] {
        for to in ["Aliyun_AES_256", "Aliyun_AES_128", "Aliyun_SM4"] {
            let a = create_key(&mut v, from);
            let b = create_key(&mut v, to);
            ok(
                &mut v,
                "CreateAlias",
                &[("AliasName", &format!("alias/to-{b}")), ("KeyId", &b)],
            );
            let blob = s(&encrypt(&mut v, &a, "moving", "")["CiphertextBlob"]);
            let re = ok(
                &mut v,
                "ReEncrypt",
                &[
                    ("CiphertextBlob", &blob),
                    ("DestinationKeyId", &format!("alias/to-{b}")),
                    ("SourceKeyId", &a),
                ],
            );
            assert_eq!(
                s(&re["KeyId"]),
                b,
                "responses give the KeyId, not the alias"
            );
            assert_eq!(decrypt(&mut v, &s(&re["CiphertextBlob"]), ""), "moving");
        }
    }
}

#[test]
fn asymmetric_sources_re_encrypt_and_need_all_three_parameters() {
    let (mut v, _) = memory_vault();
    let dest = create_key(&mut v, "Aliyun_AES_256");
    for (spec, algs) in [
        ("RSA_2048", &["RSAES_OAEP_SHA_256", "RSAES_OAEP_SHA_1"][..]),
        ("RSA_3072", &["RSAES_OAEP_SHA_256", "RSAES_OAEP_SHA_1"][..]),
        ("EC_SM2", &["SM2PKE"][..]),
    ] {
        let key = create_key(&mut v, spec);
        let meta = ok(&mut v, "DescribeKey", &[("KeyId", &key)]);
        let ver = s(&meta["KeyMetadata"]["PrimaryKeyVersion"]);
        for alg in algs {
            let pt = STANDARD.encode(format!("secret for {spec} {alg}"));
            let ct = s(&ok(
                &mut v,
                "AsymmetricEncrypt",
                &[
                    ("KeyId", &key),
                    ("KeyVersionId", &ver),
                    ("Algorithm", alg),
                    ("Plaintext", &pt),
                ],
            )["CiphertextBlob"]);
            let back = ok(
                &mut v,
                "AsymmetricDecrypt",
                &[
                    ("KeyId", &key),
                    ("KeyVersionId", &ver),
                    ("Algorithm", alg),
                    ("CiphertextBlob", &ct),
                ],
            );
            assert_eq!(s(&back["Plaintext"]), pt);
            let re = ok(
                &mut v,
                "ReEncrypt",
                &[
                    ("CiphertextBlob", &ct),
                    ("DestinationKeyId", &dest),
                    ("SourceKeyId", &key),
                    ("SourceKeyVersionId", &ver),
                    ("SourceEncryptionAlgorithm", alg),
                ],
            );
            assert_eq!(
                decrypt(&mut v, &s(&re["CiphertextBlob"]), ""),
                pt,
                "Decrypt gives back the base64 Plaintext given to AsymmetricEncrypt"
            );
            assert_eq!(
                code(
                    &mut v,
                    "ReEncrypt",
                    &[
                        ("CiphertextBlob", &ct),
                        ("DestinationKeyId", &dest),
                        ("SourceKeyVersionId", &ver),
                        ("SourceEncryptionAlgorithm", alg)
                    ]
                ),
                "MissingParameter"
            );
            assert_eq!(
                code(
                    &mut v,
                    "ReEncrypt",
                    &[
                        ("CiphertextBlob", &ct),
                        ("DestinationKeyId", &dest),
                        ("SourceKeyId", &key),
                        ("SourceEncryptionAlgorithm", alg)
                    ]
                ),
                "MissingParameter"
            );
        }
        // A wrong algorithm is the one decryption error.
        let pt = STANDARD.encode("x");
        let alg = algs[0];
        let ct = s(&ok(
            &mut v,
            "AsymmetricEncrypt",
            &[
                ("KeyId", &key),
                ("KeyVersionId", &ver),
                ("Algorithm", alg),
                ("Plaintext", &pt),
            ],
        )["CiphertextBlob"]);
        let wrong = if alg == "SM2PKE" {
            "RSAES_OAEP_SHA_256"
        } else if alg == "RSAES_OAEP_SHA_256" {
            "RSAES_OAEP_SHA_1"
        } else {
            "SM2PKE"
        };
        assert_eq!(
            code(
                &mut v,
                "ReEncrypt",
                &[
                    ("CiphertextBlob", &ct),
                    ("DestinationKeyId", &dest),
                    ("SourceKeyId", &key),
                    ("SourceKeyVersionId", &ver),
                    ("SourceEncryptionAlgorithm", wrong)
                ]
            ),
            "InvalidParameter"
        );
        // A wrong version id of the right key is not found.
        assert_eq!(
            code(
                &mut v,
                "ReEncrypt",
                &[
                    ("CiphertextBlob", &ct),
                    ("DestinationKeyId", &dest),
                    ("SourceKeyId", &key),
                    ("SourceKeyVersionId", "00000000-0000-4000-8000-000000000000"),
                    ("SourceEncryptionAlgorithm", alg)
                ]
            ),
            "Forbidden.KeyVersionNotFound"
        );
        // Asymmetric keys cannot be destinations, nor Encrypt.
        let blob = s(&encrypt(&mut v, &dest, "x", "")["CiphertextBlob"]);
        assert_eq!(
            code(
                &mut v,
                "ReEncrypt",
                &[("CiphertextBlob", &blob), ("DestinationKeyId", &key)]
            ),
            "IncorrectKeyUsage"
        );
        assert_eq!(
            code(&mut v, "Encrypt", &[("KeyId", &key), ("Plaintext", "x")]),
            "IncorrectKeyUsage"
        );
        let pem = ok(
            &mut v,
            "GetPublicKey",
            &[("KeyId", &key), ("KeyVersionId", &ver)],
        );
        assert!(s(&pem["PublicKey"]).starts_with("-----BEGIN PUBLIC KEY-----"));
    }
}

#[test]
fn source_key_id_that_disagrees_with_the_blob_is_refused() {
    let (mut v, _) = memory_vault();
    let a = create_key(&mut v, "Aliyun_AES_256");
    let b = create_key(&mut v, "Aliyun_AES_256");
    let blob = s(&encrypt(&mut v, &a, "x", "")["CiphertextBlob"]);
    let e = call(
        &mut v,
        "ReEncrypt",
        &[
            ("CiphertextBlob", &blob),
            ("DestinationKeyId", &b),
            ("SourceKeyId", &b),
        ],
    )
    .unwrap_err();
    assert_eq!(e.code, "InvalidParameter");
    assert!(e.message.contains("SourceKeyId"));
    assert_eq!(
        code(
            &mut v,
            "ReEncrypt",
            &[
                ("CiphertextBlob", &blob),
                ("DestinationKeyId", &b),
                ("SourceKeyId", "alias/nope")
            ]
        ),
        "Forbidden.AliasNotFound"
    );
}

#[test]
fn dry_run_checks_everything_and_reports_would_succeed() {
    let (mut v, _) = memory_vault();
    let key = create_key(&mut v, "Aliyun_AES_256");
    let blob = s(&encrypt(&mut v, &key, "x", "")["CiphertextBlob"]);
    assert_eq!(
        code(
            &mut v,
            "ReEncrypt",
            &[
                ("CiphertextBlob", &blob),
                ("DestinationKeyId", &key),
                ("DryRun", "true")
            ]
        ),
        "DryRunOperationError"
    );
    assert_eq!(
        code(
            &mut v,
            "ReEncrypt",
            &[
                ("CiphertextBlob", &blob),
                ("DestinationKeyId", &key),
                ("DryRun", "true"),
                ("SourceEncryptionContext", r#"{"x":"y"}"#)
            ]
        ),
        "InvalidParameter"
    );
    assert_eq!(
        code(
            &mut v,
            "ReEncrypt",
            &[
                ("CiphertextBlob", &blob),
                ("DestinationKeyId", &key),
                ("DryRun", "maybe")
            ]
        ),
        "InvalidParameter"
    );
    ok(
        &mut v,
        "ReEncrypt",
        &[
            ("CiphertextBlob", &blob),
            ("DestinationKeyId", &key),
            ("DryRun", "false"),
        ],
    );
    assert_eq!(
        code(
            &mut v,
            "Encrypt",
            &[("KeyId", &key), ("Plaintext", "x"), ("DryRun", "true")]
        ),
        "DryRunOperationError"
    );
}

#[test]
fn tampered_truncated_random_and_foreign_blobs() {
    let (mut v, _) = memory_vault();
    let key = create_key(&mut v, "Aliyun_AES_256");
    let blob = s(&encrypt(&mut v, &key, "some plaintext", "")["CiphertextBlob"]);
    let raw = STANDARD.decode(&blob).unwrap();
    let one_message = call(&mut v, "Decrypt", &[("CiphertextBlob", "!!!not base64")])
        .unwrap_err()
        .message;
    let mut cases: Vec<String> = vec![
        "!!!not base64".into(),
        STANDARD.encode(&raw[..40]),
        STANDARD.encode([7u8; 80]),
    ];
    for i in [36, 40, 50, raw.len() - 1] {
        let mut t = raw.clone();
        t[i] ^= 1;
        cases.push(STANDARD.encode(&t));
    }
    cases.push(STANDARD.encode(&raw[..raw.len() - 1]));
    for case in &cases {
        for action in ["Decrypt", "ReEncrypt"] {
            let e = call(
                &mut v,
                action,
                &[("CiphertextBlob", case), ("DestinationKeyId", &key)],
            )
            .unwrap_err();
            assert_eq!(e.code, "InvalidParameter", "{action} {case}");
            assert_eq!(e.message, one_message, "one and the same message");
            assert_eq!(e.http_status, 400);
        }
    }
    // A well-formed header naming a version this vault does not hold.
    let mut foreign = raw.clone();
    foreign[..36].copy_from_slice(b"86a9efd9-3d16-4894-bd4f-1fc43f3f2abf");
    assert_eq!(
        code(
            &mut v,
            "Decrypt",
            &[("CiphertextBlob", &STANDARD.encode(&foreign))]
        ),
        "Forbidden.KeyNotFound"
    );
}

#[test]
fn re_encrypt_disabled_names_the_source_or_the_destination_key() {
    let (mut v, _clock) = memory_vault();
    let source = create_key(&mut v, "Aliyun_AES_256");
    let destination = create_key(&mut v, "Aliyun_AES_256");
    let blob = s(&encrypt(&mut v, &source, "x", "")["CiphertextBlob"]);
    let re_encrypt = [
        ("CiphertextBlob", blob.as_str()),
        ("DestinationKeyId", &destination),
    ];

    ok(&mut v, "DisableKey", &[("KeyId", &source)]);
    let e = call(&mut v, "ReEncrypt", &re_encrypt).unwrap_err();
    assert_eq!((e.code.as_str(), e.http_status), ("Rejected.Disabled", 409));
    assert!(
        e.message
            .contains(&format!("the source key {source} is Disabled")),
        "{}",
        e.message
    );
    assert!(!e.message.contains(&destination), "{}", e.message);

    ok(&mut v, "EnableKey", &[("KeyId", &source)]);
    ok(&mut v, "DisableKey", &[("KeyId", &destination)]);
    let e = call(&mut v, "ReEncrypt", &re_encrypt).unwrap_err();
    assert_eq!((e.code.as_str(), e.http_status), ("Rejected.Disabled", 409));
    assert!(
        e.message
            .contains(&format!("the destination key {destination} is Disabled")),
        "{}",
        e.message
    );
    assert!(!e.message.contains(&source), "{}", e.message);

    // Other actions keep the API's own message.
    let e = call(
        &mut v,
        "Encrypt",
        &[("KeyId", &destination), ("Plaintext", "x")],
    )
    .unwrap_err();
    assert_eq!(
        e.message,
        "The request was rejected because the key state is Disabled."
    );
}

#[test]
fn key_states_and_their_effect() {
    let (mut v, clock) = memory_vault();
    let key = create_key(&mut v, "Aliyun_AES_256");
    let other = create_key(&mut v, "Aliyun_AES_256");
    let blob = s(&encrypt(&mut v, &key, "x", "")["CiphertextBlob"]);
    ok(&mut v, "DisableKey", &[("KeyId", &key)]);
    ok(&mut v, "DisableKey", &[("KeyId", &key)]);
    assert_eq!(
        code(&mut v, "Encrypt", &[("KeyId", &key), ("Plaintext", "x")]),
        "Rejected.Disabled"
    );
    assert_eq!(
        code(&mut v, "Decrypt", &[("CiphertextBlob", &blob)]),
        "Rejected.Disabled"
    );
    assert_eq!(
        code(
            &mut v,
            "ReEncrypt",
            &[("CiphertextBlob", &blob), ("DestinationKeyId", &other)]
        ),
        "Rejected.Disabled"
    );
    let other_blob = s(&encrypt(&mut v, &other, "y", "")["CiphertextBlob"]);
    assert_eq!(
        code(
            &mut v,
            "ReEncrypt",
            &[("CiphertextBlob", &other_blob), ("DestinationKeyId", &key)]
        ),
        "Rejected.Disabled"
    );
    ok(&mut v, "EnableKey", &[("KeyId", &key)]);
    let sched = ok(
        &mut v,
        "ScheduleKeyDeletion",
        &[("KeyId", &key), ("PendingWindowInDays", "7")],
    );
    assert_eq!(sched.as_object().unwrap().len(), 1, "only RequestId");
    let meta = ok(&mut v, "DescribeKey", &[("KeyId", &key)]);
    assert_eq!(meta["KeyMetadata"]["KeyState"], "PendingDeletion");
    assert_ne!(meta["KeyMetadata"]["DeleteDate"], "");
    assert_eq!(
        code(&mut v, "Decrypt", &[("CiphertextBlob", &blob)]),
        "Rejected.PendingDeletion"
    );
    assert_eq!(
        code(&mut v, "EnableKey", &[("KeyId", &key)]),
        "Rejected.StateModifiedFailed"
    );
    assert_eq!(
        code(&mut v, "DisableKey", &[("KeyId", &key)]),
        "Rejected.StateModifiedFailed"
    );
    assert_eq!(
        code(
            &mut v,
            "ScheduleKeyDeletion",
            &[("KeyId", &key), ("PendingWindowInDays", "7")]
        ),
        "Rejected.StateModifiedFailed"
    );
    ok(&mut v, "CancelKeyDeletion", &[("KeyId", &key)]);
    assert_eq!(
        code(&mut v, "CancelKeyDeletion", &[("KeyId", &key)]),
        "Rejected.StateModifiedFailed"
    );
    assert_eq!(decrypt(&mut v, &blob, ""), "x");
    assert_eq!(
        code(
            &mut v,
            "ScheduleKeyDeletion",
            &[("KeyId", &key), ("PendingWindowInDays", "6")]
        ),
        "InvalidParameter"
    );
    assert_eq!(
        code(&mut v, "ScheduleKeyDeletion", &[("KeyId", &key)]),
        "MissingParameter"
    );
    // Past its DeleteDate the key goes at the next maintenance (run when a vault opens).
    ok(
        &mut v,
        "ScheduleKeyDeletion",
        &[("KeyId", &key), ("PendingWindowInDays", "7")],
    );
    ok(
        &mut v,
        "CreateAlias",
        &[("AliasName", "alias/other"), ("KeyId", &other)],
    );
    clock.advance(8 * 86_400);
    let events = v.maintain().unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(
        code(&mut v, "DescribeKey", &[("KeyId", &key)]),
        "Forbidden.KeyNotFound"
    );
    assert_eq!(
        code(&mut v, "Decrypt", &[("CiphertextBlob", &blob)]),
        "Forbidden.KeyNotFound"
    );
    ok(&mut v, "DescribeKey", &[("KeyId", "alias/other")]);
}

#[test]
fn automatic_rotation_happens_when_due() {
    let (mut v, clock) = memory_vault();
    let doc = ok(
        &mut v,
        "CreateKey",
        &[
            ("EnableAutomaticRotation", "true"),
            ("RotationInterval", "7d"),
        ],
    );
    let key = s(&doc["KeyMetadata"]["KeyId"]);
    assert_eq!(doc["KeyMetadata"]["AutomaticRotation"], "Enabled");
    assert_eq!(doc["KeyMetadata"]["RotationInterval"], "604800s");
    assert_eq!(
        doc["KeyMetadata"]["NextRotationDate"],
        "2026-11-08T00:00:00Z"
    );
    clock.advance(6 * 86_400);
    assert!(v.maintain().unwrap().is_empty());
    clock.advance(86_400);
    assert_eq!(v.maintain().unwrap().len(), 1);
    let meta = ok(&mut v, "DescribeKey", &[("KeyId", &key)]);
    assert_eq!(
        meta["KeyMetadata"]["LastRotationDate"],
        "2026-11-08T00:00:00Z"
    );
    assert_eq!(
        ok(&mut v, "ListKeyVersions", &[("KeyId", &key)])["TotalCount"],
        2
    );
    ok(&mut v, "DisableKey", &[("KeyId", &key)]);
    assert_eq!(
        ok(&mut v, "DescribeKey", &[("KeyId", &key)])["KeyMetadata"]["AutomaticRotation"],
        "Suspended"
    );
    clock.advance(30 * 86_400);
    assert!(
        v.maintain().unwrap().is_empty(),
        "no rotation of a disabled key"
    );
    ok(&mut v, "EnableKey", &[("KeyId", &key)]);
    // Legacy parameter names.
    ok(
        &mut v,
        "UpdateRotationPolicy",
        &[
            ("KeyId", &key),
            ("EnableAutoRotation", "true"),
            ("RotationIntervalInDays", "30"),
        ],
    );
    assert_eq!(
        ok(&mut v, "DescribeKey", &[("KeyId", &key)])["KeyMetadata"]["RotationInterval"],
        "2592000s"
    );
    ok(
        &mut v,
        "UpdateRotationPolicy",
        &[("KeyId", &key), ("EnableAutomaticRotation", "false")],
    );
    assert_eq!(
        ok(&mut v, "DescribeKey", &[("KeyId", &key)])["KeyMetadata"]["AutomaticRotation"],
        "Disabled"
    );
    assert_eq!(
        code(&mut v, "UpdateRotationPolicy", &[("KeyId", &key)]),
        "MissingParameter"
    );
    assert_eq!(
        code(
            &mut v,
            "UpdateRotationPolicy",
            &[
                ("KeyId", &key),
                ("EnableAutomaticRotation", "true"),
                ("RotationInterval", "3d")
            ]
        ),
        "InvalidParameter"
    );
    let rsa = create_key(&mut v, "RSA_2048");
    assert_eq!(
        code(
            &mut v,
            "UpdateRotationPolicy",
            &[
                ("KeyId", &rsa),
                ("EnableAutomaticRotation", "true"),
                ("RotationInterval", "30d")
            ]
        ),
        "IncorrectKeyUsage"
    );
    assert_eq!(
        code(&mut v, "CreateKey", &[("EnableAutomaticRotation", "true")]),
        "MissingParameter"
    );
}

#[test]
fn key_references_aliases_and_arns() {
    let (mut v, _) = memory_vault();
    let key = create_key(&mut v, "Aliyun_AES_256");
    let other = create_key(&mut v, "Aliyun_SM4");
    let arn = s(&ok(&mut v, "DescribeKey", &[("KeyId", &key)])["KeyMetadata"]["Arn"]);
    assert!(arn.starts_with("acs:kms:cn-hangzhou:") && arn.ends_with(&format!(":key/{key}")));
    ok(
        &mut v,
        "CreateAlias",
        &[("AliasName", "alias/orders"), ("KeyId", &arn)],
    );
    ok(
        &mut v,
        "CreateAlias",
        &[("AliasName", "alias/orders-2"), ("KeyId", "alias/orders")],
    );
    assert_eq!(
        code(
            &mut v,
            "CreateAlias",
            &[("AliasName", "alias/orders"), ("KeyId", &other)]
        ),
        "AliasAlreadyExists"
    );
    assert_eq!(
        code(
            &mut v,
            "CreateAlias",
            &[("AliasName", "orders"), ("KeyId", &other)]
        ),
        "InvalidParameter"
    );
    assert_eq!(
        code(
            &mut v,
            "CreateAlias",
            &[("AliasName", "alias/bad name"), ("KeyId", &other)]
        ),
        "InvalidParameter"
    );
    assert_eq!(
        code(&mut v, "CreateAlias", &[("AliasName", "alias/x")]),
        "MissingParameter"
    );
    for r in [key.as_str(), "alias/orders", arn.as_str()] {
        assert_eq!(
            s(&ok(&mut v, "DescribeKey", &[("KeyId", r)])["KeyMetadata"]["KeyId"]),
            key
        );
        assert_eq!(s(&encrypt(&mut v, r, "x", "")["KeyId"]), key);
    }
    assert_eq!(
        ok(&mut v, "ListAliasesByKeyId", &[("KeyId", &key)])["TotalCount"],
        2
    );
    ok(
        &mut v,
        "UpdateAlias",
        &[("AliasName", "alias/orders"), ("KeyId", &other)],
    );
    assert_eq!(
        s(&ok(&mut v, "DescribeKey", &[("KeyId", "alias/orders")])["KeyMetadata"]["KeyId"]),
        other
    );
    assert_eq!(
        code(
            &mut v,
            "UpdateAlias",
            &[("AliasName", "alias/none"), ("KeyId", &other)]
        ),
        "Forbidden.AliasNotFound"
    );
    ok(&mut v, "DeleteAlias", &[("AliasName", "alias/orders")]);
    assert_eq!(
        code(&mut v, "DeleteAlias", &[("AliasName", "alias/orders")]),
        "Forbidden.AliasNotFound"
    );
    assert_eq!(
        code(&mut v, "DescribeKey", &[("KeyId", "alias/orders")]),
        "Forbidden.AliasNotFound"
    );
    assert_eq!(
        code(&mut v, "DescribeKey", &[("KeyId", "no-such-key")]),
        "Forbidden.KeyNotFound"
    );
    assert_eq!(
        code(
            &mut v,
            "DescribeKey",
            &[("KeyId", "acs:kms:eu-west-1:1:key/x")]
        ),
        "Forbidden.KeyNotFound"
    );
    assert_eq!(ok(&mut v, "ListAliases", &[])["TotalCount"], 1);
}

#[test]
fn listing_paging_and_filters() {
    let (mut v, _) = memory_vault();
    for _ in 0..12 {
        create_key(&mut v, "Aliyun_AES_256");
    }
    let sm4 = create_key(&mut v, "Aliyun_SM4");
    ok(&mut v, "DisableKey", &[("KeyId", &sm4)]);
    let page = ok(&mut v, "ListKeys", &[]);
    assert_eq!(page["TotalCount"], 13);
    assert_eq!(page["Keys"]["Key"].as_array().unwrap().len(), 10);
    let page2 = ok(
        &mut v,
        "ListKeys",
        &[("PageNumber", "2"), ("PageSize", "10")],
    );
    assert_eq!(page2["Keys"]["Key"].as_array().unwrap().len(), 3);
    let filtered = ok(
        &mut v,
        "ListKeys",
        &[(
            "Filters",
            r#"[{"Key":"KeySpec","Values":["Aliyun_SM4","RSA_2048"]},{"Key":"KeyState","Values":["Disabled"]}]"#,
        )],
    );
    assert_eq!(filtered["TotalCount"], 1);
    assert_eq!(filtered["Keys"]["Key"][0]["KeyId"], sm4.as_str());
    for (k, val) in [
        ("PageSize", "0"),
        ("PageSize", "101"),
        ("PageNumber", "0"),
        ("PageNumber", "x"),
        ("Filters", "[{\"Key\":\"Color\",\"Values\":[]}]"),
        ("Filters", "{"),
    ] {
        assert_eq!(
            code(&mut v, "ListKeys", &[(k, val)]),
            "InvalidParameter",
            "{k}={val}"
        );
    }
}

#[test]
fn create_key_validation_and_metadata() {
    let (mut v, _) = memory_vault();
    let doc = ok(
        &mut v,
        "CreateKey",
        &[("KeySpec", "Aliyun_SM4"), ("Description", "gm")],
    );
    let m = &doc["KeyMetadata"];
    for (field, want) in [
        ("KeySpec", "Aliyun_SM4"),
        ("KeyUsage", "ENCRYPT/DECRYPT"),
        ("KeyState", "Enabled"),
        ("Origin", "Aliyun_KMS"),
        ("ProtectionLevel", "SOFTWARE"),
        ("Description", "gm"),
        ("Creator", "admin"),
        ("CreationDate", "2026-11-01T00:00:00Z"),
        ("AutomaticRotation", "Disabled"),
        ("DeleteDate", ""),
    ] {
        assert_eq!(m[field], want, "{field}");
    }
    assert!(doc.get("Code").is_none(), "a success never has Code");
    for (k, val) in [
        ("KeySpec", "AES_999"),
        ("KeyUsage", "SIGN/VERIFY"),
        ("Origin", "BYOK"),
        ("ProtectionLevel", "HSM"),
        ("RotationInterval", "soon"),
    ] {
        assert_eq!(
            code(&mut v, "CreateKey", &[(k, val)]),
            "InvalidParameter",
            "{k}"
        );
    }
    let key = s(&m["KeyId"]);
    ok(
        &mut v,
        "UpdateKeyDescription",
        &[("KeyId", &key), ("Description", "new")],
    );
    assert_eq!(
        ok(&mut v, "DescribeKey", &[("KeyId", &key)])["KeyMetadata"]["Description"],
        "new"
    );
    assert_eq!(
        code(&mut v, "UpdateKeyDescription", &[("KeyId", &key)]),
        "MissingParameter"
    );
    let ver = s(&ok(&mut v, "DescribeKey", &[("KeyId", &key)])["KeyMetadata"]["PrimaryKeyVersion"]);
    assert_eq!(
        s(&ok(
            &mut v,
            "DescribeKeyVersion",
            &[("KeyId", &key), ("KeyVersionId", &ver)]
        )["KeyVersion"]["KeyVersionId"]),
        ver
    );
    assert_eq!(
        code(
            &mut v,
            "DescribeKeyVersion",
            &[("KeyId", &key), ("KeyVersionId", "nope")]
        ),
        "Forbidden.KeyVersionNotFound"
    );
    assert_eq!(code(&mut v, "NoSuchAction", &[]), "InvalidAction.NotFound");
}

#[test]
fn data_keys() {
    let (mut v, _) = memory_vault();
    let key = create_key(&mut v, "Aliyun_AES_128");
    let dk = ok(
        &mut v,
        "GenerateDataKey",
        &[("KeyId", &key), ("EncryptionContext", r#"{"f":"1"}"#)],
    );
    let pt = s(&dk["Plaintext"]);
    assert_eq!(STANDARD.decode(&pt).unwrap().len(), 32);
    assert_eq!(
        decrypt(&mut v, &s(&dk["CiphertextBlob"]), r#"{"f":"1"}"#),
        pt
    );
    let dk16 = ok(
        &mut v,
        "GenerateDataKey",
        &[("KeyId", &key), ("KeySpec", "AES_128")],
    );
    assert_eq!(STANDARD.decode(s(&dk16["Plaintext"])).unwrap().len(), 16);
    let dk7 = ok(
        &mut v,
        "GenerateDataKeyWithoutPlaintext",
        &[("KeyId", &key), ("NumberOfBytes", "7")],
    );
    assert!(dk7.get("Plaintext").is_none());
    assert_eq!(
        STANDARD
            .decode(decrypt(&mut v, &s(&dk7["CiphertextBlob"]), ""))
            .unwrap()
            .len(),
        7
    );
    assert_eq!(
        code(
            &mut v,
            "GenerateDataKey",
            &[("KeyId", &key), ("NumberOfBytes", "1025")]
        ),
        "InvalidParameter"
    );
    assert_eq!(
        code(
            &mut v,
            "GenerateDataKey",
            &[("KeyId", &key), ("KeySpec", "AES_512")]
        ),
        "InvalidParameter"
    );
    assert_eq!(
        code(
            &mut v,
            "Encrypt",
            &[("KeyId", &key), ("Plaintext", &"x".repeat(6145))]
        ),
        "InvalidParameter"
    );
    assert_eq!(
        code(&mut v, "Encrypt", &[("KeyId", &key)]),
        "MissingParameter"
    );
    assert_eq!(
        code(
            &mut v,
            "Encrypt",
            &[
                ("KeyId", &key),
                ("Plaintext", "x"),
                ("EncryptionContext", "[1]")
            ]
        ),
        "InvalidParameter"
    );
    assert_eq!(code(&mut v, "Decrypt", &[]), "MissingParameter");
}

#[test]
fn asymmetric_errors() {
    let (mut v, _) = memory_vault();
    let rsa = create_key(&mut v, "RSA_2048");
    let aes = create_key(&mut v, "Aliyun_AES_256");
    let ver = s(&ok(&mut v, "DescribeKey", &[("KeyId", &rsa)])["KeyMetadata"]["PrimaryKeyVersion"]);
    let base = [("KeyId", rsa.as_str()), ("KeyVersionId", ver.as_str())];
    let with = |extra: &[(&'static str, &'static str)]| -> Vec<(&str, &str)> {
        base.iter().copied().chain(extra.iter().copied()).collect()
    };
    assert_eq!(
        code(
            &mut v,
            "AsymmetricEncrypt",
            &with(&[("Algorithm", "SM2PKE"), ("Plaintext", "eA==")])
        ),
        "InvalidParameter"
    );
    assert_eq!(
        code(
            &mut v,
            "AsymmetricEncrypt",
            &with(&[
                ("Algorithm", "RSAES_OAEP_SHA_256"),
                ("Plaintext", "not base64!")
            ])
        ),
        "InvalidParameter"
    );
    let long = STANDARD.encode([1u8; 191]);
    assert_eq!(
        code(
            &mut v,
            "AsymmetricEncrypt",
            &[
                ("KeyId", &rsa),
                ("KeyVersionId", &ver),
                ("Algorithm", "RSAES_OAEP_SHA_256"),
                ("Plaintext", &long)
            ]
        ),
        "InvalidParameter"
    );
    assert_eq!(
        code(&mut v, "AsymmetricEncrypt", &with(&[("Plaintext", "eA==")])),
        "MissingParameter"
    );
    assert_eq!(
        code(
            &mut v,
            "AsymmetricDecrypt",
            &with(&[
                ("Algorithm", "RSAES_OAEP_SHA_256"),
                ("CiphertextBlob", "AAAA")
            ])
        ),
        "InvalidParameter"
    );
    assert_eq!(
        code(
            &mut v,
            "AsymmetricEncrypt",
            &[
                ("KeyId", &aes),
                ("KeyVersionId", &ver),
                ("Algorithm", "RSAES_OAEP_SHA_256"),
                ("Plaintext", "eA==")
            ]
        ),
        "IncorrectKeyUsage"
    );
    assert_eq!(
        code(&mut v, "GetPublicKey", &[("KeyId", &rsa)]),
        "MissingParameter"
    );
    // A new version of an asymmetric key (manual rotation) is primary and the old one still decrypts.
    let ct = s(&ok(
        &mut v,
        "AsymmetricEncrypt",
        &with(&[("Algorithm", "RSAES_OAEP_SHA_1"), ("Plaintext", "aGk=")]),
    )["CiphertextBlob"]);
    let v2 = ok(&mut v, "CreateKeyVersion", &[("KeyId", &rsa)]);
    assert_ne!(s(&v2["KeyVersion"]["KeyVersionId"]), ver);
    let back = ok(
        &mut v,
        "AsymmetricDecrypt",
        &[
            ("KeyId", &rsa),
            ("KeyVersionId", &ver),
            ("Algorithm", "RSAES_OAEP_SHA_1"),
            ("CiphertextBlob", &ct),
        ],
    );
    assert_eq!(s(&back["Plaintext"]), "aGk=");
}

#[test]
fn permissions_reencrypt_from_and_to() {
    let (mut v, _) = memory_vault();
    let a = create_key(&mut v, "Aliyun_AES_256");
    let b = create_key(&mut v, "Aliyun_AES_256");
    let blob = s(&encrypt(&mut v, &a, "x", "")["CiphertextBlob"]);
    let arn_a = s(&ok(&mut v, "DescribeKey", &[("KeyId", &a)])["KeyMetadata"]["Arn"]);
    let arn_b = s(&ok(&mut v, "DescribeKey", &[("KeyId", &b)])["KeyMetadata"]["Arn"]);
    let policy = |effect: &str, action: &str, resource: &str| {
        kms_console::core::policy::PolicyDocument::parse("P", &format!(r#"{{"Version":"1","Statement":[{{"Effect":"{effect}","Action":["{action}"],"Resource":["{resource}"]}}]}}"#)).unwrap()
    };
    let mk =
        |v: &mut Vault, name: &str, policies: Vec<kms_console::core::policy::PolicyDocument>| {
            v.update(
                |s, c| {
                    kms_console::core::ops::principals::create_principal(s, c, name, policies)
                        .map(|_| ())
                },
                "admin",
            )
            .unwrap();
        };
    mk(
        &mut v,
        "from-only",
        vec![policy("Allow", "kms:ReEncryptFrom", &arn_a)],
    );
    mk(
        &mut v,
        "to-only",
        vec![policy("Allow", "kms:ReEncryptTo", &arn_b)],
    );
    mk(
        &mut v,
        "both",
        vec![policy("Allow", "kms:ReEncrypt*", "acs:kms:*:*:key/*")],
    );
    mk(
        &mut v,
        "denied",
        vec![
            policy("Allow", "kms:*", "*"),
            policy("Deny", "kms:ReEncryptTo", &arn_b),
        ],
    );
    let params = [
        ("CiphertextBlob", blob.as_str()),
        ("DestinationKeyId", b.as_str()),
    ];
    for who in ["from-only", "to-only", "denied", "nobody"] {
        let e = call_as(&mut v, who, "ReEncrypt", &params).unwrap_err();
        assert_eq!(e.code, "Forbidden.NoPermission", "{who}");
        assert_eq!(e.http_status, 403);
    }
    assert!(
        call_as(&mut v, "from-only", "ReEncrypt", &params)
            .unwrap_err()
            .message
            .contains("kms:ReEncryptTo")
    );
    assert!(
        call_as(&mut v, "to-only", "ReEncrypt", &params)
            .unwrap_err()
            .message
            .contains("kms:ReEncryptFrom")
    );
    call_as(&mut v, "both", "ReEncrypt", &params).unwrap();
    assert_eq!(
        call_as(&mut v, "both", "Decrypt", &[("CiphertextBlob", &blob)])
            .unwrap_err()
            .code,
        "Forbidden.NoPermission"
    );
    // The deny only covers key b: ReEncrypt to a works.
    call_as(
        &mut v,
        "denied",
        "ReEncrypt",
        &[("CiphertextBlob", &blob), ("DestinationKeyId", &a)],
    )
    .unwrap();
    assert_eq!(
        call_as(&mut v, "both", "CreateKey", &[]).unwrap_err().code,
        "Forbidden.NoPermission"
    );
    let _ = arn_a;
}
