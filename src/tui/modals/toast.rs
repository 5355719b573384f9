//! Toasts: short notes of success or trouble that fade after a few seconds (counted in ticks,
//! so tests need no clock).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::tui::ui::theme::Theme;

/// How a toast is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Success,
    Warn,
    Error,
}

/// One toast.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    pub level: Level,
    pub text: String,
    /// Ticks left before it goes.
    pub ttl: u16,
}

/// Ticks a toast lives (the event loop ticks ten times a second).
pub const TOAST_TICKS: u16 = 40;
/// At most this many show at once; older ones go first.
const MAX_TOASTS: usize = 3;

/// The toasts showing now, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Toasts(pub Vec<Toast>);

impl Toasts {
    pub fn push(&mut self, level: Level, text: impl Into<String>) {
        self.0.push(Toast {
            level,
            text: text.into(),
            ttl: TOAST_TICKS,
        });
        if self.0.len() > MAX_TOASTS {
            self.0.remove(0);
        }
    }

    pub fn tick(&mut self) {
        for t in &mut self.0 {
            t.ttl = t.ttl.saturating_sub(1);
        }
        self.0.retain(|t| t.ttl > 0);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Draws the toasts stacked in the bottom-right corner of `area`, or, with `top`, down from
    /// its top-right corner (over a result, `area` is its document: the toasts that do not fit
    /// there wait, so its summary and its CLI and request lines are never covered).
    pub fn render(&self, frame: &mut Frame<'_>, area: Rect, theme: Theme, top: bool) {
        let width = area.width.min(48);
        let mut bottom = area.bottom();
        let mut next_top = area.y;
        for toast in self.0.iter().rev() {
            let text_width = usize::from(width.saturating_sub(2)).max(1);
            let rows = toast.text.chars().count().div_ceil(text_width);
            let height = u16::try_from(rows).unwrap_or(1).saturating_add(2).min(5);
            let y = if top {
                if next_top.saturating_add(height) > area.bottom() {
                    break;
                }
                next_top += height;
                next_top - height
            } else {
                if bottom < area.y.saturating_add(height) {
                    break;
                }
                bottom -= height;
                bottom
            };
            let rect = Rect::new(area.right().saturating_sub(width), y, width, height);
            let style = match toast.level {
                Level::Info => theme.text(),
                Level::Success => theme.ok(),
                Level::Warn => theme.warn(),
                Level::Error => theme.error(),
            };
            frame.render_widget(Clear, rect);
            frame.render_widget(
                Paragraph::new(Span::styled(toast.text.as_str(), style))
                    .wrap(Wrap { trim: true })
                    .block(Block::default().borders(Borders::ALL).border_style(style)),
                rect,
            );
        }
    }
}
