//! The symmetric CiphertextBlob parser never panics, and what it accepts encodes back to the
//! same bytes (parse → encode round trip), as text and as bytes.

use kms_console::core::blob::CiphertextBlob;

pub fn check(data: &[u8]) {
    if let Ok(blob) = CiphertextBlob::from_bytes(data.to_vec()) {
        assert_eq!(blob.as_bytes(), data);
        let text = CiphertextBlob::encode(blob.as_bytes());
        let again = CiphertextBlob::parse(&text).expect("an encoded blob parses");
        assert_eq!(again.as_bytes(), data);
        assert_eq!(again.key_version_id().len(), 36);
    }
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(blob) = CiphertextBlob::parse(text)
    {
        let again = CiphertextBlob::parse(&CiphertextBlob::encode(blob.as_bytes()))
            .expect("a re-encoded blob parses");
        assert_eq!(again.as_bytes(), blob.as_bytes());
    }
}
