//! Alibaba's own SDKs against the real `kms-console serve` on a temporary demo vault, unchanged
//! (product §13): the old Python SDK (V1), the Tea SDK with ACS3 and with
//! `signature_algorithm="v2"`, and pop-core with GET and POST. The SDKs come from `.ci/peers`;
//! when they are missing the tests fail, naming what is missing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::needless_pass_by_value
)]

mod serve_support;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use kms_console::core::clock::{Clock, SystemClock, format_date};
use serde_json::{Value, json};
use serve_support::{
    AccessKey, Connection, Server, credentials, demo_vault, kms, peer, signed_query,
};

const SAMPLES: &str = include_str!("../assets/demo-samples.json");
const PLAINTEXT: &str = "a b+c*~'!()/&=%ü";
const CONTEXT: &str = r#"{"app": "x y", "n": "1"}"#;

/// One SDK driver of tests/peers, fed one JSON call per line.
struct Peer {
    name: String,
    child: Child,
    input: ChildStdin,
    output: BufReader<ChildStdout>,
    /// pop-core: the HTTP method to use.
    method: Option<&'static str>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Sdk {
    OldPython,
    TeaAcs3,
    TeaV2,
    PopCoreGet,
    PopCorePost,
}

impl Peer {
    fn start(sdk: Sdk, server: &Server, key: &AccessKey) -> Self {
        let peers = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers");
        let python = || {
            let mut c = Command::new(peer(
                "venv/bin/python",
                "the Python venv with the Alibaba SDKs",
            ));
            c.env_remove("PYTHONPATH");
            c
        };
        let endpoint = server.endpoint();
        let (mut cmd, method) = match sdk {
            Sdk::OldPython => {
                let mut c = python();
                c.arg(peers.join("aliyun_core.py")).arg(&endpoint);
                (c, None)
            }
            Sdk::TeaAcs3 | Sdk::TeaV2 => {
                let mut c = python();
                let scheme = if sdk == Sdk::TeaAcs3 { "acs3" } else { "v2" };
                c.arg(peers.join("tea_sdk.py")).arg(scheme).arg(&endpoint);
                (c, None)
            }
            Sdk::PopCoreGet | Sdk::PopCorePost => {
                let modules = peer(
                    "node/node_modules/@alicloud/pop-core",
                    "npm @alicloud/pop-core",
                );
                let mut c = Command::new("node");
                c.env("NODE_PATH", modules.parent().unwrap().parent().unwrap())
                    .arg(peers.join("pop_core.js"))
                    .arg(format!("http://{endpoint}"));
                (
                    c,
                    Some(if sdk == Sdk::PopCoreGet {
                        "GET"
                    } else {
                        "POST"
                    }),
                )
            }
        };
        let mut child = cmd
            .arg(&key.id)
            .arg(&key.secret)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("MISSING PEER: cannot start {cmd:?}: {e}"));
        let input = child.stdin.take().unwrap();
        let output = BufReader::new(child.stdout.take().unwrap());
        Self {
            name: format!("{cmd:?}"),
            child,
            input,
            output,
            method,
        }
    }

    /// Sends one call; returns `{"ok": doc}` or `{"error", "status", "message"}`.
    fn send(&mut self, mut call: Value) -> Value {
        if let Some(m) = self.method {
            call["method"] = json!(m);
        }
        writeln!(self.input, "{call}").unwrap();
        self.input.flush().unwrap();
        let mut line = String::new();
        self.output.read_line(&mut line).unwrap();
        serde_json::from_str(&line)
            .unwrap_or_else(|_| panic!("{}: no answer to {call} (got {line:?})", self.name))
    }

    fn ok(&mut self, action: &str, params: Value) -> Value {
        let answer = self.send(json!({"action": action, "params": params}));
        match answer.get("ok") {
            Some(doc) => {
                assert!(doc.get("Code").is_none(), "a success has no Code: {doc}");
                doc.clone()
            }
            None => panic!("{action} {params} failed: {answer}"),
        }
    }

    fn refused(&mut self, call: Value, code: &str, status: u16) {
        let answer = self.send(call.clone());
        assert_eq!(answer["error"], code, "{call} → {answer}");
        if self.method.is_none() || status != 0 {
            assert_eq!(answer["status"], status, "{call} → {answer}");
        }
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The operations every SDK must carry: Encrypt, Decrypt, GenerateDataKey, ReEncrypt of every
/// demo sample to its destination's primary version, CreateKey, ListKeys.
fn operations(p: &mut Peer) {
    let enc = p.ok(
        "Encrypt",
        json!({"KeyId": "alias/orders", "Plaintext": PLAINTEXT, "EncryptionContext": CONTEXT}),
    );
    let blob = enc["CiphertextBlob"].as_str().unwrap();
    let dec = p.ok(
        "Decrypt",
        json!({"CiphertextBlob": blob, "EncryptionContext": CONTEXT}),
    );
    assert_eq!(dec["Plaintext"], PLAINTEXT);

    let dk = p.ok(
        "GenerateDataKey",
        json!({"KeyId": "alias/payments", "EncryptionContext": r#"{"t":"1"}"#}),
    );
    let again = p.ok(
        "Decrypt",
        json!({"CiphertextBlob": dk["CiphertextBlob"], "EncryptionContext": r#"{"t":"1"}"#}),
    );
    assert_eq!(again["Plaintext"], dk["Plaintext"]);

    let samples: Value = serde_json::from_str(SAMPLES).unwrap();
    for s in samples["Samples"].as_array().unwrap() {
        if s["Case"] == "refusal" {
            continue;
        }
        let mut params = json!({"CiphertextBlob": s["CiphertextBlob"], "DestinationKeyId": s["DestinationKeyId"]});
        for (from, to) in [
            ("EncryptionContext", "SourceEncryptionContext"),
            (
                "DestinationEncryptionContext",
                "DestinationEncryptionContext",
            ),
            ("SourceKeyId", "SourceKeyId"),
            ("SourceKeyVersionId", "SourceKeyVersionId"),
            ("SourceEncryptionAlgorithm", "SourceEncryptionAlgorithm"),
        ] {
            if let Some(v) = s.get(from) {
                params[to] = v.clone();
            }
        }
        let re = p.ok("ReEncrypt", params);
        let dest = p.ok("DescribeKey", json!({"KeyId": s["DestinationKeyId"]}));
        assert_eq!(
            re["KeyVersionId"], dest["KeyMetadata"]["PrimaryKeyVersion"],
            "{}",
            s["Name"]
        );
        let mut open = json!({"CiphertextBlob": re["CiphertextBlob"]});
        if let Some(ctx) = s.get("DestinationEncryptionContext") {
            open["EncryptionContext"] = ctx.clone();
        }
        assert_eq!(
            p.ok("Decrypt", open)["Plaintext"],
            s["Plaintext"],
            "{}",
            s["Name"]
        );
    }

    let created = p.ok("CreateKey", json!({"Description": "made by an SDK"}));
    let key_id = created["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned();
    p.ok("Encrypt", json!({"KeyId": key_id, "Plaintext": "fresh"}));
    let listed = p.ok("ListKeys", json!({"PageSize": "100"}));
    let ids: Vec<&str> = listed["Keys"]["Key"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["KeyId"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&key_id.as_str()), "{listed}");
}

/// The refusals every SDK must report as Alibaba does.
fn refusals(p: &mut Peer) {
    let enc = p.ok(
        "Encrypt",
        json!({"KeyId": "alias/orders", "Plaintext": "x", "EncryptionContext": CONTEXT}),
    );
    let wrong_context = json!({"action": "Decrypt", "params": {"CiphertextBlob": enc["CiphertextBlob"], "EncryptionContext": r#"{"app":"other"}"#}});
    p.refused(wrong_context, "InvalidParameter", 400);
    p.refused(
        json!({"action": "DescribeKey", "params": {"KeyId": "alias/nope"}}),
        "Forbidden.AliasNotFound",
        404,
    );
    p.refused(json!({"action": "DescribeKey", "params": {"KeyId": "00000000-0000-4000-8000-000000000000"}}), "Forbidden.KeyNotFound", 404);
}

/// Replayed nonce and stale timestamp, for the SDKs whose drivers can fix them.
fn replay_refusals(p: &mut Peer, nonce: &str) {
    let call = json!({"action": "ListKeys", "params": {}, "nonce": nonce});
    p.send(call.clone())["ok"]
        .as_object()
        .expect("the first use of a nonce is accepted");
    p.refused(call, "SignatureNonceUsed", 400);
    let stale = json!({"action": "ListKeys", "params": {}, "timestamp": "2020-01-01T00:00:00Z"});
    p.refused(stale, "InvalidTimeStamp.Expired", 400);
}

fn credential_refusals(sdk: Sdk, server: &Server, admin: &AccessKey, wrong_secret_code: &str) {
    let wrong = AccessKey {
        id: admin.id.clone(),
        secret: "not-the-secret".into(),
    };
    let mut p = Peer::start(sdk, server, &wrong);
    p.refused(
        json!({"action": "ListKeys", "params": {}}),
        wrong_secret_code,
        400,
    );
    let unknown = AccessKey {
        id: "LTAInobodyhasthisid0000".into(),
        secret: "x".into(),
    };
    let mut p = Peer::start(sdk, server, &unknown);
    p.refused(
        json!({"action": "ListKeys", "params": {}}),
        "InvalidAccessKeyId.NotFound",
        404,
    );
}

fn auditor_refusal(sdk: Sdk, server: &Server, vault: &Path) {
    let mut p = Peer::start(sdk, server, &credentials(vault, "auditor"));
    p.ok("ListKeys", json!({}));
    let samples: Value = serde_json::from_str(SAMPLES).unwrap();
    let s = &samples["Samples"][0];
    let call = json!({"action": "ReEncrypt", "params": {"CiphertextBlob": s["CiphertextBlob"], "DestinationKeyId": s["DestinationKeyId"], "SourceEncryptionContext": s["EncryptionContext"]}});
    p.refused(call, "Forbidden.NoPermission", 403);
}

fn audit_verifies(vault: &Path) {
    let out = kms(vault).args(["audit", "verify"]).output().unwrap();
    assert!(
        out.status.success(),
        "audit verify: {}",
        String::from_utf8_lossy(&out.stdout)
    );
}

fn run_sdk(sdk: Sdk, wrong_secret_code: &str, replay: bool) {
    let (_dir, vault) = demo_vault();
    let server = Server::start(&vault, &["--quiet"]);
    let admin = credentials(&vault, "admin");
    let mut p = Peer::start(sdk, &server, &admin);
    operations(&mut p);
    refusals(&mut p);
    if replay {
        replay_refusals(
            &mut p,
            &format!(
                "{:032x}",
                u128::from(std::process::id()) << 20 | sdk as u128
            ),
        );
    }
    drop(p);
    credential_refusals(sdk, &server, &admin, wrong_secret_code);
    auditor_refusal(sdk, &server, &vault);
    assert!(server.stop().success(), "serve exits 0 on SIGTERM");
    audit_verifies(&vault);
}

#[test]
fn old_python_sdk_with_signature_v1() {
    // aliyunsdkcore compares the server's string to sign with its own and, when they agree,
    // reports the wrong secret as such.
    run_sdk(Sdk::OldPython, "InvalidAccessKeySecret", true);
}

#[test]
fn old_python_sdk_tampered_parameter_is_refused() {
    let (_dir, vault) = demo_vault();
    let server = Server::start(&vault, &["--quiet"]);
    let mut p = Peer::start(Sdk::OldPython, &server, &credentials(&vault, "admin"));
    let call = json!({"action": "DescribeKey", "params": {"KeyId": "alias/orders"}, "tamper": ["KeyId", "alias%2Fpayments"]});
    let answer = p.send(call);
    assert_eq!(answer["error"], "SignatureDoesNotMatch", "{answer}");
    assert_eq!(answer["status"], 400);
    let message = answer["message"].as_str().unwrap();
    assert!(
        message.contains("server string to sign is:POST&%2F&")
            && message.contains("alias%252Fpayments"),
        "{message}"
    );
}

#[test]
fn tea_sdk_with_acs3() {
    run_sdk(Sdk::TeaAcs3, "SignatureDoesNotMatch", true);
}

#[test]
fn tea_sdk_with_signature_v2() {
    run_sdk(Sdk::TeaV2, "SignatureDoesNotMatch", true);
}

#[test]
fn pop_core_with_get() {
    run_sdk(Sdk::PopCoreGet, "SignatureDoesNotMatch", false);
}

#[test]
fn pop_core_with_post() {
    run_sdk(Sdk::PopCorePost, "SignatureDoesNotMatch", false);
}

#[test]
fn raw_requests_get_alibabas_refusals() {
    let (_dir, vault) = demo_vault();
    let server = Server::start(&vault, &["--quiet"]);
    let admin = credentials(&vault, "admin");
    let mut c = Connection::open(server.port);
    let unsigned = c.get("Action=ListKeys&Format=JSON", &[]);
    assert_eq!(
        (unsigned.status, unsigned.json()["Code"].as_str()),
        (400, Some("MissingParameter"))
    );
    assert_eq!(
        unsigned.header("content-type"),
        Some("application/json;charset=utf-8")
    );
    let now = format_date(SystemClock.now());
    let ok = c.get(
        &signed_query(
            &admin,
            "DescribeKey",
            &[("KeyId", "alias/orders")],
            "n-raw-1",
            &now,
        ),
        &[],
    );
    assert_eq!(ok.status, 200, "{}", ok.body);
    // XML on request, with the content type the Tea SDK reads, for successes and errors.
    let xml = c.get(
        &signed_query(
            &admin,
            "DescribeKey",
            &[("KeyId", "alias/nope"), ("Format", "XML")],
            "n-raw-2",
            &now,
        ),
        &[],
    );
    assert_eq!(xml.status, 404, "{}", xml.body);
    assert_eq!(xml.header("content-type"), Some("text/xml;charset=utf-8"));
    assert!(
        xml.body.contains("<Error>") && xml.body.contains("<Code>Forbidden.AliasNotFound</Code>"),
        "{}",
        xml.body
    );
    // Garbage is refused, never a 5xx.
    for query in [
        "%ff%fe=%00",
        "Action=%E0%80",
        "Signature=&AccessKeyId=",
        "a=b&a=c",
    ] {
        let r = c.get(query, &[("Authorization", "ACS3-HMAC-SHA256 junk")]);
        assert!(
            (400..500).contains(&r.status),
            "{query}: {} {}",
            r.status,
            r.body
        );
    }
    assert!(server.stop().success());
}

/// The README's "Point your application at it" snippets, as printed, with the test's port.
fn readme_snippets() -> Vec<(String, String)> {
    let readme = include_str!("../README.md");
    let start = readme
        .find("<!-- serve-snippets:begin -->")
        .expect("begin marker");
    let end = readme
        .find("<!-- serve-snippets:end -->")
        .expect("end marker");
    let mut snippets = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in readme[start..end].lines() {
        if let Some(lang) = line.strip_prefix("```") {
            match current.take() {
                Some(done) => snippets.push(done),
                None => current = Some((lang.trim().to_owned(), String::new())),
            }
        } else if let Some((_, code)) = current.as_mut() {
            code.push_str(line);
            code.push('\n');
        }
    }
    snippets
}

#[test]
fn readme_snippets_run_against_the_endpoint() {
    let snippets = readme_snippets();
    let langs: Vec<&str> = snippets.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(langs, ["python", "python", "js"]);
    let (_dir, vault) = demo_vault();
    let server = Server::start(&vault, &["--quiet"]);
    let key = credentials(&vault, "admin");
    let mut runs: Vec<(String, String)> = Vec::new();
    for (lang, code) in &snippets {
        assert!(
            code.contains("127.0.0.1:20160"),
            "the snippet shows the default address"
        );
        let code = code.replace("127.0.0.1:20160", &server.endpoint());
        if code.contains("# signature_algorithm=\"v2\"") {
            runs.push((
                lang.clone(),
                code.replace("# signature_algorithm", "signature_algorithm"),
            ));
        }
        runs.push((lang.clone(), code));
    }
    assert_eq!(runs.len(), 4, "old SDK, Tea ACS3, Tea v2, pop-core");
    for (lang, code) in runs {
        let mut cmd = if lang == "python" {
            Command::new(peer(
                "venv/bin/python",
                "the Python venv with the Alibaba SDKs",
            ))
        } else {
            let modules = peer("node/node_modules", "npm @alicloud/pop-core");
            let mut c = Command::new("node");
            c.env("NODE_PATH", modules);
            c
        };
        let out = cmd
            .arg(if lang == "python" { "-c" } else { "-e" })
            .arg(&code)
            .env("ALIBABA_CLOUD_ACCESS_KEY_ID", &key.id)
            .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", &key.secret)
            .output()
            .unwrap_or_else(|e| panic!("MISSING PEER: cannot run {lang}: {e}"));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.trim() == "hello",
            "{code}\nstdout: {stdout}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(server.stop().success());
}

/// Runs one snippet (python or js) and returns its stdout.
fn run_snippet(language: &str, code: &str, env: &[(&str, &str)]) -> String {
    let mut cmd = if language == "python" {
        Command::new(peer(
            "venv/bin/python",
            "the Python venv with the Alibaba SDKs",
        ))
    } else {
        let mut c = Command::new("node");
        c.env(
            "NODE_PATH",
            peer("node/node_modules", "npm @alicloud/pop-core"),
        );
        c
    };
    let out = cmd
        .arg(if language == "python" { "-c" } else { "-e" })
        .arg(code)
        .envs(env.iter().copied())
        .env_remove("ALIBABA_CLOUD_ACCESS_KEY_ID")
        .env_remove("ALIBABA_CLOUD_ACCESS_KEY_SECRET")
        .envs(env.iter().copied())
        .output()
        .unwrap_or_else(|e| panic!("MISSING PEER: cannot run {language}: {e}"));
    assert!(
        out.status.success(),
        "{code}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn readme_snippets_are_the_consoles() {
    let readme: Vec<String> = readme_snippets()
        .into_iter()
        .map(|(_, code)| code)
        .collect();
    let templates: Vec<&str> = kms_console::serve::snippets::ALL
        .iter()
        .map(|s| s.template)
        .collect();
    assert_eq!(readme, templates);
}

#[test]
fn console_snippets_run_against_an_endpoint_it_started() {
    use kms_console::core::vault::{Sources, Vault};
    use kms_console::serve::{RunningEndpoint, snippets};
    use std::sync::Arc;

    let (_dir, vault_path) = demo_vault();
    let key = credentials(&vault_path, "admin");
    let (vault, _) = Vault::open(&vault_path, None, Sources::default()).unwrap();
    let running =
        RunningEndpoint::start(vault, "127.0.0.1:0".parse().unwrap(), Arc::new(SystemClock))
            .unwrap();
    let endpoint = running.address().to_string();
    let secret = kms_console::core::secret::SecretString::from(key.secret.as_str());
    for s in snippets::ALL {
        let code = s.filled(&endpoint, &key.id, &secret);
        assert_eq!(
            run_snippet(s.language, code.expose(), &[]).trim(),
            "hello",
            "{}",
            s.title
        );
    }
    let seen = running.recent();
    assert_eq!(seen.len(), 6, "two requests per snippet");
    assert!(
        seen.iter()
            .all(|r| r.event.principal.as_deref() == Some("admin") && r.event.code == "Success")
    );
    assert_eq!(seen[0].event.action, "Encrypt");
    running.stop();
    assert!(
        std::net::TcpStream::connect(endpoint.as_str()).is_err(),
        "stopped"
    );
    audit_verifies(&vault_path);
}
