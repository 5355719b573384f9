//! Fuzz target `policy`: see `fuzz/src/policy.rs` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kms_console_fuzz::policy::check(data));
