//! The confirmation modal of destructive requests (DisableKey, ScheduleKeyDeletion,
//! DeleteAlias): it holds the request and sends it only on "yes".

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::api::ApiRequest;

use crate::tui::ui::theme::Theme;

/// A question before a destructive request.
#[derive(Debug, Clone)]
pub struct ConfirmModal {
    pub title: String,
    pub message: String,
    pub request: ApiRequest,
}

impl ConfirmModal {
    pub fn render(&self, frame: &mut Frame<'_>, area: Rect, theme: Theme) {
        frame.render_widget(Clear, area);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.warn())
            .title(Span::styled(format!(" {} ", self.title), theme.warn()));
        let lines = vec![
            Line::from(self.message.as_str()),
            Line::default(),
            Line::from(vec![
                Span::styled("y", theme.key()),
                Span::raw(" yes, do it    "),
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
