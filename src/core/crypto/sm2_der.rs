//! Re-encoding of raw SM2 ciphertext `04 ‖ x ‖ y ‖ C3 ‖ C2` into the GM/T 0009-2012 DER form
//! (`spec/alibaba-kms.md` §2, product §5), so that both inputs take the crate's fast DER path.
//!
//! ```text
//! SM2Cipher ::= SEQUENCE {
//!     XCoordinate INTEGER,        -- x of C1
//!     YCoordinate INTEGER,        -- y of C1
//!     HASH        OCTET STRING,   -- C3, the 32-byte SM3 digest
//!     CipherText  OCTET STRING }  -- C2, as long as the message
//! ```

/// SEC 1 §2.3.3: first byte of an uncompressed point, the only C1 form accepted raw.
pub(super) const UNCOMPRESSED_POINT: u8 = 0x04;
/// X.690 tag of a constructed SEQUENCE; the first byte of every DER SM2Cipher.
pub(super) const DER_SEQUENCE: u8 = 0x30;
const DER_INTEGER: u8 = 0x02;
const DER_OCTET_STRING: u8 = 0x04;
/// Bytes of one SM2 field element (256-bit curve).
const COORDINATE_LEN: usize = 32;
/// Bytes of the SM3 digest C3.
const HASH_LEN: usize = 32;

/// Converts raw `04 ‖ x(32) ‖ y(32) ‖ C3(32) ‖ C2` to DER `SM2Cipher`; `None` when the input is
/// too short or does not start with an uncompressed point. The point itself is validated when
/// the DER is decoded.
pub(super) fn raw_c1c3c2_to_der(raw: &[u8]) -> Option<Vec<u8>> {
    let (&tag, rest) = raw.split_first()?;
    if tag != UNCOMPRESSED_POINT {
        return None;
    }
    let (x, rest) = rest.split_at_checked(COORDINATE_LEN)?;
    let (y, rest) = rest.split_at_checked(COORDINATE_LEN)?;
    let (c3, c2) = rest.split_at_checked(HASH_LEN)?;
    let (x, y) = (Integer::new(x), Integer::new(y));
    let content_len = x.tlv_len() + y.tlv_len() + tlv_len(c3.len()) + tlv_len(c2.len());
    let mut der = Vec::with_capacity(tlv_len(content_len));
    der.push(DER_SEQUENCE);
    push_length(&mut der, content_len);
    x.write(&mut der);
    y.write(&mut der);
    push_tlv(&mut der, DER_OCTET_STRING, c3);
    push_tlv(&mut der, DER_OCTET_STRING, c2);
    Some(der)
}

/// A non-negative INTEGER in minimal DER form: leading zero bytes dropped, one 0x00 added when
/// the top bit is set (X.690 §8.3).
struct Integer<'a> {
    pad: bool,
    digits: &'a [u8],
}

impl<'a> Integer<'a> {
    fn new(unsigned_be: &'a [u8]) -> Self {
        let skip = unsigned_be.iter().take_while(|&&b| b == 0).count();
        let digits = unsigned_be.get(skip..).unwrap_or_default();
        // Zero is encoded as the single byte 0x00.
        let pad = digits.first().is_none_or(|&b| b & 0x80 != 0);
        Self { pad, digits }
    }

    fn value_len(&self) -> usize {
        usize::from(self.pad) + self.digits.len()
    }

    fn tlv_len(&self) -> usize {
        tlv_len(self.value_len())
    }

    fn write(&self, out: &mut Vec<u8>) {
        out.push(DER_INTEGER);
        push_length(out, self.value_len());
        if self.pad {
            out.push(0);
        }
        out.extend_from_slice(self.digits);
    }
}

fn push_tlv(out: &mut Vec<u8>, tag: u8, value: &[u8]) {
    out.push(tag);
    push_length(out, value.len());
    out.extend_from_slice(value);
}

/// Encoded size of a tag, its length and `value_len` bytes of content.
fn tlv_len(value_len: usize) -> usize {
    1 + length_len(value_len) + value_len
}

fn length_len(len: usize) -> usize {
    if len < 0x80 {
        1
    } else {
        1 + significant_bytes(len).len()
    }
}

/// DER definite length (X.690 §8.1.3): short form below 128, else 0x80 | n and n big-endian bytes.
fn push_length(out: &mut Vec<u8>, len: usize) {
    if let Ok(short) = u8::try_from(len)
        && short < 0x80
    {
        out.push(short);
        return;
    }
    let bytes = significant_bytes(len);
    // At most size_of::<usize>() bytes, so the count fits in the low seven bits.
    out.push(0x80 | u8::try_from(bytes.len()).unwrap_or(0x7f));
    out.extend_from_slice(&bytes);
}

fn significant_bytes(len: usize) -> Vec<u8> {
    let be = len.to_be_bytes();
    let skip = be.iter().take_while(|&&b| b == 0).count();
    be.get(skip..).unwrap_or_default().to_vec()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use sm2::elliptic_curve::Generate;
    use sm2::pkcs8::der::Encode;
    use sm2::pke::{Cipher, EncryptingKey, Mode};

    fn raw(x: [u8; 32], y: [u8; 32], c3: [u8; 32], c2: &[u8]) -> Vec<u8> {
        let mut v = vec![UNCOMPRESSED_POINT];
        v.extend_from_slice(&x);
        v.extend_from_slice(&y);
        v.extend_from_slice(&c3);
        v.extend_from_slice(c2);
        v
    }

    #[test]
    fn integers_are_minimal_and_non_negative() {
        let mut x = [0; 32];
        x[2] = 0x7f;
        let mut y = [0xff; 32];
        y[0] = 0x80;
        let der = raw_c1c3c2_to_der(&raw(x, y, [0; 32], &[])).unwrap();
        let mut want = vec![0x30, 2 + 30 + 2 + 33 + 2 + 32 + 2];
        want.extend_from_slice(&[0x02, 30, 0x7f]);
        want.extend_from_slice(&[0; 29]);
        want.extend_from_slice(&[0x02, 33, 0x00, 0x80]);
        want.extend_from_slice(&[0xff; 31]);
        want.extend_from_slice(&[0x04, 32]);
        want.extend_from_slice(&[0; 32]);
        want.extend_from_slice(&[0x04, 0]);
        assert_eq!(der, want);

        let der = raw_c1c3c2_to_der(&raw([0; 32], [0; 32], [0; 32], &[])).unwrap();
        assert_eq!(&der[2..8], &[0x02, 1, 0x00, 0x02, 1, 0x00]);
    }

    #[test]
    fn long_lengths_use_the_long_form() {
        let mut out = Vec::new();
        push_length(&mut out, 127);
        push_length(&mut out, 128);
        push_length(&mut out, 300);
        push_length(&mut out, 70_000);
        assert_eq!(
            out,
            [0x7f, 0x81, 0x80, 0x82, 0x01, 0x2c, 0x83, 0x01, 0x11, 0x70]
        );
        let der = raw_c1c3c2_to_der(&raw([1; 32], [1; 32], [1; 32], &[9; 6047])).unwrap();
        assert_eq!(der.len(), tlv_len(der.len() - 4));
        assert_eq!(&der[..4], &[0x30, 0x82, 0x18, 0x09]);
    }

    #[test]
    fn fail_short_or_compressed_input() {
        assert_eq!(raw_c1c3c2_to_der(&[]), None);
        assert_eq!(raw_c1c3c2_to_der(&[0x04; 96]), None);
        assert!(raw_c1c3c2_to_der(&[0x04; 97]).is_some());
        assert_eq!(raw_c1c3c2_to_der(&[0x02; 120]), None);
        assert_eq!(raw_c1c3c2_to_der(&[0x30; 120]), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        /// Our encoding of real ciphertext equals the crate's own DER of the same cipher.
        #[test]
        fn matches_the_crate_encoding(msg in prop::collection::vec(any::<u8>(), 1..300)) {
            let sk = sm2::SecretKey::try_generate_from_rng(&mut rand::rngs::SysRng).unwrap();
            let ek = EncryptingKey::new_with_mode(sk.public_key(), Mode::C1C3C2);
            let raw = ek.encrypt(&mut rand::rngs::SysRng, &msg).unwrap();
            let cipher: Cipher<'_> = Cipher::from_slice(&raw, Mode::C1C3C2).unwrap();
            prop_assert_eq!(raw_c1c3c2_to_der(&raw).unwrap(), cipher.to_der().unwrap());
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
            let _ = raw_c1c3c2_to_der(&bytes);
        }
    }
}
