//! A masked input for passphrases: the text lives in a wiped-on-drop buffer and the screen shows
//! one `•` per character, never the text.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use zeroize::Zeroizing;

use crate::core::secret::SecretString;

use super::theme::Theme;

/// A passphrase being typed.
#[derive(Default)]
pub struct SecretField {
    text: Zeroizing<String>,
}

impl std::fmt::Debug for SecretField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretField({} chars)", self.len())
    }
}

impl SecretField {
    pub fn len(&self) -> usize {
        self.text.chars().count()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Edits with a key: characters append, Backspace removes the last, Ctrl+U clears.
    pub fn input(&mut self, key: KeyEvent) {
        match key.code {
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => self.clear(),
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.text.push(c);
            }
            KeyCode::Backspace => {
                self.text.pop();
            }
            _ => {}
        }
    }

    pub fn paste(&mut self, text: &str) {
        self.text.push_str(text.lines().next().unwrap_or_default());
    }

    pub fn clear(&mut self) {
        self.text = Zeroizing::new(String::new());
    }

    /// The passphrase, moved out (the field is left empty).
    pub fn take(&mut self) -> SecretString {
        let secret = SecretString::from(self.text.as_str());
        self.clear();
        secret
    }

    /// Whether both fields hold the same text.
    pub fn same_as(&self, other: &Self) -> bool {
        *self.text == *other.text
    }

    /// Draws the mask and, when focused, a cursor after it.
    pub fn render(&self, frame: &mut Frame<'_>, area: Rect, focused: bool, theme: Theme) {
        let width = usize::from(area.width.saturating_sub(1));
        let mask = "•".repeat(self.len().min(width));
        let mut spans = vec![Span::styled(mask, theme.text())];
        if focused {
            spans.push(Span::styled(" ", theme.cursor()));
        }
        frame.render_widget(Paragraph::new(Line::from(spans)), area);
    }
}
