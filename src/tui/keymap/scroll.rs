//! What the scrolling commands do to a position in a list or a document.

use crate::tui::keymap::Cmd;

impl Cmd {
    /// Where a scrolling command moves a position that goes from 0 to `last`, a page being
    /// `rows`; `None` for any other command.
    pub fn scrolled(self, at: usize, rows: usize, last: usize) -> Option<usize> {
        Some(match self {
            Self::Up => at.saturating_sub(1),
            Self::Down => (at + 1).min(last),
            Self::PageUp => at.saturating_sub(rows),
            Self::PageDown => (at + rows).min(last),
            Self::Top => 0,
            Self::Bottom => last,
            _ => return None,
        })
    }
}
