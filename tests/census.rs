//! `kms-console census` end to end on temporary vaults: counts per key version from files,
//! folders (recursively) and stdin without decrypting; primary / non-primary, Disabled and
//! PendingDeletion keys, versions the vault lacks, RSA / SM2 lines, the first locations of old
//! versions, bad lines; --query / --Format; kms:ListKeys; and flat memory over 10⁶ lines
//! (peak RSS of the real binary, measured with /usr/bin/time).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Self {
        let e = Self {
            dir: tempfile::tempdir().unwrap(),
        };
        e.ok(&["init", "--no-passphrase"]);
        e
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn arg(&self, name: &str) -> String {
        self.path(name).display().to_string()
    }

    /// The binary on this test's vault, with nothing of the caller's environment that could
    /// point it elsewhere.
    fn command(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.env("KMS_CONSOLE_VAULT", self.path("vault.json"))
            .env("HOME", self.dir.path())
            .env_remove("KMS_CONSOLE_PASSPHRASE")
            .env_remove("KMS_CONSOLE_PRINCIPAL");
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(env!("CARGO_BIN_EXE_kms-console"))
            .args(args)
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> Value {
        let out = self.run(args);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    }

    fn key(&self, spec: &str) -> String {
        s(&self.ok(&["CreateKey", "--KeySpec", spec])["KeyMetadata"]["KeyId"])
    }

    fn blob(&self, key: &str) -> (String, String) {
        let doc = self.ok(&["GenerateDataKey", "--KeyId", key]);
        (s(&doc["CiphertextBlob"]), s(&doc["KeyVersionId"]))
    }

    fn primary(&self, key: &str) -> String {
        s(&self.ok(&["DescribeKey", "--KeyId", key])["KeyMetadata"]["PrimaryKeyVersion"])
    }
}

fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn write(path: &Path, lines: &[String]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

fn row<'a>(doc: &'a Value, version: &str) -> &'a Value {
    doc["Versions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["KeyVersionId"] == version)
        .unwrap_or_else(|| panic!("no row for {version}: {doc}"))
}

#[test]
fn census_counts_versions_of_files_folders_and_stdin_without_decrypting() {
    let e = Env::new();
    let a = e.key("Aliyun_AES_256");
    let (a1, v1) = e.blob(&a);
    e.ok(&["CreateKeyVersion", "--KeyId", &a]);
    let (a2, v2) = e.blob(&a);
    let disabled = e.key("Aliyun_SM4");
    let (d1, dv) = e.blob(&disabled);
    e.ok(&["DisableKey", "--KeyId", &disabled]);
    let pending = e.key("Aliyun_AES_128");
    let (p1, pv) = e.blob(&pending);
    e.ok(&[
        "ScheduleKeyDeletion",
        "--KeyId",
        &pending,
        "--PendingWindowInDays",
        "7",
    ]);
    let sm2 = e.key("EC_SM2");
    let sm2_version = e.primary(&sm2);
    // An SM2 line needs no real ciphertext: the census reads only its source fields.
    let asymmetric = json!({"CiphertextBlob": "AAAA", "SourceKeyId": sm2,
        "SourceKeyVersionId": sm2_version, "SourceEncryptionAlgorithm": "SM2PKE"})
    .to_string();
    // A blob of another vault: a version this one does not hold.
    let other = Env::new();
    let foreign_key = other.key("Aliyun_AES_256");
    let (foreign, foreign_version) = other.blob(&foreign_key);
    let with_context = json!({"CiphertextBlob": a1, "EncryptionContext": {"k": "v"}}).to_string();

    write(
        &e.path("data/one.txt"),
        &[
            a1.clone(),
            a2.clone(),
            String::new(),
            "garbage".into(),
            a1.clone(),
        ],
    );
    write(
        &e.path("data/deeper/two.jsonl"),
        &[with_context, asymmetric, d1, p1, foreign],
    );
    let mut child = e
        .command(env!("CARGO_BIN_EXE_kms-console"))
        .args(["census", &e.arg("data"), "-", "--locations", "2"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{a1}\n{{\"no\":\"blob\"}}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let one = e.arg("data/one.txt");
    let two = e.arg("data/deeper/two.jsonl");
    assert_eq!(
        doc["Totals"],
        json!({"Files": 3, "Lines": 12, "Ciphertexts": 9, "Primary": 4, "NonPrimary": 4,
               "NotInVault": 1, "OtherVersions": 0, "Empty": 1, "Bad": 2})
    );
    // Key A: v1 (old) four times, listed first two in input order (a folder's files sorted by
    // path: deeper/two.jsonl before one.txt); v2 is the primary.
    let old = row(&doc, &v1);
    assert_eq!(old["KeyId"], json!(a));
    assert_eq!(
        (old["Count"].clone(), old["Primary"].clone()),
        (json!(4), json!(false))
    );
    assert_eq!(
        old["Locations"],
        json!([{"File": two, "Line": 1}, {"File": one, "Line": 1}])
    );
    assert_eq!(old["LocationsOmitted"], json!(2));
    let current = row(&doc, &v2);
    assert_eq!(
        (current["Count"].clone(), current["Primary"].clone()),
        (json!(1), json!(true))
    );
    assert_eq!(current["Locations"], json!([]));
    // States of the keys, and where their lines are.
    assert_eq!(row(&doc, &dv)["KeyState"], json!("Disabled"));
    assert_eq!(row(&doc, &dv)["Primary"], json!(true));
    assert_eq!(row(&doc, &pv)["KeyState"], json!("PendingDeletion"));
    let asym = row(&doc, &sm2_version);
    assert_eq!(
        (
            asym["Kind"].clone(),
            asym["KeyId"].clone(),
            asym["InVault"].clone()
        ),
        (json!("Asymmetric"), json!(sm2), json!(true))
    );
    let foreign_row = row(&doc, &foreign_version);
    assert_eq!(
        (foreign_row["InVault"].clone(), foreign_row["KeyId"].clone()),
        (json!(false), Value::Null)
    );
    assert_eq!(foreign_row["Locations"], json!([{"File": two, "Line": 5}]));
    // The unknown version sorts last; key A's versions oldest first.
    let ids: Vec<String> = doc["Versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| s(&r["KeyVersionId"]))
        .collect();
    assert_eq!(ids.last(), Some(&foreign_version));
    let (i1, i2) = (
        ids.iter().position(|v| *v == v1).unwrap(),
        ids.iter().position(|v| *v == v2).unwrap(),
    );
    assert_eq!(i2, i1 + 1);
    assert_eq!(
        doc["BadLines"],
        json!([{"File": one, "Line": 4, "Code": "InvalidParameter"},
               {"File": "-", "Line": 2, "Code": "MissingParameter"}])
    );

    // --query and --Format XML, like the other console commands.
    let out = e.run(&["census", &e.arg("data"), "--query", "Totals.NonPrimary"]);
    assert_eq!(text(&out.stdout).trim(), "3");
    let out = e.run(&["--Format", "XML", "census", &e.arg("data")]);
    assert!(out.status.success());
    assert!(text(&out.stdout).contains("<NonPrimary>3</NonPrimary>"));
}

#[test]
fn census_needs_list_keys_and_an_existing_path() {
    let e = Env::new();
    let a = e.key("Aliyun_AES_256");
    let (blob, _) = e.blob(&a);
    write(&e.path("in.txt"), &[blob]);
    let policy = json!({"Version": "1", "Statement": [{"Effect": "Allow",
        "Action": ["kms:ReEncrypt*"], "Resource": ["*"]}]})
    .to_string();
    e.ok(&["principal", "create", "rotator", "--policy", &policy]);
    let out = e.run(&["--as", "rotator", "census", &e.arg("in.txt")]);
    assert_eq!(out.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(doc["Code"], json!("Forbidden.NoPermission"));
    assert!(s(&doc["Message"]).contains("ListKeys"), "{doc}");
    let policy = json!({"Version": "1", "Statement": [{"Effect": "Allow",
        "Action": ["kms:ListKeys"], "Resource": ["*"]}]})
    .to_string();
    e.ok(&["principal", "create", "auditor", "--policy", &policy]);
    let doc: Value = serde_json::from_slice(
        &e.run(&["--as", "auditor", "census", &e.arg("in.txt")])
            .stdout,
    )
    .unwrap();
    assert_eq!(doc["Totals"]["Ciphertexts"], json!(1));
    let out = e.run(&["census", &e.arg("missing.txt")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("missing.txt"));
    let out = e.run(&["census"]);
    assert_eq!(out.status.code(), Some(2), "a path is required");
}

/// Peak RSS (KiB) of a census of `path`, from `/usr/bin/time -v`.
fn census_peak_kib(e: &Env, path: &Path) -> (u64, Value) {
    assert!(
        Path::new("/usr/bin/time").exists(),
        "this test needs /usr/bin/time (GNU time) to measure peak memory"
    );
    let out = e
        .command("/usr/bin/time")
        .arg("-v")
        .arg(env!("CARGO_BIN_EXE_kms-console"))
        .args(["census", &path.display().to_string(), "--threads", "2"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    let kib = stderr
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .unwrap_or_else(|| panic!("no peak RSS in {stderr}"))
        .parse()
        .unwrap();
    (kib, serde_json::from_slice(&out.stdout).unwrap())
}

#[test]
fn census_memory_stays_flat_from_ten_thousand_to_a_million_lines() {
    let e = Env::new();
    let a = e.key("Aliyun_AES_256");
    let mut sample: Vec<String> = (0..4).map(|_| e.blob(&a).0).collect();
    e.ok(&["CreateKeyVersion", "--KeyId", &a]);
    sample.extend((0..3).map(|_| e.blob(&a).0));
    sample.push(json!({"CiphertextBlob": sample[0], "EncryptionContext": {"n": "1"}}).to_string());
    sample.push("bad line".into());
    sample.push(String::new());
    // A block of 10,000 lines, written 10 times into each of 10 files: 10⁶ lines.
    let block: String = (0..10_000)
        .map(|i| sample[i % sample.len()].as_str())
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    std::fs::create_dir_all(e.path("small")).unwrap();
    std::fs::create_dir_all(e.path("big")).unwrap();
    std::fs::write(e.path("small/in.txt"), &block).unwrap();
    for f in 0..10 {
        let mut file = std::fs::File::create(e.path(&format!("big/part-{f}.txt"))).unwrap();
        for _ in 0..10 {
            file.write_all(block.as_bytes()).unwrap();
        }
    }
    let (small, small_doc) = census_peak_kib(&e, &e.path("small"));
    let (big, big_doc) = census_peak_kib(&e, &e.path("big"));
    assert_eq!(small_doc["Totals"]["Lines"], json!(10_000));
    assert_eq!(big_doc["Totals"]["Lines"], json!(1_000_000));
    assert_eq!(big_doc["Totals"]["Files"], json!(10));
    assert_eq!(
        big_doc["Totals"]["NonPrimary"],
        json!(100 * small_doc["Totals"]["NonPrimary"].as_u64().unwrap())
    );
    eprintln!(
        "census peak RSS: {small} KiB for 10^4 lines, {big} KiB for 10^6 lines ({} and {} lines/s)",
        small_doc["LinesPerSecond"], big_doc["LinesPerSecond"]
    );
    // The input is about 100 MB; holding it (or a record per line) would multiply the peak.
    assert!(
        big <= small * 3 / 2 + 2048,
        "peak RSS grew from {small} KiB (10^4 lines) to {big} KiB (10^6 lines)"
    );
}
