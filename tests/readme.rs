//! The README's walkthrough runs exactly as printed (so it cannot drift): every line between the
//! `walkthrough` markers runs in one bash session against the built binary; a line ending in
//! `# => CODE` must fail with exit status 1 and that error code. The two lines that build and
//! put the release binary on PATH are replaced by this test's own binary.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]

use std::path::Path;
use std::process::Command;

fn walkthrough_lines(readme: &str) -> Vec<String> {
    let start = readme
        .find("<!-- walkthrough:begin -->")
        .expect("begin marker");
    let end = readme.find("<!-- walkthrough:end -->").expect("end marker");
    let mut in_code = false;
    let mut lines = Vec::new();
    for line in readme[start..end].lines() {
        if line.starts_with("```") {
            in_code = !in_code && line.trim() == "```sh";
            continue;
        }
        if in_code && !line.trim().is_empty() {
            lines.push(line.to_owned());
        }
    }
    lines
}

fn to_script(lines: &[String], bin_dir: &Path) -> String {
    use std::fmt::Write;
    let mut script = String::from("set -euo pipefail\n");
    for (n, line) in lines.iter().enumerate() {
        if line.trim() == "cargo build --release" {
            continue;
        }
        if line.contains("target/release") {
            let _ = writeln!(script, "export PATH=\"{}:$PATH\"", bin_dir.display());
            continue;
        }
        let _ = writeln!(script, "echo '>>> line {n}'");
        if let Some((cmd, code)) = line.split_once("# =>") {
            let code = code.trim();
            let _ = write!(
                script,
                "set +e; out=$({cmd} 2>&1); rc=$?; set -e\n\
                 [ \"$rc\" -eq 1 ] || {{ echo \"line {n}: exit $rc, expected 1: $out\"; exit 9; }}\n\
                 grep -q '\"Code\": \"{code}\"' <<<\"$out\" || {{ echo \"line {n}: expected {code}: $out\"; exit 9; }}\n"
            );
        } else {
            script.push_str(line);
            script.push('\n');
        }
    }
    script
}

#[test]
fn readme_walkthrough_runs_as_printed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let lines = walkthrough_lines(&readme);
    assert!(lines.len() > 20, "walkthrough found: {lines:?}");
    let bin = Path::new(env!("CARGO_BIN_EXE_kms-console"));
    let script = to_script(&lines, bin.parent().unwrap());
    let home = tempfile::tempdir().unwrap();
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(root)
        .env("HOME", home.path())
        .env_remove("KMS_CONSOLE_VAULT")
        .env_remove("KMS_CONSOLE_PRINCIPAL")
        .env_remove("KMS_CONSOLE_PASSPHRASE")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "walkthrough failed\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
    );
    // What the walkthrough promises the reader.
    for expected in [
        "order #1001: 2 kg espresso beans",
        "invoice 2026-118: 1,250.00 EUR",
        "made by openssl",
        "\"ok\": true",
    ] {
        assert!(stdout.contains(expected), "missing {expected:?}\n{stdout}");
    }
    // The walkthrough left the real data directory alone.
    assert!(!home.path().join(".local/share/kms-console").exists());
}
