//! Fuzz target `census`: see `fuzz/src/census.rs` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kms_console_fuzz::census::check(data));
