//! The symmetric CiphertextBlob: base64 of `KeyVersionId (36 ASCII bytes) ‖ IV (12) ‖ ciphertext ‖
//! tag (16)` — Alibaba's own layout (`spec/alibaba-kms.md` §1: `EKT_ID_LENGTH = 36`,
//! `GCM_IV_LENGTH = 12`, tag appended).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::crypto::{IV_LEN, TAG_LEN};
use super::error::KmsError;

/// Length of the KeyVersionId header (`EKT_ID_LENGTH`).
pub const HEADER_LEN: usize = 36;
/// Shortest blob: header, IV and tag around an empty ciphertext.
pub const MIN_BLOB_LEN: usize = HEADER_LEN + IV_LEN + TAG_LEN;

/// A decoded blob, split but not yet decrypted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CiphertextBlob {
    bytes: Vec<u8>,
}

impl CiphertextBlob {
    /// Decodes and splits base64 text. Everything wrong with it — not base64, too short, a
    /// header that is not a version id — is the one [`KmsError::InvalidCiphertext`].
    pub fn parse(text: &str) -> Result<Self, KmsError> {
        let bytes = STANDARD
            .decode(text.trim().as_bytes())
            .map_err(|_| KmsError::InvalidCiphertext)?;
        Self::from_bytes(bytes)
    }

    /// Checks raw blob bytes.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, KmsError> {
        if bytes.len() < MIN_BLOB_LEN {
            return Err(KmsError::InvalidCiphertext);
        }
        let (header, _) = bytes
            .split_at_checked(HEADER_LEN)
            .ok_or(KmsError::InvalidCiphertext)?;
        if !is_version_id(header) {
            return Err(KmsError::InvalidCiphertext);
        }
        Ok(Self { bytes })
    }

    /// The KeyVersionId named in the header.
    pub fn key_version_id(&self) -> &str {
        self.bytes
            .get(..HEADER_LEN)
            .and_then(|h| std::str::from_utf8(h).ok())
            .unwrap_or_default()
    }

    /// `IV ‖ ciphertext ‖ tag`: what the AEAD opens.
    pub fn sealed_part(&self) -> &[u8] {
        self.bytes.get(HEADER_LEN..).unwrap_or_default()
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Builds a blob naming `key_version_id`: `seal` is given the header and returns
    /// `header ‖ IV ‖ ciphertext ‖ tag` (the AEAD writes around the header in one buffer). The
    /// result is checked as [`Self::from_bytes`] checks, so every blob built here parses back.
    pub fn build(
        key_version_id: &str,
        seal: impl FnOnce(&[u8]) -> Result<Vec<u8>, KmsError>,
    ) -> Result<Self, KmsError> {
        let header = key_version_id.as_bytes();
        if !is_version_id(header) {
            return Err(KmsError::InternalFailure(
                "a KeyVersionId that cannot be a blob header".into(),
            ));
        }
        let bytes = seal(header)?;
        if bytes.len() < MIN_BLOB_LEN || bytes.get(..HEADER_LEN) != Some(header) {
            return Err(KmsError::InternalFailure(
                "a sealed blob of the wrong layout".into(),
            ));
        }
        Ok(Self { bytes })
    }

    /// Base64 text of this blob.
    pub fn to_text(&self) -> String {
        Self::encode(&self.bytes)
    }

    /// Base64 text of the whole blob.
    pub fn encode(bytes: &[u8]) -> String {
        STANDARD.encode(bytes)
    }
}

/// A lower-case hyphenated UUID as 36 ASCII bytes — the only form this vault issues.
fn is_version_id(header: &[u8]) -> bool {
    header.len() == HEADER_LEN
        && header.iter().enumerate().all(|(i, &b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_digit() || (b'a'..=b'f').contains(&b),
        })
}

/// Reads the KeyVersionId a base64 blob names, if it is well formed (for the blob inspector).
pub fn peek_version_id(text: &str) -> Option<String> {
    CiphertextBlob::parse(text)
        .ok()
        .map(|b| b.key_version_id().to_owned())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const VID: &str = "86a9efd9-3d16-4894-bd4f-1fc43f3f2abf";

    fn blob(body_len: usize) -> Vec<u8> {
        let mut b = VID.as_bytes().to_vec();
        b.extend(std::iter::repeat_n(7u8, IV_LEN + body_len + TAG_LEN));
        b
    }

    #[test]
    fn seed_example_header_decodes() {
        // The seed page's example starts with the base64 of this version id.
        let b = CiphertextBlob::parse(&CiphertextBlob::encode(&blob(32))).unwrap();
        assert_eq!(b.key_version_id(), VID);
        assert!(
            CiphertextBlob::encode(VID.as_bytes())
                .starts_with("ODZhOWVmZDktM2QxNi00ODk0LWJkNGYtMWZjNDNmM2YyYWJm")
        );
        assert_eq!(b.sealed_part().len(), IV_LEN + 32 + TAG_LEN);
    }

    #[test]
    fn built_blobs_parse_back_and_bad_headers_are_refused() {
        let built = CiphertextBlob::build(VID, |h| {
            let mut b = h.to_vec();
            b.extend([7u8; IV_LEN + 5 + TAG_LEN]);
            Ok(b)
        })
        .unwrap();
        let parsed = CiphertextBlob::parse(&built.to_text()).unwrap();
        assert_eq!(parsed, built);
        assert_eq!(parsed.key_version_id(), VID);
        // A header that is not a version id, or a sealer that lays the blob out wrongly.
        assert!(CiphertextBlob::build("not-a-version", |h| Ok(h.to_vec())).is_err());
        assert!(CiphertextBlob::build(VID, |h| Ok(h.to_vec())).is_err());
        assert!(CiphertextBlob::build(VID, |_| Ok(blob(5).split_off(1))).is_err());
    }

    #[test]
    fn fail_not_base64() {
        assert_eq!(
            CiphertextBlob::parse("***"),
            Err(KmsError::InvalidCiphertext)
        );
    }

    #[test]
    fn fail_too_short() {
        let mut b = blob(0);
        b.pop();
        assert_eq!(
            CiphertextBlob::from_bytes(b),
            Err(KmsError::InvalidCiphertext)
        );
    }

    #[test]
    fn fail_header_not_a_version_id() {
        let mut b = blob(4);
        b[3] = b'Z';
        assert_eq!(
            CiphertextBlob::from_bytes(b.clone()),
            Err(KmsError::InvalidCiphertext)
        );
        b[3] = b'9';
        b[8] = b'x';
        assert_eq!(
            CiphertextBlob::from_bytes(b),
            Err(KmsError::InvalidCiphertext)
        );
    }

    proptest! {
        #[test]
        fn encode_parse_round_trip(body in proptest::collection::vec(any::<u8>(), IV_LEN + TAG_LEN..200)) {
            let mut bytes = VID.as_bytes().to_vec();
            bytes.extend(&body);
            let text = CiphertextBlob::encode(&bytes);
            let parsed = CiphertextBlob::parse(&text).unwrap();
            prop_assert_eq!(parsed.key_version_id(), VID);
            prop_assert_eq!(parsed.sealed_part(), &body[..]);
            prop_assert_eq!(CiphertextBlob::encode(parsed.as_bytes()), text);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = CiphertextBlob::from_bytes(bytes.clone());
            let _ = CiphertextBlob::parse(&String::from_utf8_lossy(&bytes));
        }
    }
}
