//! Key import (Origin EXTERNAL, `spec/alibaba-kms.md` §11.3) through the API: material wrapped by
//! `openssl pkeyutl` with GetParametersForImport's public key imports, and a blob made under it
//! opens in Python `cryptography` with the known material; then every refusal (PendingImport,
//! wrong and expired tokens, other material, expired material, rotation of EXTERNAL keys).
//! Needs `openssl` and `python3` with `cryptography`: without them the interop test fails and
//! names what is missing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::fmt::Write as _;
use std::process::Command;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::{RSA2048_PEM, T0, call, code, memory_vault, ok, s};
use kms_console::core::crypto::{AsymmetricAlgorithm, AsymmetricKey};
use kms_console::core::ops::maintenance::MaintenanceEvent;
use kms_console::core::vault::Vault;

const MATERIAL: [u8; 32] = [
    0x3b, 0x81, 0x4e, 0x22, 0x9c, 0x07, 0xd5, 0x6a, 0x11, 0xf0, 0x4c, 0x98, 0x2e, 0x73, 0xab, 0x05,
    0xc4, 0x5d, 0x19, 0x8e, 0x60, 0xb2, 0x37, 0xfa, 0x0d, 0x94, 0x21, 0x6f, 0xe8, 0x53, 0x7c, 0xa1,
];

fn external_key(vault: &mut Vault) -> String {
    let doc = ok(vault, "CreateKey", &[("Origin", "EXTERNAL")]);
    s(&doc["KeyMetadata"]["KeyId"])
}

/// GetParametersForImport; returns (ImportToken, PublicKey base64 DER).
fn parameters(vault: &mut Vault, key: &str, alg: &str) -> (String, String) {
    let doc = ok(
        vault,
        "GetParametersForImport",
        &[
            ("KeyId", key),
            ("WrappingAlgorithm", alg),
            ("WrappingKeySpec", "RSA_2048"),
        ],
    );
    assert_eq!(s(&doc["KeyId"]), key);
    (s(&doc["ImportToken"]), s(&doc["PublicKey"]))
}

/// Wraps with the fixture key (what the test key source hands out as the wrapping key).
fn wrap(material: &[u8]) -> String {
    let key = AsymmetricKey::from_pkcs8_pem(RSA2048_PEM).unwrap();
    STANDARD.encode(
        key.encrypt(AsymmetricAlgorithm::RsaesOaepSha256, material)
            .unwrap(),
    )
}

fn import(vault: &mut Vault, key: &str, token: &str, wrapped: &str) -> Result<(), String> {
    call(
        vault,
        "ImportKeyMaterial",
        &[
            ("KeyId", key),
            ("ImportToken", token),
            ("EncryptedKeyMaterial", wrapped),
        ],
    )
    .map(|_| ())
    .map_err(|e| e.code)
}

fn require(tool: &str, args: &[&str], what: &str) {
    let found = Command::new(tool)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(found, "{what} is missing: this interop test needs it");
}

#[test]
fn material_wrapped_by_openssl_imports_and_its_blobs_open_in_python() {
    require("openssl", &["version"], "`openssl`");
    require(
        "python3",
        &["-c", "import cryptography.hazmat.primitives.ciphers.aead"],
        "`python3` with the `cryptography` package",
    );
    for (alg, md) in [
        ("RSAES_OAEP_SHA_256", "sha256"),
        ("RSAES_OAEP_SHA_1", "sha1"),
    ] {
        let (mut vault, _) = memory_vault();
        let key = external_key(&mut vault);
        let (token, public_key) = parameters(&mut vault, &key, alg);
        let dir = tempfile::tempdir().unwrap();
        let (pub_der, mat, wrapped) = (
            dir.path().join("pub.der"),
            dir.path().join("mat.bin"),
            dir.path().join("wrapped.bin"),
        );
        std::fs::write(&pub_der, STANDARD.decode(&public_key).unwrap()).unwrap();
        std::fs::write(&mat, MATERIAL).unwrap();
        let out = Command::new("openssl")
            .args(["pkeyutl", "-encrypt", "-pubin", "-keyform", "DER", "-inkey"])
            .arg(&pub_der)
            .args(["-pkeyopt", "rsa_padding_mode:oaep"])
            .args(["-pkeyopt", &format!("rsa_oaep_md:{md}")])
            .args(["-pkeyopt", &format!("rsa_mgf1_md:{md}")])
            .arg("-in")
            .arg(&mat)
            .arg("-out")
            .arg(&wrapped)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let wrapped = STANDARD.encode(std::fs::read(&wrapped).unwrap());
        import(&mut vault, &key, &token, &wrapped).unwrap();
        let meta = ok(&mut vault, "DescribeKey", &[("KeyId", &key)]);
        assert_eq!(s(&meta["KeyMetadata"]["KeyState"]), "Enabled");
        assert_eq!(s(&meta["KeyMetadata"]["Origin"]), "EXTERNAL");

        let plaintext = "the quick brown fox";
        let doc = ok(
            &mut vault,
            "Encrypt",
            &[
                ("KeyId", &key),
                ("Plaintext", plaintext),
                ("EncryptionContext", r#"{"app":"orders","env":"test"}"#),
            ],
        );
        let blob = s(&doc["CiphertextBlob"]);
        let script = r#"
import base64, sys
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
blob = base64.b64decode(sys.argv[1]); key = bytes.fromhex(sys.argv[2])
version, iv, rest = blob[:36], blob[36:48], blob[48:]
aad = b'{"app":"orders","env":"test"}'
sys.stdout.write(version.decode() + "\n" + AESGCM(key).decrypt(iv, rest, aad).decode())
"#;
        let hex = MATERIAL.iter().fold(String::new(), |mut h, b| {
            write!(h, "{b:02x}").unwrap();
            h
        });
        let out = Command::new("python3")
            .args(["-c", script, &blob, &hex])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        assert_eq!(
            text,
            format!("{}\n{plaintext}", s(&doc["KeyVersionId"])),
            "{alg}"
        );
    }
}

#[test]
fn a_pending_import_key_refuses_use_and_reports_itself() {
    let (mut vault, _) = memory_vault();
    let key = external_key(&mut vault);
    let meta = ok(&mut vault, "DescribeKey", &[("KeyId", &key)]);
    assert_eq!(s(&meta["KeyMetadata"]["KeyState"]), "PendingImport");
    assert_eq!(s(&meta["KeyMetadata"]["Origin"]), "EXTERNAL");
    assert_eq!(s(&meta["KeyMetadata"]["PrimaryKeyVersion"]), "");
    let enc = [("KeyId", key.as_str()), ("Plaintext", "x")];
    assert_eq!(code(&mut vault, "Encrypt", &enc), "Rejected.PendingImport");
    assert_eq!(
        code(&mut vault, "GenerateDataKey", &[("KeyId", &key)]),
        "Rejected.PendingImport"
    );
    assert_eq!(
        code(&mut vault, "EnableKey", &[("KeyId", &key)]),
        "Rejected.StateModifiedFailed"
    );
    let versions = ok(&mut vault, "ListKeyVersions", &[("KeyId", &key)]);
    assert_eq!(versions["TotalCount"], 0);
}

#[test]
fn only_symmetric_specs_are_external_and_external_keys_never_rotate() {
    let (mut vault, _) = memory_vault();
    let rsa = [("Origin", "EXTERNAL"), ("KeySpec", "RSA_2048")];
    assert_eq!(code(&mut vault, "CreateKey", &rsa), "InvalidParameter");
    let rotating = [
        ("Origin", "EXTERNAL"),
        ("EnableAutomaticRotation", "true"),
        ("RotationInterval", "30d"),
    ];
    assert_eq!(
        code(&mut vault, "CreateKey", &rotating),
        "Unsupported.Origin"
    );
    let sm4 = ok(
        &mut vault,
        "CreateKey",
        &[("Origin", "EXTERNAL"), ("KeySpec", "Aliyun_SM4")],
    );
    assert_eq!(s(&sm4["KeyMetadata"]["KeySpec"]), "Aliyun_SM4");
    assert_eq!(
        code(&mut vault, "CreateKey", &[("Origin", "Somewhere")]),
        "InvalidParameter"
    );

    let key = external_key(&mut vault);
    let (token, _) = parameters(&mut vault, &key, "RSAES_OAEP_SHA_256");
    import(&mut vault, &key, &token, &wrap(&MATERIAL)).unwrap();
    assert_eq!(
        code(&mut vault, "CreateKeyVersion", &[("KeyId", &key)]),
        "Unsupported.Origin"
    );
    let policy = [
        ("KeyId", key.as_str()),
        ("EnableAutomaticRotation", "true"),
        ("RotationInterval", "30d"),
    ];
    assert_eq!(
        code(&mut vault, "UpdateRotationPolicy", &policy),
        "Unsupported.Origin"
    );

    let native = common::create_key(&mut vault, "Aliyun_AES_256");
    let params = [
        ("KeyId", native.as_str()),
        ("WrappingAlgorithm", "RSAES_OAEP_SHA_256"),
        ("WrappingKeySpec", "RSA_2048"),
    ];
    assert_eq!(
        code(&mut vault, "GetParametersForImport", &params),
        "Unsupported.Origin"
    );
    assert_eq!(
        code(&mut vault, "DeleteKeyMaterial", &[("KeyId", &native)]),
        "Unsupported.Origin"
    );
    let mismatched = [
        ("KeyId", key.as_str()),
        ("WrappingAlgorithm", "SM2PKE"),
        ("WrappingKeySpec", "RSA_2048"),
    ];
    assert_eq!(
        code(&mut vault, "GetParametersForImport", &mismatched),
        "InvalidParameter"
    );
}

#[test]
fn tokens_are_checked_wrong_expired_or_of_another_key() {
    let (mut vault, clock) = memory_vault();
    let key = external_key(&mut vault);
    let other = external_key(&mut vault);
    let (token, _) = parameters(&mut vault, &key, "RSAES_OAEP_SHA_256");
    let (other_token, _) = parameters(&mut vault, &other, "RSAES_OAEP_SHA_256");
    let wrapped = wrap(&MATERIAL);
    assert_eq!(
        import(&mut vault, &key, "not-a-token", &wrapped),
        Err("InvalidImportToken".into())
    );
    assert_eq!(
        import(&mut vault, &key, &other_token, &wrapped),
        Err("InvalidImportToken".into())
    );
    clock.advance(86_400);
    assert_eq!(
        import(&mut vault, &key, &token, &wrapped),
        Err("ExpiredImportToken".into())
    );
    let (fresh, _) = parameters(&mut vault, &key, "RSAES_OAEP_SHA_256");
    import(&mut vault, &key, &fresh, &wrapped).unwrap();
    assert_eq!(T0 + 86_400, clock_now(&vault));
}

fn clock_now(vault: &Vault) -> i64 {
    vault.sources().clock.now()
}

#[test]
fn only_the_same_material_of_the_right_length_reimports() {
    let (mut vault, _) = memory_vault();
    let key = external_key(&mut vault);
    let (token, _) = parameters(&mut vault, &key, "RSAES_OAEP_SHA_256");
    assert_eq!(
        import(&mut vault, &key, &token, &wrap(&MATERIAL[..16])),
        Err("InvalidKeyMaterial".into())
    );
    assert_eq!(
        import(&mut vault, &key, &token, &STANDARD.encode([7u8; 256])),
        Err("InvalidKeyMaterial".into())
    );
    import(&mut vault, &key, &token, &wrap(&MATERIAL)).unwrap();
    let blob = s(&ok(
        &mut vault,
        "Encrypt",
        &[("KeyId", &key), ("Plaintext", "kept")],
    )["CiphertextBlob"]);

    let mut other = MATERIAL;
    other[0] ^= 1;
    assert_eq!(
        import(&mut vault, &key, &token, &wrap(&other)),
        Err("InvalidKeyMaterial".into())
    );
    ok(&mut vault, "DeleteKeyMaterial", &[("KeyId", &key)]);
    let meta = ok(&mut vault, "DescribeKey", &[("KeyId", &key)]);
    assert_eq!(s(&meta["KeyMetadata"]["KeyState"]), "PendingImport");
    assert_eq!(
        code(
            &mut vault,
            "Encrypt",
            &[("KeyId", &key), ("Plaintext", "x")]
        ),
        "Rejected.PendingImport"
    );
    assert_eq!(
        code(&mut vault, "Decrypt", &[("CiphertextBlob", &blob)]),
        "Rejected.PendingImport"
    );
    assert_eq!(
        import(&mut vault, &key, &token, &wrap(&other)),
        Err("InvalidKeyMaterial".into())
    );
    // The same material brings back the same version: the old blob opens again.
    import(&mut vault, &key, &token, &wrap(&MATERIAL)).unwrap();
    let back = ok(&mut vault, "Decrypt", &[("CiphertextBlob", &blob)]);
    assert_eq!(s(&back["Plaintext"]), "kept");
}

#[test]
fn material_expires_by_the_injected_clock_through_maintenance() {
    let (mut vault, clock) = memory_vault();
    let key = external_key(&mut vault);
    let (token, _) = parameters(&mut vault, &key, "RSAES_OAEP_SHA_256");
    let wrapped = wrap(&MATERIAL);
    let past = (T0 - 1).to_string();
    let in_past = [
        ("KeyId", key.as_str()),
        ("ImportToken", token.as_str()),
        ("EncryptedKeyMaterial", wrapped.as_str()),
        ("KeyMaterialExpireUnix", past.as_str()),
    ];
    assert_eq!(
        code(&mut vault, "ImportKeyMaterial", &in_past),
        "InvalidParameter"
    );
    let expire = (T0 + 3_600).to_string();
    let params = [
        ("KeyId", key.as_str()),
        ("ImportToken", token.as_str()),
        ("EncryptedKeyMaterial", wrapped.as_str()),
        ("KeyMaterialExpireUnix", expire.as_str()),
    ];
    ok(&mut vault, "ImportKeyMaterial", &params);
    let meta = ok(&mut vault, "DescribeKey", &[("KeyId", &key)]);
    assert_eq!(
        s(&meta["KeyMetadata"]["MaterialExpireTime"]),
        "2026-11-01T01:00:00Z"
    );
    ok(
        &mut vault,
        "Encrypt",
        &[("KeyId", &key), ("Plaintext", "x")],
    );

    clock.advance(3_599);
    assert!(vault.maintain().unwrap().is_empty());
    clock.advance(1);
    assert_eq!(
        vault.maintain().unwrap(),
        vec![MaintenanceEvent::MaterialExpired {
            key_id: key.clone()
        }]
    );
    assert_eq!(
        code(
            &mut vault,
            "Encrypt",
            &[("KeyId", &key), ("Plaintext", "x")]
        ),
        "Rejected.PendingImport"
    );
    let meta = ok(&mut vault, "DescribeKey", &[("KeyId", &key)]);
    assert_eq!(s(&meta["KeyMetadata"]["KeyState"]), "PendingImport");
    assert_eq!(s(&meta["KeyMetadata"]["MaterialExpireTime"]), "");
}

#[test]
fn a_pending_deletion_key_refuses_import_and_keeps_its_state_when_material_goes() {
    let (mut vault, _) = memory_vault();
    let key = external_key(&mut vault);
    let (token, _) = parameters(&mut vault, &key, "RSAES_OAEP_SHA_256");
    import(&mut vault, &key, &token, &wrap(&MATERIAL)).unwrap();
    ok(
        &mut vault,
        "ScheduleKeyDeletion",
        &[("KeyId", &key), ("PendingWindowInDays", "7")],
    );
    ok(&mut vault, "DeleteKeyMaterial", &[("KeyId", &key)]);
    let meta = ok(&mut vault, "DescribeKey", &[("KeyId", &key)]);
    assert_eq!(s(&meta["KeyMetadata"]["KeyState"]), "PendingDeletion");
    assert_eq!(
        import(&mut vault, &key, &token, &wrap(&MATERIAL)),
        Err("Rejected.StateModifiedFailed".into())
    );
    ok(&mut vault, "CancelKeyDeletion", &[("KeyId", &key)]);
    let meta = ok(&mut vault, "DescribeKey", &[("KeyId", &key)]);
    assert_eq!(s(&meta["KeyMetadata"]["KeyState"]), "PendingImport");
}

/// A file vault (so the audit log is written) with the fixture keys and a fixed clock.
fn file_vault(
    dir: &std::path::Path,
) -> (Vault, std::sync::Arc<kms_console::core::clock::FixedClock>) {
    use kms_console::core::vault::new_vault_state;
    use kms_console::core::vault_file::NewProtection;
    let clock = std::sync::Arc::new(kms_console::core::clock::FixedClock::new(T0));
    let sources = common::sources(clock.clone());
    let state = new_vault_state(&sources).unwrap();
    let vault =
        Vault::create(&dir.join("vault.json"), state, NewProtection::None, sources).unwrap();
    (vault, clock)
}

fn audit_lines(dir: &std::path::Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(dir.join("vault.json.audit.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn sm2_wrapping_imports_and_every_step_is_audited_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let (mut vault, clock) = file_vault(dir.path());
    let key = external_key(&mut vault);
    let doc = ok(
        &mut vault,
        "GetParametersForImport",
        &[
            ("KeyId", &key),
            ("WrappingAlgorithm", "SM2PKE"),
            ("WrappingKeySpec", "EC_SM2"),
        ],
    );
    // The test key source hands out the SM2 fixture as the wrapping key.
    let sm2 = AsymmetricKey::from_pkcs8_pem(common::SM2_PEM).unwrap();
    let wrapped = STANDARD.encode(sm2.encrypt(AsymmetricAlgorithm::Sm2Pke, &MATERIAL).unwrap());
    assert_eq!(
        import(&mut vault, &key, "forged", &wrapped),
        Err("InvalidImportToken".into())
    );
    let expire = (T0 + 60).to_string();
    ok(
        &mut vault,
        "ImportKeyMaterial",
        &[
            ("KeyId", &key),
            ("ImportToken", &s(&doc["ImportToken"])),
            ("EncryptedKeyMaterial", &wrapped),
            ("KeyMaterialExpireUnix", &expire),
        ],
    );
    let version =
        s(&ok(&mut vault, "DescribeKey", &[("KeyId", &key)])["KeyMetadata"]["PrimaryKeyVersion"]);
    ok(
        &mut vault,
        "SetDeletionProtection",
        &[("KeyId", &key), ("EnableDeletionProtection", "true")],
    );
    ok(
        &mut vault,
        "TagResource",
        &[
            ("KeyId", &key),
            ("Tags", r#"[{"TagKey":"k","TagValue":"v"}]"#),
        ],
    );
    clock.advance(60);
    vault.maintain().unwrap();

    let lines = audit_lines(dir.path());
    let find = |action: &str, result: &str| {
        lines
            .iter()
            .find(|l| l["action"] == action && l["result"] == result)
            .unwrap_or_else(|| panic!("no {action} {result} line in {lines:?}"))
    };
    for (action, result) in [
        ("CreateKey", "Success"),
        ("GetParametersForImport", "Success"),
        ("ImportKeyMaterial", "InvalidImportToken"),
        ("ImportKeyMaterial", "Success"),
        ("SetDeletionProtection", "Success"),
        ("TagResource", "Success"),
        ("DeleteKeyMaterial", "Success"),
    ] {
        assert_eq!(
            find(action, result)["key_id"],
            key.as_str(),
            "{action} {result}"
        );
    }
    assert_eq!(
        find("ImportKeyMaterial", "Success")["key_version_id"],
        version.as_str()
    );
    assert_eq!(find("DeleteKeyMaterial", "Success")["principal"], "system");
    let text = std::fs::read_to_string(dir.path().join("vault.json.audit.jsonl")).unwrap();
    assert!(!text.contains(&wrapped) && !text.contains(&s(&doc["ImportToken"])));
}

/// The binary end to end: `openssl pkeyutl` wraps with an SM2 wrapping key (SM2 keys are made in
/// microseconds, so the binary's own key source is fine here) and the key then encrypts.
#[test]
fn the_command_line_imports_material_wrapped_by_openssl_sm2() {
    require("openssl", &["version"], "`openssl`");
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_kms-console"))
            .env("KMS_CONSOLE_VAULT", dir.path().join("vault.json"))
            .env("HOME", dir.path())
            .env_remove("KMS_CONSOLE_PASSPHRASE")
            .env_remove("KMS_CONSOLE_PRINCIPAL")
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    run(&["init", "--no-passphrase"]);
    let key = s(&run(&["CreateKey", "--Origin", "EXTERNAL"])["KeyMetadata"]["KeyId"]);
    let params = run(&[
        "GetParametersForImport",
        "--KeyId",
        &key,
        "--WrappingAlgorithm",
        "SM2PKE",
        "--WrappingKeySpec",
        "EC_SM2",
    ]);
    let (pub_der, mat, wrapped) = (
        dir.path().join("pub.der"),
        dir.path().join("mat.bin"),
        dir.path().join("wrapped.bin"),
    );
    std::fs::write(&pub_der, STANDARD.decode(s(&params["PublicKey"])).unwrap()).unwrap();
    std::fs::write(&mat, MATERIAL).unwrap();
    let out = Command::new("openssl")
        .args(["pkeyutl", "-encrypt", "-pubin", "-keyform", "DER", "-inkey"])
        .arg(&pub_der)
        .arg("-in")
        .arg(&mat)
        .arg("-out")
        .arg(&wrapped)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let wrapped = STANDARD.encode(std::fs::read(&wrapped).unwrap());
    run(&[
        "ImportKeyMaterial",
        "--KeyId",
        &key,
        "--ImportToken",
        &s(&params["ImportToken"]),
        "--EncryptedKeyMaterial",
        &wrapped,
    ]);
    let meta = run(&["DescribeKey", "--KeyId", &key]);
    assert_eq!(s(&meta["KeyMetadata"]["KeyState"]), "Enabled");
    let blob = run(&["Encrypt", "--KeyId", &key, "--Plaintext", "hi"]);
    let back = run(&["Decrypt", "--CiphertextBlob", &s(&blob["CiphertextBlob"])]);
    assert_eq!(s(&back["Plaintext"]), "hi");
}
