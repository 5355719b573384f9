//! The key list's order: the vault's, or by one column (`o` cycles through them); the header
//! marks the column and the title names it.

use std::cmp::Ordering;

use crate::tui::vault_view::KeyRow;

/// The column the list is sorted by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum KeySort {
    /// The vault's order (creation).
    #[default]
    Vault,
    Alias,
    Spec,
    State,
    /// Most versions first.
    Versions,
    Rotation,
    Description,
}

impl KeySort {
    const ALL: [Self; 7] = [
        Self::Vault,
        Self::Alias,
        Self::Spec,
        Self::State,
        Self::Versions,
        Self::Rotation,
        Self::Description,
    ];

    /// The next column to sort by, back to the vault's order after the last.
    #[must_use]
    pub fn next(self) -> Self {
        let i = Self::ALL.iter().position(|s| *s == self).unwrap_or(0);
        Self::ALL.get(i + 1).copied().unwrap_or(Self::Vault)
    }

    /// How the title names it; `None` for the vault's order.
    pub fn label(self) -> Option<&'static str> {
        match self {
            Self::Vault => None,
            Self::Alias => Some("alias"),
            Self::Spec => Some("spec"),
            Self::State => Some("state"),
            Self::Versions => Some("versions"),
            Self::Rotation => Some("rotation"),
            Self::Description => Some("description"),
        }
    }

    /// Orders two keys by the column (ties: the vault's order, as the sort is stable).
    pub fn compare(self, a: &KeyRow, b: &KeyRow) -> Ordering {
        let alias = |k: &KeyRow| k.aliases.first().map(|s| s.to_lowercase());
        match self {
            Self::Vault => Ordering::Equal,
            // Keys without an alias last.
            Self::Alias => match (alias(a), alias(b)) {
                (Some(x), Some(y)) => x.cmp(&y),
                (x, y) => x.is_none().cmp(&y.is_none()),
            },
            Self::Spec => a.spec.as_str().cmp(b.spec.as_str()),
            Self::State => a.state.as_str().cmp(b.state.as_str()),
            Self::Versions => b.versions.len().cmp(&a.versions.len()),
            Self::Rotation => a
                .rotation_interval
                .is_none()
                .cmp(&b.rotation_interval.is_none())
                .then(a.rotation_interval.cmp(&b.rotation_interval)),
            Self::Description => {
                let d = |k: &KeyRow| k.description.to_lowercase();
                a.description
                    .is_empty()
                    .cmp(&b.description.is_empty())
                    .then(d(a).cmp(&d(b)))
            }
        }
    }
}
