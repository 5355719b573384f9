//! The question before the vault file is restored from its previous generation (`.bak`).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::tui::ui::theme::Theme;

/// The question before a restore.
#[derive(Debug, Clone, Default)]
pub struct RestoreModal;

impl RestoreModal {
    pub fn render(&self, frame: &mut Frame<'_>, area: Rect, theme: Theme) {
        frame.render_widget(Clear, area);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.warn())
            .title(Span::styled(" Restore the vault file ", theme.warn()));
        let lines = vec![
            Line::from(
                "Put the previous generation (vault.json.bak) back in place of the vault file? \
                 The file there now is kept beside it as vault.json.damaged-<n>.",
            ),
            Line::default(),
            Line::from(Span::styled(
                "The most recent change saved before the damage is not in it.",
                theme.dim(),
            )),
            Line::default(),
            Line::from(vec![
                Span::styled("y", theme.key()),
                Span::raw(" yes, restore    "),
                Span::styled("n", theme.key()),
                Span::raw(" no"),
            ]),
        ];
        frame.render_widget(
            Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
            area,
        );
    }
}
