//! Interop of asymmetric encryption with the `openssl` command, both ways: OpenSSL encrypts with
//! the exported public key and we decrypt; we encrypt and `openssl pkeyutl -decrypt` with the
//! fixture's private key gets the plaintext back. Skipped with a note when `openssl` is missing.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use kms_console::core::crypto::{AsymmetricAlgorithm, AsymmetricKey};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

/// These tests exist to run the real `openssl`: without it they fail and say so, never pass.
fn require_openssl() {
    let found = Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|out| out.status.success());
    assert!(
        found,
        "`openssl` is not on PATH: the OpenSSL interop tests need it (Debian package openssl; \
         .ci/run installs it)"
    );
}

/// `-pkeyopt` settings of each algorithm (Alibaba's own openssl walkthrough for OAEP-SHA-256).
fn pkeyopts(alg: AsymmetricAlgorithm) -> Vec<&'static str> {
    let oaep = |md| {
        vec![
            "-pkeyopt",
            "rsa_padding_mode:oaep",
            "-pkeyopt",
            md,
            "-pkeyopt",
            if md.ends_with("sha256") {
                "rsa_mgf1_md:sha256"
            } else {
                "rsa_mgf1_md:sha1"
            },
        ]
    };
    match alg {
        AsymmetricAlgorithm::RsaesOaepSha256 => oaep("rsa_oaep_md:sha256"),
        AsymmetricAlgorithm::RsaesOaepSha1 => oaep("rsa_oaep_md:sha1"),
        AsymmetricAlgorithm::Sm2Pke => Vec::new(),
    }
}

fn pkeyutl(op: &str, key_args: &[&str], alg: AsymmetricAlgorithm, input: &Path, output: &Path) {
    let out = Command::new("openssl")
        .args(["pkeyutl", op])
        .args(key_args)
        .args(pkeyopts(alg))
        .arg("-in")
        .arg(input)
        .arg("-out")
        .arg(output)
        .output()
        .expect("openssl runs");
    assert!(
        out.status.success(),
        "openssl pkeyutl {op} ({alg}) failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn check_both_ways(fixture: &str, alg: AsymmetricAlgorithm, plaintext: &[u8]) {
    let key_path: PathBuf = [FIXTURES, fixture].iter().collect();
    let key = AsymmetricKey::from_pkcs8_pem(&std::fs::read_to_string(&key_path).unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let pub_pem = dir.path().join("pub.pem");
    let pt_file = dir.path().join("pt.bin");
    let ct_file = dir.path().join("ct.bin");
    let back_file = dir.path().join("back.bin");
    std::fs::write(&pub_pem, key.public_key_pem().unwrap()).unwrap();
    std::fs::write(&pt_file, plaintext).unwrap();

    // OpenSSL encrypts with our exported public key; we decrypt.
    let pub_args = ["-pubin", "-inkey", pub_pem.to_str().unwrap()];
    pkeyutl("-encrypt", &pub_args, alg, &pt_file, &ct_file);
    let ct = std::fs::read(&ct_file).unwrap();
    let ours = key
        .decrypt(alg, &ct)
        .unwrap_or_else(|e| panic!("{fixture} {alg}: {e}"));
    assert_eq!(ours.expose(), plaintext, "{fixture} {alg}: OpenSSL → us");

    // We encrypt; OpenSSL decrypts with the fixture's private key.
    let ct = key.encrypt(alg, plaintext).unwrap();
    std::fs::write(&ct_file, &ct).unwrap();
    let priv_args = ["-inkey", key_path.to_str().unwrap()];
    pkeyutl("-decrypt", &priv_args, alg, &ct_file, &back_file);
    assert_eq!(
        std::fs::read(&back_file).unwrap(),
        plaintext,
        "{fixture} {alg}: us → OpenSSL"
    );
}

#[test]
fn rsa_oaep_interoperates_with_openssl() {
    require_openssl();
    for fixture in ["rsa2048.pem", "rsa3072.pem"] {
        for alg in [
            AsymmetricAlgorithm::RsaesOaepSha256,
            AsymmetricAlgorithm::RsaesOaepSha1,
        ] {
            check_both_ways(fixture, alg, b"a 32-byte data key, for example!");
            check_both_ways(fixture, alg, &[0xa5; 190]);
        }
    }
}

#[test]
fn sm2_pke_interoperates_with_openssl() {
    require_openssl();
    check_both_ways(
        "sm2.pem",
        AsymmetricAlgorithm::Sm2Pke,
        b"a 32-byte data key, for example!",
    );
    check_both_ways("sm2.pem", AsymmetricAlgorithm::Sm2Pke, &[0x5a; 1000]);
    check_both_ways("sm2.pem", AsymmetricAlgorithm::Sm2Pke, b"x");
}

mod common;

/// Through the API: `openssl pkeyutl` encrypts with the public key that GetPublicKey exports,
/// ReEncrypt moves it to a symmetric key, Decrypt gives back the base64 of what openssl
/// encrypted; and what AsymmetricEncrypt makes, openssl decrypts with the private key.
#[test]
fn openssl_ciphertext_re_encrypts_and_decrypts_through_the_api() {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    require_openssl();
    let (mut v, _) = common::memory_vault();
    let dest = common::create_key(&mut v, "Aliyun_SM4");
    let dir = tempfile::tempdir().unwrap();
    for (spec, fixture, alg) in [
        (
            "RSA_2048",
            "rsa2048.pem",
            AsymmetricAlgorithm::RsaesOaepSha256,
        ),
        (
            "RSA_2048",
            "rsa2048.pem",
            AsymmetricAlgorithm::RsaesOaepSha1,
        ),
        (
            "RSA_3072",
            "rsa3072.pem",
            AsymmetricAlgorithm::RsaesOaepSha256,
        ),
        ("EC_SM2", "sm2.pem", AsymmetricAlgorithm::Sm2Pke),
    ] {
        let key = common::create_key(&mut v, spec);
        let ver = common::s(
            &common::ok(&mut v, "DescribeKey", &[("KeyId", &key)])["KeyMetadata"]["PrimaryKeyVersion"],
        );
        let pem = common::s(
            &common::ok(
                &mut v,
                "GetPublicKey",
                &[("KeyId", &key), ("KeyVersionId", &ver)],
            )["PublicKey"],
        );
        let (pub_pem, pt, ct) = (
            dir.path().join("pub.pem"),
            dir.path().join("pt"),
            dir.path().join("ct"),
        );
        std::fs::write(&pub_pem, pem).unwrap();
        let secret = format!("data key for {spec} {alg}");
        std::fs::write(&pt, &secret).unwrap();
        pkeyutl(
            "-encrypt",
            &["-pubin", "-inkey", pub_pem.to_str().unwrap()],
            alg,
            &pt,
            &ct,
        );
        let blob = STANDARD.encode(std::fs::read(&ct).unwrap());
        let re = common::ok(
            &mut v,
            "ReEncrypt",
            &[
                ("CiphertextBlob", &blob),
                ("DestinationKeyId", &dest),
                ("SourceKeyId", &key),
                ("SourceKeyVersionId", &ver),
                ("SourceEncryptionAlgorithm", alg.as_str()),
            ],
        );
        let back = common::ok(
            &mut v,
            "Decrypt",
            &[("CiphertextBlob", &common::s(&re["CiphertextBlob"]))],
        );
        assert_eq!(
            STANDARD.decode(common::s(&back["Plaintext"])).unwrap(),
            secret.as_bytes(),
            "{spec} {alg}"
        );

        let ours = common::ok(
            &mut v,
            "AsymmetricEncrypt",
            &[
                ("KeyId", &key),
                ("KeyVersionId", &ver),
                ("Algorithm", alg.as_str()),
                ("Plaintext", &STANDARD.encode(&secret)),
            ],
        );
        std::fs::write(
            &ct,
            STANDARD.decode(common::s(&ours["CiphertextBlob"])).unwrap(),
        )
        .unwrap();
        let key_path: PathBuf = [FIXTURES, fixture].iter().collect();
        let back_file = dir.path().join("back");
        pkeyutl(
            "-decrypt",
            &["-inkey", key_path.to_str().unwrap()],
            alg,
            &ct,
            &back_file,
        );
        assert_eq!(
            std::fs::read(&back_file).unwrap(),
            secret.as_bytes(),
            "{spec} {alg}: us → OpenSSL"
        );
    }
}
