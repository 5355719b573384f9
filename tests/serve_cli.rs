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
