//! Fuzz target `drill_line`: see `fuzz/src/drill_line.rs` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kms_console_fuzz::drill_line::check(data));
