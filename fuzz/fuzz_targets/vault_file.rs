//! Fuzz target `vault_file`: see `fuzz/src/vault_file.rs` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kms_console_fuzz::vault_file::check(data));
