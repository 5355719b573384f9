//! The blob inspector: which key and version a pasted symmetric CiphertextBlob names, and
//! whether that version is still the primary one — read from the blob's header alone.

use crate::core::blob::peek_version_id;

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
    /// Not base64, too short, or no version id header: not a symmetric blob.
    NotSymmetric,
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
    let Some(version_id) = peek_version_id(text) else {
        return Inspection::NotSymmetric;
    };
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
        Inspection::NotSymmetric if asymmetric_hint => Some((
            false,
            "not a symmetric blob; for RSA/SM2 ciphertext choose SourceEncryptionAlgorithm"
                .to_owned(),
        )),
        Inspection::NotSymmetric => Some((false, "not a symmetric CiphertextBlob".to_owned())),
    }
}
