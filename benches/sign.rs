//! AsymmetricSign and AsymmetricVerify through the core beside the raw crate calls they contain
//! (issue 14: ≤ 1.1×, as asymmetric ReEncrypt): RSA-PSS / PKCS1 with `rsa`, ECDSA with `p256` and
//! `k256`, SM2DSA with `sm2`, on the fixture keys and one 32-byte digest.

#![allow(clippy::expect_used, clippy::panic)] // a benchmark fails loudly

use std::hint::black_box;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use criterion::{Criterion, criterion_group, criterion_main};
use ecdsa::signature::hazmat::{PrehashVerifier, RandomizedPrehashSigner};
use kms_console::api::{ApiRequest, dispatch};
use kms_console::core::clock::{FixedClock, RandomIds};
use kms_console::core::crypto::{AsymmetricKey, SignAlgorithm};
use kms_console::core::error::KmsError;
use kms_console::core::material::KeyMaterial;
use kms_console::core::ops::sign::{SignRequest, asymmetric_sign, asymmetric_verify};
use kms_console::core::spec::KeySpec;
use kms_console::core::vault::{KeySource, Sources, Vault, new_vault_state};
use rand::rngs::SysRng;
use rsa::pkcs8::DecodePrivateKey;
use sha2::{Digest, Sha256};

const RSA2048_PEM: &str = include_str!("../tests/fixtures/rsa2048.pem");
const RSA3072_PEM: &str = include_str!("../tests/fixtures/rsa3072.pem");
const SM2_PEM: &str = include_str!("../tests/fixtures/sm2.pem");
const P256_PEM: &str = include_str!("../tests/fixtures/ec_p256.pem");
const K256_PEM: &str = include_str!("../tests/fixtures/ec_p256k.pem");

struct FixtureKeys;

impl KeySource for FixtureKeys {
    fn generate(&self, spec: KeySpec) -> Result<KeyMaterial, KmsError> {
        let pem = match spec {
            KeySpec::Rsa2048 => RSA2048_PEM,
            KeySpec::Rsa3072 => RSA3072_PEM,
            KeySpec::EcSm2 => SM2_PEM,
            KeySpec::EcP256 => P256_PEM,
            KeySpec::EcP256K => K256_PEM,
            _ => return KeyMaterial::generate(spec),
        };
        AsymmetricKey::from_pkcs8_pem(pem).map(KeyMaterial::Asymmetric)
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

type SignFn = Box<dyn Fn(&[u8]) -> Vec<u8>>;
type VerifyFn = Box<dyn Fn(&[u8], &[u8]) -> bool>;

/// The raw crate calls of one spec and algorithm: sign a digest, verify a signature.
struct Raw {
    sign: SignFn,
    verify: VerifyFn,
}

fn raw(spec: &str, alg: SignAlgorithm) -> Raw {
    match spec {
        "RSA_2048" | "RSA_3072" => {
            let pem = if spec == "RSA_2048" {
                RSA2048_PEM
            } else {
                RSA3072_PEM
            };
            let key = rsa::PrivateKey::from_pkcs8_pem(pem).expect("rsa");
            let public = key.to_public_key();
            let pss = alg == SignAlgorithm::RsaPssSha256;
            Raw {
                sign: Box::new(move |d| {
                    if pss {
                        key.pss_sign_prehash_with_rng::<Sha256, _>(&mut SysRng, d)
                    } else {
                        key.pkcs1v15_sign_prehash_with_rng::<Sha256, _>(&mut SysRng, d)
                    }
                    .expect("sign")
                }),
                verify: Box::new(move |d, s| {
                    if pss {
                        public.pss_verify_prehash::<Sha256>(d, s)
                    } else {
                        public.pkcs1v15_verify_prehash::<Sha256>(d, s)
                    }
                    .is_ok()
                }),
            }
        }
        "EC_P256" => {
            let key = p256::ecdsa::SigningKey::from_pkcs8_pem(P256_PEM).expect("p256");
            let public = *key.verifying_key();
            Raw {
                sign: Box::new(move |d| {
                    let sig: p256::ecdsa::DerSignature =
                        key.sign_prehash_with_rng(&mut SysRng, d).expect("sign");
                    sig.as_bytes().to_vec()
                }),
                verify: Box::new(move |d, s| {
                    p256::ecdsa::Signature::from_der(s)
                        .is_ok_and(|sig| public.verify_prehash(d, &sig).is_ok())
                }),
            }
        }
        "EC_P256K" => {
            let key = k256::ecdsa::SigningKey::from_pkcs8_pem(K256_PEM).expect("k256");
            let public = *key.verifying_key();
            Raw {
                sign: Box::new(move |d| {
                    let sig: k256::ecdsa::DerSignature =
                        key.sign_prehash_with_rng(&mut SysRng, d).expect("sign");
                    sig.as_bytes().to_vec()
                }),
                verify: Box::new(move |d, s| {
                    k256::ecdsa::Signature::from_der(s)
                        .is_ok_and(|sig| public.verify_prehash(d, &sig).is_ok())
                }),
            }
        }
        _ => {
            let secret = sm2::SecretKey::from_pkcs8_pem(SM2_PEM).expect("sm2");
            let key = sm2::dsa::SigningKey::new("1234567812345678", &secret).expect("sm2 key");
            let public = key.verifying_key().clone();
            Raw {
                sign: Box::new(move |d| {
                    let sig: sm2::dsa::Signature =
                        key.sign_prehash_with_rng(&mut SysRng, d).expect("sign");
                    sig.to_der().to_vec()
                }),
                verify: Box::new(move |d, s| {
                    sm2::dsa::Signature::from_der(s)
                        .is_ok_and(|sig| public.verify_prehash(d, &sig).is_ok())
                }),
            }
        }
    }
}

fn sign_and_verify(c: &mut Criterion) {
    let mut v = vault();
    let digest = Sha256::digest(b"kms-console bench").to_vec();
    let digest_b64 = STANDARD.encode(&digest);
    for (spec, alg, name) in [
        ("RSA_2048", SignAlgorithm::RsaPssSha256, "sign_rsa2048_pss"),
        (
            "RSA_2048",
            SignAlgorithm::RsaPkcs1Sha256,
            "sign_rsa2048_pkcs1",
        ),
        ("RSA_3072", SignAlgorithm::RsaPssSha256, "sign_rsa3072_pss"),
        ("EC_P256", SignAlgorithm::EcdsaSha256, "sign_ec_p256"),
        ("EC_P256K", SignAlgorithm::EcdsaSha256, "sign_ec_p256k"),
        ("EC_SM2", SignAlgorithm::Sm2Dsa, "sign_ec_sm2"),
    ] {
        let created = call(
            &mut v,
            "CreateKey",
            &[("KeySpec", spec), ("KeyUsage", "SIGN/VERIFY")],
        );
        let key = text(&created["KeyMetadata"]["KeyId"]);
        let versions = call(&mut v, "ListKeyVersions", &[("KeyId", &key)]);
        let version = text(&versions["KeyVersions"]["KeyVersion"][0]["KeyVersionId"]);
        let req = SignRequest {
            key_ref: &key,
            key_version_id: &version,
            algorithm: alg,
            digest: &digest_b64,
            dry_run: false,
        };
        let ctx = v.ctx("admin");
        let signature = asymmetric_sign(v.state(), &ctx, &req).expect("sign").value;
        let raw_signature = STANDARD.decode(&signature).expect("b64");
        let raw = raw(spec, alg);
        assert!((raw.verify)(&digest, &raw_signature), "{name}: raw verify");

        let mut g = c.benchmark_group(name);
        g.sample_size(20)
            .warm_up_time(std::time::Duration::from_millis(500))
            .measurement_time(std::time::Duration::from_secs(2));
        g.bench_function("floor_raw_sign", |b| {
            b.iter(|| black_box((raw.sign)(black_box(&digest))));
        });
        g.bench_function("core_sign", |b| {
            b.iter(|| black_box(asymmetric_sign(v.state(), &ctx, &req).expect("sign")));
        });
        g.bench_function("floor_raw_verify", |b| {
            b.iter(|| black_box((raw.verify)(black_box(&digest), &raw_signature)));
        });
        g.bench_function("core_verify", |b| {
            b.iter(|| {
                let r = asymmetric_verify(v.state(), &ctx, &req, &signature).expect("verify");
                assert!(r.value);
                black_box(r)
            });
        });
        g.finish();
    }
}

criterion_group!(benches, sign_and_verify);
criterion_main!(benches);
