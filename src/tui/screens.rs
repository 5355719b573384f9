//! The main screens of the console, one room each, and what stands before them (the gate).
//!
//! A screen owns its state. Its `update` takes a command and a read-only [`Cx`](crate::tui::context::Cx) and returns
//! what it wants done as [`Out`] values (a toast, a modal, a job for the worker, a form to
//! open), which the app carries out; its `render(&self, frame, area, cx)` only draws. No screen
//! sees the app.

pub mod audit;
pub mod drill;
pub mod endpoint;
pub mod gate;
pub mod key_details;
pub mod keys;
pub mod principals;
pub mod walkthrough;

use crate::tui::action::Effect;
use crate::tui::job::{Job, PendingKind};
use crate::tui::modals::Modal;
use crate::tui::modals::toast::Level;

/// What a screen asks the app to do after an update.
#[derive(Debug)]
pub enum Out {
    Toast(Level, String),
    /// Put a modal on top.
    Modal(Modal),
    /// Open the form of this API action.
    OpenForm(crate::api::Action),
    /// Hand a job to the worker; its reply comes back by its kind.
    Run(Job, PendingKind),
    /// Act as this principal from now on.
    ActAs(String),
    /// Run a principal call as the principal the console acts as.
    Principal(crate::core::vault::PrincipalCall),
    /// The key selection moved (the walkthrough hears of it).
    SelectionMoved,
    /// Read the audit log again (unless it is being read).
    LoadAudit,
    /// Back one level: to the keys screen.
    Back,
    /// An effect for the event loop as it is.
    Effect(Effect),
}

impl Out {
    /// A toast.
    pub fn toast(level: Level, text: impl Into<String>) -> Self {
        Self::Toast(level, text.into())
    }
}

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

    /// The screen before this one (Shift-Tab), the last before the first.
    #[must_use]
    pub fn prev(self) -> Self {
        let i = Self::ALL.iter().position(|s| *s == self).unwrap_or(0);
        let before = i.checked_sub(1).unwrap_or(Self::ALL.len() - 1);
        Self::ALL.get(before).copied().unwrap_or(Self::Keys)
    }
}
