//! The endpoint beside its floor (product §14): V1-signed ReEncrypt requests over keep-alive
//! connections against the same HTTP stack (`serve::serve`, same limits, same blocking hand-off)
//! answering an empty 200, in the same run. Criterion measures one connection's round trip; a
//! load pass then drives `KMS_CONSOLE_SERVE_BENCH_LOAD` (CONNECTIONSxREQUESTS, default 16x2000)
//! keep-alive connections at each and prints requests per second, p50 and p99 latency, and the
//! ratio (target ≥ 50 %).

#![allow(
    clippy::expect_used,
    clippy::panic,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)] // a benchmark fails loudly

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use kms_console::api::{ApiRequest, dispatch, percent_encode};
use kms_console::core::clock::{Clock, SystemClock, format_date};
use kms_console::core::vault::{Sources, Vault, new_vault_state};
use kms_console::core::vault_file::NewProtection;
use kms_console::serve::{
    Endpoint, Handler, Limits, NonceCache, Verifier, WireRequest, WireResponse, access_key, serve,
    sign,
};

/// The floor: the same stack answering an empty 200.
struct Empty;

impl Handler for Empty {
    fn handle(&self, _req: &WireRequest) -> WireResponse {
        WireResponse {
            status: 200,
            content_type: "",
            body: String::new(),
        }
    }
}

/// Starts `serve` with `handler` on a free loopback port, in its own runtime thread.
fn start<H: Handler>(handler: Arc<H>) -> u16 {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            tx.send(listener.local_addr().expect("addr").port())
                .expect("port");
            let limits = Limits {
                max_connections: 1024,
                ..Limits::default()
            };
            serve(listener, handler, limits, std::future::pending()).await;
        });
    });
    rx.recv().expect("port")
}

/// What a signed ReEncrypt needs: the caller's AccessKey and a 32-byte data key's blob.
#[derive(Clone)]
struct Caller {
    access_key_id: String,
    secret: String,
    cmk: String,
    blob: String,
}

/// A file vault (with its audit log, as `serve` uses it) holding one AES-256 key and a 32-byte
/// data key encrypted under it; the endpoint on it; and admin's AccessKey.
fn setup(dir: &std::path::Path) -> (Endpoint, Caller) {
    let sources = Sources::default();
    let state = new_vault_state(&sources).expect("state");
    let path = dir.join("vault.json");
    let mut vault = Vault::create(&path, state, NewProtection::None, sources).expect("vault");
    let created = dispatch(&mut vault, "admin", &ApiRequest::new("CreateKey")).expect("CreateKey");
    let cmk = created.document()["KeyMetadata"]["KeyId"]
        .as_str()
        .expect("KeyId")
        .to_owned();
    let enc = ApiRequest::new("Encrypt")
        .with("KeyId", cmk.as_str())
        .with("Plaintext", "0123456789abcdef0123456789abcdef");
    let blob = dispatch(&mut vault, "admin", &enc)
        .expect("Encrypt")
        .field("CiphertextBlob")
        .expect("blob")
        .to_owned();
    // admin's AccessKey, found through the endpoint's own lookup.
    let access_key_id = vault.state().principals()[0].access_key_id.clone();
    let (_, secret) = access_key(vault.state(), &access_key_id).expect("admin key");
    let caller = Caller {
        access_key_id,
        secret: secret.expose().to_owned(),
        cmk,
        blob,
    };
    let verifier = Verifier::new(Arc::new(SystemClock), NonceCache::default());
    (Endpoint::new(vault, verifier, None), caller)
}

static NONCE: AtomicU64 = AtomicU64::new(0);

/// A V1-signed `GET` of ReEncrypt (as pop-core sends it), with a fresh nonce.
fn signed_request(c: &Caller) -> Vec<u8> {
    let nonce = format!("{:032x}", NONCE.fetch_add(1, Ordering::Relaxed));
    let now = format_date(SystemClock.now());
    let params = [
        ("AccessKeyId", c.access_key_id.as_str()),
        ("Action", "ReEncrypt"),
        ("CiphertextBlob", c.blob.as_str()),
        ("DestinationKeyId", c.cmk.as_str()),
        ("Format", "JSON"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureNonce", nonce.as_str()),
        ("SignatureVersion", "1.0"),
        ("Timestamp", now.as_str()),
        ("Version", "2016-01-20"),
    ];
    let signature = sign::v1_sign(&c.secret, &sign::v1_string_to_sign("GET", params));
    let mut query: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{k}={}", percent_encode(v)))
        .collect();
    query.push(format!("Signature={}", percent_encode(&signature)));
    format!(
        "GET /?{} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        query.join("&")
    )
    .into_bytes()
}

/// One keep-alive connection.
struct Conn(BufReader<TcpStream>);

impl Conn {
    fn open(port: u16) -> Self {
        let s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        s.set_nodelay(true).expect("nodelay");
        Self(BufReader::new(s))
    }

    /// Sends a request and reads the response; panics unless it is a 200.
    fn round_trip(&mut self, request: &[u8]) {
        self.0.get_mut().write_all(request).expect("write");
        let mut line = String::new();
        self.0.read_line(&mut line).expect("status");
        assert!(line.starts_with("HTTP/1.1 200"), "{line}");
        let mut length = 0;
        loop {
            line.clear();
            self.0.read_line(&mut line).expect("header");
            if line.trim().is_empty() {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().expect("length");
            }
        }
        let mut body = vec![0; length];
        self.0.read_exact(&mut body).expect("body");
    }
}

/// Drives `connections` × `requests` at `port`: requests per second, p50 and p99 latency.
fn load(
    port: u16,
    caller: &Caller,
    connections: usize,
    requests: usize,
) -> (f64, Duration, Duration) {
    let started = Instant::now();
    let threads: Vec<_> = (0..connections)
        .map(|_| {
            let caller = caller.clone();
            std::thread::spawn(move || {
                // Signed in advance, so the client's own work stays out of the timing.
                let lines: Vec<Vec<u8>> = (0..requests).map(|_| signed_request(&caller)).collect();
                let mut conn = Conn::open(port);
                lines
                    .iter()
                    .map(|line| {
                        let t = Instant::now();
                        conn.round_trip(line);
                        t.elapsed()
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut latencies: Vec<Duration> = threads
        .into_iter()
        .flat_map(|t| t.join().expect("client"))
        .collect();
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    (
        latencies.len() as f64 / elapsed.as_secs_f64(),
        at(0.50),
        at(0.99),
    )
}

fn bench_serve(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (endpoint, caller) = setup(dir.path());
    let kms_port = start(Arc::new(endpoint));
    let empty_port = start(Arc::new(Empty));

    let mut group = c.benchmark_group("serve");
    let mut conn = Conn::open(empty_port);
    group.bench_function("empty 200 (floor), one connection", |b| {
        b.iter_batched(
            || signed_request(&caller),
            |r| conn.round_trip(&r),
            criterion::BatchSize::SmallInput,
        );
    });
    let mut conn = Conn::open(kms_port);
    group.bench_function("signed ReEncrypt, one connection", |b| {
        b.iter_batched(
            || signed_request(&caller),
            |r| conn.round_trip(&r),
            criterion::BatchSize::SmallInput,
        );
    });
    group.finish();

    let (connections, requests) = std::env::var("KMS_CONSOLE_SERVE_BENCH_LOAD")
        .ok()
        .and_then(|v| {
            let (c, r) = v.split_once('x')?;
            Some((c.parse().ok()?, r.parse().ok()?))
        })
        .unwrap_or((16, 2000));
    let floor = load(empty_port, &caller, connections, requests);
    let kms = load(kms_port, &caller, connections, requests);
    let show = |name: &str, (rps, p50, p99): (f64, Duration, Duration)| {
        println!(
            "serve load, {name}: {rps:.0} req/s, p50 {p50:?}, p99 {p99:?} ({connections} connections x {requests})"
        );
    };
    show("empty 200 (floor)", floor);
    show("signed ReEncrypt", kms);
    println!(
        "serve load: signed ReEncrypt at {:.0} % of the floor's requests per second (target >= 50 %)",
        100.0 * kms.0 / floor.0
    );
}

criterion_group!(benches, bench_serve);
criterion_main!(benches);
