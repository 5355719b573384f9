//! The question before quitting while a drill runs: quitting cancels it (nothing is written),
//! so `q` or ^C asks first; a second ^C, or `y`, quits.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::tui::ui::theme::Theme;

/// The title of the question (tests look for it).
pub const QUIT_TITLE: &str = "Quit while the drill runs?";

/// What the banner and the quit question add when a drill rotated its keys first.
pub const ROTATED_STAYS: &str = "a cancel does not undo a rotation";

/// The question before quitting during a drill.
#[derive(Debug, Clone, Default)]
pub struct QuitModal {
    /// The drill rotated its keys first: the new versions stay whatever happens.
    pub rotated_first: bool,
}

impl QuitModal {
    /// What the question says.
    pub fn lines(&self) -> Vec<String> {
        let mut lines =
            vec!["Quitting cancels the running drill: no output file is written.".to_owned()];
        if self.rotated_first {
            let stays = ROTATED_STAYS;
            lines.push(format!(
                "Its key was rotated first: the new version stays ({stays})."
            ));
        }
        lines
    }

    pub fn render(&self, frame: &mut Frame<'_>, area: Rect, theme: Theme) {
        frame.render_widget(Clear, area);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.warn())
            .title(Span::styled(format!(" {QUIT_TITLE} "), theme.warn()));
        let mut lines: Vec<Line<'_>> = self.lines().into_iter().map(Line::from).collect();
        lines.push(Line::default());
        lines.push(Line::from(vec![
            Span::styled("y", theme.key()),
            Span::raw(" quit    "),
            Span::styled("n", theme.key()),
            Span::raw(" keep the drill running"),
        ]));
        frame.render_widget(
            Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
            area,
        );
    }
}
