//! Draws an action's form: one row per shown field (label, value), the inline note under a
//! field (a context's validation, the blob inspector), the focused field's help, and a spinner
//! while the request runs. The rows scroll so the focused field always shows.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::tui::context::Cx;
use crate::tui::form::Form;
use crate::tui::form::inspector;
use crate::tui::form::rules as form_rules;
use crate::tui::ui::layout::{field_label, spinner};
use crate::tui::ui::theme::Theme;

/// One shown field and the rows it takes.
struct Row {
    field: usize,
    value_height: u16,
    note: Option<(bool, String)>,
    note_height: u16,
}

impl Row {
    fn height(&self, stacked: bool) -> u16 {
        self.value_height + u16::from(stacked) + self.note_height
    }
}

/// Rows a note of `text` takes at `width`: one or two.
fn note_rows(text: &str, width: u16) -> u16 {
    let n = text.chars().count().div_ceil(usize::from(width.max(1)));
    u16::try_from(n.clamp(1, 2)).unwrap_or(1)
}

/// Width of the label column: the longest shown label, within reason.
fn label_width(form: &Form) -> u16 {
    let longest = form
        .visible_fields()
        .iter()
        .filter_map(|&i| form.fields.get(i))
        .map(|f| f.name().len() + 3)
        .max()
        .unwrap_or(10);
    u16::try_from(longest.min(32)).unwrap_or(32)
}

fn plan(form: &Form, cx: &Cx<'_>, spare: bool, note_width: u16) -> Vec<Row> {
    let inspection = form.inspect(cx.view);
    let hint = form.spec.action == crate::api::Action::ReEncrypt;
    form.visible_fields()
        .into_iter()
        .filter_map(|i| {
            let f = form.fields.get(i)?;
            let note = if f.name() == "CiphertextBlob" && form_rules::inspects_blob(form) {
                inspector::describe(cx.view, &inspection, hint).or_else(|| note_of(f))
            } else {
                note_of(f)
            };
            let blob = f.param.kind == crate::api::ParamKind::Blob;
            Some(Row {
                field: i,
                value_height: if blob && spare { 2 } else { 1 },
                note_height: note.as_ref().map_or(0, |(_, t)| note_rows(t, note_width)),
                note,
            })
        })
        .collect()
}

fn note_of(f: &crate::tui::form::field::Field) -> Option<(bool, String)> {
    f.note.as_ref().map(|n| (n.ok, n.text.clone()))
}

/// The first row to draw so the focused field is in view.
fn first_row(rows: &[Row], focus: usize, height: u16, stacked: bool) -> usize {
    let Some(at) = rows.iter().position(|r| r.field == focus) else {
        return 0;
    };
    let mut start = 0;
    loop {
        let used: u16 = rows
            .get(start..=at)
            .map_or(0, |rs| rs.iter().map(|r| r.height(stacked)).sum());
        if used <= height || start >= at {
            return start;
        }
        start += 1;
    }
}

pub fn render(frame: &mut Frame<'_>, area: Rect, form: &Form, cx: &Cx<'_>) {
    let theme = cx.theme;
    frame.render_widget(Clear, area);
    let mut title = vec![Span::styled(format!(" {} ", form.spec.name), theme.title())];
    if form.pending.is_some() {
        title.push(Span::styled(
            format!("{} running… ", spinner(cx.tick)),
            theme.focus(),
        ));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border_focus())
        .title(Line::from(title))
        .title(
            Line::from(Span::styled(format!(" as {} ", cx.principal), theme.dim())).right_aligned(),
        );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let help_height = if inner.height >= 8 { 2 } else { 0 };
    let [summary, fields, help] = Layout::vertical([
        Constraint::Length(u16::from(inner.height >= 12)),
        Constraint::Min(0),
        Constraint::Length(help_height),
    ])
    .areas(inner);
    frame.render_widget(
        Paragraph::new(Span::styled(form.spec.summary, theme.dim())),
        summary,
    );
    let label_w = label_width(form);
    let stacked = fields.width < label_w + 24;
    let note_width = if stacked {
        fields.width.saturating_sub(2)
    } else {
        fields.width.saturating_sub(label_w)
    };
    let total: u16 = plan(form, cx, false, note_width)
        .iter()
        .map(|r| r.height(stacked))
        .sum();
    let rows = plan(form, cx, total + 2 <= fields.height, note_width);
    draw_rows(frame, fields, form, &rows, (label_w, stacked), theme);
    render_help(frame, help, form, theme);
}

/// Where a field's label, value and note go, from row `y`: beside each other, or stacked
/// (label above) when the form is narrow.
struct Slots {
    label: Rect,
    value: Rect,
    note: Rect,
}

fn slots(area: Rect, y: u16, row: &Row, (label_w, stacked): (u16, bool)) -> Slots {
    let label_w = label_w.min(area.width);
    let (label, value_y, x) = if stacked {
        (Rect::new(area.x, y, area.width, 1), y + 1, area.x + 2)
    } else {
        (Rect::new(area.x, y, label_w, 1), y, area.x + label_w)
    };
    let width = area.right().saturating_sub(x);
    Slots {
        label,
        value: Rect::new(x, value_y, width, row.value_height),
        note: Rect::new(x, value_y + row.value_height, width, row.note_height),
    }
}

fn draw_rows(
    frame: &mut Frame<'_>,
    area: Rect,
    form: &Form,
    rows: &[Row],
    columns: (u16, bool),
    theme: Theme,
) {
    let stacked = columns.1;
    let start = first_row(rows, form.focus, area.height, stacked);
    let mut y = area.y;
    for row in rows.iter().skip(start) {
        let Some(f) = form.fields.get(row.field) else {
            continue;
        };
        if y.saturating_add(row.height(stacked)) > area.bottom() {
            break;
        }
        let at = slots(area, y, row, columns);
        y += row.height(stacked);
        let focused = row.field == form.focus;
        let required = if f.param.required { "*" } else { "" };
        let label = field_label(format!("{}{required}", f.name()), focused, theme);
        frame.render_widget(Paragraph::new(label), at.label);
        f.render(frame, at.value, focused, theme);
        if let Some((ok, text)) = &row.note {
            let style = if *ok { theme.ok() } else { theme.error() };
            frame.render_widget(
                Paragraph::new(Span::styled(text.as_str(), style)).wrap(Wrap { trim: true }),
                at.note,
            );
        }
    }
}

fn render_help(frame: &mut Frame<'_>, area: Rect, form: &Form, theme: Theme) {
    let Some(f) = form.focused() else {
        return;
    };
    let mut text = format!("{}: {}", f.name(), f.param.help);
    if form_rules::has_picker(f.param.kind) {
        text.push_str("  (^P: pick)");
    }
    frame.render_widget(
        Paragraph::new(Span::styled(text, theme.dim())).wrap(Wrap { trim: true }),
        area,
    );
}
