//! Text helpers every room draws with: cut to a width from the front ([`fit`]) or keep the end
//! ([`tail`]), the short form of an id ([`short_id`]), and the editing keys of a one-line
//! filter ([`edit_filter`]). Widths count characters.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Cuts `text` to `width` characters, marking a cut with `…`.
pub fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return format!("{text:<width$}");
    }
    let cut: String = text.chars().take(width.saturating_sub(1)).collect();
    format!("{cut}…")
}

/// The tail of `text` that fits in `width` characters, led by `…` if cut.
pub fn tail(text: &str, width: usize) -> String {
    let n = text.chars().count();
    if n <= width {
        return text.to_owned();
    }
    let keep: String = text.chars().skip(n + 1 - width.max(1)).collect();
    format!("…{keep}")
}

/// The first eight characters of an id, then `…`.
pub fn short_id(id: &str) -> String {
    match id.get(..8) {
        Some(head) if id.len() > 8 => format!("{head}…"),
        _ => id.to_owned(),
    }
}

/// A key typed into a one-line filter: a character, backspace, or ctrl-u (clears it). Whether
/// the key was one of those.
pub fn edit_filter(text: &mut String, key: KeyEvent) -> bool {
    match key.code {
        KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => text.clear(),
        KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => text.push(c),
        KeyCode::Backspace => {
            text.pop();
        }
        _ => return false,
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_mark_the_cut() {
        assert_eq!(fit("abc", 5), "abc  ");
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(tail("/a/long/path", 6), "…/path");
        assert_eq!(tail("short", 9), "short");
        assert_eq!(short_id("key-0123456789"), "key-0123…");
        assert_eq!(short_id("key-01"), "key-01");
    }
}
