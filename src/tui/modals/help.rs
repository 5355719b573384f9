//! The `?` help popup: every binding of the layers active when it was opened, generated from
//! the key table that dispatches them.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::tui::keymap::Layer;
use crate::tui::ui::theme::Theme;

/// The open help popup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpModal {
    /// The layers it explains, top first.
    pub layers: Vec<Layer>,
    pub scroll: u16,
}

impl HelpModal {
    pub fn new(layers: Vec<Layer>) -> Self {
        Self { layers, scroll: 0 }
    }

    /// The help text: one heading per layer, one line per binding.
    pub fn lines(&self, theme: Theme) -> Vec<Line<'static>> {
        let mut lines = Vec::new();
        for layer in &self.layers {
            let bindings = layer.bindings();
            if bindings.is_empty() {
                continue;
            }
            if !lines.is_empty() {
                lines.push(Line::default());
            }
            lines.push(Line::from(Span::styled(layer.title(), theme.title())));
            for b in bindings {
                lines.push(Line::from(vec![
                    Span::styled(format!("  {:<9}", b.label), theme.key()),
                    Span::raw(b.desc),
                ]));
            }
        }
        lines
    }

    /// Scrolls one line, never past the point where the last line is at the bottom of the
    /// `rows` it is drawn in.
    pub fn scroll_by(&mut self, down: bool, rows: u16) {
        let lines = u16::try_from(self.lines(Theme::default()).len()).unwrap_or(u16::MAX);
        let max = lines.saturating_sub(rows);
        self.scroll = if down {
            self.scroll.saturating_add(1).min(max)
        } else {
            self.scroll.saturating_sub(1).min(max)
        };
    }

    pub fn line_count(&self) -> usize {
        self.layers.iter().map(|l| l.bindings().len() + 2).sum()
    }

    pub fn render(&self, frame: &mut Frame<'_>, area: Rect, theme: Theme) {
        frame.render_widget(Clear, area);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border_focus())
            .title(Span::styled(
                " Help — keys that work here (↑↓ scroll, esc close) ",
                theme.title(),
            ));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        frame.render_widget(
            Paragraph::new(self.lines(theme)).scroll((self.scroll, 0)),
            inner,
        );
    }
}
