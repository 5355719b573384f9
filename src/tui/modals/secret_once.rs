//! A new AccessKey's secret, shown once: `c` copies it, and when the modal closes the console
//! forgets it (it is kept in a [`SecretString`], wiped on drop, never in Debug). The vault
//! holds it, but no screen shows it again.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::core::secret::SecretString;
use crate::tui::ui::theme::Theme;

/// The AccessKey just created.
#[derive(Clone)]
pub struct SecretOnce {
    pub user: String,
    pub access_key_id: String,
    pub secret: SecretString,
}

impl std::fmt::Debug for SecretOnce {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretOnce")
            .field("user", &self.user)
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

impl SecretOnce {
    pub fn render(&self, frame: &mut Frame<'_>, area: Rect, theme: Theme) {
        frame.render_widget(Clear, area);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.warn())
            .title(Span::styled(
                format!(" New AccessKey of {} ", self.user),
                theme.warn(),
            ));
        let lines = vec![
            Line::from(vec![
                Span::styled("AccessKeyId     ", theme.dim()),
                Span::raw(self.access_key_id.clone()),
            ]),
            Line::from(vec![
                Span::styled("AccessKeySecret ", theme.dim()),
                Span::raw(self.secret.expose().to_owned()),
            ]),
            Line::default(),
            Line::from(Span::styled(
                "Shown this once: copy it now; it is never shown again.",
                theme.warn(),
            )),
            Line::from(vec![
                Span::styled("c", theme.key()),
                Span::raw(" copy the secret   "),
                Span::styled("esc", theme.key()),
                Span::raw(" close (forget it)"),
            ]),
        ];
        frame.render_widget(
            Paragraph::new(lines)
                .block(block)
                .wrap(Wrap { trim: false }),
            area,
        );
    }
}
