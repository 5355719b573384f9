//! Text helpers every room draws with: control characters made visible ([`visible`]), cut to a
//! width from the front ([`fit`]) or keep the end ([`tail`]), the short form of an id
//! ([`short_id`]), and the editing keys of a one-line filter ([`edit_filter`]). Widths count
//! characters.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// User- or file-supplied text with its control characters (C0, DEL, C1) shown visibly — ESC as
/// `␛`, the others as `\xNN` — so a value can neither steer the terminal nor hide itself.
pub fn visible(text: &str) -> String {
    let mut out = String::with_capacity(visible_len(text));
    for c in text.chars() {
        push_visible(&mut out, c);
    }
    out
}

/// How many characters `c` takes once made [`visible`].
pub fn visible_width(c: char) -> usize {
    if c.is_control() && c != '\u{1b}' {
        4
    } else {
        1
    }
}

/// The length in bytes of `text` made [`visible`] (to size a buffer once, e.g. a wiped one).
pub fn visible_len(text: &str) -> usize {
    text.chars()
        .map(|c| match c {
            '\u{1b}' => '␛'.len_utf8(),
            c if c.is_control() => 4,
            c => c.len_utf8(),
        })
        .sum()
}

/// Appends `c` made [`visible`] to `out`, with no buffer of its own (secrets go through here).
pub fn push_visible(out: &mut String, c: char) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    match c {
        '\u{1b}' => out.push('␛'),
        c if c.is_control() => {
            let n = u32::from(c);
            out.push_str("\\x");
            for shift in [4, 0] {
                let digit = usize::try_from((n >> shift) & 0xf).unwrap_or_default();
                out.push(char::from(HEX.get(digit).copied().unwrap_or(b'?')));
            }
        }
        c => out.push(c),
    }
}

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

    #[test]
    fn control_characters_are_shown_not_passed() {
        assert_eq!(visible("a\u{1b}[2Jb\u{1}"), "a␛[2Jb\\x01");
        assert_eq!(visible("tab\there\u{7f}\u{9b}"), "tab\\x09here\\x7f\\x9b");
        assert_eq!(visible("plain ✓ text"), "plain ✓ text");
    }
}
