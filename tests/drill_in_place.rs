//! Issue 13 acceptance through the library: 10,000 lines mixing three symmetric keys (three
//! versions each), RSA and SM2 JSON lines, contexts, blank and bad lines. In place, every
//! symmetric line ends under its own key's primary version and decrypts to its input's
//! plaintext, the RSA / SM2 lines fail with their own code and are kept; with a destination they
//! move there; the census before and after agrees with the report; a drill of the output changes
//! nothing; `--rotate` in place rotates each key with old lines once; each key gets its audit
//! entry.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use kms_console::core::audit::AuditEntry;
use kms_console::core::blob::CiphertextBlob;
use kms_console::core::clock::FixedClock;
use kms_console::core::drill::{
    self, CensusInput, CensusOptions, CensusReport, DrillControl, DrillJob, DrillOptions,
    DrillReport,
};
use kms_console::core::vault::{Vault, new_vault_state};
use kms_console::core::vault_file::NewProtection;
use serde_json::{Value, json};

const LINES: usize = 10_000;

/// What a line of the input is.
#[derive(Debug, Clone)]
enum Expect {
    /// Under `keys[key]`; decrypts with `context` (the destination context) to `plaintext`.
    Symmetric {
        key: usize,
        plaintext: String,
        context: String,
        current: bool,
    },
    /// RSA / SM2 ciphertext of `plaintext` (base64 text, as given to AsymmetricEncrypt).
    Asymmetric {
        plaintext: String,
    },
    /// Kept as it is with this code; `counted` when its version is in the vault.
    Bad {
        code: &'static str,
    },
    Empty,
}

struct World {
    dir: tempfile::TempDir,
    vault: Vault,
    keys: Vec<String>,
    rsa: String,
    sm2: String,
    input: PathBuf,
    expect: Vec<Expect>,
}

fn call(v: &mut Vault, action: &str, params: &[(&str, &str)]) -> Value {
    match kms_console::api::dispatch(v, "admin", &common::req(action, params)) {
        Ok(r) => r.document(),
        Err(e) => panic!("{action}: {} {}", e.code, e.message),
    }
}

fn new_key(v: &mut Vault, spec: &str) -> String {
    common::s(&call(v, "CreateKey", &[("KeySpec", spec)])["KeyMetadata"]["KeyId"])
}

fn primary(v: &Vault, key: &str) -> String {
    v.state().key(key).unwrap().primary_version_id().to_owned()
}

fn encrypt(v: &mut Vault, key: &str, plaintext: &str, context: &str) -> String {
    let mut params = vec![("KeyId", key), ("Plaintext", plaintext)];
    if !context.is_empty() {
        params.push(("EncryptionContext", context));
    }
    common::s(&call(v, "Encrypt", &params)["CiphertextBlob"])
}

/// The line kind of line `i` (0-based), out of 100.
fn kind(i: usize) -> usize {
    i % 100
}

/// Which of the three phases (one version of every key each) a symmetric line is made in.
fn phase(i: usize) -> usize {
    (i / 7) % 3
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.json");
    let sources = common::sources(Arc::new(FixedClock::new(common::T0)));
    let state = new_vault_state(&sources).unwrap();
    let mut vault = Vault::create(&path, state, NewProtection::None, sources).unwrap();
    let keys: Vec<String> = ["Aliyun_AES_256", "Aliyun_SM4", "Aliyun_AES_128"]
        .iter()
        .map(|spec| new_key(&mut vault, spec))
        .collect();
    let rsa = new_key(&mut vault, "RSA_2048");
    let sm2 = new_key(&mut vault, "EC_SM2");
    let mut lines = vec![String::new(); LINES];
    let mut expect = vec![Expect::Empty; LINES];
    for p in 0..3 {
        if p > 0 {
            for key in &keys {
                call(&mut vault, "CreateKeyVersion", &[("KeyId", key)]);
            }
        }
        for i in (0..LINES).filter(|&i| kind(i) < 80 && phase(i) == p) {
            (lines[i], expect[i]) = symmetric_line(&mut vault, &keys, i, p == 2);
        }
    }
    for i in (0..LINES).filter(|&i| kind(i) >= 80) {
        (lines[i], expect[i]) = other_line(&mut vault, &keys, (&rsa, &sm2), i);
    }
    let input = dir.path().join("blobs.txt");
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    World {
        dir,
        vault,
        keys,
        rsa,
        sm2,
        input,
        expect,
    }
}

fn symmetric_line(v: &mut Vault, keys: &[String], i: usize, current: bool) -> (String, Expect) {
    let key = i % 3;
    let plaintext = format!("plaintext {i}");
    let context = json!({"app": "orders", "n": i.to_string()}).to_string();
    let (line, context, current) = match kind(i) % 4 {
        0 | 1 => (
            encrypt(v, &keys[key], &plaintext, ""),
            String::new(),
            current,
        ),
        2 => {
            let blob = encrypt(v, &keys[key], &plaintext, &context);
            let line = json!({"Id": i, "CiphertextBlob": blob, "EncryptionContext": context});
            (line.to_string(), context, current)
        }
        _ => {
            // A new destination context: moved even when under the primary already.
            let blob = encrypt(v, &keys[key], &plaintext, &context);
            let moved = json!({"app": "orders", "moved": "yes"}).to_string();
            let line = json!({"CiphertextBlob": blob, "EncryptionContext": context,
                "DestinationEncryptionContext": moved});
            (line.to_string(), moved, false)
        }
    };
    let e = Expect::Symmetric {
        key,
        plaintext,
        context,
        current,
    };
    (line, e)
}

fn other_line(
    v: &mut Vault,
    keys: &[String],
    (rsa, sm2): (&str, &str),
    i: usize,
) -> (String, Expect) {
    let bad = |line: &str, code| (line.to_owned(), Expect::Bad { code });
    match kind(i) {
        80 | 81 if i % 500 < 100 => {
            let (key, alg) = if kind(i) == 80 {
                (rsa, "RSAES_OAEP_SHA_256")
            } else {
                (sm2, "SM2PKE")
            };
            let version = primary(v, key);
            let plaintext = STANDARD.encode(format!("asymmetric {i}"));
            let ct = common::s(
                &call(
                    v,
                    "AsymmetricEncrypt",
                    &[
                        ("KeyId", key),
                        ("KeyVersionId", &version),
                        ("Algorithm", alg),
                        ("Plaintext", &plaintext),
                    ],
                )["CiphertextBlob"],
            );
            let line = json!({"CiphertextBlob": ct, "SourceKeyId": key,
                "SourceKeyVersionId": version, "SourceEncryptionAlgorithm": alg});
            (line.to_string(), Expect::Asymmetric { plaintext })
        }
        82 => bad("not a blob at all", "InvalidParameter"),
        83 => bad(r#"{"EncryptionContext":{"a":"b"}}"#, "MissingParameter"),
        84 => {
            let blob = encrypt(v, &keys[0], "x", "");
            bad(&blob[..blob.len() - 8], "InvalidParameter")
        }
        85 => {
            // Well formed, but under a version this vault does not hold.
            let blob = encrypt(v, &keys[1], "x", "");
            let mut bytes = STANDARD.decode(blob).unwrap();
            bytes[..36].copy_from_slice(b"00000000-0000-4000-8000-000000000000");
            bad(&CiphertextBlob::encode(&bytes), "Forbidden.KeyNotFound")
        }
        86 => {
            let blob = encrypt(v, &keys[2], "x", r#"{"a":"b"}"#);
            bad(
                &json!({"CiphertextBlob": blob, "EncryptionContext": {"a": "c"}}).to_string(),
                "InvalidParameter",
            )
        }
        87 => bad(
            r#"{"CiphertextBlob":"AAAA","SourceKeyId":"k","SourceKeyVersionId":"v","SourceEncryptionAlgorithm":"ROT13"}"#,
            "InvalidParameter",
        ),
        _ => (String::new(), Expect::Empty),
    }
}

fn run(w: &mut World, input: &Path, output: &str, destination: &str, rotate: bool) -> DrillReport {
    let mut options = DrillOptions::new(destination);
    options.threads = 2;
    let job = DrillJob {
        input: input.to_path_buf(),
        output: Some(w.dir.path().join(output)),
        force: false,
        rotate,
        options,
    };
    let outcome = drill::run_job(
        &mut w.vault,
        "admin",
        &job,
        &DrillControl::new(),
        &mut |_| {},
    );
    outcome.result.unwrap()
}

fn census(w: &World, path: &Path) -> CensusReport {
    let options = CensusOptions {
        threads: 2,
        locations: 3,
    };
    let inputs = vec![CensusInput::File(path.to_path_buf())];
    drill::census(w.vault.state(), &w.vault.ctx("admin"), inputs, &options).unwrap()
}

/// KeyVersionId → count, of the census rows this vault holds.
fn census_counts(c: &CensusReport) -> BTreeMap<String, u64> {
    c.versions
        .iter()
        .filter(|v| v.in_vault)
        .map(|v| (v.key_version_id.clone(), v.count))
        .collect()
}

fn report_counts(r: &DrillReport, after: bool) -> BTreeMap<String, u64> {
    r.versions
        .iter()
        .map(|v| {
            (
                v.key_version_id.clone(),
                if after { v.after } else { v.before },
            )
        })
        .filter(|(_, n)| *n > 0)
        .collect()
}

fn read_lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// The blob of a line and the context it is bound to.
fn blob_of(line: &str) -> (String, String) {
    if !line.starts_with('{') {
        return (line.to_owned(), String::new());
    }
    let v: Value = serde_json::from_str(line).unwrap();
    let context = match &v["EncryptionContext"] {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    (common::s(&v["CiphertextBlob"]), context)
}

fn decrypt(v: &mut Vault, blob: &str, context: &str) -> String {
    let mut params = vec![("CiphertextBlob", blob)];
    if !context.is_empty() {
        params.push(("EncryptionContext", context));
    }
    common::s(&call(v, "Decrypt", &params)["Plaintext"])
}

fn context_eq(a: &str, b: &str) -> bool {
    let parse = |s: &str| -> Value {
        if s.is_empty() {
            json!({})
        } else {
            serde_json::from_str(s).unwrap()
        }
    };
    parse(a) == parse(b)
}

#[test]
fn in_place_drill_moves_each_line_to_its_own_keys_primary_and_census_agrees() {
    let mut w = world();
    let input_lines = read_lines(&w.input);
    let before = census(&w, &w.input.clone());
    let input = w.input.clone();
    let report = run(&mut w, &input, "out1.txt", "", false);
    assert!(report.in_place && !report.rotated);
    assert_eq!(report.totals.lines, LINES as u64);

    // Census before = report Before; census after = report After.
    assert_eq!(census_counts(&before), report_counts(&report, false));
    let out1 = w.dir.path().join("out1.txt");
    let after = census(&w, &out1);
    assert_eq!(census_counts(&after), report_counts(&report, true));
    let unknown = w
        .expect
        .iter()
        .enumerate()
        .filter(|(i, _)| kind(*i) == 85)
        .count();
    assert_eq!(before.totals.not_in_vault, unknown as u64);
    assert_eq!(after.totals.not_in_vault, unknown as u64);
    let unparsable = (0..LINES)
        .filter(|i| [82, 83, 84, 87].contains(&kind(*i)))
        .count();
    assert_eq!(before.totals.bad, unparsable as u64);
    assert!(before.totals.non_primary > 0);
    // After: the only non-primary lines left are the RSA / SM2 ones (their keys' one version is
    // primary) — none; and the wrong-context lines under old versions.
    for row in after.versions.iter().filter(|v| v.in_vault && !v.primary) {
        assert!(
            row.locations
                .iter()
                .all(|l| kind(usize::try_from(l.line).unwrap() - 1) == 86),
            "{row:?}"
        );
    }

    // Every symmetric line under its own key's primary, decrypting to its plaintext.
    let out_lines = read_lines(&out1);
    assert_eq!(out_lines.len(), LINES);
    let failures: BTreeMap<u64, String> = report
        .failures
        .iter()
        .map(|f| (f.line, f.code.clone()))
        .collect();
    let primaries: Vec<String> = w.keys.iter().map(|k| primary(&w.vault, k)).collect();
    let expect = w.expect.clone();
    let mut moved = 0;
    for (i, e) in expect.iter().enumerate() {
        let (line, old) = (&out_lines[i], &input_lines[i]);
        match e {
            Expect::Symmetric {
                key,
                plaintext,
                context,
                current,
            } => {
                let (blob, bound) = blob_of(line);
                assert!(context_eq(&bound, context), "line {}", i + 1);
                let header = CiphertextBlob::parse(&blob).unwrap();
                assert_eq!(header.key_version_id(), primaries[*key], "line {}", i + 1);
                assert_eq!(&decrypt(&mut w.vault, &blob, &bound), plaintext);
                if *current {
                    assert_eq!(line, old, "a current line is kept byte for byte");
                } else {
                    assert_ne!(line, old);
                    moved += 1;
                }
                if old.starts_with("{\"Id\"") {
                    let v: Value = serde_json::from_str(line).unwrap();
                    assert_eq!(v["Id"], json!(i), "other members are kept");
                }
            }
            Expect::Asymmetric { .. } => {
                assert_eq!(line, old);
                assert_eq!(failures[&(i as u64 + 1)], "Drill.DestinationRequired");
            }
            Expect::Bad { code } => {
                assert_eq!(line, old);
                assert_eq!(failures[&(i as u64 + 1)], *code, "line {}", i + 1);
            }
            Expect::Empty => assert!(line.is_empty()),
        }
    }
    assert_eq!(report.totals.re_encrypted, moved);
    let failing = expect
        .iter()
        .filter(|e| matches!(e, Expect::Asymmetric { .. } | Expect::Bad { .. }))
        .count();
    assert_eq!(report.totals.failed, failing as u64);

    // Per key: the keys table and one DrillKey audit entry for each key with lines.
    let touched: Vec<&String> = report.keys.iter().map(|k| &k.key_id).collect();
    for key in w.keys.iter().chain([&w.rsa, &w.sm2]) {
        assert!(touched.contains(&key), "{key} has lines");
    }
    let log = std::fs::read_to_string(kms_console::core::paths::audit_path(
        w.vault.path().unwrap(),
    ))
    .unwrap();
    let records: Vec<_> = log
        .lines()
        .map(|l| serde_json::from_str::<AuditEntry>(l).unwrap().record)
        .collect();
    let drill_id = records
        .iter()
        .rfind(|r| r.action == "Drill")
        .unwrap()
        .request_id
        .clone();
    for count in &report.keys {
        let entry = records
            .iter()
            .find(|r| r.action == "DrillKey" && r.key_id.as_deref() == Some(&count.key_id))
            .unwrap();
        let details = entry.details.as_ref().unwrap();
        assert_eq!(details["Drill"], json!(drill_id));
        assert_eq!(details["Before"], json!(count.before));
        assert_eq!(details["After"], json!(count.after));
        assert_eq!(
            entry.key_version_id.as_deref(),
            Some(count.primary_key_version_id.as_str())
        );
    }

    // A drill of its own output re-encrypts nothing and writes the same bytes.
    let again = run(&mut w, &out1, "out2.txt", "", false);
    assert_eq!(again.totals.re_encrypted, 0);
    assert_eq!(
        std::fs::read(&out1).unwrap(),
        std::fs::read(w.dir.path().join("out2.txt")).unwrap()
    );

    // With a destination, the RSA / SM2 lines move there and decrypt to their plaintext.
    let dest = new_key(&mut w.vault, "Aliyun_AES_256");
    let to_dest = run(&mut w, &out1, "out3.txt", &dest, false);
    assert!(!to_dest.in_place);
    let dest_primary = primary(&w.vault, &dest);
    let out3 = read_lines(&w.dir.path().join("out3.txt"));
    let mut asymmetric = 0;
    for (i, e) in expect.iter().enumerate() {
        if let Expect::Asymmetric { plaintext } = e {
            let v: Value = serde_json::from_str(&out3[i]).unwrap();
            assert!(v.get("SourceKeyId").is_none(), "source fields are dropped");
            let blob = common::s(&v["CiphertextBlob"]);
            assert_eq!(
                CiphertextBlob::parse(&blob).unwrap().key_version_id(),
                dest_primary
            );
            assert_eq!(&decrypt(&mut w.vault, &blob, ""), plaintext);
            asymmetric += 1;
        }
    }
    assert!(asymmetric >= 20);
    assert!(
        to_dest
            .failures
            .iter()
            .all(|f| f.code != "Drill.DestinationRequired")
    );
}

#[test]
fn rotate_in_place_rotates_each_key_with_old_lines_once() {
    let mut w = world();
    let old: Vec<String> = w.keys.iter().map(|k| primary(&w.vault, k)).collect();
    // Only key 0's lines: the other keys have none, so they are not rotated.
    let lines: Vec<String> = read_lines(&w.input)
        .into_iter()
        .zip(&w.expect)
        .filter(|(_, e)| matches!(e, Expect::Symmetric { key: 0, .. }))
        .map(|(l, _)| l)
        .collect();
    let input = w.dir.path().join("key0.txt");
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    let report = run(&mut w, &input, "out.txt", "", true);
    assert!(report.rotated);
    assert_eq!(report.rotations.len(), 1);
    let rotation = &report.rotations[0];
    assert_eq!(rotation.key_id, w.keys[0]);
    assert_eq!(rotation.from_key_version_id, old[0]);
    let new = primary(&w.vault, &w.keys[0]);
    assert_eq!(rotation.to_key_version_id, new);
    assert_eq!(primary(&w.vault, &w.keys[1]), old[1]);
    assert_eq!(report.totals.re_encrypted, lines.len() as u64);
    let after = census(&w, &w.dir.path().join("out.txt"));
    assert_eq!(after.versions.len(), 1);
    assert_eq!(after.versions[0].key_version_id, new);
    assert!(after.versions[0].primary);
    assert_eq!(after.versions[0].count, lines.len() as u64);
}
