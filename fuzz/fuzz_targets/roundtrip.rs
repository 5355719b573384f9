//! Fuzz target `roundtrip`: see `fuzz/src/roundtrip.rs` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kms_console_fuzz::roundtrip::check(data));
