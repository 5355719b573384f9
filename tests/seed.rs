//! Seed files (`kms-console init --seed FILE`): a vault with fixed KeyIds, versions, material,
//! aliases, tags and principals with fixed AccessKeys, the same every run. The round trip
//! encrypts under a seeded key with the binary and decrypts outside the program (Python
//! `cryptography`) with the seed's material; weak or malformed seeds are refused naming the entry.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;

use kms_console::core::clock::FixedClock;
use kms_console::core::seed::seed_state;
use kms_console::core::vault::{Sources, Vault};
use serde_json::{Value, json};

const KEY_ID: &str = "0f6c2c1e-8a4b-4d7e-9c3a-5b1d2e3f4a5b";
const OLD_VERSION: &str = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
const PRIMARY: &str = "9e8d7c6b-5a49-4837-a625-14f3e2d1c0b9";
const SM2_KEY_ID: &str = "5d0a9b8c-7e6f-4a1b-9c2d-3e4f5a6b7c8d";
const SM2_VERSION: &str = "6e1b0c9d-8f7a-4b2c-8d3e-4f5a6b7c8d9e";
/// Base64 of bytes 0x00..0x1f (32 bytes) and of 0x20..0x3f.
const OLD_MATERIAL: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const PRIMARY_MATERIAL: &str = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";
const ACCOUNT: &str = "1234567890123456";

fn sm2_der_base64() -> String {
    common::SM2_PEM
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect()
}

fn seed() -> Value {
    json!({
        "AccountId": ACCOUNT,
        "Keys": [
            {
                "KeyId": KEY_ID,
                "Description": "orders (test material)",
                "Aliases": ["alias/orders"],
                "Tags": {"team": "payments"},
                "DeletionProtection": true,
                "Versions": [
                    {"KeyVersionId": OLD_VERSION, "Material": OLD_MATERIAL},
                    {"KeyVersionId": PRIMARY, "Material": PRIMARY_MATERIAL}
                ]
            },
            {
                "KeyId": SM2_KEY_ID,
                "KeySpec": "EC_SM2",
                "Versions": [{"KeyVersionId": SM2_VERSION, "Material": sm2_der_base64()}]
            }
        ],
        "Principals": [
            {
                "Name": "app",
                "Policies": [{
                    "Version": "1",
                    "Statement": [{
                        "Effect": "Allow",
                        "Action": ["kms:Encrypt", "kms:Decrypt"],
                        "Resource": [format!("acs:kms:cn-hangzhou:{ACCOUNT}:key/{KEY_ID}")]
                    }]
                }],
                "AccessKeys": [{
                    "AccessKeyId": "LTAItestapp0001",
                    "AccessKeySecret": "test-secret-0123456789abcdef"
                }]
            }
        ]
    })
}

fn kms(vault: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kms-console"))
        .env("KMS_CONSOLE_VAULT", vault)
        .env("HOME", vault.parent().unwrap())
        .env_remove("KMS_CONSOLE_PASSPHRASE")
        .env_remove("KMS_CONSOLE_PRINCIPAL")
        .args(args)
        .output()
        .unwrap()
}

fn ok(vault: &Path, args: &[&str]) -> Value {
    let out = kms(vault, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_seeded_vault_encrypts_with_the_seed_material() {
    let found = Command::new("python3")
        .args(["-c", "import cryptography.hazmat.primitives.ciphers.aead"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "`python3` with the `cryptography` package is missing: this test needs it"
    );
    let dir = tempfile::tempdir().unwrap();
    let (vault, seed_file) = (dir.path().join("vault.json"), dir.path().join("seed.json"));
    std::fs::write(&seed_file, seed().to_string()).unwrap();
    let seed_arg = seed_file.to_str().unwrap();
    ok(&vault, &["init", "--no-passphrase", "--seed", seed_arg]);

    let doc = ok(
        &vault,
        &[
            "Encrypt",
            "--KeyId",
            "alias/orders",
            "--Plaintext",
            "seeded hello",
            "--EncryptionContext",
            r#"{"order":"42"}"#,
        ],
    );
    assert_eq!(doc["KeyId"], KEY_ID);
    assert_eq!(doc["KeyVersionId"], PRIMARY);
    let blob = doc["CiphertextBlob"].as_str().unwrap();
    let script = r#"
import base64, sys
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
blob = base64.b64decode(sys.argv[1]); key = base64.b64decode(sys.argv[2])
sys.stdout.write(blob[:36].decode() + "|" + AESGCM(key).decrypt(blob[36:48], blob[48:], b'{"order":"42"}').decode())
"#;
    let out = Command::new("python3")
        .args(["-c", script, blob, PRIMARY_MATERIAL])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!("{PRIMARY}|seeded hello")
    );

    let meta = ok(&vault, &["DescribeKey", "--KeyId", KEY_ID]);
    let meta = &meta["KeyMetadata"];
    assert_eq!(
        meta["Arn"],
        format!("acs:kms:cn-hangzhou:{ACCOUNT}:key/{KEY_ID}")
    );
    assert_eq!(meta["DeletionProtection"], "Enabled");
    assert_eq!(meta["PrimaryKeyVersion"], PRIMARY);
    let tags = ok(&vault, &["ListResourceTags", "--KeyId", KEY_ID]);
    assert_eq!(tags["Tags"]["Tag"][0]["TagValue"], "payments");
    let public = ok(
        &vault,
        &[
            "GetPublicKey",
            "--KeyId",
            SM2_KEY_ID,
            "--KeyVersionId",
            SM2_VERSION,
        ],
    );
    assert!(
        public["PublicKey"]
            .as_str()
            .unwrap()
            .starts_with("-----BEGIN PUBLIC KEY-----")
    );

    // The fixed AccessKey pair is there for the HTTP endpoint, and `app` may only what its
    // policy says.
    let (opened, _) = Vault::open(&vault, None, Sources::default()).unwrap();
    let (who, pair) = opened.state().access_key("LTAItestapp0001").unwrap();
    assert_eq!(who.name, "app");
    assert_eq!(
        pair.access_key_secret.expose(),
        "test-secret-0123456789abcdef"
    );
    let out = kms(
        &vault,
        &[
            "--as",
            "app",
            "Encrypt",
            "--KeyId",
            SM2_KEY_ID,
            "--Plaintext",
            "x",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Forbidden.NoPermission"));
}

#[test]
fn the_same_seed_gives_the_same_vault() {
    let sources = common::sources(Arc::new(FixedClock::new(common::T0)));
    let a = seed_state(&seed().to_string(), &sources).unwrap();
    let b = seed_state(&seed().to_string(), &sources).unwrap();
    let json = |s: &kms_console::core::model::VaultState| serde_json::to_value(s).unwrap();
    assert_eq!(json(&a), json(&b));
    assert_eq!(a.key(KEY_ID).unwrap().versions.len(), 2);
    assert_eq!(a.aliases()["alias/orders"], KEY_ID);
}

/// Sets `value` at the JSON pointer `path` of the good seed and returns the refusal.
fn refusal(path: &str, value: Value) -> String {
    let mut doc = seed();
    let (parent, last) = path.rsplit_once('/').unwrap();
    match doc.pointer_mut(parent).unwrap() {
        Value::Object(map) => {
            map.insert(last.to_owned(), value);
        }
        Value::Array(items) => items[last.parse::<usize>().unwrap()] = value,
        other => panic!("{other} is no container"),
    }
    let sources = common::sources(Arc::new(FixedClock::new(common::T0)));
    match seed_state(&doc.to_string(), &sources) {
        Ok(_) => panic!("the seed with {path} changed was accepted"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn weak_or_malformed_seeds_are_refused_naming_the_entry() {
    let material = "/Keys/0/Versions/0/Material";
    let action = "/Principals/0/Policies/0/Statement/0/Action";
    let cases = [
        (
            material,
            json!("AAECAwQFBgcICQoLDA0ODw=="),
            "Keys[0].Versions[0].Material: Aliyun_AES_256 needs 32 bytes",
        ),
        (
            material,
            json!("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="),
            "Keys[0].Versions[0].Material: the material is one byte value repeated",
        ),
        (
            material,
            json!("not base64!"),
            "Keys[0].Versions[0].Material: it is not base64",
        ),
        (
            "/Keys/1/KeyId",
            json!(KEY_ID),
            "Keys[1].KeyId: 0f6c2c1e-8a4b-4d7e-9c3a-5b1d2e3f4a5b is used twice",
        ),
        (
            "/Keys/0/Versions/0/KeyVersionId",
            json!(PRIMARY),
            "Keys[0].Versions[1].KeyVersionId: 9e8d7c6b-5a49-4837-a625-14f3e2d1c0b9 is used twice",
        ),
        (
            "/Keys/0/KeyId",
            json!("orders-key"),
            "Keys[0].KeyId: \"orders-key\" is not a lower-case UUID",
        ),
        (
            "/Keys/0/KeyId",
            json!(KEY_ID.to_uppercase()),
            "Keys[0].KeyId:",
        ),
        (
            "/Keys/0/KeySpec",
            json!("AES_999"),
            "Keys[0].KeySpec: unknown KeySpec \"AES_999\"",
        ),
        (
            "/Keys/1/KeySpec",
            json!("RSA_2048"),
            "Keys[1].Versions[0].Material: the private key is not a RSA_2048 key",
        ),
        (
            action,
            json!(["kms:Nope"]),
            "Principals[0].Policies[0]: The policy document is malformed.",
        ),
        (
            "/Keys/1/Aliases",
            json!(["alias/orders"]),
            "Keys[1].Aliases[0]: alias/orders is named twice",
        ),
        (
            "/Principals/0/AccessKeys/0/AccessKeySecret",
            json!("short"),
            "Principals[0].AccessKeys[0]: AccessKeySecret needs at least 16 characters",
        ),
        (
            "/Keys/0/Material",
            json!(OLD_MATERIAL),
            "(file): not a seed document: unknown field `Material`",
        ),
        (
            "/AccountId",
            json!("123"),
            "AccountId: it must be 16 digits",
        ),
    ];
    for (path, value, expected) in cases {
        let message = refusal(path, value);
        assert!(
            message.starts_with(&format!("seed file: {expected}")),
            "{message:?} does not start with {expected:?}"
        );
        assert!(!message.contains(PRIMARY_MATERIAL) && !message.contains(OLD_MATERIAL));
    }
}

#[test]
fn init_refuses_a_bad_seed_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (vault, seed_file) = (dir.path().join("vault.json"), dir.path().join("seed.json"));
    let mut doc = seed();
    doc["Keys"][0]["Versions"][0]["Material"] =
        json!("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    std::fs::write(&seed_file, doc.to_string()).unwrap();
    let out = kms(
        &vault,
        &[
            "init",
            "--no-passphrase",
            "--seed",
            seed_file.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["Code"], "InvalidParameter");
    assert!(
        err["Message"]
            .as_str()
            .unwrap()
            .contains("Keys[0].Versions[0].Material"),
        "{err}"
    );
    assert!(!vault.exists());
}

#[test]
fn the_readme_seed_example_makes_a_vault() {
    let readme = include_str!("../README.md");
    let section = &readme[readme.find("## Seed files for tests").unwrap()..];
    let start = section.find("```json\n").unwrap() + "```json\n".len();
    let example = &section[start..start + section[start..].find("```").unwrap()];
    let sources = common::sources(Arc::new(FixedClock::new(common::T0)));
    let state = seed_state(example, &sources).unwrap();
    assert_eq!(state.aliases()["alias/orders"], KEY_ID);
    assert_eq!(state.key(KEY_ID).unwrap().primary_version_id(), PRIMARY);
    assert!(state.access_key("LTAItestapp0001").is_some());
}
