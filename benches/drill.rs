//! Drill throughput (product §14): 20,000 GenerateDataKey blobs (32-byte data keys) under an old
//! version, re-encrypted to the primary and verified, with 1 and with 2 worker threads; the
//! floor is a speed-up of at least 1.7× from 1 to 2 threads, checked on the median of several
//! runs and printed beside criterion's figures. (Flat memory is measured on the real binary
//! with `/usr/bin/time -v`; see `examples/drill_input.rs`.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group};
use kms_console::api::{ApiRequest, dispatch};
use kms_console::core::clock::{FixedClock, RandomIds};
use kms_console::core::context::EncryptionContext;
use kms_console::core::drill::{self, DrillControl, DrillOptions};
use kms_console::core::ops::symmetric::generate_data_key;
use kms_console::core::vault::{OsKeySource, Sources, Vault, new_vault_state};

const LINES: u64 = 20_000;
const SPEED_UP_FLOOR: f64 = 1.7;

/// A vault with one key and `LINES` data-key blobs under its first version; the key is then
/// rotated so that every line moves.
fn workload() -> (Vault, String, Vec<u8>) {
    let sources = Sources {
        clock: Arc::new(FixedClock::new(1_793_491_200)),
        ids: Arc::new(RandomIds),
        keys: Arc::new(OsKeySource),
    };
    let mut vault = Vault::in_memory(new_vault_state(&sources).unwrap(), sources);
    dispatch(&mut vault, "admin", &ApiRequest::new("CreateKey")).unwrap();
    let key = vault.state().keys()[0].key_id.clone();
    let mut input = Vec::new();
    let empty = EncryptionContext::empty();
    for _ in 0..LINES {
        let made = generate_data_key(
            vault.state(),
            &vault.ctx("admin"),
            &key,
            32,
            &empty,
            false,
            false,
        )
        .unwrap();
        input.extend_from_slice(made.ciphertext_blob.as_bytes());
        input.push(b'\n');
    }
    let rotate = ApiRequest::new("CreateKeyVersion").with("KeyId", key.clone());
    dispatch(&mut vault, "admin", &rotate).unwrap();
    (vault, key, input)
}

fn drill_once(vault: &Vault, key: &str, input: &[u8], threads: usize) -> Duration {
    let mut options = DrillOptions::new(key);
    options.threads = threads;
    let mut out = Vec::with_capacity(input.len() + input.len() / 4);
    let started = Instant::now();
    let report = drill::run(
        vault.state(),
        &vault.ctx("admin"),
        input,
        &mut out,
        &options,
        &DrillControl::new(),
        &mut |_| {},
    )
    .unwrap();
    let elapsed = started.elapsed();
    assert_eq!(report.totals.re_encrypted, LINES);
    black_box(out);
    elapsed
}

fn bench_threads(c: &mut Criterion) {
    let (vault, key, input) = workload();
    let mut group = c.benchmark_group("drill_20k_data_keys");
    group.throughput(Throughput::Elements(LINES));
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(8));
    for threads in [1, 2] {
        group.bench_function(format!("threads_{threads}"), |b| {
            b.iter(|| drill_once(&vault, &key, &input, threads));
        });
    }
    group.finish();
    check_speed_up(&vault, &key, &input);
}

/// Median of 11 alternating runs per thread count, and the ratio against the floor.
fn check_speed_up(vault: &Vault, key: &str, input: &[u8]) {
    let (mut one, mut two) = (Vec::new(), Vec::new());
    for _ in 0..11 {
        one.push(drill_once(vault, key, input, 1));
        two.push(drill_once(vault, key, input, 2));
    }
    one.sort();
    two.sort();
    let (one, two) = (one[one.len() / 2], two[two.len() / 2]);
    let speed_up = one.as_secs_f64() / two.as_secs_f64();
    let rate = |d: Duration| f64::from(u32::try_from(LINES).unwrap()) / d.as_secs_f64();
    let verdict = if speed_up >= SPEED_UP_FLOOR {
        "meets"
    } else {
        "BELOW"
    };
    eprintln!(
        "floor: drill of {LINES} data-key blobs: 1 thread {:.0} lines/s, 2 threads {:.0} lines/s, \
         speed-up {speed_up:.2}x, {verdict} the {SPEED_UP_FLOOR}x floor",
        rate(one),
        rate(two)
    );
}

criterion_group!(benches, bench_threads);

fn main() {
    benches();
    criterion::Criterion::default()
        .configure_from_args()
        .final_summary();
}
