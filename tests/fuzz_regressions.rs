//! The fuzz targets' checks on every `cargo test`, without nightly: each target's saved crash
//! inputs (`fuzz/regressions/<target>/`, each a bug found by fuzzing and fixed) and its seed
//! corpus (`fuzz/corpus/<target>/seed-*`) go through the very function the target calls
//! (`fuzz/src/<target>.rs`, included here), and must pass. Every target has seeds, so a check
//! that stopped running would fail here.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::cast_possible_truncation,
    clippy::missing_panics_doc
)]

use std::path::{Path, PathBuf};

#[path = "../fuzz/src/fixture.rs"]
mod fixture;

#[path = "../fuzz/src/blob.rs"]
mod blob;
#[path = "../fuzz/src/census.rs"]
mod census;
#[path = "../fuzz/src/context.rs"]
mod context;
#[path = "../fuzz/src/drill_line.rs"]
mod drill_line;
#[path = "../fuzz/src/endpoint.rs"]
mod endpoint;
#[path = "../fuzz/src/policy.rs"]
mod policy;
#[path = "../fuzz/src/request.rs"]
mod request;
#[path = "../fuzz/src/roundtrip.rs"]
mod roundtrip;
#[path = "../fuzz/src/vault_file.rs"]
mod vault_file;

/// The files of `dir` whose names start with `prefix` (all when empty), sorted.
fn inputs(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix) && !n.starts_with('.'))
        })
        .collect();
    files.sort();
    files
}

/// Runs `check` on the target's regressions and seeds; returns how many seeds there were.
fn replay(target: &str, check: fn(&[u8])) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let regressions = inputs(&root.join("regressions").join(target), "");
    let seeds = inputs(&root.join("corpus").join(target), "seed-");
    for file in regressions.iter().chain(&seeds) {
        let data = std::fs::read(file).unwrap();
        let outcome = std::panic::catch_unwind(|| check(&data));
        assert!(outcome.is_ok(), "{target}: {} fails", file.display());
    }
    assert!(!seeds.is_empty(), "{target} has no seed corpus");
    seeds.len()
}

#[test]
fn blob_inputs_pass() {
    replay("blob", blob::check);
}

#[test]
fn context_inputs_pass() {
    replay("context", context::check);
}

#[test]
fn policy_inputs_pass() {
    replay("policy", policy::check);
}

#[test]
fn request_inputs_pass() {
    replay("request", request::check);
}

#[test]
fn vault_file_inputs_pass() {
    replay("vault_file", vault_file::check);
}

#[test]
fn drill_line_inputs_pass() {
    replay("drill_line", drill_line::check);
}

#[test]
fn census_inputs_pass() {
    replay("census", census::check);
}

#[test]
fn endpoint_inputs_pass() {
    replay("endpoint", endpoint::check);
}

#[test]
fn roundtrip_inputs_pass() {
    replay("roundtrip", roundtrip::check);
}

/// The endpoint seeds reach dispatch: a seed signed through the placeholders gets a 200, so the
/// fuzzer starts past the signature check (and a broken placeholder scheme would show here).
#[test]
fn endpoint_seeds_get_past_the_signature() {
    let seeds = inputs(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/endpoint"),
        "seed-ok-",
    );
    assert!(!seeds.is_empty());
    for file in seeds {
        let data = std::fs::read(&file).unwrap();
        assert_eq!(
            endpoint::answer_status(&data),
            Some(200),
            "{}",
            file.display()
        );
    }
}

/// The vault_file seeds that wrap contents reach the contents parser: the demo vault's own
/// contents, written unprotected and sealed by the check, open.
#[test]
fn vault_file_seeds_open() {
    let demo = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo-vault.json"))
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&demo).unwrap();
    let contents = serde_json::to_vec(&doc["contents"]).unwrap();
    for mode in [1u8, 2] {
        let mut data = vec![mode];
        data.extend_from_slice(&contents);
        assert!(vault_file::opens(&data), "mode {mode}");
    }
}
