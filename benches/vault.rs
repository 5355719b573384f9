//! Vault file benchmarks (product §14): open and save of a 10,000-key unprotected vault — the
//! floor is an open in ≤ 100 ms, key derivation excluded — plus a sealed open with cheap KDF
//! parameters (what sealing adds) and an unlock with the production Argon2id parameters.
//!
//! The contents are a stand-in shaped like the real vault (about 500 bytes of JSON per key), so
//! the benchmark measures the file layer alone and does not move with the key model.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};
use kms_console::core::vault_file::{KdfParams, NewProtection, VaultError, VaultFile};
use serde::{Deserialize, Serialize};

const KEYS: usize = 10_000;
const OPEN_FLOOR: Duration = Duration::from_millis(100);

#[derive(Serialize, Deserialize)]
struct Contents {
    region: String,
    account_id: String,
    saves: u64,
    keys: Vec<Cmk>,
}

#[derive(Serialize, Deserialize)]
struct Cmk {
    key_id: String,
    key_spec: String,
    key_usage: String,
    key_state: String,
    description: String,
    creation_date: u64,
    creator: String,
    delete_date: Option<u64>,
    rotation: Rotation,
    deletion_protection: bool,
    versions: Vec<Version>,
}

#[derive(Serialize, Deserialize)]
struct Rotation {
    enabled: bool,
    interval_seconds: Option<u64>,
}

#[derive(Serialize, Deserialize)]
struct Version {
    key_version_id: String,
    creation_date: u64,
    material: String,
}

fn contents() -> Contents {
    let uuid = |i: usize, tag: u32| format!("{:08x}-{tag:04x}-4abc-9def-{:012x}", i, i * 7919);
    let keys = (0..KEYS)
        .map(|i| Cmk {
            key_id: uuid(i, 1),
            key_spec: "Aliyun_AES_256".into(),
            key_usage: "ENCRYPT/DECRYPT".into(),
            key_state: "Enabled".into(),
            description: format!("data key for service {i}"),
            creation_date: 1_764_000_000 + i as u64,
            creator: "admin".into(),
            delete_date: None,
            rotation: Rotation {
                enabled: i % 2 == 0,
                interval_seconds: Some(2_592_000),
            },
            deletion_protection: false,
            versions: (0..2)
                .map(|v| Version {
                    key_version_id: uuid(i, 2 + v),
                    creation_date: 1_764_000_000 + i as u64 + u64::from(v),
                    material: "q".repeat(44),
                })
                .collect(),
        })
        .collect();
    Contents {
        region: "cn-hangzhou".into(),
        account_id: "1234567890123456".into(),
        saves: 0,
        keys,
    }
}

fn bench_unprotected(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.json");
    let mut vault = VaultFile::create(&path, contents(), NewProtection::None).unwrap();
    let size = std::fs::metadata(&path).unwrap().len();
    eprintln!(
        "unprotected vault: {KEYS} keys, {size} bytes ({} bytes per key)",
        size / KEYS as u64
    );
    let mut group = c.benchmark_group("vault_10k_keys");
    group.sample_size(20);
    group.bench_function("open_unprotected", |b| {
        b.iter(|| black_box(VaultFile::<Contents>::open(&path, None).unwrap()));
    });
    group.bench_function("save_unprotected", |b| {
        b.iter(|| {
            vault
                .update(|c| {
                    c.saves += 1;
                    Ok::<_, VaultError>(())
                })
                .unwrap();
        });
    });
    group.finish();
    check_open_floor(&path);
}

fn bench_sealed(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.json");
    let cheap = NewProtection::Passphrase("bench".into(), KdfParams::cheap_for_tests());
    let mut vault = VaultFile::create(&path, contents(), cheap).unwrap();
    let mut group = c.benchmark_group("vault_10k_keys");
    group.sample_size(20);
    group.bench_function("open_sealed_cheap_kdf", |b| {
        b.iter(|| black_box(VaultFile::<Contents>::open(&path, Some("bench".into())).unwrap()));
    });
    group.bench_function("save_sealed", |b| {
        b.iter(|| {
            vault
                .update(|c| {
                    c.saves += 1;
                    Ok::<_, VaultError>(())
                })
                .unwrap();
        });
    });
    group.finish();
}

fn bench_unlock(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.json");
    let production = NewProtection::Passphrase("bench".into(), KdfParams::production());
    VaultFile::create(&path, 0u32, production).unwrap();
    let mut group = c.benchmark_group("argon2id");
    group.sample_size(10);
    group.bench_function("unlock_production_m64MiB_t3_p1", |b| {
        b.iter(|| black_box(VaultFile::<u32>::open(&path, Some("bench".into())).unwrap()));
    });
    group.finish();
}

/// Prints the median of 15 opens against the 100 ms floor of product §14.
fn check_open_floor(path: &Path) {
    let mut times: Vec<Duration> = (0..15)
        .map(|_| {
            let started = Instant::now();
            black_box(VaultFile::<Contents>::open(path, None).unwrap());
            started.elapsed()
        })
        .collect();
    times.sort();
    let median = times[times.len() / 2];
    let verdict = if median <= OPEN_FLOOR {
        "within"
    } else {
        "OVER"
    };
    eprintln!(
        "floor: open of a {KEYS}-key unprotected vault, median {:.1} ms, {verdict} the {} ms limit",
        median.as_secs_f64() * 1e3,
        OPEN_FLOOR.as_millis()
    );
}

/// The real thing: a 10,000-key vault of the key model (AES keys with two versions each) opened
/// through `Vault::open`, which also parses every key's material and builds the indexes.
fn bench_real_vault(c: &mut Criterion) {
    use kms_console::core::clock::{FixedClock, SequentialIds};
    use kms_console::core::vault::{OsKeySource, Sources, Vault, new_vault_state};
    let sources = Sources {
        clock: std::sync::Arc::new(FixedClock::new(1_793_491_200)),
        ids: std::sync::Arc::new(SequentialIds::new()),
        keys: std::sync::Arc::new(OsKeySource),
    };
    let mut state = new_vault_state(&sources).unwrap();
    {
        let mut memory = Vault::in_memory(state, sources.clone());
        for i in 0..KEYS {
            let mut req = kms_console::api::ApiRequest::new("CreateKey");
            req.set("Description", format!("data key for service {i}"));
            kms_console::api::dispatch(&mut memory, "admin", &req).unwrap();
        }
        state = memory.state().clone();
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.json");
    Vault::create(&path, state, NewProtection::None, sources.clone()).unwrap();
    let size = std::fs::metadata(&path).unwrap().len();
    eprintln!("real vault: {KEYS} keys, {size} bytes");
    let mut group = c.benchmark_group("vault_10k_keys");
    group.sample_size(20);
    group.bench_function("open_real_vault_unprotected", |b| {
        b.iter(|| black_box(Vault::open(&path, None, sources.clone()).unwrap()));
    });
    group.finish();
}

criterion_group!(
    benches,
    bench_unprotected,
    bench_sealed,
    bench_unlock,
    bench_real_vault
);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
