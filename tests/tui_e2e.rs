//! The real binary in a real terminal: tmux runs `kms-console --demo`, the test types as a user
//! would (`send-keys`) and reads the screen (`capture-pane`): a ReEncrypt, a refusal as the
//! auditor, and the refused request found on the audit screen (from the error and by RequestId).
//! Fails, saying why, when tmux is not installed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// A tmux server of our own (its own socket), killed when the test ends.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs")
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "e2e"]).stdout).into_owned()
    }

    /// Sends keys one by one (tmux key names), pausing so an Escape is not read as Alt.
    fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.run(&["send-keys", "-t", "e2e", k]);
            std::thread::sleep(Duration::from_millis(120));
        }
    }

    /// Types text literally.
    fn text(&self, text: &str) {
        self.run(&["send-keys", "-t", "e2e", "-l", text]);
        std::thread::sleep(Duration::from_millis(200));
    }

    /// Waits until the screen shows `needle`; fails with the screen if it never does.
    fn wait_for(&self, needle: &str) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(needle) {
                return screen;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
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

/// The primary KeyVersionId of alias/orders in the demo vault.
fn orders_primary() -> String {
    let doc: serde_json::Value = serde_json::from_str(kms_console::demo::DEMO_VAULT).unwrap();
    let contents = &doc["contents"];
    let id = contents["Aliases"]["alias/orders"].as_str().unwrap();
    let key = contents["Keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["KeyId"] == id)
        .unwrap();
    let versions = key["Versions"].as_array().unwrap();
    assert_eq!(versions.len(), 3, "alias/orders is the key with 3 versions");
    versions.last().unwrap()["KeyVersionId"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The UUID after `label` on the screen.
fn request_id_after(screen: &str, label: &str) -> String {
    let at = screen
        .find(label)
        .unwrap_or_else(|| panic!("no {label:?}:\n{screen}"));
    let id: String = screen[at + label.len()..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit() || *c == '-')
        .collect();
    assert_eq!(id.len(), 36, "a cut RequestId {id:?}:\n{screen}");
    id
}

#[test]
fn demo_reencrypt_then_refusal_as_auditor() {
    assert!(
        Command::new("tmux").arg("-V").output().is_ok(),
        "tmux is not installed: the end-to-end console test needs it (Debian package tmux; \
         .ci/run installs it)"
    );
    let dir = tempfile::tempdir().unwrap();
    let tmux = Tmux {
        socket: format!("kms-console-e2e-{}", std::process::id()),
    };
    // After the console quits, the shell says how it ended, on the restored normal screen.
    let command = format!(
        "env -u KMS_CONSOLE_PRINCIPAL -u KMS_CONSOLE_PASSPHRASE KMS_CONSOLE_VAULT={} NO_COLOR=1 {} --demo; \
         echo console-exited-$?; sleep 60",
        dir.path().join("never-used.json").display(),
        env!("CARGO_BIN_EXE_kms-console")
    );
    let started = tmux.run(&[
        "new-session",
        "-d",
        "-s",
        "e2e",
        "-x",
        "100",
        "-y",
        "30",
        &command,
    ]);
    assert!(started.status.success(), "{started:?}");
    tmux.wait_for("Keys (10)");
    tmux.wait_for("Walkthrough 1/");

    // Select the rotated key with the filter.
    tmux.keys(&["/"]);
    tmux.text("orders");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("Versions (3)");
    assert!(screen.contains("alias/orders"), "{screen}");

    // Paste an old-version sample into ReEncrypt and run it.
    let samples = kms_console::demo::samples().unwrap().samples;
    let sample = samples.iter().find(|s| s.name == "orders-v1").unwrap();
    tmux.keys(&["r"]);
    tmux.wait_for("ReEncrypt");
    tmux.text(&sample.ciphertext_blob);
    tmux.wait_for("NOT primary");
    tmux.keys(&["Tab", "Tab", "Tab"]);
    tmux.text(sample.encryption_context.as_deref().unwrap_or_default());
    tmux.wait_for("valid context");
    tmux.keys(&["Enter"]);
    let primary = orders_primary();
    let screen = tmux.wait_for(&primary);
    assert!(screen.contains("ReEncrypt ✓"), "{screen}");
    assert!(screen.contains("(primary)"), "{screen}");

    // Switch to the read-only principal and try again: refused.
    tmux.keys(&["Escape", "Escape", "2", "j", "j", "Enter"]);
    tmux.wait_for("as auditor");
    tmux.keys(&["1", "r"]);
    tmux.wait_for("ReEncrypt");
    tmux.text(&sample.ciphertext_blob);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("Forbidden.NoPermission");
    let request_id = request_id_after(&screen, "RequestId ");

    // "Why was this denied?": the policy simulator, filled with the refused call, explains it.
    tmux.wait_for("w why denied?");
    tmux.keys(&["w"]);
    let screen = tmux.wait_for("DENY: no statement allows it");
    assert!(screen.contains("Policy simulator"), "{screen}");
    assert!(screen.contains("‹ auditor ›"), "{screen}");
    assert!(screen.contains("‹ ReEncrypt ›"), "{screen}");
    assert!(
        screen.contains("kms:ReEncryptFrom: Deny: no statement of any policy allows it"),
        "{screen}"
    );
    tmux.keys(&["Escape"]);
    tmux.wait_for("w why denied?");

    // The error's `a` opens the refused request's audit entry.
    tmux.keys(&["a"]);
    let screen = tmux.wait_for("Audit entry #");
    assert!(screen.contains(&request_id), "{screen}");
    assert!(screen.contains("Forbidden.NoPermission"), "{screen}");

    // The audit screen finds the same entry by its RequestId typed into `/`.
    tmux.keys(&["Escape", "Escape"]);
    tmux.wait_for("lines ");
    tmux.keys(&["/"]);
    tmux.text(&request_id);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("found (esc clears)");
    assert!(screen.contains("1 match"), "{screen}");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("Audit entry #");
    assert!(screen.contains(&request_id), "{screen}");
    assert!(screen.contains("auditor"), "{screen}");

    // Quit: the program ends with status 0 and the screen is the shell's again.
    tmux.keys(&["Escape", "q"]);
    let screen = tmux.wait_for("console-exited-0");
    assert!(
        !screen.contains("Walkthrough"),
        "the console's screen is gone:\n{screen}"
    );
}
