//! Fuzz target `blob`: see `fuzz/src/blob.rs` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kms_console_fuzz::blob::check(data));
