//! ReEncrypt beside its floors (product §14): symmetric through the core (≤ 1.5× the floor) and
//! through `api::dispatch` (≤ 3×); asymmetric through the core (≤ 1.1× the raw RSA-OAEP / SM2
//! decryption it contains). The floors use the same crates and the same sizes.

#![allow(clippy::expect_used, clippy::panic, clippy::too_many_lines)] // a benchmark fails loudly

use std::hint::black_box;
use std::sync::Arc;

use aes_gcm::aead::inout::InOutBuf;
use aes_gcm::aead::{Nonce, Tag};
use aes_gcm::{AeadInOut, Aes256Gcm, KeyInit};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use criterion::{Criterion, criterion_group, criterion_main};
use kms_console::api::{ApiRequest, dispatch};
use kms_console::core::clock::{FixedClock, RandomIds};
use kms_console::core::context::EncryptionContext;
use kms_console::core::crypto::{AsymmetricAlgorithm, AsymmetricKey};
use kms_console::core::error::KmsError;
use kms_console::core::material::KeyMaterial;
use kms_console::core::ops::reencrypt::{ReEncryptRequest, re_encrypt};
use kms_console::core::spec::KeySpec;
use kms_console::core::vault::{KeySource, Sources, Vault, new_vault_state};
use rand::TryRng;
use rand::rngs::SysRng;
use rsa::pkcs8::DecodePrivateKey;
use sha2::Sha256;

const RSA2048_PEM: &str = include_str!("../tests/fixtures/rsa2048.pem");
const SM2_PEM: &str = include_str!("../tests/fixtures/sm2.pem");
const PAYLOAD: &str = "0123456789abcdef0123456789abcdef"; // 32 bytes

struct FixtureKeys;

impl KeySource for FixtureKeys {
    fn generate(&self, spec: KeySpec) -> Result<KeyMaterial, KmsError> {
        match spec {
            KeySpec::Rsa2048 => {
                AsymmetricKey::from_pkcs8_pem(RSA2048_PEM).map(KeyMaterial::Asymmetric)
            }
            KeySpec::EcSm2 => AsymmetricKey::from_pkcs8_pem(SM2_PEM).map(KeyMaterial::Asymmetric),
            _ => KeyMaterial::generate(spec),
        }
    }
}

fn call(vault: &mut Vault, action: &str, params: &[(&str, &str)]) -> serde_json::Value {
    let mut req = ApiRequest::new(action);
    for (k, v) in params {
        req.set(k, *v);
    }
    match dispatch(vault, "admin", &req) {
        Ok(r) => r.document(),
        Err(e) => panic!("{action}: {}", e.message),
    }
}

fn text(v: &serde_json::Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

fn vault() -> Vault {
    let sources = Sources {
        clock: Arc::new(FixedClock::new(1_793_491_200)),
        ids: Arc::new(RandomIds),
        keys: Arc::new(FixtureKeys),
    };
    let state = new_vault_state(&sources).expect("state");
    Vault::in_memory(state, sources)
}

/// The floor: AES-256-GCM key setup + open of 32 bytes, key setup + seal of 32 bytes, with and
/// without drawing the fresh 12-byte IV from the OS random source that every seal needs.
fn symmetric_floor(c: &mut Criterion) {
    let key_a = [7u8; 32];
    let key_b = [9u8; 32];
    let iv = [1u8; 12];
    let cipher = Aes256Gcm::new_from_slice(&key_a).expect("key");
    let mut sealed = vec![0u8; 32];
    let nonce = Nonce::<Aes256Gcm>::try_from(&iv[..]).expect("nonce");
    let tag = cipher
        .encrypt_inout_detached(
            &nonce,
            b"",
            InOutBuf::new(PAYLOAD.as_bytes(), &mut sealed).expect("buf"),
        )
        .expect("seal");
    let round = |fresh_iv: bool| {
        let a = Aes256Gcm::new_from_slice(black_box(&key_a)).expect("key");
        let mut plain = vec![0u8; 32];
        let tag = Tag::<Aes256Gcm>::try_from(&tag[..]).expect("tag");
        a.decrypt_inout_detached(
            &nonce,
            b"",
            InOutBuf::new(&sealed, &mut plain).expect("buf"),
            &tag,
        )
        .expect("open");
        let b = Aes256Gcm::new_from_slice(black_box(&key_b)).expect("key");
        let mut out = vec![0u8; 36 + 12 + 32 + 16];
        let mut iv2 = [0u8; 12];
        if fresh_iv {
            SysRng.try_fill_bytes(&mut iv2).expect("rng");
        }
        let n2 = Nonce::<Aes256Gcm>::try_from(&iv2[..]).expect("nonce");
        let (_, rest) = out.split_at_mut(48);
        let (ct, t) = rest.split_at_mut(32);
        let tag2 = b
            .encrypt_inout_detached(&n2, b"", InOutBuf::new(&plain, ct).expect("buf"))
            .expect("seal");
        t.copy_from_slice(&tag2);
        out
    };
    let mut g = c.benchmark_group("symmetric_re_encrypt_32B");
    g.bench_function("floor_aes_gcm_open_seal", |b| {
        b.iter(|| black_box(round(false)));
    });
    g.bench_function("floor_aes_gcm_open_seal_os_iv", |b| {
        b.iter(|| black_box(round(true)));
    });

    let mut v = vault();
    let key = text(&call(&mut v, "CreateKey", &[])["KeyMetadata"]["KeyId"]);
    let blob = text(
        &call(
            &mut v,
            "Encrypt",
            &[("KeyId", &key), ("Plaintext", PAYLOAD)],
        )["CiphertextBlob"],
    );
    let empty = EncryptionContext::empty();
    let req = ReEncryptRequest {
        ciphertext_blob: &blob,
        destination_key_id: &key,
        source_key_id: None,
        source_key_version_id: None,
        source_encryption_algorithm: None,
        source_encryption_context: &empty,
        destination_encryption_context: &empty,
        dry_run: false,
    };
    g.bench_function("core_re_encrypt", |b| {
        b.iter(|| black_box(re_encrypt(v.state(), &v.ctx("admin"), &req).expect("re-encrypt")));
    });
    let api_req = ApiRequest::new("ReEncrypt")
        .with("CiphertextBlob", blob.clone())
        .with("DestinationKeyId", key.clone());
    g.bench_function("api_dispatch_re_encrypt", |b| {
        b.iter(|| {
            black_box(
                dispatch(&mut v, "admin", &api_req)
                    .expect("dispatch")
                    .render(kms_console::api::Format::Json),
            )
        });
    });
    g.finish();
}

/// Asymmetric ReEncrypt beside the raw decryption it contains.
fn asymmetric(c: &mut Criterion) {
    let mut v = vault();
    let dest = text(&call(&mut v, "CreateKey", &[])["KeyMetadata"]["KeyId"]);
    let plaintext = STANDARD.encode(PAYLOAD);
    let rsa_raw = rsa::PrivateKey::from_pkcs8_pem(RSA2048_PEM).expect("rsa");
    let sm2_raw = sm2::SecretKey::from_pkcs8_pem(SM2_PEM).expect("sm2");
    for (spec, alg, name) in [
        (
            "RSA_2048",
            AsymmetricAlgorithm::RsaesOaepSha256,
            "rsa2048_oaep_sha256",
        ),
        ("EC_SM2", AsymmetricAlgorithm::Sm2Pke, "sm2pke"),
    ] {
        let key = text(&call(&mut v, "CreateKey", &[("KeySpec", spec)])["KeyMetadata"]["KeyId"]);
        let ver = text(
            &call(&mut v, "DescribeKey", &[("KeyId", &key)])["KeyMetadata"]["PrimaryKeyVersion"],
        );
        let ct = text(
            &call(
                &mut v,
                "AsymmetricEncrypt",
                &[
                    ("KeyId", &key),
                    ("KeyVersionId", &ver),
                    ("Algorithm", alg.as_str()),
                    ("Plaintext", &plaintext),
                ],
            )["CiphertextBlob"],
        );
        let raw_ct = STANDARD.decode(&ct).expect("b64");
        let mut g = c.benchmark_group(name);
        g.sample_size(30);
        if spec == "RSA_2048" {
            g.bench_function("floor_raw_decrypt", |b| {
                b.iter(|| black_box(rsa_raw.oaep_decrypt::<Sha256>(&raw_ct).expect("decrypt")));
            });
        } else {
            let dk = sm2::pke::DecryptingKey::new(sm2_raw.clone());
            g.bench_function("floor_raw_decrypt", |b| {
                b.iter(|| black_box(dk.decrypt_der(&raw_ct).expect("decrypt")));
            });
        }
        let empty = EncryptionContext::empty();
        let req = ReEncryptRequest {
            ciphertext_blob: &ct,
            destination_key_id: &dest,
            source_key_id: Some(&key),
            source_key_version_id: Some(&ver),
            source_encryption_algorithm: Some(alg),
            source_encryption_context: &empty,
            destination_encryption_context: &empty,
            dry_run: false,
        };
        g.bench_function("core_re_encrypt", |b| {
            b.iter(|| black_box(re_encrypt(v.state(), &v.ctx("admin"), &req).expect("re-encrypt")));
        });
        g.finish();
    }
}

criterion_group!(benches, symmetric_floor, asymmetric);
criterion_main!(benches);
