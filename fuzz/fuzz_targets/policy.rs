//! Fuzz target: policy documents — parsing and evaluating never panic, and an accepted document
//! serialises to one that parses to the same document.
#![no_main]

use kms_console::core::policy::{PolicyDocument, is_allowed};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(doc) = PolicyDocument::parse("PolicyDocument", &text) {
        let json = serde_json::to_string(&doc).expect("serialises");
        assert_eq!(PolicyDocument::parse("PolicyDocument", &json).expect("parses again"), doc);
        let _ = is_allowed(&[doc], "kms:ReEncryptFrom", "acs:kms:cn-hangzhou:1:key/x");
    }
});
