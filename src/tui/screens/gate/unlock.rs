//! The passphrase prompt of a sealed vault: a masked field, and the reason when the passphrase
//! did not open it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::GateOut;
use crate::tui::form::secret_field::SecretField;
use crate::tui::keymap::Cmd;
use crate::tui::ui::theme::Theme;

/// Asking for the passphrase of a sealed vault.
#[derive(Debug)]
pub struct Unlock {
    pub path: String,
    pub field: SecretField,
    pub error: Option<String>,
}

impl Unlock {
    pub fn new(path: String, error: Option<String>) -> Self {
        Self {
            path,
            field: SecretField::default(),
            error,
        }
    }

    /// A key: submit the passphrase (never an empty one), or leave.
    pub fn update(&mut self, cmd: Cmd) -> GateOut {
        match cmd {
            Cmd::Submit if self.field.is_empty() => {
                self.error = Some("Type the passphrase.".to_owned());
                GateOut::Stay
            }
            Cmd::Submit => GateOut::Unlock(self.field.take()),
            Cmd::Cancel | Cmd::Quit => GateOut::Quit,
            _ => GateOut::Stay,
        }
    }

    pub fn render(&self, frame: &mut Frame<'_>, area: Rect, theme: Theme) {
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border_focus())
            .title(Span::styled(" Unlock the vault ", theme.title()));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let [intro, input, error] = Layout::vertical([
            Constraint::Length(2),
            Constraint::Length(1),
            Constraint::Min(0),
        ])
        .areas(inner);
        frame.render_widget(
            Paragraph::new(format!(
                "The vault at {} is sealed with a passphrase.",
                self.path
            ))
            .wrap(Wrap { trim: false }),
            intro,
        );
        let [label, value] =
            Layout::horizontal([Constraint::Length(12), Constraint::Min(1)]).areas(input);
        frame.render_widget(
            Paragraph::new(Span::styled("Passphrase", theme.focus())),
            label,
        );
        self.field.render(frame, value, true, theme);
        if let Some(e) = &self.error {
            frame.render_widget(
                Paragraph::new(Span::styled(format!("✗ {e}"), theme.error()))
                    .wrap(Wrap { trim: true }),
                error,
            );
        }
    }
}
