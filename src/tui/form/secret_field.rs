//! Secret text being typed: [`WipedText`], a one-line editor whose buffer is wiped when it
//! drops and whenever it grows (so a reallocation leaves no copy behind), shown as typed (a
//! Plaintext parameter: the user's own input) or masked; and [`SecretField`], the masked input
//! for passphrases, which shows one `•` per character and never the text.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use zeroize::Zeroizing;

use crate::core::secret::SecretString;

use crate::tui::ui::text::{push_visible, visible_len, visible_width};
use crate::tui::ui::theme::Theme;

/// One line of secret text and a cursor. `Debug` shows only the length.
#[derive(Clone, Default)]
pub struct WipedText {
    text: Zeroizing<String>,
    /// In characters, from the start.
    cursor: usize,
}

impl std::fmt::Debug for WipedText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WipedText({} chars)", self.len())
    }
}

impl WipedText {
    /// The text. Callers must not keep a copy outside a wiped buffer.
    pub fn expose(&self) -> &str {
        &self.text
    }

    pub fn len(&self) -> usize {
        self.text.chars().count()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Whether it holds only white space.
    pub fn is_blank(&self) -> bool {
        self.text.trim().is_empty()
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// Empties it (the old buffer is wiped as it drops).
    pub fn clear(&mut self) {
        self.text = Zeroizing::new(String::new());
        self.cursor = 0;
    }

    /// Replaces the text; the cursor goes to the end.
    pub fn set(&mut self, value: &str) {
        self.clear();
        self.insert_str(value);
    }

    fn byte_at(&self, chars: usize) -> usize {
        byte_at(&self.text, chars)
    }

    /// Makes room for `extra` bytes in a new buffer if needed, so that `String` never
    /// reallocates (and leaves the old bytes behind) by itself.
    fn reserve(&mut self, extra: usize) {
        let needed = self.text.len().saturating_add(extra);
        if needed > self.text.capacity() {
            let capacity = needed.max(self.text.capacity().saturating_mul(2)).max(64);
            let mut grown = Zeroizing::new(String::with_capacity(capacity));
            grown.push_str(&self.text);
            self.text = grown;
        }
    }

    fn insert_char(&mut self, c: char) {
        self.reserve(c.len_utf8());
        let at = self.byte_at(self.cursor);
        self.text.insert(at, c);
        self.cursor += 1;
    }

    fn insert_str(&mut self, s: &str) {
        self.reserve(s.len());
        let at = self.byte_at(self.cursor);
        self.text.insert_str(at, s);
        self.cursor += s.chars().count();
    }

    fn remove_at(&mut self, chars: usize) {
        let at = self.byte_at(chars);
        if at < self.text.len() {
            self.text.remove(at);
        }
    }

    /// Edits with a key: characters insert at the cursor, Backspace and Delete remove, the
    /// arrows, Home and End move, Ctrl+U clears. `true` if the text changed.
    pub fn input(&mut self, key: KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('u') if ctrl => self.clear(),
            KeyCode::Char(c) if !ctrl && !key.modifiers.contains(KeyModifiers::ALT) => {
                self.insert_char(c);
            }
            KeyCode::Backspace if self.cursor > 0 => {
                self.cursor -= 1;
                self.remove_at(self.cursor);
            }
            KeyCode::Delete if self.cursor < self.len() => self.remove_at(self.cursor),
            _ => {
                self.move_cursor(key.code, ctrl);
                return false;
            }
        }
        true
    }

    fn move_cursor(&mut self, code: KeyCode, ctrl: bool) {
        match code {
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(self.len()),
            KeyCode::Home => self.cursor = 0,
            KeyCode::Char('a') if ctrl => self.cursor = 0,
            KeyCode::End => self.cursor = self.len(),
            KeyCode::Char('e') if ctrl => self.cursor = self.len(),
            _ => {}
        }
    }

    /// Inserts pasted text at the cursor, its line breaks as spaces.
    pub fn paste(&mut self, text: &str) {
        for c in text.chars().filter(|c| *c != '\r') {
            self.insert_char(if c == '\n' { ' ' } else { c });
        }
    }

    /// Draws the text (or one `•` a character when `masked`), scrolled so the cursor shows,
    /// and the placeholder when empty. The cursor shows only when focused.
    pub fn render(&self, frame: &mut Frame<'_>, area: Rect, look: Look<'_>, theme: Theme) {
        let cursor_style = if look.focused {
            theme.cursor()
        } else {
            ratatui::style::Style::new()
        };
        if self.is_empty() {
            let line = Line::from(vec![
                Span::styled(" ", cursor_style),
                Span::styled(look.placeholder, theme.dim()),
            ]);
            frame.render_widget(Paragraph::new(line), area);
            return;
        }
        // What shows is built in a wiped buffer too.
        // Unmasked, control characters show visibly (`␛`, `\x01`); the cursor stays on its
        // character.
        let (shown, cursor) = if look.masked {
            (Zeroizing::new("•".repeat(self.len())), self.cursor)
        } else {
            let mut shown = Zeroizing::new(String::with_capacity(visible_len(&self.text)));
            for c in self.text.chars() {
                push_visible(&mut shown, c);
            }
            let cursor = self.text.chars().take(self.cursor).map(visible_width).sum();
            (shown, cursor)
        };
        let text_style = if look.focused || look.masked {
            theme.text()
        } else {
            theme.dim()
        };
        let spans = if look.focused {
            // Scrolled so the cursor shows at the right end of a long text.
            let start = cursor.saturating_sub(usize::from(area.width.max(1)) - 1);
            cursor_spans(&shown, start, cursor, (text_style, cursor_style))
        } else {
            vec![Span::styled(shown.as_str(), text_style)]
        };
        frame.render_widget(Paragraph::new(Line::from(spans)), area);
    }
}

fn byte_at(text: &str, chars: usize) -> usize {
    text.char_indices()
        .nth(chars)
        .map_or(text.len(), |(b, _)| b)
}

/// `text` from character `start`: before the cursor, the character under it (a space at the
/// end) in the cursor's style, and after it.
fn cursor_spans(
    text: &str,
    start: usize,
    cursor: usize,
    (style, cursor_style): (ratatui::style::Style, ratatui::style::Style),
) -> Vec<Span<'_>> {
    let (from, at) = (byte_at(text, start), byte_at(text, cursor));
    let after = text.get(at..).unwrap_or_default();
    let under_len = after.chars().next().map_or(0, char::len_utf8);
    let under = after
        .get(..under_len)
        .filter(|s| !s.is_empty())
        .unwrap_or(" ");
    vec![
        Span::styled(text.get(from..at).unwrap_or_default(), style),
        Span::styled(under, cursor_style),
        Span::styled(after.get(under_len..).unwrap_or_default(), style),
    ]
}

/// How a [`WipedText`] is drawn.
#[derive(Debug, Clone, Copy)]
pub struct Look<'a> {
    pub focused: bool,
    pub masked: bool,
    pub placeholder: &'a str,
}

/// A passphrase being typed.
#[derive(Default)]
pub struct SecretField {
    text: WipedText,
}

impl std::fmt::Debug for SecretField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretField({} chars)", self.len())
    }
}

impl SecretField {
    pub fn len(&self) -> usize {
        self.text.len()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Edits with a key (see [`WipedText::input`]).
    pub fn input(&mut self, key: KeyEvent) {
        self.text.input(key);
    }

    /// Pastes the first line of `text`.
    pub fn paste(&mut self, text: &str) {
        self.text.paste(text.lines().next().unwrap_or_default());
    }

    pub fn clear(&mut self) {
        self.text.clear();
    }

    /// The passphrase, moved out (the field is left empty).
    pub fn take(&mut self) -> SecretString {
        let secret = SecretString::from(self.text.expose());
        self.clear();
        secret
    }

    /// Whether both fields hold the same text.
    pub fn same_as(&self, other: &Self) -> bool {
        self.text.expose() == other.text.expose()
    }

    /// Draws the mask and, when focused, the cursor.
    pub fn render(&self, frame: &mut Frame<'_>, area: Rect, focused: bool, theme: Theme) {
        let look = Look {
            focused,
            masked: true,
            placeholder: "",
        };
        self.text.render(frame, area, look, theme);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn edits_at_the_cursor_and_grows_in_a_fresh_buffer() {
        let mut t = WipedText::default();
        for c in "hello world".chars() {
            t.input(key(KeyCode::Char(c)));
        }
        assert!(t.text.capacity() >= 64);
        for _ in 0..6 {
            t.input(key(KeyCode::Left));
        }
        t.input(key(KeyCode::Backspace));
        t.input(key(KeyCode::Char(',')));
        assert_eq!(t.expose(), "hell, world");
        t.input(key(KeyCode::Home));
        t.input(key(KeyCode::Delete));
        t.paste("Y\r\nes");
        assert_eq!(t.expose(), "Y esell, world");
        let long = "z".repeat(200);
        t.set(&long);
        assert_eq!(t.len(), 200);
        assert_eq!(t.cursor(), 200);
        assert!(!format!("{t:?}").contains("zz"));
    }

    #[test]
    fn a_passphrase_shows_only_its_mask() {
        let mut f = SecretField::default();
        f.paste("hunter2\nsecond line");
        assert_eq!(f.len(), 7);
        let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(12, 1))
            .unwrap_or_else(|e| match e {});
        let drawn = terminal.draw(|frame| {
            f.render(frame, frame.area(), true, Theme::default());
        });
        assert!(drawn.is_ok());
        let screen = terminal.backend().to_string();
        assert!(screen.contains("•••••••"), "{screen}");
        assert!(!screen.contains("hunter"), "{screen}");
        assert_eq!(f.take().expose(), "hunter2");
        assert!(f.is_empty());
    }
}
