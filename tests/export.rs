//! Data-key export end to end (issue 14, `spec/alibaba-kms.md` §11.2): ExportDataKey and
//! GenerateAndExportDataKey wrap the data key under a public key the caller gives
//! (RSAES_OAEP_SHA_256, RSAES_OAEP_SHA_1, SM2PKE), and `openssl pkeyutl -decrypt` with the
//! fixture private key gets back exactly the bytes of the data key; then every refusal.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::{call, call_as, create_key, memory_vault, ok, s};
use kms_console::core::vault::Vault;
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

/// These tests exist to run the real `openssl`: without it they fail and say so, never pass.
fn require_openssl() {
    let found = Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|out| out.status.success());
    assert!(
        found,
        "`openssl` is not on PATH: the export interop tests need it (Debian package openssl)"
    );
}

fn fixture(name: &str) -> PathBuf {
    [FIXTURES, name].iter().collect()
}

/// `PublicKeyBlob` of a fixture: Base64 of its DER SubjectPublicKeyInfo, as openssl writes it.
fn public_key_blob(name: &str) -> String {
    let out = Command::new("openssl")
        .args(["pkey", "-in"])
        .arg(fixture(name))
        .args(["-pubout", "-outform", "DER"])
        .output()
        .unwrap();
    assert!(out.status.success());
    STANDARD.encode(out.stdout)
}

/// Decrypts `ExportedDataKey` with `openssl pkeyutl -decrypt` and the fixture private key.
fn openssl_unwrap(dir: &Path, name: &str, algorithm: &str, exported: &str) -> Vec<u8> {
    let input = dir.join("exported.bin");
    let output = dir.join("data-key.bin");
    std::fs::write(&input, STANDARD.decode(exported).unwrap()).unwrap();
    let opts: &[&str] = match algorithm {
        "RSAES_OAEP_SHA_256" => &[
            "-pkeyopt",
            "rsa_padding_mode:oaep",
            "-pkeyopt",
            "rsa_oaep_md:sha256",
            "-pkeyopt",
            "rsa_mgf1_md:sha256",
        ],
        "RSAES_OAEP_SHA_1" => &[
            "-pkeyopt",
            "rsa_padding_mode:oaep",
            "-pkeyopt",
            "rsa_oaep_md:sha1",
            "-pkeyopt",
            "rsa_mgf1_md:sha1",
        ],
        _ => &[],
    };
    let out = Command::new("openssl")
        .args(["pkeyutl", "-decrypt", "-inkey"])
        .arg(fixture(name))
        .args(opts)
        .arg("-in")
        .arg(&input)
        .arg("-out")
        .arg(&output)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openssl pkeyutl -decrypt ({algorithm}): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read(output).unwrap()
}

const TARGETS: &[(&str, &str, &str)] = &[
    ("rsa2048.pem", "RSA_2048", "RSAES_OAEP_SHA_256"),
    ("rsa2048.pem", "RSA_2048", "RSAES_OAEP_SHA_1"),
    ("sm2.pem", "EC_SM2", "SM2PKE"),
];

#[test]
fn exported_data_keys_decrypt_with_openssl_to_the_data_key() {
    require_openssl();
    let (mut vault, _) = memory_vault();
    let key = create_key(&mut vault, "Aliyun_AES_256");
    let dir = tempfile::tempdir().unwrap();
    let context = r#"{"app":"export"}"#;
    for (name, spec, algorithm) in TARGETS {
        let blob = public_key_blob(name);
        // ExportDataKey of a GenerateDataKey blob: the same bytes as its Plaintext.
        let made = ok(
            &mut vault,
            "GenerateDataKey",
            &[("KeyId", &key), ("EncryptionContext", context)],
        );
        let exported = ok(
            &mut vault,
            "ExportDataKey",
            &[
                ("CiphertextBlob", &s(&made["CiphertextBlob"])),
                ("EncryptionContext", context),
                ("PublicKeyBlob", &blob),
                ("WrappingAlgorithm", algorithm),
                ("WrappingKeySpec", spec),
            ],
        );
        assert_eq!(exported["KeyId"], made["KeyId"]);
        assert_eq!(exported["KeyVersionId"], made["KeyVersionId"]);
        let data_key = STANDARD.decode(s(&made["Plaintext"])).unwrap();
        assert_eq!(data_key.len(), 32);
        let unwrapped = openssl_unwrap(
            dir.path(),
            name,
            algorithm,
            &s(&exported["ExportedDataKey"]),
        );
        assert_eq!(unwrapped, data_key, "ExportDataKey {algorithm}");

        // GenerateAndExportDataKey: no plaintext; its blob decrypts to the exported key.
        let both = ok(
            &mut vault,
            "GenerateAndExportDataKey",
            &[
                ("KeyId", &key),
                ("NumberOfBytes", "24"),
                ("PublicKeyBlob", &blob),
                ("WrappingAlgorithm", algorithm),
                ("WrappingKeySpec", spec),
            ],
        );
        assert!(both.get("Plaintext").is_none(), "{both}");
        assert_eq!(s(&both["KeyId"]), key);
        let unwrapped = openssl_unwrap(dir.path(), name, algorithm, &s(&both["ExportedDataKey"]));
        assert_eq!(unwrapped.len(), 24);
        let decrypted = ok(
            &mut vault,
            "Decrypt",
            &[("CiphertextBlob", &s(&both["CiphertextBlob"]))],
        );
        assert_eq!(
            STANDARD.decode(s(&decrypted["Plaintext"])).unwrap(),
            unwrapped,
            "GenerateAndExportDataKey {algorithm}"
        );
    }
}

fn error(
    result: Result<kms_console::api::ApiResponse, kms_console::api::ApiError>,
) -> (String, String) {
    let e = result.unwrap_err();
    (e.code, e.message)
}

#[test]
fn export_refuses_mismatched_or_malformed_public_keys_and_wrong_keys() {
    require_openssl();
    let (mut vault, _) = memory_vault();
    let key = create_key(&mut vault, "Aliyun_AES_256");
    let made = ok(&mut vault, "GenerateDataKey", &[("KeyId", &key)]);
    let data_blob = s(&made["CiphertextBlob"]);
    let rsa = public_key_blob("rsa2048.pem");
    let rsa3072 = public_key_blob("rsa3072.pem");
    let sm2 = public_key_blob("sm2.pem");
    let p256 = public_key_blob("ec_p256.pem");
    let pem = std::fs::read_to_string(fixture("rsa2048.pem")).unwrap();
    let export = |vault: &mut Vault, blob: &str, alg: &str, spec: &str| {
        error(call(
            vault,
            "ExportDataKey",
            &[
                ("CiphertextBlob", &data_blob),
                ("PublicKeyBlob", blob),
                ("WrappingAlgorithm", alg),
                ("WrappingKeySpec", spec),
            ],
        ))
    };
    for (blob, alg, spec, param) in [
        (&rsa, "SM2PKE", "RSA_2048", "WrappingAlgorithm"),
        (&sm2, "RSAES_OAEP_SHA_256", "EC_SM2", "WrappingAlgorithm"),
        (&sm2, "RSAES_OAEP_SHA_256", "RSA_2048", "PublicKeyBlob"),
        (&rsa, "SM2PKE", "EC_SM2", "PublicKeyBlob"),
        (&rsa3072, "RSAES_OAEP_SHA_256", "RSA_2048", "PublicKeyBlob"),
        (&p256, "SM2PKE", "EC_SM2", "PublicKeyBlob"),
        (&pem, "RSAES_OAEP_SHA_256", "RSA_2048", "PublicKeyBlob"),
        (&rsa, "RSAES_PKCS1_V1_5", "RSA_2048", "WrappingAlgorithm"),
        (&rsa, "RSAES_OAEP_SHA_256", "RSA_3072", "WrappingKeySpec"),
    ] {
        let (code, message) = export(&mut vault, blob, alg, spec);
        assert_eq!(code, "InvalidParameter", "{alg} {spec}: {message}");
        assert!(message.contains(param), "{param}: {message}");
    }
    // Missing parameters.
    let (code, _) = error(call(
        &mut vault,
        "ExportDataKey",
        &[
            ("CiphertextBlob", &data_blob),
            ("WrappingAlgorithm", "SM2PKE"),
            ("WrappingKeySpec", "EC_SM2"),
        ],
    ));
    assert_eq!(code, "MissingParameter");
    // The wrong context does not open the blob; a blob of Encrypt is not a data key.
    let (code, _) = error(call(
        &mut vault,
        "ExportDataKey",
        &[
            ("CiphertextBlob", &data_blob),
            ("EncryptionContext", r#"{"a":"b"}"#),
            ("PublicKeyBlob", &rsa),
            ("WrappingAlgorithm", "RSAES_OAEP_SHA_256"),
            ("WrappingKeySpec", "RSA_2048"),
        ],
    ));
    assert_eq!(code, "InvalidParameter");
    let text = ok(
        &mut vault,
        "Encrypt",
        &[("KeyId", &key), ("Plaintext", "not base64!")],
    );
    let (code, message) = error(call(
        &mut vault,
        "ExportDataKey",
        &[
            ("CiphertextBlob", &s(&text["CiphertextBlob"])),
            ("PublicKeyBlob", &rsa),
            ("WrappingAlgorithm", "RSAES_OAEP_SHA_256"),
            ("WrappingKeySpec", "RSA_2048"),
        ],
    ));
    assert_eq!(code, "InvalidParameter");
    assert!(message.contains("CiphertextBlob"), "{message}");
    // GenerateAndExportDataKey needs a symmetric key, Enabled.
    let asym = create_key(&mut vault, "RSA_2048");
    let generate = |vault: &mut Vault, key: &str| {
        error(call(
            vault,
            "GenerateAndExportDataKey",
            &[
                ("KeyId", key),
                ("PublicKeyBlob", &rsa),
                ("WrappingAlgorithm", "RSAES_OAEP_SHA_256"),
                ("WrappingKeySpec", "RSA_2048"),
            ],
        ))
    };
    assert_eq!(generate(&mut vault, &asym).0, "IncorrectKeyUsage");
    ok(&mut vault, "DisableKey", &[("KeyId", &key)]);
    assert_eq!(generate(&mut vault, &key).0, "Rejected.Disabled");
    assert_eq!(
        export(&mut vault, &rsa, "RSAES_OAEP_SHA_256", "RSA_2048").0,
        "Rejected.Disabled"
    );
}

#[test]
fn export_needs_its_own_permission() {
    require_openssl();
    let (mut vault, _) = memory_vault();
    let key = create_key(&mut vault, "Aliyun_AES_256");
    let made = ok(&mut vault, "GenerateDataKey", &[("KeyId", &key)]);
    let doc = kms_console::core::policy::PolicyDocument::parse(
        "P",
        r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":["kms:GenerateDataKey","kms:Decrypt"],"Resource":["*"]}]}"#,
    )
    .unwrap();
    vault
        .update(
            |s, c| {
                kms_console::core::ops::principals::create_principal(s, c, "app", vec![doc])
                    .map(|_| ())
            },
            "admin",
        )
        .unwrap();
    let rsa = public_key_blob("rsa2048.pem");
    let params = [
        ("CiphertextBlob", s(&made["CiphertextBlob"])),
        ("PublicKeyBlob", rsa.clone()),
        ("WrappingAlgorithm", "RSAES_OAEP_SHA_256".to_owned()),
        ("WrappingKeySpec", "RSA_2048".to_owned()),
        ("KeyId", key.clone()),
    ];
    let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    for action in ["ExportDataKey", "GenerateAndExportDataKey"] {
        let e = call_as(&mut vault, "app", action, &params).unwrap_err();
        assert_eq!(e.code, "Forbidden.NoPermission", "{action}");
        assert!(
            e.message.contains(&format!("kms:{action}")),
            "{}",
            e.message
        );
    }
    let _: Value = ok(&mut vault, "ExportDataKey", &params);
}
