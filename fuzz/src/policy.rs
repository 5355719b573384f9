//! Policy documents: parsing and evaluating never panic, and an accepted document serialises to
//! one that parses to the same document.

use kms_console::core::policy::{PolicyDocument, is_allowed};

pub fn check(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(doc) = PolicyDocument::parse("PolicyDocument", &text) {
        let json = serde_json::to_string(&doc).expect("a document serialises");
        assert_eq!(
            PolicyDocument::parse("PolicyDocument", &json).expect("it parses again"),
            doc
        );
        for (action, resource) in [
            ("kms:ReEncryptFrom", "acs:kms:cn-hangzhou:1:key/x"),
            (
                "kms:Decrypt",
                "acs:kms:cn-hangzhou:1980257397135763:key/alias/orders",
            ),
            ("kms:ListKeys", "*"),
        ] {
            let _ = is_allowed(std::slice::from_ref(&doc), action, resource);
        }
    }
}
