//! Fuzz target: EncryptionContext parsing never panics, and an accepted context's canonical JSON
//! parses back to the same canonical AAD.
#![no_main]

use kms_console::core::context::EncryptionContext;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(ctx) = EncryptionContext::parse("EncryptionContext", &text) {
        let again = EncryptionContext::parse("EncryptionContext", &ctx.to_json()).expect("canonical form parses");
        assert_eq!(again.aad(), ctx.aad());
    }
});
