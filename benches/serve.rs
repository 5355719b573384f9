//! The endpoint beside its floor (product §14): V1-signed ReEncrypt requests over keep-alive
//! connections against the same HTTP stack (`serve::serve`: same limits, same hand-off to its
//! handler threads) answering an empty 200, in the same run. Criterion measures one connection's round trip; a
//! load pass then drives `KMS_CONSOLE_SERVE_BENCH_LOAD` (CONNECTIONSxREQUESTS, default 16x2000)
//! keep-alive connections at each and prints requests per second, p50 and p99 latency, and the
//! ratio (target ≥ 50 %).
//!
//! The peer emulator, under the same load generator in the same run (AWS ReEncrypt of a 32-byte
//! data key; moto answers `Connection: close`, so the generator reconnects for it):
//!
//! ```sh
//! python3 -m venv /tmp/moto && /tmp/moto/bin/pip install 'moto[server]==5.2.5'
//! /tmp/moto/bin/moto_server -p 5123 &
//! KMS_CONSOLE_MOTO_PORT=5123 cargo bench --bench serve
//! ```

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
use kms_console::core::ops::principals;
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
            refused: false,
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
    // A new AccessKey of admin, found again through the endpoint's own lookup.
    let access_key_id = vault
        .update(
            |state, ctx| principals::create_access_key(state, ctx, "admin"),
            "admin",
        )
        .expect("admin key")
        .access_key_id;
    let (_, secret) = access_key(vault.state(), &access_key_id).expect("admin key");
    let caller = Caller {
        access_key_id,
        secret: secret.expose().to_owned(),
        cmk,
        blob,
    };
    let verifier = Verifier::new(Arc::new(SystemClock), NonceCache::default());
    // KMS_CONSOLE_SERVE_BENCH_MEMORY=1: the same contents in memory (no vault file checks, no
    // audit log), to show what the file and the audit log cost per request.
    if std::env::var_os("KMS_CONSOLE_SERVE_BENCH_MEMORY").is_some() {
        let state = vault.state().clone();
        let vault = Vault::in_memory(state, Sources::default());
        return (Endpoint::new(vault, verifier, None), caller);
    }
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

/// One keep-alive connection (re-opened when the server closes it, as an HTTP/1.0 peer does).
struct Conn {
    port: u16,
    stream: Option<BufReader<TcpStream>>,
}

impl Conn {
    fn open(port: u16) -> Self {
        Self { port, stream: None }
    }

    /// Sends a request and reads the response body; panics unless it is a 200.
    fn round_trip(&mut self, request: &[u8]) -> Vec<u8> {
        let port = self.port;
        let stream = self.stream.get_or_insert_with(|| {
            let s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
            s.set_nodelay(true).expect("nodelay");
            BufReader::new(s)
        });
        stream.get_mut().write_all(request).expect("write");
        let mut line = String::new();
        stream.read_line(&mut line).expect("status");
        assert!(line.contains(" 200 "), "{line}");
        let mut close = line.starts_with("HTTP/1.0");
        let mut length = None;
        loop {
            line.clear();
            stream.read_line(&mut line).expect("header");
            if line.trim().is_empty() {
                break;
            }
            let lower = line.to_ascii_lowercase();
            if let Some(v) = lower.strip_prefix("content-length:") {
                length = Some(v.trim().parse().expect("length"));
            }
            if lower.starts_with("connection:") {
                close = lower.contains("close");
            }
        }
        let mut body = Vec::new();
        if let Some(n) = length {
            body.resize(n, 0);
            stream.read_exact(&mut body).expect("body");
        } else {
            stream.read_to_end(&mut body).expect("body");
            close = true;
        }
        if close {
            self.stream = None;
        }
        body
    }
}

/// Drives `connections` × `requests` request lines made by `make` at `port`: requests per
/// second, p50 and p99 latency.
fn load(
    port: u16,
    make: &(dyn Fn() -> Vec<u8> + Sync),
    connections: usize,
    requests: usize,
) -> (f64, Duration, Duration) {
    // Made in advance (signed, with fresh nonces), so the client's own work stays out of the timing.
    let batches: Vec<Vec<Vec<u8>>> = (0..connections)
        .map(|_| (0..requests).map(|_| make()).collect())
        .collect();
    let started = Instant::now();
    let threads: Vec<_> = batches
        .into_iter()
        .map(|lines| {
            std::thread::spawn(move || {
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

/// An AWS KMS JSON request for `moto` in server mode (it does not check signatures; the
/// credential scope routes the request to its KMS).
fn aws_request(target: &str, body: &str) -> Vec<u8> {
    format!(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: TrentService.{target}\r\n\
         Content-Type: application/x-amz-json-1.1\r\n\
         Authorization: AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=0\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// The peer: AWS ReEncrypt of a 32-byte data key on `moto` at `port`, under the same load.
fn moto_re_encrypt(port: u16) -> Vec<u8> {
    let mut conn = Conn::open(port);
    let key: serde_json::Value =
        serde_json::from_slice(&conn.round_trip(&aws_request("CreateKey", "{}"))).expect("json");
    let key_id = key["KeyMetadata"]["KeyId"]
        .as_str()
        .expect("KeyId")
        .to_owned();
    let plaintext = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="; // 32 bytes, base64
    let enc = format!(r#"{{"KeyId":"{key_id}","Plaintext":"{plaintext}"}}"#);
    let blob: serde_json::Value =
        serde_json::from_slice(&conn.round_trip(&aws_request("Encrypt", &enc))).expect("json");
    let blob = blob["CiphertextBlob"].as_str().expect("blob");
    aws_request(
        "ReEncrypt",
        &format!(r#"{{"CiphertextBlob":"{blob}","DestinationKeyId":"{key_id}"}}"#),
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
    let signed = || signed_request(&caller);
    let floor = load(empty_port, &signed, connections, requests);
    let kms = load(kms_port, &signed, connections, requests);
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
    // The peer emulator, when one runs: `moto_server -p PORT` (pip install 'moto[server]').
    if let Some(port) = std::env::var("KMS_CONSOLE_MOTO_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
    {
        let line = moto_re_encrypt(port);
        let moto = load(port, &|| line.clone(), connections, requests);
        show("moto AWS ReEncrypt (peer)", moto);
        println!(
            "serve load: kms-console signed ReEncrypt at {:.2}x moto's requests per second",
            kms.0 / moto.0
        );
    }
}

criterion_group!(benches, bench_serve);
criterion_main!(benches);
