//! The vault file on real temporary folders: round trips, every way a file can be bad (each a
//! clear error, the file left byte for byte as it was), backups, concurrent changes from two
//! handles, threads and processes, and crash safety under SIGKILL.
//!
//! Child processes re-run this test executable with `VAULT_TEST_CHILD` set, which makes the
//! ignored test `child_process` act as a saving loop or a worker.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use kms_console::core::paths;
use kms_console::core::secret::SecretString;
use kms_console::core::vault_file::{
    KdfParams, NewProtection, Protection, VaultError, VaultFile, peek_protection,
};
use serde::{Deserialize, Serialize};

const PASSPHRASE: &str = "correct horse battery staple";
const SECRET_NOTE: &str = "TOP-SECRET-KEY-MATERIAL";

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
struct Doc {
    counter: u64,
    writers: Vec<String>,
    notes: BTreeMap<String, String>,
    /// Every item names the counter it was written with, so a torn write would show.
    items: Vec<String>,
}

impl Doc {
    fn sample() -> Self {
        let mut notes = BTreeMap::new();
        notes.insert("k1".into(), SECRET_NOTE.into());
        notes.insert("k2".into(), "line\nbreak \"quoted\" ünïcode".into());
        Self {
            counter: 0,
            writers: Vec::new(),
            notes,
            items: Vec::new(),
        }
    }

    fn bump(&mut self, items: usize) -> u64 {
        self.counter += 1;
        let counter = self.counter;
        self.items = (0..items)
            .map(|i| format!("item-{i:04}-{counter:08}"))
            .collect();
        counter
    }

    fn assert_consistent(&self) {
        for item in &self.items {
            assert!(
                item.ends_with(&format!("-{:08}", self.counter)),
                "torn: {item}"
            );
        }
    }
}

fn pass() -> SecretString {
    PASSPHRASE.into()
}

fn sealed() -> NewProtection {
    NewProtection::Passphrase(PASSPHRASE.into(), KdfParams::cheap_for_tests())
}

fn new_vault(dir: &Path, seal: bool) -> (PathBuf, VaultFile<Doc>) {
    let path = dir.join("vault.json");
    let protection = if seal { sealed() } else { NewProtection::None };
    let vault = VaultFile::create(&path, Doc::sample(), protection).unwrap();
    (path, vault)
}

fn open(path: &Path) -> Result<VaultFile<Doc>, VaultError> {
    VaultFile::open(path, Some(pass()))
}

/// Everything in `dir`, name and bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// Writes `bytes` as the vault, opens it, and checks the error and that nothing was written.
fn open_fails(path: &Path, bytes: &[u8]) -> VaultError {
    fs::write(path, bytes).unwrap();
    let dir = path.parent().unwrap();
    let before = snapshot(dir);
    let Err(err) = open(path) else {
        panic!("opened a bad file: {:?}", String::from_utf8_lossy(bytes));
    };
    assert_eq!(snapshot(dir), before, "a failed open changed the folder");
    let shown = err.to_string();
    assert!(!shown.contains(SECRET_NOTE), "{shown}");
    assert!(!shown.is_empty());
    err
}

#[test]
fn save_open_round_trip_both_protections() {
    for seal in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let (path, mut vault) = new_vault(dir.path(), seal);
        let expected = if seal {
            Protection::Passphrase
        } else {
            Protection::None
        };
        assert_eq!(vault.protection(), expected);
        assert_eq!(peek_protection(&path).unwrap(), expected);
        vault
            .update(|d| {
                d.bump(3);
                Ok::<_, VaultError>(())
            })
            .unwrap();
        let again = open(&path).unwrap();
        assert_eq!(again.contents(), vault.contents());
        assert_eq!(again.generation(), 2);
        assert_eq!(again.protection(), expected);
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("{\n  \"format\": \"kms-console-vault\",\n  \"version\": 1,"));
        assert_eq!(
            text.contains(SECRET_NOTE),
            !seal,
            "sealed text must hide the contents"
        );
        assert!(!format!("{vault:?}").contains(SECRET_NOTE));
    }
}

#[test]
fn an_unprotected_vault_is_readable_json() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = new_vault(dir.path(), false);
    let text = fs::read_to_string(&path).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["protection"], "none");
    assert!(value["checksum"].as_str().unwrap().starts_with("sha256:"));
    assert_eq!(value["contents"]["notes"]["k1"], SECRET_NOTE);
    assert!(
        text.contains("\n  \"contents\": {\n    \"counter\": 0,\n"),
        "{text}"
    );
}

#[test]
fn create_refuses_an_existing_file_and_leaves_it_alone() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = new_vault(dir.path(), true);
    let before = snapshot(dir.path());
    let err = VaultFile::create(&path, Doc::default(), NewProtection::None).unwrap_err();
    assert_eq!(err, VaultError::AlreadyExists(path.clone()));
    assert_eq!(snapshot(dir.path()), before);
    let err = VaultFile::create(
        &dir.path().join("other.json"),
        Doc::default(),
        NewProtection::Passphrase(SecretString::from(""), KdfParams::cheap_for_tests()),
    )
    .unwrap_err();
    assert_eq!(err, VaultError::EmptyPassphrase);
}

#[test]
fn fail_missing_wrong_or_absent_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("none.json");
    assert_eq!(
        open(&missing).unwrap_err(),
        VaultError::NotFound(missing.clone())
    );
    assert_eq!(
        peek_protection(&missing).unwrap_err(),
        VaultError::NotFound(missing)
    );
    let (path, _) = new_vault(dir.path(), true);
    let before = snapshot(dir.path());
    let wrong = VaultFile::<Doc>::open(&path, Some("Correct horse battery staple".into()));
    let err = wrong.unwrap_err();
    assert_eq!(err, VaultError::WrongPassphrase);
    assert!(
        err.to_string()
            .contains("wrong passphrase, or the vault file has been altered")
    );
    let err = VaultFile::<Doc>::open(&path, None).unwrap_err();
    assert_eq!(err, VaultError::PassphraseRequired);
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn fail_a_flipped_byte_anywhere() {
    for seal in [true, false] {
        let dir = tempfile::tempdir().unwrap();
        let (path, _) = new_vault(dir.path(), seal);
        let good = fs::read(&path).unwrap();
        for at in 0..good.len() {
            for mask in [0x01u8, 0x20, 0x80] {
                let mut bad = good.clone();
                bad[at] ^= mask;
                open_fails(&path, &bad);
            }
        }
        fs::write(&path, &good).unwrap();
        assert!(open(&path).is_ok());
    }
}

#[test]
fn fail_a_truncated_file_at_every_length() {
    for seal in [true, false] {
        let dir = tempfile::tempdir().unwrap();
        let (path, _) = new_vault(dir.path(), seal);
        let good = fs::read(&path).unwrap();
        for len in 0..good.len() {
            match open_fails(&path, &good[..len]) {
                VaultError::Corrupt(_) | VaultError::UnsupportedFormat(_) => {}
                other => panic!("cut at {len}: {other:?}"),
            }
        }
        let err = open_fails(&path, &good[..good.len() - 1]);
        assert!(err.to_string().contains("truncated"), "{err}");
        let err = open_fails(&path, &good[..good.len() / 2]);
        assert!(err.to_string().contains("truncated"), "{err}");
    }
}

#[test]
fn fail_unknown_versions_formats_and_invalid_json() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = new_vault(dir.path(), true);
    let good = fs::read_to_string(&path).unwrap();
    let v2 = good.replacen("\"version\": 1,", "\"version\": 2,", 1);
    let err = open_fails(&path, v2.as_bytes());
    assert_eq!(err, VaultError::UnsupportedFormat("version 2".into()));
    assert!(err.to_string().contains("version 2"));
    let other = good.replacen("kms-console-vault", "another-vault", 1);
    assert!(matches!(
        open_fails(&path, other.as_bytes()),
        VaultError::UnsupportedFormat(_)
    ));
    let no_name = "{\"keys\": []}\n";
    assert!(matches!(
        open_fails(&path, no_name.as_bytes()),
        VaultError::UnsupportedFormat(_)
    ));
    for junk in [
        "not json at all\n",
        "{\"format\": \"kms-console-vault\",, }\n",
        "\0\0\0",
    ] {
        let err = open_fails(&path, junk.as_bytes());
        assert!(matches!(err, VaultError::Corrupt(_)), "{err:?}");
    }
    let err = open_fails(&path, b"");
    assert_eq!(err, VaultError::Corrupt("the file is empty".into()));
    let kdf_bomb = good.replacen("\"m_cost_kib\": 8,", "\"m_cost_kib\": 4294967295,", 1);
    // Refused from the header alone: deriving with 4 TiB would have failed otherwise.
    assert!(matches!(
        open_fails(&path, kdf_bomb.as_bytes()),
        VaultError::BadKdfParams(_)
    ));
}

#[test]
fn fail_contents_of_another_shape_without_echoing_them() {
    let dir = tempfile::tempdir().unwrap();
    for seal in [false, true] {
        let path = dir.path().join(format!("shape-{seal}.json"));
        let protection = if seal { sealed() } else { NewProtection::None };
        let mut doc = BTreeMap::new();
        doc.insert("counter".to_owned(), SECRET_NOTE.to_owned());
        VaultFile::create(&path, doc, protection).unwrap();
        let err = VaultFile::<Doc>::open(&path, Some(pass())).unwrap_err();
        let shown = err.to_string();
        assert!(matches!(err, VaultError::Corrupt(_)), "{shown}");
        assert!(!shown.contains(SECRET_NOTE), "{shown}");
    }
}

#[test]
fn the_previous_generation_is_kept_as_bak() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut vault) = new_vault(dir.path(), true);
    for _ in 0..3 {
        vault.update(|d| Ok::<_, VaultError>(d.bump(2))).unwrap();
    }
    let bak = VaultFile::<Doc>::open(&paths::backup_path(&path), Some(pass())).unwrap();
    assert_eq!(bak.contents().counter, 2);
    assert_eq!(open(&path).unwrap().contents().counter, 3);
    let names: Vec<String> = snapshot(dir.path()).into_keys().collect();
    assert_eq!(names, ["vault.json", "vault.json.bak", "vault.json.lock"]);
}

#[test]
fn a_failed_change_writes_nothing_and_is_undone() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut vault) = new_vault(dir.path(), false);
    let before = snapshot(dir.path());
    let result: Result<(), VaultError> = vault.update(|d| {
        d.bump(5);
        d.notes.clear();
        Err(VaultError::Encode("the operation failed".into()))
    });
    assert!(result.is_err());
    assert_eq!(vault.contents(), &Doc::sample());
    assert_eq!(snapshot(dir.path()), before);
    assert!(!vault.changed_on_disk());
    assert_eq!(open(&path).unwrap().contents(), &Doc::sample());
}

#[test]
fn changed_on_disk_sees_another_handle_and_reload_picks_it_up() {
    for seal in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let (path, mut a) = new_vault(dir.path(), seal);
        let mut b = open(&path).unwrap();
        assert!(!a.changed_on_disk() && !b.changed_on_disk());
        assert!(!b.reload().unwrap());
        a.update(|d| Ok::<_, VaultError>(d.bump(1))).unwrap();
        assert!(!a.changed_on_disk());
        assert!(b.changed_on_disk());
        assert!(b.reload().unwrap());
        assert_eq!(b.contents(), a.contents());
        assert!(!b.changed_on_disk());
        fs::remove_file(&path).unwrap();
        assert!(b.changed_on_disk());
        assert_eq!(b.reload().unwrap_err(), VaultError::NotFound(path));
    }
}

#[test]
fn two_handles_interleaving_lose_nothing() {
    for seal in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let (path, mut a) = new_vault(dir.path(), seal);
        let mut b = open(&path).unwrap();
        for i in 0..20 {
            let (handle, name) = if i % 2 == 0 {
                (&mut a, "a")
            } else {
                (&mut b, "b")
            };
            handle
                .update(|d| {
                    d.bump(1);
                    d.writers.push(name.into());
                    Ok::<_, VaultError>(())
                })
                .unwrap();
        }
        let doc = open(&path).unwrap().contents().clone();
        assert_eq!(doc.counter, 20);
        assert_eq!(doc.writers.len(), 20);
    }
}

#[test]
fn two_threads_with_their_own_handles_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = new_vault(dir.path(), false);
    let workers: Vec<_> = ["a", "b"]
        .into_iter()
        .map(|name| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut vault = open(&path).unwrap();
                for _ in 0..50 {
                    vault
                        .update(|d| {
                            d.bump(1);
                            d.writers.push(name.into());
                            Ok::<_, VaultError>(())
                        })
                        .unwrap();
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let doc = open(&path).unwrap().contents().clone();
    assert_eq!(doc.counter, 100);
    assert_eq!(doc.writers.iter().filter(|w| *w == "a").count(), 50);
}

// ---- child processes ----

const CHILD_ENV: &str = "VAULT_TEST_CHILD";
const PATH_ENV: &str = "VAULT_TEST_PATH";
const NAME_ENV: &str = "VAULT_TEST_NAME";

fn spawn_child(mode: &str, path: &Path, name: &str) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "child_process",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, mode)
        .env(PATH_ENV, path)
        .env(NAME_ENV, name)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Not a test: the body of the child processes the tests below start.
#[test]
#[ignore = "run only as a child process of the tests in this file"]
fn child_process() {
    let Ok(mode) = std::env::var(CHILD_ENV) else {
        return;
    };
    let path = PathBuf::from(std::env::var(PATH_ENV).unwrap());
    let name = std::env::var(NAME_ENV).unwrap();
    let mut vault = open(&path).unwrap();
    let mut out = std::io::stdout();
    // libtest has printed "test child_process ... " without a newline; end that line first.
    writeln!(out, "\nready").unwrap();
    out.flush().unwrap();
    let saver = mode == "saver";
    let rounds = if saver { u64::MAX } else { 40 };
    for _ in 0..rounds {
        let n = vault
            .update(|d| {
                if saver {
                    d.writers.clear();
                }
                d.writers.push(name.clone());
                Ok::<_, VaultError>(d.bump(if saver { 400 } else { 4 }))
            })
            .unwrap();
        writeln!(out, "saved {n}").unwrap();
        out.flush().unwrap();
    }
}

#[test]
fn two_processes_interleaving_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = new_vault(dir.path(), true);
    let children: Vec<Child> = ["p1", "p2"]
        .iter()
        .map(|n| spawn_child("worker", &path, n))
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    let doc = open(&path).unwrap().contents().clone();
    assert_eq!(doc.counter, 80);
    assert_eq!(doc.writers.iter().filter(|w| *w == "p1").count(), 40);
    assert_eq!(doc.writers.iter().filter(|w| *w == "p2").count(), 40);
    doc.assert_consistent();
}

/// Starts a saving child, waits until it is saving, kills it with SIGKILL after a random delay,
/// and returns the last counter it reported as saved (if any).
fn run_and_kill(path: &Path) -> Option<u64> {
    let mut child = spawn_child("saver", path, "saver");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line == "ready" || line.starts_with("saved ") {
                let _ = tx.send(
                    line.strip_prefix("saved ")
                        .and_then(|n| n.parse::<u64>().ok()),
                );
            }
        }
    });
    // Wait until it has opened the vault and reported 0–2 saves (so every round moves on,
    // however fast the machine), then kill it at a random instant of the saves that follow.
    let mut reports = vec![
        rx.recv_timeout(Duration::from_secs(60))
            .expect("child never got ready"),
    ];
    for _ in 0..rand::random_range(0..3) {
        reports.push(
            rx.recv_timeout(Duration::from_secs(60))
                .expect("child stopped saving"),
        );
    }
    std::thread::sleep(Duration::from_micros(rand::random_range(0..25_000)));
    child.kill().unwrap();
    child.wait().unwrap();
    reader.join().unwrap();
    reports
        .into_iter()
        .flatten()
        .chain(rx.try_iter().flatten())
        .max()
}

fn crash_many_times(seal: bool, kills: usize) {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = new_vault(dir.path(), seal);
    let mut last = 0u64;
    let mut landed_mid_save = 0;
    let mut killed_mid_write = 0;
    for round in 0..kills {
        let reported = run_and_kill(&path).unwrap_or(last);
        if paths::temp_path(&path).exists() {
            killed_mid_write += 1;
        }
        assert!(reported >= last);
        let vault = open(&path).unwrap_or_else(|e| panic!("round {round}: {e}"));
        let doc = vault.contents();
        doc.assert_consistent();
        assert!(
            doc.counter == reported || doc.counter == reported + 1,
            "round {round}: on disk {}, last reported {reported}",
            doc.counter
        );
        if doc.counter == reported + 1 {
            landed_mid_save += 1;
        }
        if doc.counter > 1 {
            let bak = VaultFile::<Doc>::open(&paths::backup_path(&path), Some(pass())).unwrap();
            let held = bak.contents().counter;
            assert!(held + 1 == doc.counter || held == doc.counter, "bak {held}");
        }
        last = doc.counter;
    }
    assert!(last > 0, "the child never saved");
    eprintln!(
        "{kills} kills (sealed: {seal}): {last} saves; killed {killed_mid_write} times while \
         writing the temporary file, {landed_mid_save} times after a save it had not reported"
    );
}

#[test]
fn crash_safety_under_sigkill_unprotected() {
    crash_many_times(false, kills_per_test());
}

#[test]
fn crash_safety_under_sigkill_sealed() {
    crash_many_times(true, kills_per_test());
}

/// 2 × 150 = 300 kills by default; `VAULT_TEST_KILLS` changes it.
fn kills_per_test() -> usize {
    std::env::var("VAULT_TEST_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(150)
}
