//! Fuzz target `request`: see `fuzz/src/request.rs` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kms_console_fuzz::request::check(data));
