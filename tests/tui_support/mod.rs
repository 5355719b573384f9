//! What the console's tests share: a vault that looks like the demo (keys of every spec, a
//! rotated key, a Disabled and a PendingDeletion key, three principals) built in memory with a
//! fixed clock, counting ids and fixture RSA keys, so every screen draws the same each run.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::missing_panics_doc
)]

pub mod drill_states;
pub mod results_states;
pub mod states;
pub mod walk_states;

use std::sync::Arc;

use kms_console::api::{ApiRequest, dispatch};
use kms_console::core::clock::{FixedClock, SequentialIds};
use kms_console::core::model::{AccessKey, Principal, VaultData, VaultState};
use kms_console::core::policy::PolicyDocument;
use kms_console::core::secret::SecretString;
use kms_console::core::vault::{Sources, Vault};
use kms_console::tui::app::{App, AppConfig};
use kms_console::tui::job::VaultInfo;
use kms_console::tui::runtime::harness::Harness;
use kms_console::tui::runtime::worker::Executor;
use kms_console::tui::ui::theme::Theme;
use kms_console::tui::vault_view::VaultView;

#[path = "../common/mod.rs"]
mod common;

pub use common::{FixtureKeys, T0};

const DAY: i64 = 86_400;

fn principal(name: &str, n: u32, actions: &[&str]) -> Principal {
    Principal {
        name: name.to_owned(),
        access_keys: vec![AccessKey {
            access_key_id: format!("LTAITESTKEY{n:09}"),
            access_key_secret: SecretString::from("not-a-real-secret"),
            creation_date: T0,
        }],
        policies: vec![PolicyDocument::allow(actions)],
        creation_date: T0,
    }
}

pub fn sources(clock: Arc<FixedClock>) -> Sources {
    Sources {
        clock,
        ids: Arc::new(SequentialIds::new()),
        keys: Arc::new(FixtureKeys),
    }
}

fn call(vault: &mut Vault, action: &str, params: &[(&str, &str)]) -> serde_json::Value {
    let mut r = ApiRequest::new(action);
    for (k, v) in params {
        r.params.insert((*k).to_owned(), (*v).to_owned());
    }
    match dispatch(vault, "admin", &r) {
        Ok(r) => r.document(),
        Err(e) => panic!("{action}: {} {}", e.code, e.message),
    }
}

fn key(vault: &mut Vault, spec: &str, description: &str, alias: &str) -> String {
    let doc = call(
        vault,
        "CreateKey",
        &[("KeySpec", spec), ("Description", description)],
    );
    let id = doc["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned();
    call(
        vault,
        "CreateAlias",
        &[("AliasName", alias), ("KeyId", &id)],
    );
    id
}

/// The demo-like vault in memory, its clock, and a blob made under version 1 of alias/orders
/// with the context `{"app":"orders"}` (its IV is random: not for snapshots).
pub fn vault() -> (Vault, Arc<FixedClock>, String) {
    let clock = Arc::new(FixedClock::new(T0 - 60 * DAY));
    let mut v = Vault::in_memory(principals(), sources(clock.clone()));
    let old_blob = rotated_key(&mut v, &clock);
    for (spec, description, alias) in [
        ("Aliyun_AES_256", "Payments service", "alias/payments"),
        (
            "Aliyun_AES_128",
            "Legacy AES-128 key, to be retired",
            "alias/legacy-aes128",
        ),
        (
            "Aliyun_SM4",
            "SM4-GCM key for GM/T deployments",
            "alias/gm-sm4",
        ),
        (
            "RSA_2048",
            "RSA-2048 encryption key for partners",
            "alias/rsa-2048",
        ),
        ("EC_SM2", "SM2 encryption key", "alias/sm2"),
    ] {
        key(&mut v, spec, description, alias);
    }
    let retired = key(
        &mut v,
        "Aliyun_AES_256",
        "Retired key, disabled",
        "alias/retired",
    );
    call(&mut v, "DisableKey", &[("KeyId", &retired)]);
    let doomed = key(
        &mut v,
        "Aliyun_AES_256",
        "Scheduled for deletion",
        "alias/doomed",
    );
    let window = [("KeyId", doomed.as_str()), ("PendingWindowInDays", "30")];
    call(&mut v, "ScheduleKeyDeletion", &window);
    clock.set(T0);
    (v, clock, old_blob)
}

/// An empty vault with the demo's three principals.
fn principals() -> VaultState {
    VaultData {
        region: "cn-hangzhou".to_owned(),
        account_id: "1234567890123456".to_owned(),
        keys: Vec::new(),
        aliases: std::collections::BTreeMap::new(),
        principals: vec![
            principal("admin", 1, &["kms:*", "ram:*"]),
            principal("rotation-operator", 2, &["kms:ReEncrypt*"]),
            principal(
                "auditor",
                3,
                &["kms:Describe*", "kms:List*", "kms:GetPublicKey"],
            ),
        ],
        audit: None,
    }
    .into()
}

/// alias/orders: three versions a month apart, rotation every 90 days; returns a blob made
/// under its first version.
fn rotated_key(v: &mut Vault, clock: &FixedClock) -> String {
    let orders = key(
        v,
        "Aliyun_AES_256",
        "Orders service: data keys and records",
        "alias/orders",
    );
    let context = r#"{"app":"orders"}"#;
    let params = [
        ("KeyId", orders.as_str()),
        ("Plaintext", "order #1001"),
        ("EncryptionContext", context),
    ];
    let old = call(v, "Encrypt", &params);
    for _ in 0..2 {
        clock.advance(30 * DAY);
        call(v, "CreateKeyVersion", &[("KeyId", &orders)]);
    }
    let policy = [
        ("KeyId", orders.as_str()),
        ("EnableAutomaticRotation", "true"),
        ("RotationInterval", "90d"),
    ];
    call(v, "UpdateRotationPolicy", &policy);
    old["CiphertextBlob"].as_str().unwrap().to_owned()
}

pub fn config() -> AppConfig {
    AppConfig {
        theme: Theme { color: false },
        ..AppConfig::default()
    }
}

pub fn info() -> VaultInfo {
    VaultInfo {
        path: "/home/demo/.local/share/kms-console/vault.json".to_owned(),
        protection: Some(kms_console::core::vault_file::Protection::None),
        demo: false,
    }
}

/// A console open on the demo-like vault, at 80×24.
pub fn harness() -> Harness {
    harness_with_blob().0
}

/// [`harness`] and an old blob of alias/orders (see [`vault`]).
pub fn harness_with_blob() -> (Harness, String) {
    let (vault, _clock, blob) = vault();
    let view = VaultView::from_state(vault.state());
    let mut app = App::with_vault(config(), info(), view);
    app.size = (80, 24);
    (Harness::new(app, Executor::with_vault(vault)), blob)
}

/// [`harness`] with the demo's signing key (`alias/release-signing`, EC_P256 SIGN/VERIFY) added
/// last; returns its KeyId.
pub fn harness_with_signing_key() -> (Harness, String) {
    let (mut vault, _clock, _blob) = vault();
    let doc = call(
        &mut vault,
        "CreateKey",
        &[
            ("KeySpec", "EC_P256"),
            ("KeyUsage", "SIGN/VERIFY"),
            ("Description", "Release signing key (ECDSA P-256)"),
        ],
    );
    let id = doc["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned();
    let alias = [
        ("AliasName", "alias/release-signing"),
        ("KeyId", id.as_str()),
    ];
    call(&mut vault, "CreateAlias", &alias);
    let view = VaultView::from_state(vault.state());
    let mut app = App::with_vault(config(), info(), view);
    app.size = (80, 24);
    (Harness::new(app, Executor::with_vault(vault)), id)
}

/// The KeyVersionIds of alias/orders, oldest first.
pub fn orders_versions(h: &Harness) -> Vec<String> {
    let id = h.app.view.aliases["alias/orders"].clone();
    h.app
        .view
        .key(&id)
        .unwrap()
        .versions
        .iter()
        .map(|v| v.id.clone())
        .collect()
}

/// A blob that names `version_id` (header only matters to the inspector; the rest is fixed).
pub fn fake_blob(version_id: &str) -> String {
    use base64::Engine;
    let mut bytes = version_id.as_bytes().to_vec();
    bytes.extend([7u8; 12 + 32 + 16]);
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
