//! The blob inspector: which key and version a pasted symmetric CiphertextBlob names, and
//! whether that version is still the primary one — read from the blob's header alone. Text that
//! names no version says why: not base64, too short, or no version id header.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::core::blob::{CiphertextBlob, MIN_BLOB_LEN};

use crate::tui::ui::text::short_id;
use crate::tui::vault_view::VaultView;

/// What a blob field's text names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inspection {
    /// The form takes no symmetric blob (or the source is asymmetric).
    NotApplicable,
    Empty,
    /// A version of a key in this vault.
    Names {
        key_index: usize,
        /// From 0, oldest first.
        version_index: usize,
        versions: usize,
    },
    /// A well-formed header naming a version this vault does not hold.
    UnknownVersion(String),
    /// Not base64 text at all.
    NotBase64,
    /// Base64 of this many bytes, fewer than the shortest blob ([`MIN_BLOB_LEN`]).
    TooShort(usize),
    /// Base64 of this many bytes, long enough, but not led by a KeyVersionId header.
    NoHeader(usize),
}

impl Inspection {
    pub fn is_primary(&self) -> bool {
        matches!(self, Self::Names { version_index, versions, .. } if version_index + 1 == *versions)
    }
}

/// Inspects a blob's text against the vault.
pub fn inspect(view: &VaultView, text: &str) -> Inspection {
    if text.trim().is_empty() {
        return Inspection::Empty;
    }
    let Ok(bytes) = STANDARD.decode(text.trim().as_bytes()) else {
        return Inspection::NotBase64;
    };
    let len = bytes.len();
    if len < MIN_BLOB_LEN {
        return Inspection::TooShort(len);
    }
    let Ok(blob) = CiphertextBlob::from_bytes(bytes) else {
        return Inspection::NoHeader(len);
    };
    let version_id = blob.key_version_id().to_owned();
    match view.version(&version_id) {
        Some((key, version_index)) => Inspection::Names {
            key_index: view.key_index(&key.key_id).unwrap_or_default(),
            version_index,
            versions: key.versions.len(),
        },
        None => Inspection::UnknownVersion(version_id),
    }
}

/// The inspector's line: `(fine, text)`, or `None` when there is nothing to say.
pub fn describe(
    view: &VaultView,
    inspection: &Inspection,
    asymmetric_hint: bool,
) -> Option<(bool, String)> {
    match inspection {
        Inspection::NotApplicable | Inspection::Empty => None,
        Inspection::Names {
            key_index,
            version_index,
            versions,
        } => {
            let key = view.keys.get(*key_index)?;
            let version = key.versions.get(*version_index)?;
            let head = format!(
                "{} · v{} of {versions} ({})",
                key.reference(),
                version_index + 1,
                short_id(&version.id),
            );
            if inspection.is_primary() {
                Some((true, format!("{head} · the primary version")))
            } else {
                Some((
                    true,
                    format!(
                        "{head} · NOT primary: the primary is v{versions} ({})",
                        short_id(key.primary_id())
                    ),
                ))
            }
        }
        Inspection::UnknownVersion(v) => Some((
            false,
            format!(
                "names version {}, which this vault does not hold (Forbidden.KeyNotFound)",
                short_id(v)
            ),
        )),
        Inspection::NotBase64 => Some((false, "not valid base64".to_owned())),
        Inspection::TooShort(len) => Some((
            false,
            with_hint(
                format!(
                    "base64 of {len} bytes: too short for a symmetric CiphertextBlob (at least {MIN_BLOB_LEN})"
                ),
                asymmetric_hint,
            ),
        )),
        Inspection::NoHeader(len) => Some((
            false,
            with_hint(
                format!(
                    "base64 of {len} bytes with no KeyVersionId header: not a symmetric CiphertextBlob"
                ),
                asymmetric_hint,
            ),
        )),
    }
}

/// Base64 that is no symmetric blob may be RSA/SM2 ciphertext: say where that goes.
fn with_hint(text: String, asymmetric_hint: bool) -> String {
    if asymmetric_hint {
        format!("{text}; for RSA/SM2 ciphertext choose SourceEncryptionAlgorithm")
    } else {
        text
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const VID: &str = "86a9efd9-3d16-4894-bd4f-1fc43f3f2abf";

    fn said(text: &str, hint: bool) -> String {
        let view = VaultView::default();
        describe(&view, &inspect(&view, text), hint).unwrap().1
    }

    #[test]
    fn garbage_short_headless_and_foreign_blobs_are_told_apart() {
        let view = VaultView::default();
        let mut blob = VID.as_bytes().to_vec();
        blob.extend([7u8; MIN_BLOB_LEN]);
        let headless = STANDARD.encode([b'x'; MIN_BLOB_LEN]);
        assert_eq!(inspect(&view, "  "), Inspection::Empty);
        assert_eq!(inspect(&view, "not a blob!"), Inspection::NotBase64);
        assert_eq!(inspect(&view, "aGVsbG8="), Inspection::TooShort(5));
        assert_eq!(
            inspect(&view, &headless),
            Inspection::NoHeader(MIN_BLOB_LEN)
        );
        assert_eq!(
            inspect(&view, &STANDARD.encode(&blob)),
            Inspection::UnknownVersion(VID.to_owned())
        );

        assert_eq!(said("not a blob!", true), "not valid base64");
        assert_eq!(
            said("aGVsbG8=", false),
            "base64 of 5 bytes: too short for a symmetric CiphertextBlob (at least 64)"
        );
        assert!(said(&headless, false).contains("no KeyVersionId header"));
        assert!(said(&headless, true).ends_with("choose SourceEncryptionAlgorithm"));
        assert!(said(&STANDARD.encode(&blob), false).contains("which this vault does not hold"));
    }
}
