//! ReEncrypt of a symmetric blob in one buffer: the source ciphertext is opened straight into the
//! ciphertext slot of the new blob and sealed there in place, so the plaintext never has a buffer
//! of its own and is overwritten by its new ciphertext (and one allocation less on the hot path).

use aes_gcm::aead::consts::U12;
use aes_gcm::aead::inout::InOutBuf;
use aes_gcm::aead::{Nonce, Tag};
use aes_gcm::{AeadInOut, Aes128Gcm, Aes256Gcm, AesGcm, KeyInit};
use rand::TryRng;
use rand::rngs::SysRng;
use zeroize::Zeroize;

use super::symmetric::{IV_LEN, SymmetricAlgorithm, TAG_LEN};
use crate::core::error::KmsError;

type Sm4Gcm = AesGcm<sm4::Sm4, U12>;

/// One side of a reseal: the algorithm, its key and the AAD.
#[derive(Clone, Copy)]
pub struct Side<'a> {
    pub alg: SymmetricAlgorithm,
    pub key: &'a [u8],
    pub aad: &'a [u8],
}

/// Opens `iv ‖ ciphertext ‖ tag` under `from` and returns `header ‖ fresh IV ‖ ciphertext ‖ tag`
/// under `to`. Every failure to open is `InvalidCiphertext`; nothing of the plaintext survives it.
pub fn reseal(
    from: Side<'_>,
    iv_ct_tag: &[u8],
    to: Side<'_>,
    header: &[u8],
) -> Result<Vec<u8>, KmsError> {
    let ct_len = iv_ct_tag
        .len()
        .checked_sub(IV_LEN + TAG_LEN)
        .ok_or(KmsError::InvalidCiphertext)?;
    let mut out = vec![0; header.len() + IV_LEN + ct_len + TAG_LEN];
    let (head, rest) = out.split_at_mut(header.len());
    head.copy_from_slice(header);
    let (iv, rest) = rest.split_at_mut(IV_LEN);
    let (slot, tag) = rest.split_at_mut(ct_len);
    let opened = match from.alg {
        SymmetricAlgorithm::Aes256Gcm => open_into::<Aes256Gcm>(from, iv_ct_tag, slot),
        SymmetricAlgorithm::Aes128Gcm => open_into::<Aes128Gcm>(from, iv_ct_tag, slot),
        SymmetricAlgorithm::Sm4Gcm => open_into::<Sm4Gcm>(from, iv_ct_tag, slot),
    };
    if opened.is_err() {
        slot.zeroize();
        return Err(KmsError::InvalidCiphertext);
    }
    let sealed = SysRng
        .try_fill_bytes(iv)
        .map_err(|e| KmsError::InternalFailure(format!("the OS random source failed: {e}")))
        .and_then(|()| match to.alg {
            SymmetricAlgorithm::Aes256Gcm => seal_in_place::<Aes256Gcm>(to, iv, slot, tag),
            SymmetricAlgorithm::Aes128Gcm => seal_in_place::<Aes128Gcm>(to, iv, slot, tag),
            SymmetricAlgorithm::Sm4Gcm => seal_in_place::<Sm4Gcm>(to, iv, slot, tag),
        });
    if let Err(e) = sealed {
        out.zeroize();
        return Err(e);
    }
    Ok(out)
}

/// Decrypts into `slot` (of the ciphertext's length). The crate checks the tag before it writes.
fn open_into<C: AeadInOut + KeyInit>(
    from: Side<'_>,
    iv_ct_tag: &[u8],
    slot: &mut [u8],
) -> Result<(), KmsError> {
    let bad = |_| KmsError::InvalidCiphertext;
    let (iv, ct_tag) = iv_ct_tag
        .split_at_checked(IV_LEN)
        .ok_or(KmsError::InvalidCiphertext)?;
    let (ct, tag) = ct_tag
        .split_at_checked(slot.len())
        .ok_or(KmsError::InvalidCiphertext)?;
    let cipher = C::new_from_slice(from.key).map_err(|_| KmsError::InvalidCiphertext)?;
    let nonce = Nonce::<C>::try_from(iv).map_err(bad)?;
    let tag = Tag::<C>::try_from(tag).map_err(bad)?;
    let buf = InOutBuf::new(ct, slot).map_err(|_| KmsError::InvalidCiphertext)?;
    cipher
        .decrypt_inout_detached(&nonce, from.aad, buf, &tag)
        .map_err(|_| KmsError::InvalidCiphertext)
}

fn seal_in_place<C: AeadInOut + KeyInit>(
    to: Side<'_>,
    iv: &[u8],
    slot: &mut [u8],
    tag_slot: &mut [u8],
) -> Result<(), KmsError> {
    let internal = |what: &str| KmsError::InternalFailure(what.to_owned());
    let cipher =
        C::new_from_slice(to.key).map_err(|_| internal("symmetric key of the wrong length"))?;
    let nonce = Nonce::<C>::try_from(iv).map_err(|_| internal("IV of the wrong length"))?;
    let tag = cipher
        .encrypt_inout_detached(&nonce, to.aad, InOutBuf::from(slot))
        .map_err(|_| internal("the plaintext is too long"))?;
    tag_slot.copy_from_slice(&tag);
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::core::crypto::{generate_symmetric_key, open, seal};

    const ALL: [SymmetricAlgorithm; 3] = [
        SymmetricAlgorithm::Aes256Gcm,
        SymmetricAlgorithm::Aes128Gcm,
        SymmetricAlgorithm::Sm4Gcm,
    ];

    #[test]
    fn reseal_is_open_then_seal_for_every_pair() {
        for a in ALL {
            for b in ALL {
                let (ka, kb) = (
                    generate_symmetric_key(a).unwrap(),
                    generate_symmetric_key(b).unwrap(),
                );
                let blob = seal(a, ka.expose(), b"HDR", b"ctx-a", b"the plaintext").unwrap();
                let from = Side {
                    alg: a,
                    key: ka.expose(),
                    aad: b"ctx-a",
                };
                let to = Side {
                    alg: b,
                    key: kb.expose(),
                    aad: b"ctx-b",
                };
                let new = reseal(from, &blob[3..], to, b"NEW-HEADER").unwrap();
                assert_eq!(&new[..10], b"NEW-HEADER");
                assert_eq!(
                    open(b, kb.expose(), &new[10..], b"ctx-b").unwrap().expose(),
                    b"the plaintext"
                );
                // Wrong source AAD, altered bytes, truncation: the one error.
                let wrong = Side {
                    aad: b"other",
                    ..from
                };
                assert_eq!(
                    reseal(wrong, &blob[3..], to, b"H"),
                    Err(KmsError::InvalidCiphertext)
                );
                let mut altered = blob[3..].to_vec();
                altered[13] ^= 1;
                assert_eq!(
                    reseal(from, &altered, to, b"H"),
                    Err(KmsError::InvalidCiphertext)
                );
                assert_eq!(
                    reseal(from, &blob[3..20], to, b"H"),
                    Err(KmsError::InvalidCiphertext)
                );
            }
        }
    }
}
