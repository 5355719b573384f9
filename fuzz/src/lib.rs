//! The checks behind the fuzz targets, one module per target, each a `check(&[u8])` that panics
//! on a bug. The targets in `fuzz_targets/` only call them; `tests/fuzz_regressions.rs` in the
//! main crate includes the same files and feeds them the saved crash inputs
//! (`fuzz/regressions/<target>/`) and the seed corpora on every `cargo test`, so a fixed crash
//! stays fixed without nightly.

pub mod fixture;

pub mod blob;
pub mod census;
pub mod context;
pub mod drill_line;
pub mod endpoint;
pub mod policy;
pub mod request;
pub mod roundtrip;
pub mod vault_file;
