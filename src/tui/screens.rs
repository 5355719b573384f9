//! The main screens of the console, one room each, and what stands before them (the gate).

pub mod audit;
pub mod drill;
pub mod endpoint;
pub mod gate;
pub mod key_details;
pub mod keys;
pub mod principals;
pub mod walkthrough;

/// The main screens, in tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Keys,
    Principals,
    Audit,
    /// The rotation drill (product §11).
    Drill,
    /// The HTTP endpoint (product §13).
    Endpoint,
}

impl Screen {
    pub const ALL: [Self; 5] = [
        Self::Keys,
        Self::Principals,
        Self::Audit,
        Self::Drill,
        Self::Endpoint,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Self::Keys => "Keys",
            Self::Principals => "Principals",
            Self::Audit => "Audit log",
            Self::Drill => "Drill",
            Self::Endpoint => "Endpoint",
        }
    }

    #[must_use]
    pub fn next(self) -> Self {
        let i = Self::ALL.iter().position(|s| *s == self).unwrap_or(0);
        Self::ALL.get(i + 1).copied().unwrap_or(Self::Keys)
    }
}
