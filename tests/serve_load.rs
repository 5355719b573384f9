//! Load on the endpoint (product §13–14), loopback only and bounded: many keep-alive
//! connections send V1-signed ReEncrypt and Encrypt requests (and three CreateKeys each) while
//! a CLI process creates keys and rotates `alias/orders` through the same vault file, in 40
//! rounds spread over the run (so the vault grows by the same amount whatever its size).
//! Afterwards: no 5xx (every request answered 200), no lost vault update, the audit chain
//! verifies; the server's resident memory, sampled through the run, is printed, and on runs of
//! 10⁶ requests or more its second half must stay flat. `KMS_CONSOLE_SERVE_LOAD=CxR` (e.g.
//! `64x100000`) sets the size; the default is small enough for `cargo test`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::cast_precision_loss
)]

mod serve_support;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use kms_console::core::clock::{Clock, SystemClock, format_date};
use serde_json::Value;
use serve_support::{AccessKey, Connection, Server, credentials, demo_vault, kms};

const SAMPLES: &str = include_str!("../assets/demo-samples.json");

fn size() -> (usize, usize) {
    std::env::var("KMS_CONSOLE_SERVE_LOAD")
        .ok()
        .and_then(|v| {
            let (c, r) = v.split_once('x')?;
            Some((c.parse().ok()?, r.parse().ok()?))
        })
        .unwrap_or((8, 150))
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmRSS:"))?.to_owned();
            line.split_whitespace().nth(1)?.parse().ok()
        })
        .unwrap_or(0)
}

fn cli_json(vault: &Path, args: &[&str]) -> Value {
    let out = kms(vault).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn key_ids(vault: &Path) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for page in 1.. {
        let page = page.to_string();
        let args = ["ListKeys", "--PageSize", "100", "--PageNumber", &page];
        let listed = cli_json(vault, &args);
        let keys = listed["Keys"]["Key"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        ids.extend(keys.iter().map(|k| k["KeyId"].as_str().unwrap().to_owned()));
        if keys.is_empty() || ids.len() as u64 >= listed["TotalCount"].as_u64().unwrap() {
            break;
        }
    }
    ids
}

/// One keep-alive connection's share of the load: signed ReEncrypt and Encrypt, and a CreateKey
/// at a quarter, half and three quarters of the way. Returns the keys it made.
fn load_connection(
    t: usize,
    requests: usize,
    admin: &AccessKey,
    sample: &Value,
    port: u16,
    done: &AtomicUsize,
) -> Vec<String> {
    let mut c = Connection::open(port);
    let mut created = Vec::new();
    let create_at = [requests / 4, requests / 2, requests * 3 / 4];
    for n in 0..requests {
        let nonce = format!("load-{t}-{n}");
        let now = format_date(SystemClock.now());
        let (action, params): (&str, Vec<(&str, &str)>) = match n {
            _ if create_at.contains(&n) => ("CreateKey", vec![("Description", "load")]),
            k if k % 2 == 0 => (
                "ReEncrypt",
                vec![
                    ("CiphertextBlob", sample["CiphertextBlob"].as_str().unwrap()),
                    (
                        "SourceEncryptionContext",
                        sample["EncryptionContext"].as_str().unwrap(),
                    ),
                    ("DestinationKeyId", "alias/orders"),
                    (
                        "DestinationEncryptionContext",
                        sample["EncryptionContext"].as_str().unwrap(),
                    ),
                ],
            ),
            _ => (
                "Encrypt",
                vec![("KeyId", "alias/orders"), ("Plaintext", "load test")],
            ),
        };
        let r = c.get(
            &serve_support::signed_query(admin, action, &params, &nonce, &now),
            &[],
        );
        assert_eq!(r.status, 200, "{action} #{n} on connection {t}: {}", r.body);
        done.fetch_add(1, Ordering::Relaxed);
        if action == "CreateKey" {
            created.push(
                r.json()["KeyMetadata"]["KeyId"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            );
        }
    }
    created
}

/// The server's RSS (KiB) each time another 5 % of `total` requests was answered, until all
/// were or `over()`: (requests answered, RSS). Runs on the calling thread while the load runs.
fn sample_rss(
    pid: u32,
    answered: &AtomicUsize,
    total: usize,
    over: impl Fn() -> bool,
) -> Vec<(usize, u64)> {
    let mut samples = vec![(0, rss_kib(pid))];
    let step = (total / 20).max(1);
    let mut next = step;
    while next <= total && !over() {
        let now = answered.load(Ordering::Relaxed);
        if now >= next {
            samples.push((now, rss_kib(pid)));
            next = (now / step + 1) * step;
        } else {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    samples
}

/// CLI rounds over a run: one each time another 1/`CLI_ROUNDS` of the requests is answered, so
/// the vault grows by the same amount whatever the size of the run (and the memory samples show
/// the endpoint's own behaviour, not a vault growing with the length of the run).
const CLI_ROUNDS: usize = 40;

/// The CLI creates a key and rotates alias/orders, once per round, until `done` (at least
/// twice): the keys it made and the rotations.
fn cli_rotations(
    vault: &Path,
    answered: &Arc<AtomicUsize>,
    total: usize,
    done: &Arc<AtomicBool>,
) -> std::thread::JoinHandle<(Vec<String>, u64)> {
    let (vault, answered, done) = (vault.to_path_buf(), answered.clone(), done.clone());
    let step = (total / CLI_ROUNDS).max(1);
    std::thread::spawn(move || {
        let mut created = Vec::new();
        let mut rotations = 0_u64;
        while rotations < 2 || !done.load(Ordering::SeqCst) {
            let due = usize::try_from(rotations).unwrap().saturating_mul(step);
            if rotations >= 2 && answered.load(Ordering::Relaxed) < due {
                std::thread::sleep(Duration::from_millis(20));
                continue;
            }
            let doc = cli_json(&vault, &["CreateKey", "--Description", "cli"]);
            created.push(doc["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned());
            cli_json(&vault, &["CreateKeyVersion", "--KeyId", "alias/orders"]);
            rotations += 1;
        }
        (created, rotations)
    })
}

#[test]
fn signed_load_with_a_concurrent_cli_loses_nothing() {
    let (connections, requests) = size();
    let (_dir, vault) = demo_vault();
    let server = Server::start(&vault, &["--quiet"]);
    let admin = credentials(&vault, "admin");
    let samples: Value = serde_json::from_str(SAMPLES).unwrap();
    let sample = samples["Samples"][0].clone();
    let versions_before = cli_json(
        &vault,
        &[
            "ListKeyVersions",
            "--KeyId",
            "alias/orders",
            "--PageSize",
            "100",
        ],
    )["TotalCount"]
        .as_u64()
        .unwrap();
    let rss_start = rss_kib(server.pid());
    let started = Instant::now();

    let done = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(AtomicUsize::new(0));
    let total = connections * requests;
    let cli = cli_rotations(&vault, &answered, total, &done);
    let workers: Vec<_> = (0..connections)
        .map(|t| {
            let (admin, sample, port) = (admin.clone(), sample.clone(), server.port);
            let answered = answered.clone();
            std::thread::spawn(move || {
                load_connection(t, requests, &admin, &sample, port, &answered)
            })
        })
        .collect();
    let mut rss = sample_rss(server.pid(), &answered, total, || {
        workers.iter().all(std::thread::JoinHandle::is_finished)
    });
    let mut expected: BTreeSet<String> = BTreeSet::new();
    for w in workers {
        expected.extend(w.join().unwrap());
    }
    done.store(true, Ordering::SeqCst);
    let (cli_created, rotations) = cli.join().unwrap();
    expected.extend(cli_created);
    let elapsed = started.elapsed();
    let rss_end = rss_kib(server.pid());
    rss.push((answered.load(Ordering::Relaxed), rss_end));
    assert!(server.stop().success(), "serve exits 0");

    eprintln!(
        "serve load: {connections} connections x {requests} requests = {total} in {:.1} s ({:.0} req/s), {rotations} CLI rotations and {} keys made, RSS {rss_start} -> {rss_end} KiB",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64(),
        expected.len()
    );
    let shown: Vec<String> = rss
        .iter()
        .map(|(n, kib)| format!("{n}:{}M", kib / 1024))
        .collect();
    eprintln!("serve load: RSS by requests answered: {}", shown.join(" "));
    let present = key_ids(&vault);
    let lost: Vec<&String> = expected.difference(&present).collect();
    assert!(lost.is_empty(), "keys lost: {lost:?}");
    let versions_after = cli_json(
        &vault,
        &[
            "ListKeyVersions",
            "--KeyId",
            "alias/orders",
            "--PageSize",
            "100",
        ],
    )["TotalCount"]
        .as_u64()
        .unwrap();
    assert_eq!(
        versions_after,
        versions_before + rotations,
        "every rotation kept"
    );
    let verify = kms(&vault).args(["audit", "verify"]).output().unwrap();
    let report = String::from_utf8_lossy(&verify.stdout);
    assert!(verify.status.success(), "audit verify: {report}");
    eprintln!("serve load: audit verify: {}", report.trim());
    if total >= 1_000_000 {
        // Flat: over the second half of the run, at most 10 % (or 8 MiB) above its midpoint.
        let mid = rss[rss.len() / 2].1;
        let peak = rss[rss.len() / 2..].iter().map(|s| s.1).max().unwrap();
        assert!(
            peak <= mid + (mid / 10).max(8 * 1024),
            "memory grows: {mid} KiB at mid-run, {peak} KiB later"
        );
    }
}
