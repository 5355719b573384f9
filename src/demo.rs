//! The demo vault (product §10): keys of every spec, a rotated key, a Disabled and a
//! PendingDeletion key, aliases, three principals, and sample ciphertexts for every case of the
//! ReEncrypt seed page. Made by `examples/make_demo.rs`; copied fresh, with its dates moved to
//! the present, whenever a demo is opened.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::core::clock::Clock;
use crate::core::error::KmsError;
use crate::core::model::VaultState;
use crate::core::vault_file::{NewProtection, VaultError, VaultFile, decode_unprotected};

/// The demo vault file as generated (an unprotected vault file).
pub const DEMO_VAULT: &str = include_str!("../assets/demo-vault.json");
/// The sample ciphertexts of the demo, as JSON ([`DemoSamples`]).
pub const DEMO_SAMPLES: &str = include_str!("../assets/demo-samples.json");

/// One sample ciphertext and how to re-encrypt it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DemoSample {
    /// Short name, e.g. `orders-v1`.
    pub name: String,
    /// Which case of the seed page it shows.
    pub case: String,
    pub description: String,
    pub ciphertext_blob: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_context: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_key_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_key_version_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_encryption_algorithm: Option<String>,
    /// Where to move it.
    pub destination_key_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_encryption_context: Option<String>,
    /// The demo's plaintext (demo data only; shown so a walkthrough can check the round trip).
    pub plaintext: String,
    /// The error code it is expected to give, if it demonstrates a refusal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect_error: Option<String>,
}

/// The samples file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DemoSamples {
    /// The generator's clock when it finished; dates are moved by `now - generated_at`.
    pub generated_at: i64,
    pub samples: Vec<DemoSample>,
}

/// The demo's samples.
pub fn samples() -> Result<DemoSamples, KmsError> {
    serde_json::from_str(DEMO_SAMPLES)
        .map_err(|e| KmsError::InternalFailure(format!("demo samples: {e}")))
}

/// The samples as the README's walkthrough makes `samples.jsonl` for a drill: one JSON line per
/// sample that is not a refusal, with its `CiphertextBlob`, `EncryptionContext` and source fields.
pub fn samples_jsonl(samples: &[DemoSample]) -> String {
    let mut out = String::new();
    for s in samples.iter().filter(|s| s.case != "refusal") {
        let mut line = serde_json::Map::new();
        line.insert("CiphertextBlob".into(), s.ciphertext_blob.clone().into());
        for (name, value) in [
            ("EncryptionContext", &s.encryption_context),
            ("SourceKeyId", &s.source_key_id),
            ("SourceKeyVersionId", &s.source_key_version_id),
            ("SourceEncryptionAlgorithm", &s.source_encryption_algorithm),
        ] {
            if let Some(v) = value {
                line.insert(name.into(), v.clone().into());
            }
        }
        out.push_str(&serde_json::Value::Object(line).to_string());
        out.push('\n');
    }
    out
}

/// Writes a fresh copy of the demo vault at `path` (which must not exist) with its dates moved
/// so that, by `clock`, the demo is exactly as old as when it was made: no rotation or deletion
/// falls due because the demo is old, whatever the date.
///
/// The dates are moved in memory before the copy is written, so nothing (no maintenance, no
/// other process opening the file) ever sees the demo with its original dates.
pub fn write_demo_vault(path: &Path, clock: &dyn Clock) -> Result<&'static str, VaultError> {
    if path.exists() {
        return Err(VaultError::AlreadyExists(path.to_path_buf()));
    }
    let generated_at = samples()
        .map(|s| s.generated_at)
        .map_err(|e| VaultError::Corrupt(e.to_string()))?;
    let mut state: VaultState = decode_unprotected(DEMO_VAULT.as_bytes())?;
    state.shift_dates(clock.now() - generated_at);
    VaultFile::create(path, state, NewProtection::None)?;
    Ok("none")
}
