//! Fuzz target `context`: see `fuzz/src/context.rs` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kms_console_fuzz::context::check(data));
