//! EncryptionContext parsing never panics, and an accepted context's canonical JSON parses back
//! to the same canonical AAD.

use kms_console::core::context::EncryptionContext;

pub fn check(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(ctx) = EncryptionContext::parse("EncryptionContext", &text) {
        let again = EncryptionContext::parse("EncryptionContext", &ctx.to_json())
            .expect("the canonical form parses");
        assert_eq!(again.aad(), ctx.aad());
    }
}
