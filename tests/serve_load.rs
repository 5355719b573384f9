//! Load on the endpoint (product §13–14), loopback only and bounded: many keep-alive
//! connections send V1-signed ReEncrypt and Encrypt requests (and now and then a CreateKey)
//! while a CLI process creates keys and rotates `alias/orders` through the same vault file.
//! Afterwards: no 5xx (every request answered 200), no lost vault update, the audit chain
//! verifies. `KMS_CONSOLE_SERVE_LOAD=CONNECTIONSxREQUESTS` (e.g. `64x100000`) sets the size;
//! the default is small enough for `cargo test`.
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
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

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
/// every 50th request. Returns the keys it made.
fn load_connection(
    t: usize,
    requests: usize,
    admin: &AccessKey,
    sample: &Value,
    port: u16,
) -> Vec<String> {
    let mut c = Connection::open(port);
    let mut created = Vec::new();
    for n in 0..requests {
        let nonce = format!("load-{t}-{n}");
        let now = format_date(SystemClock.now());
        let (action, params): (&str, Vec<(&str, &str)>) = match n % 50 {
            49 => ("CreateKey", vec![("Description", "load")]),
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

    // The CLI creates a key and rotates alias/orders, again and again until the load is done
    // (at least twice).
    let done = Arc::new(AtomicBool::new(false));
    let cli = {
        let (vault, done) = (vault.clone(), done.clone());
        std::thread::spawn(move || {
            let mut created = Vec::new();
            let mut rotations = 0_u64;
            while rotations < 2 || !done.load(Ordering::SeqCst) {
                let doc = cli_json(&vault, &["CreateKey", "--Description", "cli"]);
                created.push(doc["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned());
                cli_json(&vault, &["CreateKeyVersion", "--KeyId", "alias/orders"]);
                rotations += 1;
            }
            (created, rotations)
        })
    };
    let workers: Vec<_> = (0..connections)
        .map(|t| {
            let (admin, sample, port) = (admin.clone(), sample.clone(), server.port);
            std::thread::spawn(move || load_connection(t, requests, &admin, &sample, port))
        })
        .collect();
    let mut expected: BTreeSet<String> = BTreeSet::new();
    for w in workers {
        expected.extend(w.join().unwrap());
    }
    done.store(true, Ordering::SeqCst);
    let (cli_created, rotations) = cli.join().unwrap();
    expected.extend(cli_created);
    let elapsed = started.elapsed();
    let rss_end = rss_kib(server.pid());
    assert!(server.stop().success(), "serve exits 0");

    let total = connections * requests;
    eprintln!(
        "serve load: {connections} connections x {requests} requests = {total} in {:.1} s ({:.0} req/s), {rotations} CLI rotations and {} keys made, RSS {rss_start} -> {rss_end} KiB",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64(),
        expected.len()
    );
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
    assert!(
        verify.status.success(),
        "audit verify: {}",
        String::from_utf8_lossy(&verify.stdout)
    );
}
