//! The detail pane of the selected key: its aliases, metadata and rotation, then its versions
//! newest first with the primary one marked.

use ratatui::text::{Line, Span};

use crate::tui::ui::text::{fit, visible};
use crate::tui::ui::theme::Theme;
use crate::tui::vault_view::KeyRow;

fn field(label: &'static str, value: String, theme: Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{label:<9}"), theme.dim()),
        Span::raw(value),
    ])
}

/// What the key is: aliases, description, id, spec, state, rotation, creation.
pub fn about(key: &KeyRow, theme: Theme) -> Vec<Line<'static>> {
    let title = if key.aliases.is_empty() {
        "(no alias)".to_owned()
    } else {
        visible(&key.aliases.join(", "))
    };
    let mut lines = vec![Line::from(Span::styled(title, theme.title()))];
    if !key.description.is_empty() {
        lines.push(Line::from(visible(&key.description)));
    }
    lines.push(field("KeyId", key.key_id.clone(), theme));
    lines.push(field("Spec", key.spec.as_str().to_owned(), theme));
    lines.push(field("Usage", key.usage.as_str().to_owned(), theme));
    lines.push(Line::from(vec![
        Span::styled(format!("{:<9}", "State"), theme.dim()),
        Span::styled(key.state.as_str(), theme.state(key.state)),
    ]));
    if let Some(date) = &key.delete_date {
        lines.push(field("Deletes", date.clone(), theme));
    }
    let protection = if key.deletion_protection {
        "on (deletion refused)"
    } else {
        "off"
    };
    lines.push(field("DelProt.", protection.to_owned(), theme));
    let rotation = match (&key.next_rotation, key.rotation) {
        (Some(next), "Enabled") => format!("every {}, next {next}", key.rotation_label()),
        (_, "Suspended") => format!("{} (key not enabled)", key.rotation_label()),
        _ => "manual only".to_owned(),
    };
    lines.push(field("Rotation", rotation, theme));
    lines.push(field(
        "Created",
        format!("{} by {}", key.created, visible(&key.creator)),
        theme,
    ));
    // Last: long, and the first to go when the pane is short.
    // The ARN has no spaces: on its own line it wraps by characters, as `height` counts.
    lines.push(Line::from(Span::styled("ARN", theme.dim())));
    lines.push(Line::from(key.arn.clone()));
    lines
}

/// Rows the versions need at least: the title, the primary row and its whole id.
pub fn versions_needed(lines: &[Line<'_>]) -> u16 {
    let primary_rows = lines
        .iter()
        .skip(2)
        .take_while(|l| {
            l.spans
                .first()
                .is_some_and(|s| s.content == "  " && l.spans.len() == 2)
        })
        .count();
    u16::try_from(lines.len().min(2 + primary_rows)).unwrap_or(u16::MAX)
}

/// Rows `lines` take when wrapped at `width` (an estimate by characters).
pub fn height(lines: &[Line<'_>], width: u16) -> u16 {
    let width = usize::from(width.max(1));
    let rows: usize = lines.iter().map(|l| l.width().div_ceil(width).max(1)).sum();
    u16::try_from(rows).unwrap_or(u16::MAX)
}

/// The versions, newest first; the primary one starred.
pub fn versions(key: &KeyRow, width: usize, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(Span::styled(
        format!("Versions ({})", key.versions.len()),
        theme.title(),
    ))];
    let last = key.versions.len().saturating_sub(1);
    for (i, v) in key.versions.iter().enumerate().rev() {
        let primary = i == last;
        let date = v.created.get(..10).unwrap_or(&v.created);
        let tail = if primary { " primary" } else { "" };
        // "★ " + id + " " + date + tail
        let id_width = width
            .saturating_sub(2 + 1 + date.len() + tail.len())
            .clamp(8, 36);
        let (mark, style) = if primary {
            ("★ ", theme.ok())
        } else {
            ("  ", theme.text())
        };
        // The primary id is the one an operator copies: whole, on its own line(s) if it
        // does not fit beside its date.
        if primary && v.id.chars().count() > id_width {
            lines.push(Line::from(vec![
                Span::styled(mark, style),
                Span::styled(date.to_owned(), theme.dim()),
                Span::styled(tail, theme.ok()),
            ]));
            lines.extend(wrapped_id(&v.id, width, style));
            continue;
        }
        let id = fit(&v.id, id_width);
        lines.push(Line::from(vec![
            Span::styled(mark, style),
            Span::styled(format!("{id} "), style),
            Span::styled(date.to_owned(), theme.dim()),
            Span::styled(tail, theme.ok()),
        ]));
    }
    lines
}

/// `id` in full under its row, indented, cut into lines of `width` (never `…`).
fn wrapped_id(id: &str, width: usize, style: ratatui::style::Style) -> Vec<Line<'static>> {
    let room = width.saturating_sub(2).max(8);
    let chars: Vec<char> = id.chars().collect();
    chars
        .chunks(room)
        .map(|part| {
            Line::from(vec![
                Span::raw("  "),
                Span::styled(part.iter().collect::<String>(), style),
            ])
        })
        .collect()
}
