//! The console's terminal killed under it: the real binary runs in tmux (a server on a socket of
//! its own), the server is killed, and the process must be gone within a bound; a SIGTERM sent to
//! a console whose terminal is gone must end it too; and with SIGHUP blocked it must notice the
//! dead terminal on its own. These are liveness bounds of the program (it used to stay behind for
//! ever, spinning on the dead pty and ignoring SIGTERM), not speed measurements: the tests poll
//! for the exit up to the bound. tmux (and perl, for the blocked SIGHUP) are required.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// A tmux server of our own, on a socket inside the test's temporary folder (so nothing is left
/// behind in /tmp), killed when the test ends (if the test did not already).
struct Tmux {
    socket: PathBuf,
}

impl Tmux {
    fn new(dir: &Path) -> Self {
        let found = Command::new("tmux").arg("-V").output();
        assert!(
            found.is_ok_and(|o| o.status.success()),
            "tmux is needed for this test and is not installed (apt-get install -y tmux)"
        );
        Self {
            socket: dir.join("tmux.sock"),
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .env_remove("KMS_CONSOLE_PRINCIPAL")
            .env_remove("KMS_CONSOLE_VAULT")
            .env_remove("KMS_CONSOLE_PASSPHRASE")
            .env_remove("TMUX")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs")
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "hup"]).stdout).into_owned()
    }

    fn wait_for(&self, needle: &str) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(needle) {
                return screen;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "the screen never showed {needle:?}:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

/// Whether process `pid` has ended (gone, or a zombie nobody reaped yet).
fn ended(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        // The state follows the parenthesised command name.
        Ok(stat) => stat
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| rest.starts_with('Z') || rest.starts_with('X')),
    }
}

/// Polls until `pid` has ended, up to `bound`; `false` if it is still there then.
fn ends_within(pid: u32, bound: Duration) -> bool {
    let start = Instant::now();
    loop {
        if ended(pid) {
            return true;
        }
        if start.elapsed() >= bound {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The demo copies left in `tmp`.
fn demo_copies(tmp: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(tmp)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("kms-console-demo-"))
        })
        .collect()
}

/// Starts `kms-console --demo` as the pane's own process (exec'd, so the pane pid is the
/// console's), with a temporary folder of its own for the demo copy; returns the pid.
fn start_console(tmux: &Tmux, dir: &Path) -> u32 {
    start_console_via(tmux, dir, "")
}

/// [`start_console`], the console exec'd through `launcher` (a command line ending where the
/// console's command line begins).
fn start_console_via(tmux: &Tmux, dir: &Path, launcher: &str) -> u32 {
    // Without /proc every process would look ended: fail rather than pass for nothing.
    assert!(
        Path::new("/proc/self/stat").exists(),
        "these tests watch the console through /proc (Linux)"
    );
    let tmp = dir.join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let command = format!(
        "exec {launcher} env -u KMS_CONSOLE_PRINCIPAL -u KMS_CONSOLE_PASSPHRASE TMPDIR={} \
         KMS_CONSOLE_VAULT={} NO_COLOR=1 {} --demo",
        tmp.display(),
        dir.join("never-used.json").display(),
        env!("CARGO_BIN_EXE_kms-console")
    );
    let started = tmux.run(&[
        "new-session",
        "-d",
        "-s",
        "hup",
        "-x",
        "100",
        "-y",
        "30",
        "-P",
        "-F",
        "#{pane_pid}",
        &command,
    ]);
    assert!(started.status.success(), "{started:?}");
    let pid: u32 = String::from_utf8_lossy(&started.stdout)
        .trim()
        .parse()
        .unwrap();
    // Open, with its demo copy made (no dependence on the demo's key count).
    tmux.wait_for("Walkthrough 1/");
    assert_eq!(demo_copies(&tmp).len(), 1, "the demo copy exists");
    pid
}

#[test]
fn the_console_ends_when_its_tmux_server_is_killed() {
    let dir = tempfile::tempdir().unwrap();
    let tmux = Tmux::new(dir.path());
    let pid = start_console(&tmux, dir.path());
    assert!(!ended(pid));
    let killed = tmux.run(&["kill-server"]);
    assert!(killed.status.success(), "{killed:?}");
    let gone = ends_within(pid, Duration::from_secs(2));
    if !gone {
        // Leave nothing behind, then fail.
        let _ = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
    }
    assert!(
        gone,
        "the console was still running 2 s after its terminal went away"
    );
    assert!(
        demo_copies(&dir.path().join("tmp")).is_empty(),
        "the demo copy was removed"
    );
}

#[test]
fn sigterm_ends_a_console_whose_terminal_is_gone() {
    let dir = tempfile::tempdir().unwrap();
    let tmux = Tmux::new(dir.path());
    let pid = start_console(&tmux, dir.path());
    let killed = tmux.run(&["kill-server"]);
    assert!(killed.status.success(), "{killed:?}");
    let sent = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    // It may already have ended on its own, which is as good.
    assert!(sent.success() || ended(pid));
    let gone = ends_within(pid, Duration::from_secs(1));
    if !gone {
        let _ = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
    }
    assert!(gone, "SIGTERM did not end the console within 1 s");
}

/// Without SIGHUP (blocked, so it is never delivered) the console still notices that its
/// terminal is gone, on its own, and quits as `q` would. perl (Essential on Debian) blocks the
/// signal and execs the console; the mask is inherited.
#[test]
fn the_console_notices_a_dead_terminal_without_sighup() {
    let perl = Command::new("perl").arg("-v").output();
    assert!(
        perl.is_ok_and(|o| o.status.success()),
        "perl is needed for this test (to start the console with SIGHUP blocked) and is not installed"
    );
    let dir = tempfile::tempdir().unwrap();
    let tmux = Tmux::new(dir.path());
    let launcher = "perl -MPOSIX -e 'sigprocmask(SIG_BLOCK, POSIX::SigSet->new(SIGHUP)) or die; exec @ARGV or die'";
    let pid = start_console_via(&tmux, dir.path(), launcher);
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let blocked = status
        .lines()
        .find_map(|l| l.strip_prefix("SigBlk:"))
        .map(|m| u64::from_str_radix(m.trim(), 16).unwrap())
        .unwrap();
    assert_eq!(blocked & 1, 1, "SIGHUP (bit 0) is blocked in the console");
    let killed = tmux.run(&["kill-server"]);
    assert!(killed.status.success(), "{killed:?}");
    let gone = ends_within(pid, Duration::from_secs(2));
    if !gone {
        let _ = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
    }
    assert!(
        gone,
        "the console was still running 2 s after its terminal went away"
    );
    assert!(demo_copies(&dir.path().join("tmp")).is_empty());
}
