//! One audit entry in full: every field of the record under its API name, the details JSON
//! pretty-printed, the seq and the shortened chain values (`prev`, `mac`). The log holds no
//! secrets (product §12), so nothing here is masked.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::core::audit::Seal;
use crate::core::audit::pages::LogLine;

use crate::tui::screens::audit::Detail;
use crate::tui::ui::text::{fit, visible};
use crate::tui::ui::theme::Theme;

const LABEL: usize = 20;

/// A chain value cut to its first 16 hex digits.
fn chain(value: &str) -> String {
    match value.get(..16) {
        Some(head) if value.len() > 16 => format!("{head}…"),
        _ => value.to_owned(),
    }
}

/// The detail's lines, for drawing and for clamping the scroll.
pub fn lines(line: &LogLine, theme: Theme) -> Vec<Line<'static>> {
    let Some(e) = &line.entry else {
        return vec![
            Line::from(Span::styled(
                format!("The line at byte {} is damaged:", line.offset),
                theme.error(),
            )),
            Line::from("it is not a readable entry. `v` (verify) says more."),
        ];
    };
    let r = &e.record;
    let field = |name: &str, value: &str| {
        Line::from(vec![
            Span::styled(fit(name, LABEL), theme.dim()),
            Span::raw(visible(value)),
        ])
    };
    let mut out = vec![
        field("seq", &e.seq.to_string()),
        field("time", &r.time),
        field("principal", &r.principal),
        field("Action", &r.action),
        field("result", &r.result),
        field("RequestId", &r.request_id),
    ];
    let optional = [
        ("KeyId (as given)", &r.key_ref),
        ("KeyId", &r.key_id),
        ("KeyVersionId", &r.key_version_id),
        ("source KeyId", &r.source_key_id),
        ("source KeyVersionId", &r.source_key_version_id),
        ("AliasName", &r.alias_name),
    ];
    for (name, value) in optional {
        if let Some(v) = value {
            out.push(field(name, v));
        }
    }
    if let Some(details) = &r.details {
        out.push(Line::from(Span::styled("details", theme.dim())));
        let pretty = serde_json::to_string_pretty(details).unwrap_or_default();
        let indent = " ".repeat(2);
        out.extend(
            pretty
                .lines()
                .map(|l| Line::from(format!("{indent}{}", visible(l)))),
        );
    }
    out.push(field("prev", &chain(&e.prev)));
    match &e.seal {
        Seal::Mac(v) => out.push(field("mac", &chain(v))),
        Seal::Hash(v) => out.push(field("hash (unkeyed)", &chain(v))),
    }
    out.push(field(
        "at byte",
        &format!("{}–{} of the log file", line.offset, line.end),
    ));
    out
}

/// Draws the detail into `body`, scrolled.
pub fn render(frame: &mut Frame<'_>, body: Rect, d: &Detail, theme: Theme) {
    let title = d.line.entry.as_ref().map_or_else(
        || " Audit entry (damaged line) · esc back ".to_owned(),
        |e| format!(" Audit entry #{} · {} · esc back ", e.seq, e.record.action),
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border())
        .title(Span::styled(title, theme.title()));
    let lines = lines(&d.line, theme);
    let scroll = u16::try_from(d.scroll).unwrap_or(u16::MAX);
    frame.render_widget(Paragraph::new(lines).block(block).scroll((scroll, 0)), body);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_show_and_chain_values_are_cut() {
        assert_eq!(visible("a\u{1b}[2Jb\u{1}"), "a␛[2Jb\\x01");
        assert_eq!(chain(&"ab".repeat(32)), format!("{}…", "ab".repeat(8)));
        assert_eq!(chain("abc"), "abc");
    }
}
