//! Shared by the endpoint tests: a temporary demo vault, the real `kms-console serve` on a free
//! loopback port, the one way a test obtains a principal's AccessKey, a small signed HTTP/1.1
//! client, and where the SDK peers are installed.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::missing_panics_doc
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use kms_console::api::percent_encode;
use kms_console::serve::sign;

pub const BIN: &str = env!("CARGO_BIN_EXE_kms-console");

/// The binary with none of the user's kms-console settings.
pub fn kms(vault: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_remove("KMS_CONSOLE_PRINCIPAL")
        .env_remove("KMS_CONSOLE_VAULT")
        .env_remove("KMS_CONSOLE_PASSPHRASE")
        .arg("--vault")
        .arg(vault);
    cmd
}

/// A fresh demo vault in a temporary folder.
pub fn demo_vault() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.json");
    let out = kms(&path).args(["init", "--demo"]).output().unwrap();
    assert!(
        out.status.success(),
        "init --demo: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (dir, path)
}

/// An AccessKey pair.
#[derive(Debug, Clone)]
pub struct AccessKey {
    pub id: String,
    pub secret: String,
}

/// The first AccessKey of principal `name`: the one place tests obtain credentials (read from the
/// unprotected demo vault's contents).
pub fn credentials(vault: &Path, name: &str) -> AccessKey {
    let text = std::fs::read_to_string(vault).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let principals = doc["contents"]["Principals"]
        .as_array()
        .expect("an unprotected vault");
    let p = principals
        .iter()
        .find(|p| p["Name"] == name)
        .unwrap_or_else(|| panic!("no principal {name}"));
    let pair = &p["AccessKeys"][0];
    AccessKey {
        id: pair["AccessKeyId"].as_str().unwrap().to_owned(),
        secret: pair["AccessKeySecret"].as_str().unwrap().to_owned(),
    }
}

/// `kms-console serve` on a free loopback port; stopped (SIGTERM, then killed) on drop.
pub struct Server {
    child: Child,
    pub port: u16,
}

impl Server {
    pub fn start(vault: &Path, extra: &[&str]) -> Self {
        let mut child = kms(vault)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("serve printed {line:?}"));
        assert!(
            line.starts_with("kms-console serve: listening on http://127.0.0.1:"),
            "{line}"
        );
        Self { child, port }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn endpoint(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Sends SIGTERM and waits: the exit status.
    pub fn stop(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        self.child.wait().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// An HTTP response: status, headers (lower-case names) and body.
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One keep-alive HTTP/1.1 connection.
pub struct Connection {
    stream: BufReader<TcpStream>,
}

impl Connection {
    pub fn open(port: u16) -> Self {
        let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream.set_nodelay(true).unwrap();
        Self {
            stream: BufReader::new(stream),
        }
    }

    /// Sends `GET /?query` with the given headers and reads the response.
    pub fn get(&mut self, query: &str, headers: &[(&str, &str)]) -> Response {
        use std::fmt::Write as _;
        let mut head = format!("GET /?{query} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (k, v) in headers {
            let _ = write!(head, "{k}: {v}\r\n");
        }
        head.push_str("\r\n");
        self.stream.get_mut().write_all(head.as_bytes()).unwrap();
        self.read_response()
    }

    pub fn read_response(&mut self) -> Response {
        let mut status_line = String::new();
        self.stream.read_line(&mut status_line).unwrap();
        let status = status_line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("status line {status_line:?}"));
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            self.stream.read_line(&mut line).unwrap();
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
            }
        }
        let length: usize = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        self.stream.read_exact(&mut body).unwrap();
        Response {
            status,
            headers,
            body: String::from_utf8(body).unwrap(),
        }
    }
}

/// A V1-signed query for `action` with `params`, as pop-core sends it with GET.
pub fn signed_query(
    key: &AccessKey,
    action: &str,
    params: &[(&str, &str)],
    nonce: &str,
    timestamp: &str,
) -> String {
    let mut all: Vec<(&str, &str)> = vec![
        ("AccessKeyId", &key.id),
        ("Action", action),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureNonce", nonce),
        ("SignatureVersion", "1.0"),
        ("Timestamp", timestamp),
        ("Version", "2016-01-20"),
    ];
    if !params.iter().any(|(k, _)| *k == "Format") {
        all.push(("Format", "JSON"));
    }
    all.extend_from_slice(params);
    let signature = sign::v1_sign(
        &key.secret,
        &sign::v1_string_to_sign("GET", all.iter().copied()),
    );
    let mut query: Vec<String> = all
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect();
    query.push(format!("Signature={}", percent_encode(&signature)));
    query.join("&")
}

/// Where `.ci/peers` installed the SDKs: `KMS_CONSOLE_PEERS`, else `$HOME/.cache/kms-console-peers`.
/// Runs `.ci/peers` once per test process (idempotent, pinned, quick when already done), so a plain
/// `cargo test` on a fresh machine installs the SDKs it drives; if the registries cannot be reached
/// the peer checks below fail loudly, naming what is missing.
fn install_peers_once() {
    static INSTALLED: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    INSTALLED.get_or_init(|| {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/peers");
        let out = Command::new("bash")
            .arg(&script)
            .env("KMS_CONSOLE_PEERS", peers_dir())
            .output();
        if let Ok(out) = out
            && !out.status.success()
        {
            eprintln!(
                "note: .ci/peers failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    });
}

pub fn peers_dir() -> PathBuf {
    std::env::var_os("KMS_CONSOLE_PEERS")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/kms-console-peers"))
        })
        .expect("KMS_CONSOLE_PEERS or HOME must be set")
}

/// The path of an installed peer; fails loudly, naming it, when it is missing.
pub fn peer(relative: &str, what: &str) -> PathBuf {
    install_peers_once();
    let path = peers_dir().join(relative);
    assert!(
        path.exists(),
        "MISSING PEER: {what} is not installed at {} — run `.ci/peers` (it installs the pinned \
         Alibaba SDKs from PyPI and npm; set KMS_CONSOLE_PEERS to use another folder)",
        path.display()
    );
    path
}

/// Reads a whole file, for the README test.
pub fn read(path: &Path) -> String {
    let mut s = String::new();
    std::fs::File::open(path)
        .unwrap()
        .read_to_string(&mut s)
        .unwrap();
    s
}
