//! The binary end to end on temporary vaults: success on stdout with exit 0, API errors as the
//! error document on stderr with exit 1, usage errors with exit 2; sealed vaults and their
//! passphrase; XML documents; principals; the audit log; two processes at once.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn vault(&self) -> PathBuf {
        self.dir.path().join("vault.json")
    }

    fn cmd(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_kms-console"));
        c.env("KMS_CONSOLE_VAULT", self.vault())
            .env("HOME", self.dir.path())
            .env_remove("KMS_CONSOLE_PASSPHRASE")
            .env_remove("KMS_CONSOLE_PRINCIPAL");
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    fn ok(&self, args: &[&str]) -> Value {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stderr.is_empty(),
            "nothing on stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// Runs, expects exit 1 with the error document on stderr, returns its Code.
    fn err(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(out.stdout.is_empty(), "nothing on stdout on error");
        let doc: Value = serde_json::from_slice(&out.stderr)
            .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
        for field in [
            "RequestId",
            "HostId",
            "Code",
            "Message",
            "Recommend",
            "HttpStatus",
        ] {
            assert!(doc.get(field).is_some(), "{field} in {doc}");
        }
        doc["Code"].as_str().unwrap().to_owned()
    }

    fn init_plain(&self) {
        self.ok(&["init", "--no-passphrase"]);
    }
}

fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

#[test]
fn every_error_path_prints_its_code_with_exit_1() {
    let e = Env::new();
    e.init_plain();
    let key = s(&e.ok(&["CreateKey"])["KeyMetadata"]["KeyId"]);
    let rsa = s(&e.ok(&["CreateKey", "--KeySpec", "EC_SM2"])["KeyMetadata"]["KeyId"]);
    let blob = s(&e.ok(&["Encrypt", "--KeyId", &key, "--Plaintext", "x"])["CiphertextBlob"]);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["Encrypt", "--KeyId", &key], "MissingParameter"),
        (
            vec!["Decrypt", "--CiphertextBlob", "@@@"],
            "InvalidParameter",
        ),
        (
            vec![
                "Decrypt",
                "--CiphertextBlob",
                &blob,
                "--EncryptionContext",
                "{\"a\":\"b\"}",
            ],
            "InvalidParameter",
        ),
        (
            vec!["DescribeKey", "--KeyId", "nope"],
            "Forbidden.KeyNotFound",
        ),
        (
            vec!["DescribeKey", "--KeyId", "alias/nope"],
            "Forbidden.AliasNotFound",
        ),
        (
            vec![
                "DescribeKeyVersion",
                "--KeyId",
                &key,
                "--KeyVersionId",
                "nope",
            ],
            "Forbidden.KeyVersionNotFound",
        ),
        (
            vec!["--as", "nobody", "DescribeKey", "--KeyId", &key],
            "Forbidden.NoPermission",
        ),
        (
            vec!["Encrypt", "--KeyId", &rsa, "--Plaintext", "x"],
            "IncorrectKeyUsage",
        ),
        (
            vec![
                "ReEncrypt",
                "--CiphertextBlob",
                &blob,
                "--DestinationKeyId",
                &key,
                "--DryRun",
                "true",
            ],
            "DryRunOperationError",
        ),
        (
            vec!["CreateAlias", "--AliasName", "bad", "--KeyId", &key],
            "InvalidParameter",
        ),
        (vec!["ListKeys", "--PageSize", "1000"], "InvalidParameter"),
    ];
    for (args, code) in &cases {
        assert_eq!(&e.err(args), code, "{args:?}");
    }
    e.ok(&["CreateAlias", "--AliasName", "alias/a", "--KeyId", &key]);
    assert_eq!(
        e.err(&["CreateAlias", "--AliasName", "alias/a", "--KeyId", &key]),
        "AliasAlreadyExists"
    );
    e.ok(&["DisableKey", "--KeyId", "alias/a"]);
    assert_eq!(
        e.err(&["Decrypt", "--CiphertextBlob", &blob]),
        "Rejected.Disabled"
    );
    e.ok(&[
        "ScheduleKeyDeletion",
        "--KeyId",
        "alias/a",
        "--PendingWindowInDays",
        "7",
    ]);
    assert_eq!(
        e.err(&["Decrypt", "--CiphertextBlob", &blob]),
        "Rejected.PendingDeletion"
    );
    assert_eq!(
        e.err(&["EnableKey", "--KeyId", "alias/a"]),
        "Rejected.StateModifiedFailed"
    );
}

#[test]
fn usage_errors_exit_2_and_help_lists_the_api_parameters() {
    let e = Env::new();
    e.init_plain();
    for args in [
        &["Decrypt", "--NoSuchParam", "1"][..],
        &["NoSuchCommand"],
        &["--Format", "YAML", "ListKeys"],
    ] {
        let out = e.run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty());
    }
    let help = e.run(&["ReEncrypt", "--help"]);
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    for p in [
        "--CiphertextBlob",
        "--DestinationKeyId",
        "--SourceEncryptionAlgorithm",
        "--DryRun",
    ] {
        assert!(text.contains(p), "{p}");
    }
    let top = String::from_utf8_lossy(&e.run(&["--help"]).stdout).into_owned();
    assert!(top.contains("ReEncrypt") && top.contains("init") && top.contains("audit"));
    let completions = e.run(&["completions", "bash"]);
    assert!(completions.status.success());
    assert!(String::from_utf8_lossy(&completions.stdout).contains("ReEncrypt"));
}

/// Well-formed XML whose leaves are the JSON document's fields.
fn xml_leaves(xml: &str) -> Vec<(String, String)> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut stack, mut leaves, mut text) = (Vec::<String>::new(), Vec::new(), String::new());
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(t) => {
                stack.push(t.name().as_ref().to_owned());
                text.clear();
            }
            Event::Text(t) => text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => text.push_str(match r.xml10_content().as_ref() {
                "lt" => "<",
                "gt" => ">",
                "amp" => "&",
                "quot" => "\"",
                "apos" => "'",
                other => panic!("entity {other}"),
            }),
            Event::End(_) => {
                let name = stack.pop().unwrap_or_default();
                if !text.trim().is_empty() {
                    leaves.push((name, std::mem::take(&mut text)));
                }
                text.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(stack.is_empty());
    leaves
}

fn json_leaves(v: &Value, name: &str, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(m) => m.iter().for_each(|(k, v)| json_leaves(v, k, out)),
        Value::Array(a) => a.iter().for_each(|v| json_leaves(v, name, out)),
        Value::String(s) if s.is_empty() => {}
        Value::String(s) => out.push((name.to_owned(), s.clone())),
        other => out.push((name.to_owned(), other.to_string())),
    }
}

#[test]
fn xml_documents_are_well_formed_and_hold_the_json_fields() {
    let e = Env::new();
    e.init_plain();
    let key = s(&e.ok(&["CreateKey", "--Description", "a <b> & \"c\""])["KeyMetadata"]["KeyId"]);
    e.ok(&["CreateAlias", "--AliasName", "alias/x", "--KeyId", &key]);
    for args in [
        vec!["DescribeKey", "--KeyId", &key],
        vec!["ListKeys"],
        vec!["ListAliases"],
        vec!["ListKeyVersions", "--KeyId", &key],
    ] {
        let json = e.ok(&args);
        let mut xml_args = args.clone();
        xml_args.extend(["--Format", "XML"]);
        let out = e.run(&xml_args);
        assert!(out.status.success());
        let xml = String::from_utf8(out.stdout).unwrap();
        assert!(xml.contains("<KMS>"));
        let mut expected = Vec::new();
        json_leaves(&json, "KMS", &mut expected);
        let mut leaves = xml_leaves(&xml);
        // RequestIds differ between the two calls.
        expected.retain(|(k, _)| k != "RequestId");
        leaves.retain(|(k, _)| k != "RequestId");
        assert_eq!(leaves, expected, "{args:?}");
    }
    let out = e.run(&["DescribeKey", "--KeyId", "nope", "--Format", "XML"]);
    let xml = String::from_utf8(out.stderr).unwrap();
    assert!(xml.contains("<Error>") && xml.contains("<Code>Forbidden.KeyNotFound</Code>"));
    xml_leaves(&xml);
}

#[test]
fn sealed_vault_needs_its_passphrase() {
    let e = Env::new();
    let out = e.run(&["init", "--insecure-test-kdf"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "no passphrase on a non-interactive run"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("KMS_CONSOLE_PASSPHRASE"));
    assert!(!e.vault().exists());
    let out = e
        .cmd()
        .args(["init", "--insecure-test-kdf"])
        .env("KMS_CONSOLE_PASSPHRASE", "correct horse")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        !std::fs::read_to_string(e.vault())
            .unwrap()
            .contains("admin"),
        "contents are sealed"
    );
    let before = std::fs::read(e.vault()).unwrap();
    let no_pass = e.run(&["ListKeys"]);
    assert_eq!(no_pass.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&no_pass.stderr).contains("sealed"));
    let wrong = e
        .cmd()
        .args(["ListKeys"])
        .env("KMS_CONSOLE_PASSPHRASE", "wrong")
        .output()
        .unwrap();
    assert_eq!(wrong.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&wrong.stderr)
            .to_lowercase()
            .contains("passphrase")
    );
    assert_eq!(
        std::fs::read(e.vault()).unwrap(),
        before,
        "a failed open never rewrites the file"
    );
    let pass_file = e.dir.path().join("pass.txt");
    std::fs::write(&pass_file, "correct horse\n").unwrap();
    let out = e
        .cmd()
        .args([
            "--passphrase-file",
            pass_file.to_str().unwrap(),
            "CreateKey",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed = e
        .cmd()
        .args(["ListKeys", "--query", "TotalCount"])
        .env("KMS_CONSOLE_PASSPHRASE", "correct horse")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&listed.stdout).trim(), "1");
}

#[test]
fn missing_vault_and_existing_vault_are_clear_errors() {
    let e = Env::new();
    let out = e.run(&["ListKeys"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("kms-console init"));
    e.init_plain();
    let before = std::fs::read(e.vault()).unwrap();
    let again = e.run(&["init", "--no-passphrase"]);
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(std::fs::read(e.vault()).unwrap(), before);
    std::fs::write(e.vault(), b"{ not json").unwrap();
    let out = e.run(&["ListKeys"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
}

#[test]
fn principals_policies_and_the_audit_log() {
    let e = Env::new();
    e.init_plain();
    let key = s(&e.ok(&["CreateKey"])["KeyMetadata"]["KeyId"]);
    e.ok(&["principal", "create", "ops", "--policy", r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":["kms:Describe*"],"Resource":["*"]}]}"#]);
    let created = e.ok(&["principal", "access-key", "create", "ops"]);
    assert!(s(&created["AccessKey"]["AccessKeyId"]).starts_with("LTAI"));
    let secret = s(&created["AccessKey"]["AccessKeySecret"]);
    assert_eq!(secret.len(), 30);
    e.ok(&["--as", "ops", "DescribeKey", "--KeyId", &key]);
    assert_eq!(
        e.err(&["--as", "ops", "ListKeys"]),
        "Forbidden.NoPermission"
    );
    let policy_file = e.dir.path().join("p.json");
    std::fs::write(
        &policy_file,
        r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"kms:List*","Resource":"*"}]}"#,
    )
    .unwrap();
    e.ok(&[
        "principal",
        "attach-policy",
        "ops",
        "--policy",
        &format!("@{}", policy_file.display()),
    ]);
    e.ok(&["--as", "ops", "ListKeys"]);
    assert_eq!(
        e.err(&["principal", "attach-policy", "ops", "--policy", "{}"]),
        "MalformedPolicyDocument"
    );
    e.ok(&["principal", "detach-policy", "ops", "1"]);
    assert_eq!(
        e.err(&["--as", "ops", "ListKeys"]),
        "Forbidden.NoPermission"
    );
    let list = e.ok(&["principal", "list"]);
    let text = list.to_string();
    assert!(text.contains("ops") && text.contains("admin"));
    assert!(!text.contains(&secret), "list never shows the secret");
    e.ok(&["principal", "delete", "ops"]);
    assert_eq!(e.err(&["principal", "delete", "ops"]), "InvalidParameter");
    // Audit: every call is there, and the log verifies; it never holds plaintext or contexts.
    e.ok(&[
        "Encrypt",
        "--KeyId",
        &key,
        "--Plaintext",
        "TOP-SECRET-PLAINTEXT",
        "--EncryptionContext",
        r#"{"k":"CONTEXT-VALUE"}"#,
    ]);
    let out = e.run(&["audit", "list"]);
    let log = String::from_utf8(out.stdout).unwrap();
    assert!(log.lines().count() >= 10, "{log}");
    assert!(log.contains("\"action\":\"Encrypt\"") && log.contains("Forbidden.NoPermission"));
    assert!(
        !log.contains("TOP-SECRET") && !log.contains("CONTEXT-VALUE") && !log.contains(&secret)
    );
    let verify = e.run(&["audit", "verify"]);
    assert!(verify.status.success());
    let audit_path = PathBuf::from(format!("{}.audit.jsonl", e.vault().display()));
    let text = std::fs::read_to_string(&audit_path).unwrap();
    std::fs::write(&audit_path, text.replacen("\"Encrypt\"", "\"Decrypt\"", 1)).unwrap();
    assert_eq!(e.run(&["audit", "verify"]).status.code(), Some(1));
}

#[test]
fn two_processes_working_on_one_vault_lose_nothing() {
    let e = Env::new();
    e.init_plain();
    let key = s(&e.ok(&["CreateKey"])["KeyMetadata"]["KeyId"]);
    let spawn = |args: Vec<String>, n: usize| {
        let vault = e.vault();
        let home = e.dir.path().to_path_buf();
        std::thread::spawn(move || {
            for _ in 0..n {
                let out = Command::new(env!("CARGO_BIN_EXE_kms-console"))
                    .args(&args)
                    .env("KMS_CONSOLE_VAULT", &vault)
                    .env("HOME", &home)
                    .env_remove("KMS_CONSOLE_PASSPHRASE")
                    .env_remove("KMS_CONSOLE_PRINCIPAL")
                    .output()
                    .unwrap();
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        })
    };
    let creator = spawn(
        vec!["CreateKey".into(), "--KeySpec".into(), "Aliyun_SM4".into()],
        15,
    );
    let rotator = spawn(
        vec!["CreateKeyVersion".into(), "--KeyId".into(), key.clone()],
        15,
    );
    creator.join().unwrap();
    rotator.join().unwrap();
    assert_eq!(e.ok(&["ListKeys", "--PageSize", "100"])["TotalCount"], 16);
    assert_eq!(
        e.ok(&["ListKeyVersions", "--KeyId", &key])["TotalCount"],
        16
    );
    assert!(e.run(&["audit", "verify"]).status.success());
}

#[test]
fn demo_samples_re_encrypt_and_decrypt_as_the_readme_says() {
    let e = Env::new();
    e.ok(&["init", "--demo"]);
    let samples: Value = serde_json::from_str(kms_console::demo::DEMO_SAMPLES).unwrap();
    let samples = samples["Samples"].as_array().unwrap();
    assert!(samples.len() >= 9);
    let mut cases = std::collections::BTreeSet::new();
    for sample in samples {
        cases.insert(s(&sample["Case"]));
        let mut args = vec![
            "ReEncrypt".to_owned(),
            "--CiphertextBlob".into(),
            s(&sample["CiphertextBlob"]),
            "--DestinationKeyId".into(),
            s(&sample["DestinationKeyId"]),
        ];
        for (param, field) in [
            ("--SourceEncryptionContext", "EncryptionContext"),
            (
                "--DestinationEncryptionContext",
                "DestinationEncryptionContext",
            ),
            ("--SourceKeyId", "SourceKeyId"),
            ("--SourceKeyVersionId", "SourceKeyVersionId"),
            ("--SourceEncryptionAlgorithm", "SourceEncryptionAlgorithm"),
        ] {
            if let Some(v) = sample.get(field).and_then(Value::as_str) {
                args.extend([param.to_owned(), v.to_owned()]);
            }
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        if let Some(code) = sample.get("ExpectError").and_then(Value::as_str) {
            assert_eq!(e.err(&args), code);
            continue;
        }
        let re = e.ok(&args);
        let primary = e.ok(&["DescribeKey", "--KeyId", &s(&sample["DestinationKeyId"])]);
        assert_eq!(
            re["KeyVersionId"], primary["KeyMetadata"]["PrimaryKeyVersion"],
            "{}",
            sample["Name"]
        );
        let ctx = sample
            .get("DestinationEncryptionContext")
            .and_then(Value::as_str)
            .unwrap_or("");
        let back = e.ok(&[
            "Decrypt",
            "--CiphertextBlob",
            &s(&re["CiphertextBlob"]),
            "--EncryptionContext",
            ctx,
        ]);
        assert_eq!(back["Plaintext"], sample["Plaintext"], "{}", sample["Name"]);
        // And the sample file the README reads is the same blob.
        let file = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("assets/samples/{}.b64", s(&sample["Name"])));
        assert_eq!(
            std::fs::read_to_string(file).unwrap().trim(),
            s(&sample["CiphertextBlob"])
        );
    }
    for case in [
        "after-rotation",
        "context-change",
        "another-key",
        "asymmetric",
        "refusal",
    ] {
        assert!(cases.contains(case), "{case}");
    }
    // The demo's keys: every spec, a Disabled and a PendingDeletion key, three principals.
    let keys = e.ok(&["ListKeys", "--PageSize", "100"]);
    assert!(keys["TotalCount"].as_u64().unwrap() >= 9);
    for (filter, n) in [("KeyState", "Disabled"), ("KeyState", "PendingDeletion")] {
        let f = format!(r#"[{{"Key":"{filter}","Values":["{n}"]}}]"#);
        assert_eq!(e.ok(&["ListKeys", "--Filters", &f])["TotalCount"], 1, "{n}");
    }
    for spec in [
        "Aliyun_AES_256",
        "Aliyun_AES_128",
        "Aliyun_SM4",
        "RSA_2048",
        "RSA_3072",
        "EC_SM2",
    ] {
        let f = format!(r#"[{{"Key":"KeySpec","Values":["{spec}"]}}]"#);
        assert!(
            e.ok(&["ListKeys", "--Filters", &f])["TotalCount"]
                .as_u64()
                .unwrap()
                >= 1,
            "{spec}"
        );
    }
    let principals = e.ok(&["principal", "list"]).to_string();
    for p in ["admin", "rotation-operator", "auditor"] {
        assert!(principals.contains(p));
    }
}
