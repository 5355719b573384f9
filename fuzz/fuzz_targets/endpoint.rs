//! Fuzz target `endpoint`: see `fuzz/src/endpoint.rs` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kms_console_fuzz::endpoint::check(data));
