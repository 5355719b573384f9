//! Drill throughput (product §14): 20,000 GenerateDataKey blobs (32-byte data keys) under an old
//! version, re-encrypted to the primary and verified, with 1 and with 2 worker threads; the
//! floor is a speed-up of at least 1.7× from 1 to 2 threads, checked on the median of several
//! runs and printed beside criterion's figures. Beside it, the census (issue 13) of the same
//! blobs repeated to 200,000 lines, with 1 and 2 threads: no decryption, so it is much faster;
//! its lines/s and speed-up are printed (no floor: reading and parsing headers is cheap enough
//! that the single reader thread bounds it). (Flat memory is measured on the real binary with
//! `/usr/bin/time -v`: see `examples/drill_input.rs` and `tests/census.rs`.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion, Throughput, criterion_group};
use kms_console::api::{ApiRequest, dispatch};
use kms_console::core::clock::{FixedClock, RandomIds};
use kms_console::core::context::EncryptionContext;
use kms_console::core::drill::{self, CensusInput, CensusOptions, DrillControl, DrillOptions};
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

/// The census input: the drill's blobs ten times over.
const CENSUS_COPIES: u64 = 10;

fn census_once(vault: &Vault, input: Vec<u8>, threads: usize) -> Duration {
    let options = CensusOptions {
        threads,
        locations: 10,
    };
    let reader: Box<dyn std::io::BufRead> = Box::new(std::io::Cursor::new(input));
    let started = Instant::now();
    let report = drill::census(
        vault.state(),
        &vault.ctx("admin"),
        vec![CensusInput::Reader("bench".into(), reader)],
        &options,
    )
    .unwrap();
    let elapsed = started.elapsed();
    assert_eq!(report.totals.non_primary, LINES * CENSUS_COPIES);
    black_box(report);
    elapsed
}

fn bench_census(c: &mut Criterion) {
    let (vault, _, input) = workload();
    let input = input.repeat(usize::try_from(CENSUS_COPIES).unwrap());
    let lines = LINES * CENSUS_COPIES;
    let mut group = c.benchmark_group("census_200k_data_keys");
    group.throughput(Throughput::Elements(lines));
    group.sample_size(20);
    for threads in [1, 2] {
        group.bench_function(format!("threads_{threads}"), |b| {
            b.iter_batched(
                || input.clone(),
                |i| census_once(&vault, i, threads),
                BatchSize::LargeInput,
            );
        });
    }
    group.finish();
    let (mut one, mut two) = (Vec::new(), Vec::new());
    for _ in 0..11 {
        one.push(census_once(&vault, input.clone(), 1));
        two.push(census_once(&vault, input.clone(), 2));
    }
    one.sort();
    two.sort();
    let (one, two) = (one[one.len() / 2], two[two.len() / 2]);
    let rate = |d: Duration| f64::from(u32::try_from(lines).unwrap()) / d.as_secs_f64();
    eprintln!(
        "census of {lines} data-key blobs: 1 thread {:.0} lines/s, 2 threads {:.0} lines/s, \
         speed-up {:.2}x",
        rate(one),
        rate(two),
        one.as_secs_f64() / two.as_secs_f64()
    );
}

criterion_group!(benches, bench_threads, bench_census);

fn main() {
    benches();
    criterion::Criterion::default()
        .configure_from_args()
        .final_summary();
}
