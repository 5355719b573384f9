//! `kms-console serve` as a command: loopback unless `--allow-remote` (with the RUSTSEC warning),
//! a sealed vault unlocked once at start, a clean exit 0 on SIGTERM.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod serve_support;

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use serve_support::{Connection, Server, demo_vault, kms};

#[test]
fn a_non_loopback_address_needs_allow_remote() {
    let (_dir, vault) = demo_vault();
    let out = kms(&vault)
        .args(["serve", "--listen", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--allow-remote") && out.stdout.is_empty(),
        "{stderr}"
    );

    let mut child = kms(&vault)
        .args([
            "serve",
            "--listen",
            "0.0.0.0:0",
            "--allow-remote",
            "--quiet",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(
        line.starts_with("kms-console serve: listening on http://0.0.0.0:"),
        "{line}"
    );
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("RUSTSEC-2023-0071"), "{stderr}");
}

#[test]
fn a_sealed_vault_is_unlocked_once_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("sealed.json");
    let made = kms(&vault)
        .args(["init", "--insecure-test-kdf"])
        .env("KMS_CONSOLE_PASSPHRASE", "correct horse")
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );

    let refused = kms(&vault)
        .arg("serve")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("KMS_CONSOLE_PASSPHRASE"));
    assert!(refused.stdout.is_empty(), "it never said it was listening");

    let mut child = kms(&vault)
        .args(["serve", "--listen", "127.0.0.1:0", "--quiet"])
        .env("KMS_CONSOLE_PASSPHRASE", "correct horse")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port: u16 = line.trim().rsplit(':').next().unwrap().parse().unwrap();
    let r = Connection::open(port).get("Action=ListKeys", &[]);
    assert_eq!(
        r.status, 400,
        "answers (an unsigned request is refused): {}",
        r.body
    );
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    assert!(child.wait().unwrap().success());
}

#[test]
fn sigterm_stops_it_with_exit_zero() {
    let (_dir, vault) = demo_vault();
    let server = Server::start(&vault, &[]);
    assert!(server.stop().success());
}

/// `serve --seed FILE` (issue 14's seed files, for the endpoint): the vault is made from the
/// seed before serving, so an application's test suite signs with the seed's fixed AccessKey and
/// finds the seed's fixed KeyId every run; a vault already at the path is refused, never served
/// in its place.
#[test]
fn serve_seed_serves_the_seeded_vault_and_refuses_an_existing_one() {
    use base64::Engine;
    use kms_console::core::clock::{Clock, SystemClock, format_date};
    use serve_support::{AccessKey, signed_query};

    const KEY_ID: &str = "7d7b1f9a-2b43-4f0e-9a51-1c2d3e4f5a6b";
    const VERSION: &str = "0c5a1b2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d";
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("vault.json");
    let seed = dir.path().join("seed.json");
    let material = base64::engine::general_purpose::STANDARD.encode((0u8..32).collect::<Vec<_>>());
    let doc = serde_json::json!({
        "Keys": [{
            "KeyId": KEY_ID,
            "Aliases": ["alias/app"],
            "Versions": [{"KeyVersionId": VERSION, "Material": material}]
        }],
        "Principals": [{
            "Name": "app",
            "Policies": [{"Version": "1", "Statement": [
                {"Effect": "Allow", "Action": ["kms:DescribeKey"], "Resource": ["*"]}
            ]}],
            "AccessKeys": [{
                "AccessKeyId": "LTAIseededapp0001",
                "AccessKeySecret": "seeded-secret-0123456789"
            }]
        }]
    });
    std::fs::write(&seed, doc.to_string()).unwrap();
    let seed_arg = seed.to_str().unwrap();

    let server = Server::start(&vault, &["--seed", seed_arg]);
    let key = AccessKey {
        id: "LTAIseededapp0001".to_owned(),
        secret: "seeded-secret-0123456789".to_owned(),
    };
    let now = format_date(SystemClock.now());
    let query = signed_query(&key, "DescribeKey", &[("KeyId", "alias/app")], "s1", &now);
    let answer = Connection::open(server.port).get(&query, &[]);
    assert_eq!(answer.status, 200, "{}", answer.body);
    let doc = answer.json();
    assert_eq!(doc["KeyMetadata"]["KeyId"], KEY_ID);
    assert_eq!(doc["KeyMetadata"]["PrimaryKeyVersion"], VERSION);
    assert!(server.stop().success());

    let again = kms(&vault)
        .args(["serve", "--listen", "127.0.0.1:0", "--seed", seed_arg])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(stderr.contains("already exists"), "{stderr}");
}
