//! Shared by the fault tests: a small tmpfs the test mounts itself (real ENOSPC, real read-only
//! remounts, read-only bind mounts of single files), always unmounted by its guard, even when
//! the test fails; a vault on a given folder with a fixed clock; and the checks every fault
//! ends with (the vault opens holding the old state, no temporary file left, the log verifies).
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::missing_panics_doc
)]

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use kms_console::core::clock::{FixedClock, RandomIds};
use kms_console::core::paths;
use kms_console::core::vault::{Sources, Vault, new_vault_state};
use kms_console::core::vault_file::NewProtection;

/// 2026-11-01T00:00:00Z.
pub const T0: i64 = 1_793_491_200;

/// The generous limits a tmpfs is mounted with, and given back after a test narrowed them.
const ROOMY: &str = "size=16m,nr_inodes=4096";

/// Whether this process runs as root (reads `/proc/self/status`; `false` where there is none).
pub fn is_root() -> bool {
    fs::read_to_string("/proc/self/status").is_ok_and(|s| {
        s.lines()
            .find_map(|l| l.strip_prefix("Uid:"))
            .and_then(|ids| ids.split_whitespace().nth(1))
            == Some("0")
    })
}

/// `true` if the test may go on; otherwise prints why it is skipped (mounting needs root; CI
/// runs as root).
pub fn root_or_skip(test: &str) -> bool {
    if is_root() {
        return true;
    }
    // Straight to the process's stderr: the test harness captures only the print macros, and
    // a skip must show in a plain `cargo test`.
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED {test}: it mounts its own tmpfs, which needs root (CI runs as root)"
    );
    false
}

fn run(program: &str, args: &[&str]) {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program} (needed by this test): {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 temporary path")
}

/// A tmpfs mounted on a fresh temporary folder, unmounted (and the folder removed) on drop.
pub struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    /// Mounts a roomy tmpfs. Only call after [`root_or_skip`]; a failed mount fails the test.
    pub fn mount() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let guard = Self { dir };
        run(
            "mount",
            &[
                "-t",
                "tmpfs",
                "-o",
                &format!("{ROOMY},mode=0700"),
                "tmpfs",
                path_str(guard.path()),
            ],
        );
        guard
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Pages (4 KiB) and inodes in use.
    pub fn usage(&self) -> (u64, u64) {
        let out = Command::new("stat")
            .args(["-f", "-c", "%b %f %c %d", path_str(self.path())])
            .output()
            .expect("stat (coreutils) is needed by this test");
        let text = String::from_utf8(out.stdout).unwrap();
        let n: Vec<u64> = text
            .split_whitespace()
            .map(|v| v.parse().unwrap())
            .collect();
        (n[0] - n[1], n[2] - n[3])
    }

    /// Leaves exactly `pages` free pages and `inodes` free inodes: the next write beyond them
    /// fails with ENOSPC.
    pub fn leave_free(&self, pages: u64, inodes: u64) {
        let (used_pages, used_inodes) = self.usage();
        // A size of 0 would mean no limit at all (and no way back to one).
        assert!(used_pages + pages > 0, "write something to the tmpfs first");
        let options = format!(
            "remount,size={},nr_inodes={}",
            (used_pages + pages) * 4096,
            used_inodes + inodes
        );
        run("mount", &["-o", &options, path_str(self.path())]);
    }

    /// Gives back room after [`Tmpfs::leave_free`].
    pub fn roomy(&self) {
        run(
            "mount",
            &["-o", &format!("remount,{ROOMY}"), path_str(self.path())],
        );
    }

    /// Remounts read-only (`true`) or read-write.
    pub fn read_only(&self, ro: bool) {
        let mode = if ro { "remount,ro" } else { "remount,rw" };
        run("mount", &["-o", mode, path_str(self.path())]);
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let path = self.path().to_path_buf();
        // Busy when a child the test killed has not quite exited yet: then detached below.
        let done = Command::new("umount")
            .arg(&path)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !done {
            // Still busy (a file left open): detach it now, gone when closed.
            let _ = Command::new("umount").arg("-l").arg(&path).status();
        }
    }
}

/// A file made read-only by a read-only bind mount over it (root), undone on drop.
pub struct ReadOnlyFile {
    path: PathBuf,
}

impl ReadOnlyFile {
    pub fn new(path: &Path) -> Self {
        run("mount", &["--bind", path_str(path), path_str(path)]);
        let guard = Self {
            path: path.to_path_buf(),
        };
        run("mount", &["-o", "remount,bind,ro", path_str(path)]);
        guard
    }
}

impl Drop for ReadOnlyFile {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.path).status();
    }
}

/// Sources with a fixed clock at [`T0`].
pub fn sources() -> (Sources, Arc<FixedClock>) {
    let clock = Arc::new(FixedClock::new(T0));
    let sources = Sources {
        clock: clock.clone(),
        ids: Arc::new(RandomIds),
        ..Sources::default()
    };
    (sources, clock)
}

/// A new unprotected vault (no key derivation: fast) at `dir/vault.json`.
pub fn new_vault(dir: &Path) -> (Vault, PathBuf) {
    let path = dir.join("vault.json");
    let (sources, _) = sources();
    let state = new_vault_state(&sources).unwrap();
    let vault = Vault::create(&path, state, NewProtection::None, sources).unwrap();
    (vault, path)
}

/// Opens the vault at `path` again, as another process would.
pub fn reopen(path: &Path) -> Vault {
    let (sources, _) = sources();
    Vault::open(path, None, sources).unwrap().0
}

/// The KeyIds a vault holds, sorted.
pub fn key_ids(vault: &Vault) -> Vec<String> {
    let mut ids: Vec<String> = vault
        .state()
        .keys()
        .iter()
        .map(|k| k.key_id.clone())
        .collect();
    ids.sort();
    ids
}

/// Files in `dir` that a failed write may have left: `*.tmp`, drill temporaries, and copies a
/// failed restore kept aside.
pub fn leftovers(dir: &Path) -> Vec<String> {
    let mut found: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| {
            [".tmp", ".drill-tmp", ".damaged-"]
                .iter()
                .any(|s| n.contains(s))
        })
        .collect();
    found.sort();
    found
}

/// The actions of the log's lines, in order; the log must verify against the vault's anchor
/// (no damaged or half line), with `after` lines after the anchor at most.
pub fn audited_actions(vault: &Vault) -> Vec<String> {
    let log = vault.audit_log().expect("a vault file has a log");
    let report = log.verify(vault.state().audit_anchor()).unwrap();
    assert!(
        report.ok,
        "the audit log does not verify: {:?}",
        report.notes
    );
    log.read()
        .unwrap()
        .into_iter()
        .map(|e| e.record.action)
        .collect()
}

/// The lines of the log, byte for byte.
pub fn log_bytes(vault_path: &Path) -> Vec<u8> {
    fs::read(paths::audit_path(vault_path)).unwrap_or_default()
}
