//! Signing keys end to end (issue 14, `spec/alibaba-kms.md` §11.1): CreateKey SIGN/VERIFY for
//! every signing spec, AsymmetricSign / AsymmetricVerify against the real `openssl` both ways
//! (our signatures verify with the commands of §11.1, and signatures openssl makes with the
//! fixture private keys verify here), GetPublicKey PEM for every asymmetric spec, the usage,
//! algorithm and digest errors, and the audit line naming the key. The vault's key source hands
//! out the fixture keys, so a key created here has known material.
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
use common::{call, code, memory_vault, ok, s};
use kms_console::core::vault::Vault;
use serde_json::Value;
use sha2::{Digest, Sha256};
use sm3::Sm3;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
const MESSAGE: &[u8] = b"kms-console signs what the caller hashed\n";
/// The SM2 user ID of Alibaba's SDK and of the `distid` option below.
const SM2_ID: &[u8] = b"1234567812345678";

/// These tests exist to run the real `openssl`: without it they fail and say so, never pass.
fn require_openssl() {
    let found = Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|out| out.status.success());
    assert!(
        found,
        "`openssl` is not on PATH: the signing interop tests need it (Debian package openssl)"
    );
}

fn openssl(args: &[&str]) -> std::process::Output {
    Command::new("openssl")
        .args(args)
        .output()
        .expect("openssl runs")
}

fn openssl_ok(args: &[&str]) {
    let out = openssl(args);
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A signing key of `spec` and its one version.
fn signing_key(vault: &mut Vault, spec: &str) -> (String, String) {
    let doc = ok(
        vault,
        "CreateKey",
        &[("KeySpec", spec), ("KeyUsage", "SIGN/VERIFY")],
    );
    assert_eq!(doc["KeyMetadata"]["KeyUsage"], "SIGN/VERIFY");
    let key = s(&doc["KeyMetadata"]["KeyId"]);
    let versions = ok(vault, "ListKeyVersions", &[("KeyId", &key)]);
    let version = s(&versions["KeyVersions"]["KeyVersion"][0]["KeyVersionId"]);
    (key, version)
}

fn p(dir: &Path, name: &str) -> PathBuf {
    dir.join(name)
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// SM3 of `data`.
fn sm3(data: &[u8]) -> Vec<u8> {
    Sm3::digest(data).to_vec()
}

/// e = SM3(Z_A ‖ M) with Z_A = SM3(ENTL ‖ ID ‖ a ‖ b ‖ x_G ‖ y_G ‖ x_A ‖ y_A), as Alibaba's SDK
/// computes it (§11.1, GB/T 32918.2); the public point comes from the PEM through openssl.
fn sm2_e(pub_pem: &Path, message: &[u8]) -> Vec<u8> {
    let out = openssl(&["pkey", "-pubin", "-in", path(pub_pem), "-outform", "DER"]);
    assert!(out.status.success());
    let der = out.stdout;
    // The SPKI ends with the BIT STRING of the uncompressed point 04 ‖ x ‖ y.
    let point = &der[der.len() - 65..];
    assert_eq!(point[0], 4, "uncompressed point");
    let hex = |h: &str| {
        (0..h.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
            .collect::<Vec<u8>>()
    };
    let mut z_input = Vec::new();
    z_input.extend_from_slice(&u16::try_from(SM2_ID.len() * 8).unwrap().to_be_bytes());
    z_input.extend_from_slice(SM2_ID);
    for constant in [
        "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC", // a
        "28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93", // b
        "32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7", // x_G
        "BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0", // y_G
    ] {
        z_input.extend_from_slice(&hex(constant));
    }
    z_input.extend_from_slice(&point[1..]);
    let mut e_input = sm3(&z_input);
    e_input.extend_from_slice(message);
    sm3(&e_input)
}

struct Case {
    spec: &'static str,
    fixture: &'static str,
    algorithm: &'static str,
}

const CASES: &[Case] = &[
    Case {
        spec: "RSA_2048",
        fixture: "rsa2048.pem",
        algorithm: "RSA_PSS_SHA_256",
    },
    Case {
        spec: "RSA_2048",
        fixture: "rsa2048.pem",
        algorithm: "RSA_PKCS1_SHA_256",
    },
    Case {
        spec: "RSA_3072",
        fixture: "rsa3072.pem",
        algorithm: "RSA_PSS_SHA_256",
    },
    Case {
        spec: "RSA_3072",
        fixture: "rsa3072.pem",
        algorithm: "RSA_PKCS1_SHA_256",
    },
    Case {
        spec: "EC_P256",
        fixture: "ec_p256.pem",
        algorithm: "ECDSA_SHA_256",
    },
    Case {
        spec: "EC_P256K",
        fixture: "ec_p256k.pem",
        algorithm: "ECDSA_SHA_256",
    },
    Case {
        spec: "EC_SM2",
        fixture: "sm2.pem",
        algorithm: "SM2DSA",
    },
];

/// `-pkeyopt` of `pkeyutl` for an algorithm, on a precomputed digest (§11.1 commands).
fn pkeyopts(algorithm: &str) -> Vec<&'static str> {
    match algorithm {
        "RSA_PSS_SHA_256" => vec![
            "-pkeyopt",
            "digest:sha256",
            "-pkeyopt",
            "rsa_padding_mode:pss",
            "-pkeyopt",
            "rsa_pss_saltlen:32",
        ],
        "RSA_PKCS1_SHA_256" => vec!["-pkeyopt", "digest:sha256"],
        _ => vec![],
    }
}

/// Checks our signature of `digest` with openssl: on the digest with `pkeyutl`, and on the
/// message with `dgst` (RSA-PSS with salt length auto, SM2 with the distid).
fn openssl_verifies(case: &Case, dir: &Path, digest_file: &Path, sig_file: &Path) {
    let pub_pem = p(dir, "pub.pem");
    let msg = p(dir, "msg");
    let mut args = vec![
        "pkeyutl",
        "-verify",
        "-pubin",
        "-inkey",
        path(&pub_pem),
        "-in",
        path(digest_file),
        "-sigfile",
        path(sig_file),
    ];
    args.extend(pkeyopts(case.algorithm));
    openssl_ok(&args);
    let on_message: Vec<&str> = match case.algorithm {
        "RSA_PSS_SHA_256" => vec![
            "dgst",
            "-sha256",
            "-verify",
            path(&pub_pem),
            "-sigopt",
            "rsa_padding_mode:pss",
            "-sigopt",
            "rsa_pss_saltlen:-1",
        ],
        "SM2DSA" => vec![
            "dgst",
            "-sm3",
            "-verify",
            path(&pub_pem),
            "-sigopt",
            "distid:1234567812345678",
        ],
        _ => vec!["dgst", "-sha256", "-verify", path(&pub_pem)],
    };
    let mut args = on_message;
    args.extend(["-signature", path(sig_file), path(&msg)]);
    openssl_ok(&args);
}

/// openssl signs with the fixture private key: on the digest, except SM2, which it signs on
/// the message with the distid (computing Z_A itself).
fn openssl_signs(case: &Case, dir: &Path, digest_file: &Path) -> Vec<u8> {
    let key: PathBuf = [FIXTURES, case.fixture].iter().collect();
    let sig = p(dir, "openssl.sig");
    if case.algorithm == "SM2DSA" {
        openssl_ok(&[
            "dgst",
            "-sm3",
            "-sign",
            path(&key),
            "-sigopt",
            "distid:1234567812345678",
            "-out",
            path(&sig),
            path(&p(dir, "msg")),
        ]);
    } else {
        let mut args = vec![
            "pkeyutl",
            "-sign",
            "-inkey",
            path(&key),
            "-in",
            path(digest_file),
            "-out",
            path(&sig),
        ];
        args.extend(pkeyopts(case.algorithm));
        openssl_ok(&args);
    }
    std::fs::read(&sig).unwrap()
}

fn verify(
    vault: &mut Vault,
    key: &str,
    version: &str,
    alg: &str,
    digest: &[u8],
    sig: &[u8],
) -> Value {
    let (digest, sig) = (STANDARD.encode(digest), STANDARD.encode(sig));
    let doc = ok(
        vault,
        "AsymmetricVerify",
        &[
            ("KeyId", key),
            ("KeyVersionId", version),
            ("Algorithm", alg),
            ("Digest", &digest),
            ("Value", &sig),
        ],
    );
    doc["Value"].clone()
}

#[test]
fn signatures_verify_with_openssl_and_openssl_signatures_verify_here_for_every_algorithm() {
    require_openssl();
    let (mut vault, _) = memory_vault();
    for case in CASES {
        let dir = tempfile::tempdir().unwrap();
        let (key, version) = signing_key(&mut vault, case.spec);
        let pem = ok(
            &mut vault,
            "GetPublicKey",
            &[("KeyId", &key), ("KeyVersionId", &version)],
        );
        std::fs::write(p(dir.path(), "pub.pem"), s(&pem["PublicKey"])).unwrap();
        std::fs::write(p(dir.path(), "msg"), MESSAGE).unwrap();
        let digest = if case.algorithm == "SM2DSA" {
            sm2_e(&p(dir.path(), "pub.pem"), MESSAGE)
        } else {
            Sha256::digest(MESSAGE).to_vec()
        };
        let digest_file = p(dir.path(), "digest.bin");
        std::fs::write(&digest_file, &digest).unwrap();

        let signed = ok(
            &mut vault,
            "AsymmetricSign",
            &[
                ("KeyId", &key),
                ("KeyVersionId", &version),
                ("Algorithm", case.algorithm),
                ("Digest", &STANDARD.encode(&digest)),
            ],
        );
        assert_eq!(
            (s(&signed["KeyId"]), s(&signed["KeyVersionId"])),
            (key.clone(), version.clone())
        );
        let sig = STANDARD.decode(s(&signed["Value"])).unwrap();
        match case.spec {
            "RSA_2048" => assert_eq!(sig.len(), 256),
            "RSA_3072" => assert_eq!(sig.len(), 384),
            _ => assert_eq!(sig[0], 0x30, "{}: DER SEQUENCE", case.spec),
        }
        let sig_file = p(dir.path(), "ours.sig");
        std::fs::write(&sig_file, &sig).unwrap();
        openssl_verifies(case, dir.path(), &digest_file, &sig_file);
        assert_eq!(
            verify(&mut vault, &key, &version, case.algorithm, &digest, &sig),
            true
        );

        let theirs = openssl_signs(case, dir.path(), &digest_file);
        assert_eq!(
            verify(&mut vault, &key, &version, case.algorithm, &digest, &theirs),
            true,
            "{} {}: openssl's signature",
            case.spec,
            case.algorithm
        );
        let mut other = digest.clone();
        other[0] ^= 1;
        assert_eq!(
            verify(&mut vault, &key, &version, case.algorithm, &other, &theirs),
            false,
            "{} {}: another digest",
            case.spec,
            case.algorithm
        );
        assert_eq!(
            verify(
                &mut vault,
                &key,
                &version,
                case.algorithm,
                &digest,
                b"not a signature"
            ),
            false
        );
    }
}

#[test]
fn get_public_key_gives_the_fixture_public_key_as_pem_for_every_asymmetric_spec() {
    require_openssl();
    let (mut vault, _) = memory_vault();
    for (spec, usage, fixture) in [
        ("RSA_2048", "ENCRYPT/DECRYPT", "rsa2048.pem"),
        ("RSA_3072", "SIGN/VERIFY", "rsa3072.pem"),
        ("EC_SM2", "ENCRYPT/DECRYPT", "sm2.pem"),
        ("EC_SM2", "SIGN/VERIFY", "sm2.pem"),
        ("EC_P256", "SIGN/VERIFY", "ec_p256.pem"),
        ("EC_P256K", "SIGN/VERIFY", "ec_p256k.pem"),
    ] {
        let doc = ok(
            &mut vault,
            "CreateKey",
            &[("KeySpec", spec), ("KeyUsage", usage)],
        );
        let key = s(&doc["KeyMetadata"]["KeyId"]);
        let versions = ok(&mut vault, "ListKeyVersions", &[("KeyId", &key)]);
        let version = s(&versions["KeyVersions"]["KeyVersion"][0]["KeyVersionId"]);
        let pem = ok(
            &mut vault,
            "GetPublicKey",
            &[("KeyId", &key), ("KeyVersionId", &version)],
        );
        let fixture: PathBuf = [FIXTURES, fixture].iter().collect();
        let out = openssl(&["pkey", "-in", path(&fixture), "-pubout"]);
        assert!(out.status.success());
        assert_eq!(
            s(&pem["PublicKey"]),
            String::from_utf8(out.stdout).unwrap(),
            "{spec} {usage}"
        );
    }
}

#[test]
fn create_key_checks_the_usage_against_the_spec_and_defaults_by_spec() {
    let (mut vault, _) = memory_vault();
    let usage = |vault: &mut Vault, spec: &str| {
        let doc = ok(vault, "CreateKey", &[("KeySpec", spec)]);
        s(&doc["KeyMetadata"]["KeyUsage"])
    };
    assert_eq!(usage(&mut vault, "EC_P256"), "SIGN/VERIFY");
    assert_eq!(usage(&mut vault, "EC_P256K"), "SIGN/VERIFY");
    assert_eq!(usage(&mut vault, "RSA_2048"), "ENCRYPT/DECRYPT");
    assert_eq!(usage(&mut vault, "EC_SM2"), "ENCRYPT/DECRYPT");
    for (spec, key_usage) in [
        ("Aliyun_AES_256", "SIGN/VERIFY"),
        ("Aliyun_SM4", "SIGN/VERIFY"),
        ("EC_P256", "ENCRYPT/DECRYPT"),
        ("EC_P256K", "ENCRYPT/DECRYPT"),
        ("RSA_2048", "SIGN"),
    ] {
        let err = call(
            &mut vault,
            "CreateKey",
            &[("KeySpec", spec), ("KeyUsage", key_usage)],
        )
        .unwrap_err();
        assert_eq!(err.code, "InvalidParameter", "{spec} {key_usage}");
        assert!(err.message.contains("KeyUsage"), "{}", err.message);
    }
}

#[test]
fn sign_and_verify_refuse_wrong_usage_wrong_algorithm_and_bad_digests() {
    let (mut vault, _) = memory_vault();
    let (ec, ec_version) = signing_key(&mut vault, "EC_P256");
    let (rsa, rsa_version) = signing_key(&mut vault, "RSA_2048");
    let (sm2, sm2_version) = signing_key(&mut vault, "EC_SM2");
    let digest = STANDARD.encode([7u8; 32]);
    let sign = |vault: &mut Vault, key: &str, version: &str, alg: &str, digest: &str| {
        call(
            vault,
            "AsymmetricSign",
            &[
                ("KeyId", key),
                ("KeyVersionId", version),
                ("Algorithm", alg),
                ("Digest", digest),
            ],
        )
        .map(|r| r.document())
        .map_err(|e| (e.code, e.message))
    };
    let invalid = |r: Result<Value, (String, String)>, param: &str| {
        let (code, message) = r.unwrap_err();
        assert_eq!(code, "InvalidParameter", "{message}");
        assert!(message.contains(param), "{param}: {message}");
    };
    // Wrong usage: an ENCRYPT/DECRYPT RSA key, a symmetric key.
    let enc = common::create_key(&mut vault, "RSA_2048");
    let plain_version = s(
        &ok(&mut vault, "ListKeyVersions", &[("KeyId", &enc)])["KeyVersions"]["KeyVersion"][0]["KeyVersionId"],
    );
    invalid(
        sign(&mut vault, &enc, &plain_version, "RSA_PSS_SHA_256", &digest),
        "KeyId",
    );
    let aes = common::create_key(&mut vault, "Aliyun_AES_256");
    invalid(
        sign(&mut vault, &aes, &plain_version, "RSA_PSS_SHA_256", &digest),
        "KeyId",
    );
    // Wrong algorithm for the spec, and an unknown one.
    invalid(
        sign(&mut vault, &ec, &ec_version, "RSA_PSS_SHA_256", &digest),
        "Algorithm",
    );
    invalid(
        sign(&mut vault, &rsa, &rsa_version, "ECDSA_SHA_256", &digest),
        "Algorithm",
    );
    invalid(
        sign(&mut vault, &sm2, &sm2_version, "ECDSA_SHA_256", &digest),
        "Algorithm",
    );
    invalid(
        sign(&mut vault, &ec, &ec_version, "SM2DSA", &digest),
        "Algorithm",
    );
    invalid(
        sign(&mut vault, &ec, &ec_version, "ECDSA_SHA_384", &digest),
        "Algorithm",
    );
    // Bad digests: too short, too long, not Base64.
    for bad in [
        STANDARD.encode([1u8; 31]),
        STANDARD.encode([1u8; 48]),
        "%%".to_owned(),
    ] {
        invalid(
            sign(&mut vault, &ec, &ec_version, "ECDSA_SHA_256", &bad),
            "Digest",
        );
        invalid(
            sign(&mut vault, &rsa, &rsa_version, "RSA_PKCS1_SHA_256", &bad),
            "Digest",
        );
    }
    // A version of another key, a missing Digest, a Value that is not Base64.
    assert_eq!(
        sign(&mut vault, &ec, &rsa_version, "ECDSA_SHA_256", &digest)
            .unwrap_err()
            .0,
        "Forbidden.KeyVersionNotFound"
    );
    assert_eq!(
        code(
            &mut vault,
            "AsymmetricSign",
            &[
                ("KeyId", &ec),
                ("KeyVersionId", &ec_version),
                ("Algorithm", "ECDSA_SHA_256")
            ]
        ),
        "MissingParameter"
    );
    let verify_bad_value = call(
        &mut vault,
        "AsymmetricVerify",
        &[
            ("KeyId", &ec),
            ("KeyVersionId", &ec_version),
            ("Algorithm", "ECDSA_SHA_256"),
            ("Digest", &digest),
            ("Value", "%%"),
        ],
    );
    assert_eq!(verify_bad_value.unwrap_err().code, "InvalidParameter");
    // A signing key neither encrypts nor decrypts.
    assert_eq!(
        code(
            &mut vault,
            "AsymmetricEncrypt",
            &[
                ("KeyId", &rsa),
                ("KeyVersionId", &rsa_version),
                ("Algorithm", "RSAES_OAEP_SHA_256"),
                ("Plaintext", "aGk="),
            ]
        ),
        "IncorrectKeyUsage"
    );
    // State: a Disabled key does not sign; DryRun stops a good request.
    ok(&mut vault, "DisableKey", &[("KeyId", &ec)]);
    assert_eq!(
        sign(&mut vault, &ec, &ec_version, "ECDSA_SHA_256", &digest)
            .unwrap_err()
            .0,
        "Rejected.Disabled"
    );
    let dry = call(
        &mut vault,
        "AsymmetricSign",
        &[
            ("KeyId", &rsa),
            ("KeyVersionId", &rsa_version),
            ("Algorithm", "RSA_PSS_SHA_256"),
            ("Digest", &digest),
            ("DryRun", "true"),
        ],
    );
    assert_eq!(dry.unwrap_err().code, "DryRunOperationError");
}

/// The binary end to end: CLI help lists the new parameters, and the audit line of a signature
/// names the resolved key and version.
#[test]
fn the_cli_signs_and_the_audit_line_names_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("vault.json");
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_kms-console"))
            .args(args)
            .env("KMS_CONSOLE_VAULT", &vault)
            .env("HOME", dir.path())
            .env_remove("KMS_CONSOLE_PASSPHRASE")
            .env_remove("KMS_CONSOLE_PRINCIPAL")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let help = run(&["AsymmetricSign", "--help"]);
    for word in ["--Digest", "--Algorithm", "ECDSA_SHA_256", "SM2DSA"] {
        assert!(help.contains(word), "{word} in {help}");
    }
    run(&["init", "--no-passphrase"]);
    let created: Value =
        serde_json::from_str(&run(&["CreateKey", "--KeySpec", "EC_P256"])).unwrap();
    let key = s(&created["KeyMetadata"]["KeyId"]);
    run(&[
        "CreateAlias",
        "--AliasName",
        "alias/signer",
        "--KeyId",
        &key,
    ]);
    let versions: Value =
        serde_json::from_str(&run(&["ListKeyVersions", "--KeyId", &key])).unwrap();
    let version = s(&versions["KeyVersions"]["KeyVersion"][0]["KeyVersionId"]);
    let digest = STANDARD.encode(Sha256::digest(MESSAGE));
    let signed: Value = serde_json::from_str(&run(&[
        "AsymmetricSign",
        "--KeyId",
        "alias/signer",
        "--KeyVersionId",
        &version,
        "--Algorithm",
        "ECDSA_SHA_256",
        "--Digest",
        &digest,
    ]))
    .unwrap();
    let log = std::fs::read_to_string(dir.path().join("vault.json.audit.jsonl")).unwrap();
    let line: Value = log
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .rfind(|l| l["action"] == "AsymmetricSign")
        .unwrap();
    assert_eq!(
        (
            s(&line["key_id"]),
            s(&line["key_version_id"]),
            s(&line["key_ref"])
        ),
        (key, version, "alias/signer".to_owned())
    );
    assert!(
        !log.contains(&s(&signed["Value"])),
        "the signature is not logged"
    );
}
