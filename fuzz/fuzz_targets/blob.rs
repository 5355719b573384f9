//! Fuzz target: the symmetric CiphertextBlob parser never panics, and what it accepts encodes
//! back to the same bytes (parse → encode round trip).
#![no_main]

use kms_console::core::blob::CiphertextBlob;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(blob) = CiphertextBlob::from_bytes(data.to_vec()) {
        assert_eq!(blob.as_bytes(), data);
        let text = CiphertextBlob::encode(blob.as_bytes());
        let again = CiphertextBlob::parse(&text).expect("an encoded blob parses");
        assert_eq!(again.as_bytes(), data);
        assert_eq!(again.key_version_id().len(), 36);
    }
    let _ = CiphertextBlob::parse(&String::from_utf8_lossy(data));
});
