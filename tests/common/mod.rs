//! Shared test helpers: an in-memory vault with a fixed clock, fixture RSA and EC keys (never
//! generated in tests), and a one-line way to call an action.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::missing_panics_doc
)]

use std::sync::Arc;

use kms_console::api::{ApiError, ApiRequest, ApiResponse, dispatch};
use kms_console::core::clock::{FixedClock, RandomIds};
use kms_console::core::crypto::AsymmetricKey;
use kms_console::core::error::KmsError;
use kms_console::core::material::KeyMaterial;
use kms_console::core::spec::KeySpec;
use kms_console::core::vault::{KeySource, Sources, Vault, new_vault_state};

pub const RSA2048_PEM: &str = include_str!("../fixtures/rsa2048.pem");
pub const RSA3072_PEM: &str = include_str!("../fixtures/rsa3072.pem");
pub const SM2_PEM: &str = include_str!("../fixtures/sm2.pem");
pub const EC_P256_PEM: &str = include_str!("../fixtures/ec_p256.pem");
pub const EC_P256K_PEM: &str = include_str!("../fixtures/ec_p256k.pem");

/// 2026-11-01T00:00:00Z.
pub const T0: i64 = 1_793_491_200;

/// Hands out the fixture keys for asymmetric specs; symmetric material is fresh.
pub struct FixtureKeys;

impl KeySource for FixtureKeys {
    fn generate(&self, spec: KeySpec) -> Result<KeyMaterial, KmsError> {
        let pem = match spec {
            KeySpec::Rsa2048 => RSA2048_PEM,
            KeySpec::Rsa3072 => RSA3072_PEM,
            KeySpec::EcSm2 => SM2_PEM,
            KeySpec::EcP256 => EC_P256_PEM,
            KeySpec::EcP256K => EC_P256K_PEM,
            _ => return KeyMaterial::generate(spec),
        };
        AsymmetricKey::from_pkcs8_pem(pem).map(KeyMaterial::Asymmetric)
    }
}

pub fn sources(clock: Arc<FixedClock>) -> Sources {
    Sources {
        clock,
        ids: Arc::new(RandomIds),
        keys: Arc::new(FixtureKeys),
    }
}

/// An in-memory vault with `admin`, and its clock.
pub fn memory_vault() -> (Vault, Arc<FixedClock>) {
    let clock = Arc::new(FixedClock::new(T0));
    let sources = sources(clock.clone());
    let state = new_vault_state(&sources).unwrap();
    (Vault::in_memory(state, sources), clock)
}

pub fn req(action: &str, params: &[(&str, &str)]) -> ApiRequest {
    let mut r = ApiRequest::new(action);
    for (k, v) in params {
        r.params.insert((*k).to_owned(), (*v).to_owned());
    }
    r
}

pub fn call(
    vault: &mut Vault,
    action: &str,
    params: &[(&str, &str)],
) -> Result<ApiResponse, ApiError> {
    dispatch(vault, "admin", &req(action, params))
}

pub fn call_as(
    vault: &mut Vault,
    who: &str,
    action: &str,
    params: &[(&str, &str)],
) -> Result<ApiResponse, ApiError> {
    dispatch(vault, who, &req(action, params))
}

/// Calls and expects success.
pub fn ok(vault: &mut Vault, action: &str, params: &[(&str, &str)]) -> serde_json::Value {
    match call(vault, action, params) {
        Ok(r) => r.document(),
        Err(e) => panic!("{action} failed: {} {}", e.code, e.message),
    }
}

/// Calls and returns the error code.
pub fn code(vault: &mut Vault, action: &str, params: &[(&str, &str)]) -> String {
    match call(vault, action, params) {
        Ok(_) => panic!("{action} succeeded but should have failed"),
        Err(e) => e.code,
    }
}

/// Creates a key of `spec` and returns its KeyId.
pub fn create_key(vault: &mut Vault, spec: &str) -> String {
    let doc = ok(vault, "CreateKey", &[("KeySpec", spec)]);
    doc["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned()
}

pub fn s(v: &serde_json::Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}
