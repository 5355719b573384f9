//! The small read-only context the rooms draw and update with ([`Cx`]): the vault's view,
//! the theme, the tick, the principal and the body's area. Built by the app from its fields.

use ratatui::layout::Rect;

use crate::tui::ui::theme::Theme;
use crate::tui::vault_view::VaultView;

/// What a screen, a form or a modal reads of the app: read-only.
#[derive(Debug, Clone, Copy)]
pub struct Cx<'a> {
    /// The console's copy of the vault.
    pub view: &'a VaultView,
    pub theme: Theme,
    /// About ten a second while something animates.
    pub tick: u64,
    /// The principal the console acts as.
    pub principal: &'a str,
    /// The body of the screen at the current terminal size (for paging and clicks).
    pub body: Rect,
}
