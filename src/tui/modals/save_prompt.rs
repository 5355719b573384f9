//! The save prompt: a file name for the document of a result (the JSON or XML as shown).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::tui::form::field::TextField;
use crate::tui::ui::theme::Theme;

/// Asking where to save.
#[derive(Debug, Clone)]
pub struct SavePrompt {
    pub field: TextField,
    /// What will be written.
    pub contents: String,
}

impl SavePrompt {
    pub fn new(file_name: &str, contents: String) -> Self {
        let mut field = TextField::new("file name", false);
        field.set(file_name);
        Self { field, contents }
    }

    pub fn render(&self, frame: &mut Frame<'_>, area: Rect, theme: Theme) {
        frame.render_widget(Clear, area);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border_focus())
            .title(Span::styled(" Save the document to ", theme.title()));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let [input, hint] =
            Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(inner);
        self.field.render(frame, input, true, theme);
        frame.render_widget(
            Paragraph::new(Span::styled(
                "⏎ save (an existing file is not overwritten)   esc cancel",
                theme.dim(),
            )),
            hint,
        );
    }
}
