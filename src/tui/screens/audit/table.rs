//! The audit screen's list: a title that says where in the log the view is (or which filter is
//! in force and how far its search got), one row per line — seq, time, principal, action, what
//! it touched, RequestId, result — and the `/` prompt or the search's progress at the foot.

use std::fmt::Write as _;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::core::audit::AuditRecord;
use crate::core::audit::pages::LogLine;

use crate::tui::context::Cx;
use crate::tui::screens::audit::{AuditScreen, Search, filter};
use crate::tui::ui::text::fit;
use crate::tui::ui::text::visible;
use crate::tui::ui::theme::Theme;

/// Widths of the columns after the seq; the result takes what is left.
#[derive(Debug, Clone, Copy)]
struct Columns {
    seq: usize,
    time: usize,
    principal: usize,
    action: usize,
    key: usize,
    request: usize,
}

impl Columns {
    /// Room for `source→destination` and a short RequestId from 80 columns on; the whole
    /// RequestId and date from 140; narrower screens keep room for the result.
    fn for_width(width: u16, seq: usize) -> Self {
        let (time, principal, action, key, request) = match width {
            140.. => (20, 12, 20, 21, 36),
            78.. => (11, 9, 14, 15, 8),
            _ => (5, 8, 12, 9, 6),
        };
        Self {
            seq,
            time,
            principal,
            action,
            key,
            request,
        }
    }
}

/// `n` with thousands separators (`1,000,000`).
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn title(a: &AuditScreen, shown: &[LogLine]) -> String {
    let mut title = " Audit log".to_owned();
    if let Some(s) = &a.search {
        let _ = write!(title, " · filter {}", filter::describe(&s.filter));
    } else {
        let seqs = || shown.iter().filter_map(|l| l.entry.as_ref().map(|e| e.seq));
        if let (Some(first), Some(last)) = (seqs().next(), seqs().next_back()) {
            let of = a.newest_seq.map_or_else(
                || " (newest)".to_owned(),
                |n| {
                    let about = if a.page.at_end { "" } else { "≈" };
                    format!(" of {about}{}", thousands(n.max(last)))
                },
            );
            let _ = write!(
                title,
                " · lines {}–{}{of}",
                thousands(first),
                thousands(last)
            );
        }
    }
    if let Some(v) = &a.verified {
        title.push_str(" · ");
        title.push_str(v);
    }
    title.push(' ');
    title
}

/// The foot line of a search: its matches and how far it got.
fn progress(s: &Search) -> String {
    let state = if s.running {
        "searching… (esc stops)"
    } else if s.done && s.filter.request_id.is_some() && !s.matches.is_empty() {
        "found (esc clears)"
    } else if s.done && s.matches.len() >= super::MAX_MATCHES {
        "match limit reached: narrow the filter"
    } else if s.done {
        "whole log searched (esc clears)"
    } else {
        "stopped (esc clears)"
    };
    let n = s.matches.len();
    format!(
        "{} {} · {} lines searched · {state}",
        thousands(n as u64),
        if n == 1 { "match" } else { "matches" },
        thousands(s.scanned)
    )
}

fn foot(a: &AuditScreen, theme: Theme) -> Option<Line<'_>> {
    if let Some(text) = &a.prompt {
        let mut spans = vec![
            Span::styled("/ ", theme.key()),
            Span::raw(text.as_str()),
            Span::styled(" ", theme.cursor()),
            Span::raw("  "),
        ];
        spans.push(match &a.prompt_error {
            Some(e) => Span::styled(e.as_str(), theme.error()),
            None => Span::styled(filter::FIELDS, theme.dim()),
        });
        return Some(Line::from(spans));
    }
    a.search
        .as_ref()
        .map(|s| Line::from(Span::styled(progress(s), theme.dim())))
}

/// Draws the list into `body`.
pub fn render(a: &AuditScreen, frame: &mut Frame<'_>, body: Rect, cx: &Cx<'_>) {
    let theme = cx.theme;
    let all = a.rows_shown();
    let foot = foot(a, theme);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border());
    let inner = block.inner(body);
    let rows = usize::from(inner.height.saturating_sub(1 + u16::from(foot.is_some())));
    let shown = all.get(a.scroll..).unwrap_or_default();
    let shown = shown.get(..rows.min(shown.len())).unwrap_or_default();
    let block = block.title(Span::styled(title(a, shown), theme.title()));
    frame.render_widget(block, body);
    let seq = shown
        .iter()
        .filter_map(|l| l.entry.as_ref().map(|e| e.seq.to_string().len()))
        .max()
        .unwrap_or(0)
        .max(4);
    let cols = Columns::for_width(inner.width, seq);
    let header = format!(
        "{:>seq$} {} {} {} {} {} result",
        "#",
        fit("time", cols.time),
        fit("principal", cols.principal),
        fit("action", cols.action),
        fit("key", cols.key),
        fit("RequestId", cols.request),
        seq = cols.seq
    );
    let mut lines = vec![Line::from(Span::styled(header, theme.dim()))];
    if let Some(e) = &a.error {
        lines.push(Line::from(Span::styled(e.as_str(), theme.error())));
    } else if all.is_empty() {
        let text = match &a.search {
            Some(s) if s.running => "No match yet…",
            Some(_) => "No entry matches the filter.",
            None if a.loaded => "The audit log is empty.",
            None => "Reading the audit log…",
        };
        lines.push(Line::from(Span::styled(text, theme.dim())));
    }
    for (i, line) in shown.iter().enumerate() {
        let selected = a.scroll + i == a.selected;
        lines.push(row(line, cols, inner.width, selected, theme));
    }
    let body_lines = usize::from(inner.height);
    if let Some(foot) = foot {
        lines.truncate(body_lines.saturating_sub(1));
        lines.resize(body_lines.saturating_sub(1), Line::default());
        lines.push(foot);
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// `id` in `n` columns: whole if it fits, else its start and "…".
fn short(id: &str, n: usize) -> String {
    if id.chars().count() <= n {
        return id.to_owned();
    }
    let head: String = id.chars().take(n.saturating_sub(1)).collect();
    format!("{head}…")
}

/// What the entry touched, in `width` columns: `source→destination` for ReEncrypt, the alias of
/// an alias action, else the resolved key — or the reference as given if none resolved.
fn touched(r: &AuditRecord, width: usize) -> String {
    let text = match (&r.source_key_id, &r.key_id, &r.alias_name) {
        (Some(source), Some(destination), _) if width >= 13 => {
            let half = (width - 1) / 2;
            format!("{}→{}", short(source, half), short(destination, half))
        }
        (_, _, Some(alias)) => alias.clone(),
        (_, Some(key), _) => short(key, width),
        _ => r.key_ref.clone().unwrap_or_else(|| "—".to_owned()),
    };
    fit(&visible(&text), width)
}

/// The time in `width` columns: the whole date, `MM-DD HH:MM`, or `HH:MM`.
fn short_time(time: &str, width: usize) -> String {
    let cut = match width {
        20.. => return fit(time, width),
        11..=19 => time.get(5..16),
        _ => time.get(11..16),
    };
    fit(&cut.unwrap_or(time).replace('T', " "), width)
}

fn row(line: &LogLine, cols: Columns, width: u16, selected: bool, theme: Theme) -> Line<'_> {
    let Some(e) = &line.entry else {
        let text = format!(
            "{:>seq$} damaged line (at byte {})",
            "?",
            line.offset,
            seq = cols.seq
        );
        let style = if selected {
            theme.selected()
        } else {
            theme.error()
        };
        return Line::from(Span::styled(fit(&text, usize::from(width)), style));
    };
    let r = &e.record;
    let text = format!(
        "{} {} {} {} {} ",
        short_time(&r.time, cols.time),
        fit(&visible(&r.principal), cols.principal),
        fit(&visible(&r.action), cols.action),
        touched(r, cols.key),
        fit(&short(&r.request_id, cols.request), cols.request),
    );
    // What is left for the result; cut with a visible "…" rather than at the border.
    let left = usize::from(width).saturating_sub(cols.seq + 1 + text.chars().count());
    let result = visible(&r.result);
    let result = if result.chars().count() > left {
        fit(&result, left)
    } else {
        result
    };
    let ok = r.result == "Success";
    let (seq_style, text_style, result_style) = if selected {
        (theme.selected(), theme.selected(), theme.selected())
    } else {
        let result = if ok { theme.ok() } else { theme.error() };
        (theme.dim(), theme.text(), result)
    };
    Line::from(vec![
        Span::styled(format!("{:>w$} ", e.seq, w = cols.seq), seq_style),
        Span::styled(text, text_style),
        Span::styled(result, result_style),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_ids_read_at_a_glance() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(3003), "3,003");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(short("0123456789", 5), "0123…");
        assert_eq!(short("0123", 5), "0123");
        assert_eq!(short_time("2026-11-28T10:05:09Z", 11), "11-28 10:05");
        assert_eq!(short_time("2026-11-28T10:05:09Z", 5), "10:05");
        assert_eq!(
            short_time("2026-11-28T10:05:09Z", 20),
            "2026-11-28T10:05:09Z"
        );
    }

    #[test]
    fn a_key_as_given_cannot_steer_the_terminal() {
        let r = AuditRecord {
            key_ref: Some("alias/\u{1b}[2Jx".to_owned()),
            ..AuditRecord::default()
        };
        assert_eq!(touched(&r, 15), "alias/␛[2Jx    ");
    }
}
