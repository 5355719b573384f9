//! What every fuzz check starts from: the demo vault (fixed key material, so the demo samples and
//! the seed corpora decrypt against it), a fixed clock at the demo's own time, sequential ids,
//! and an AccessKey of `admin` for the endpoint. Built once per process; each input gets a
//! fresh clone, so inputs never see each other's changes.

use std::sync::{Arc, OnceLock};

use kms_console::core::clock::{FixedClock, SequentialIds};
use kms_console::core::crypto::AsymmetricKey;
use kms_console::core::error::KmsError;
use kms_console::core::material::KeyMaterial;
use kms_console::core::model::VaultState;
use kms_console::core::ops::principals;
use kms_console::core::spec::KeySpec;
use kms_console::core::vault::{KeySource, OsKeySource, Sources, Vault};
use kms_console::core::vault_file::decode_unprotected;
use kms_console::serve::access_key;

/// The demo vault's time (2026-11-01T00:00:00Z), where all its samples are valid.
pub const NOW: i64 = 1_793_491_200;

/// The demo vault file as shipped.
const DEMO_VAULT: &[u8] = include_bytes!("../../assets/demo-vault.json");

/// The fixed clock, sequential ids and key source of a check.
pub fn sources() -> Sources {
    Sources {
        clock: Arc::new(FixedClock::new(NOW)),
        ids: Arc::new(SequentialIds::new()),
        keys: Arc::new(FuzzKeys),
    }
}

/// The tests' pre-generated keys for the RSA specs (generating one took most of the time of a
/// `request` or `endpoint` input that reached CreateKey: 70 inputs a second); the rest fresh from
/// the OS, as in production.
struct FuzzKeys;

impl KeySource for FuzzKeys {
    fn generate(&self, spec: KeySpec) -> Result<KeyMaterial, KmsError> {
        let pem = match spec {
            KeySpec::Rsa2048 => include_str!("../../tests/fixtures/rsa2048.pem"),
            KeySpec::Rsa3072 => include_str!("../../tests/fixtures/rsa3072.pem"),
            _ => return OsKeySource.generate(spec),
        };
        AsymmetricKey::from_pkcs8_pem(pem).map(KeyMaterial::Asymmetric)
    }
}

/// The demo state with an AccessKey for `admin`, and that key's id and secret.
pub struct Base {
    pub state: VaultState,
    pub access_key_id: String,
    pub secret: String,
}

/// Made once per process.
pub fn base() -> &'static Base {
    static BASE: OnceLock<Base> = OnceLock::new();
    BASE.get_or_init(|| {
        let state: VaultState = decode_unprotected(DEMO_VAULT).expect("the demo vault decodes");
        let mut vault = Vault::in_memory(state, sources());
        let access_key_id = vault
            .update(
                |state, ctx| principals::create_access_key(state, ctx, "admin"),
                "admin",
            )
            .expect("an AccessKey for admin")
            .access_key_id;
        let secret = access_key(vault.state(), &access_key_id)
            .expect("the new AccessKey")
            .1
            .expose()
            .to_owned();
        Base {
            state: vault.state().clone(),
            access_key_id,
            secret,
        }
    })
}

/// A fresh in-memory vault holding the base state.
pub fn vault() -> Vault {
    Vault::in_memory(base().state.clone(), sources())
}
