//! The vault's own files in the wrong shape or held by a dead process (product §3, §15): the
//! vault file replaced by a symbolic link or a folder, the lock file by a folder, and the lock
//! (or the audit log's lock) held by a process killed with SIGKILL. Every case: a clear error
//! or, for the dead holder, the change going through — nothing lost, nothing hanging. No root
//! needed; the dead holder is util-linux `flock`, which takes the same flock(2) lock as std's
//! `File::lock`, so a missing `flock` fails the test rather than skipping it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod faults_support;

use std::fs::{self, File};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use common::{call, ok};
use faults_support::{key_ids, leftovers, new_vault, reopen, sources};
use kms_console::core::paths;
use kms_console::core::vault::Vault;

const AES: &[(&str, &str)] = &[("KeySpec", "Aliyun_AES_256")];

/// A hang detector, not a speed check: a lock freed by the kernel is taken at once.
const NO_HANG: Duration = Duration::from_secs(60);

fn open_err(path: &Path) -> String {
    let (sources, _) = sources();
    match Vault::open(path, None, sources) {
        Ok(_) => panic!("{} opened", path.display()),
        Err(e) => e.to_string(),
    }
}

#[cfg(unix)]
#[test]
fn a_vault_file_replaced_by_a_symbolic_link_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let (mut vault, path) = new_vault(dir.path());
    let key = common::create_key(&mut vault, "Aliyun_AES_256");
    let real = dir.path().join("elsewhere.json");
    fs::rename(&path, &real).unwrap();
    std::os::unix::fs::symlink(&real, &path).unwrap();
    let bytes = fs::read(&real).unwrap();
    for (action, params) in [
        ("CreateKey", AES.to_vec()),
        (
            "Encrypt",
            vec![("KeyId", key.as_str()), ("Plaintext", "aGk=")],
        ),
    ] {
        let e = call(&mut vault, action, &params).unwrap_err();
        assert_eq!(e.code, "InternalFailure");
        assert!(e.message.contains("is a symbolic link"), "{}", e.message);
    }
    assert!(open_err(&path).contains("is a symbolic link"));
    assert!(
        fs::symlink_metadata(&path)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(fs::read(&real).unwrap(), bytes);
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
    // Put back, the vault is whole and the same handle goes on.
    fs::remove_file(&path).unwrap();
    fs::rename(&real, &path).unwrap();
    common::create_key(&mut vault, "Aliyun_AES_256");
    assert_eq!(key_ids(&reopen(&path)).len(), 2);
}

#[test]
fn a_vault_file_replaced_by_a_folder_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let (mut vault, path) = new_vault(dir.path());
    common::create_key(&mut vault, "Aliyun_AES_256");
    let aside = dir.path().join("aside.json");
    fs::rename(&path, &aside).unwrap();
    fs::create_dir(&path).unwrap();
    fs::write(path.join("inside.txt"), b"someone's file").unwrap();
    let e = call(&mut vault, "CreateKey", AES).unwrap_err();
    assert_eq!(e.code, "InternalFailure");
    assert!(e.message.contains("is not a regular file"), "{}", e.message);
    assert!(open_err(&path).contains("is not a regular file"));
    assert_eq!(
        fs::read(path.join("inside.txt")).unwrap(),
        b"someone's file"
    );
    assert_eq!(fs::read_dir(&path).unwrap().count(), 1);
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
    fs::remove_dir_all(&path).unwrap();
    fs::rename(&aside, &path).unwrap();
    assert_eq!(key_ids(&reopen(&path)).len(), 1);
}

#[test]
fn a_lock_file_replaced_by_a_folder_refuses_changes_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let (mut vault, path) = new_vault(dir.path());
    let key = common::create_key(&mut vault, "Aliyun_AES_256");
    let lock = paths::lock_path(&path);
    fs::remove_file(&lock).unwrap();
    fs::create_dir(&lock).unwrap();
    let file = fs::read(&path).unwrap();
    let e = call(&mut vault, "CreateKey", AES).unwrap_err();
    assert_eq!(e.code, "InternalFailure");
    assert!(
        e.message.contains("cannot open the lock file")
            && e.message.contains(&lock.display().to_string()),
        "{}",
        e.message
    );
    ok(&mut vault, "DescribeKey", &[("KeyId", key.as_str())]);
    assert_eq!(fs::read(&path).unwrap(), file);
    fs::remove_dir(&lock).unwrap();
    common::create_key(&mut vault, "Aliyun_AES_256");
}

/// A process holding the flock of `file` until killed: util-linux `flock`, which keeps the lock
/// itself (`--close`: its command does not inherit it) while its command sleeps.
struct Holder {
    flock: Child,
    sleeper: String,
}

impl Holder {
    fn hold(file: &Path) -> Self {
        let mut flock = Command::new("flock")
            .args(["--exclusive", "--close"])
            .arg(file)
            .args(["sh", "-c", "echo $$; exec sleep 120"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("util-linux `flock` is needed by this test");
        // The command runs only once the lock is held; it prints its pid first.
        let mut sleeper = String::new();
        BufReader::new(flock.stdout.take().unwrap())
            .read_line(&mut sleeper)
            .unwrap();
        Self {
            flock,
            sleeper: sleeper.trim().to_owned(),
        }
    }

    /// SIGKILL to the holder: no unlock, no cleanup — the kernel drops the lock with its files.
    fn kill(&mut self) {
        self.flock.kill().unwrap();
        self.flock.wait().unwrap();
    }
}

impl Drop for Holder {
    fn drop(&mut self) {
        let _ = self.flock.kill();
        let _ = self.flock.wait();
        let _ = Command::new("kill").args(["-9", &self.sleeper]).status();
    }
}

fn is_locked(file: &Path) -> bool {
    File::open(file).unwrap().try_lock().is_err()
}

/// Runs `work` on a fresh handle of the vault in another thread; the receiver gets its result.
fn in_thread(
    path: &Path,
    work: impl FnOnce(&mut Vault) -> Result<(), String> + Send + 'static,
) -> mpsc::Receiver<Result<(), String>> {
    let (tx, rx) = mpsc::channel();
    let path: PathBuf = path.to_path_buf();
    thread::spawn(move || {
        let mut vault = reopen(&path);
        let _ = tx.send(work(&mut vault));
    });
    rx
}

#[test]
fn a_lock_held_by_a_killed_process_is_released_and_the_change_goes_through() {
    let dir = tempfile::tempdir().unwrap();
    let (mut vault, path) = new_vault(dir.path());
    let key = common::create_key(&mut vault, "Aliyun_AES_256");
    let lock = paths::lock_path(&path);
    let mut holder = Holder::hold(&lock);
    assert!(is_locked(&lock));
    let change = in_thread(&path, |v| {
        call(v, "CreateKey", AES).map(|_| ()).map_err(|e| e.message)
    });
    // While the holder lives, the change waits (as it must: the holder may be mid-write).
    assert!(change.recv_timeout(Duration::from_millis(300)).is_err());
    holder.kill();
    change
        .recv_timeout(NO_HANG)
        .expect("the change hung")
        .unwrap();
    assert!(!is_locked(&lock));
    assert_eq!(key_ids(&reopen(&path)).len(), 2);
    drop(holder);

    // The audit log's own lock (appends, and a change's lines) held by a killed process.
    let log = paths::audit_path(&path);
    let mut holder = Holder::hold(&log);
    let key_param = key.clone();
    let encrypt = in_thread(&path, move |v| {
        let params = [("KeyId", key_param.as_str()), ("Plaintext", "aGk=")];
        call(v, "Encrypt", &params)
            .map(|_| ())
            .map_err(|e| e.message)
    });
    assert!(encrypt.recv_timeout(Duration::from_millis(300)).is_err());
    holder.kill();
    encrypt
        .recv_timeout(NO_HANG)
        .expect("the call hung")
        .unwrap();
    let entries = vault.audit_log().unwrap().read().unwrap();
    assert_eq!(entries.last().unwrap().record.action, "Encrypt");
    assert!(
        vault
            .audit_log()
            .unwrap()
            .verify(reopen(&path).state().audit_anchor())
            .unwrap()
            .ok
    );
}

#[test]
fn a_command_waiting_for_a_lock_says_so_and_goes_on_once_it_is_free() {
    let dir = tempfile::tempdir().unwrap();
    let (_vault, path) = new_vault(dir.path());
    let lock = paths::lock_path(&path);
    let mut holder = Holder::hold(&lock);
    let mut cli = Command::new(env!("CARGO_BIN_EXE_kms-console"))
        .arg("CreateKey")
        .env("KMS_CONSOLE_VAULT", &path)
        .env("HOME", dir.path())
        .env_remove("KMS_CONSOLE_PASSPHRASE")
        .env_remove("KMS_CONSOLE_PRINCIPAL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = cli.stderr.take().unwrap();
    let (tx, said) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let _ = tx.send(line.unwrap_or_default());
        }
    });
    let line = said
        .recv_timeout(NO_HANG)
        .expect("the waiting command said nothing");
    assert!(
        line.contains("waiting for") && line.contains(&lock.display().to_string()),
        "{line}"
    );
    assert!(
        cli.try_wait().unwrap().is_none(),
        "it waits while the lock is held"
    );
    holder.kill();
    let out = cli.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(key_ids(&reopen(&path)).len(), 1);
}
