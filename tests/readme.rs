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

/// The text of a `# -> TEXT` expectation inside bash double quotes: `$VAR` still expands (so a
/// line can be expected to print an id captured earlier), nothing else is special.
fn in_double_quotes(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('`', "\\`")
}

/// One bash script for the walkthrough. Each `# -> TEXT` line must print exactly TEXT; each
/// `# => CODE` line must fail with exit status 1 and that code; the script ends by printing how
/// many such checks it made.
fn to_script(lines: &[String], bin_dir: &Path) -> String {
    use std::fmt::Write;
    let mut script = String::from("set -euo pipefail\nchecks=0\n");
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
                 grep -q '\"Code\": \"{code}\"' <<<\"$out\" || {{ echo \"line {n}: expected {code}: $out\"; exit 9; }}\n\
                 checks=$((checks + 1))\n"
            );
        } else if let Some((cmd, expected)) = line.split_once("# ->") {
            let expected = in_double_quotes(expected.trim());
            let _ = write!(
                script,
                "out=$({cmd}); echo \"$out\"\n\
                 [ \"$out\" = \"{expected}\" ] || {{ echo \"line {n}: printed '$out', expected '{expected}'\"; exit 9; }}\n\
                 checks=$((checks + 1))\n"
            );
        } else {
            script.push_str(line);
            script.push('\n');
        }
    }
    script.push_str("echo \"checks made: $checks\"\n");
    script
}

/// Runs the walkthrough, under `faketime OFFSET` if given: every line runs and prints what the
/// README says it prints.
fn run_walkthrough(fake_offset: Option<&str>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let lines = walkthrough_lines(&readme);
    assert!(lines.len() > 20, "walkthrough found: {lines:?}");
    let expectations = lines.iter().filter(|l| l.contains("# ->")).count();
    let refusals = lines.iter().filter(|l| l.contains("# =>")).count();
    assert!(expectations >= 12, "the README shows what its lines print");
    let bin = Path::new(env!("CARGO_BIN_EXE_kms-console"));
    let script = to_script(&lines, bin.parent().unwrap());
    let home = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let mut command = match fake_offset {
        None => Command::new("bash"),
        Some(offset) => {
            let mut c = Command::new("faketime");
            c.args(["-f", offset, "bash"]);
            c
        }
    };
    let out = command
        .arg("-c")
        .arg(&script)
        .current_dir(root)
        .env("HOME", home.path())
        .env("TMPDIR", tmp.path())
        .env_remove("KMS_CONSOLE_VAULT")
        .env_remove("KMS_CONSOLE_PRINCIPAL")
        .env_remove("KMS_CONSOLE_PASSPHRASE")
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {}: {e} (faketime comes from Debian's faketime package; .ci/run installs it)",
                if fake_offset.is_some() { "faketime" } else { "bash" }
            )
        });
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "walkthrough failed ({fake_offset:?})\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
    );
    assert!(
        stdout.contains(&format!("checks made: {}", expectations + refusals)),
        "{stdout}"
    );
    // The walkthrough left the real data directory alone.
    assert!(!home.path().join(".local/share/kms-console").exists());
}

#[test]
fn readme_walkthrough_runs_as_printed() {
    run_walkthrough(None);
}

/// The same walkthrough with the clock five years ahead (libfaketime moves the clock of the
/// real binary): the demo copy is the same demo, so every line prints the same.
#[test]
fn readme_walkthrough_runs_the_same_five_years_ahead() {
    run_walkthrough(Some("+1826d"));
}
