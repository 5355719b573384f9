//! Draws the drill screen: the form (one row a field, its note beside it) or the progress of a
//! running drill (bar, lines, rate, time left) above the histogram of the input
//! ([`crate::tui::screens::drill::histogram`]), or the report. Only draws; never panics at any size.

use std::fmt::Write as _;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::tui::context::Cx;
use crate::tui::screens::drill::DrillScreen;
use crate::tui::screens::drill::form::DrillField;
use crate::tui::screens::drill::{DrillPhase, RunningDrill};
use crate::tui::ui::layout::{field_label, spinner};
use crate::tui::ui::text::tail;
use crate::tui::ui::theme::Theme;

/// Width of the label column (with the focus marker).
const LABEL_W: u16 = 18;

/// `1,234,567`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `40 ms`, `2.3 s`, `3:05`, `1:02:03`.
pub fn seconds(s: f64) -> String {
    if !s.is_finite() || s < 0.0 {
        return "—".to_owned();
    }
    if s < 1.0 {
        return format!("{:.0} ms", s * 1000.0);
    }
    if s < 60.0 {
        return format!("{s:.1} s");
    }
    // Whole seconds are enough past a minute.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let whole = s.round() as u64;
    let (h, m, s) = (whole / 3600, whole / 60 % 60, whole % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// The upper part (form or progress) and the histogram under it.
fn split(body: Rect, upper: u16) -> (Rect, Rect) {
    let [top, rest] = Layout::vertical([Constraint::Length(upper), Constraint::Min(0)]).areas(body);
    (top, rest)
}

/// Six fields in a border, and the help line when there is room for it and the histogram.
fn form_height(body: Rect) -> u16 {
    if body.height >= 19 { 9 } else { 8 }
}

/// The field at a screen cell of the form.
pub fn field_at(body: Rect, at: Position) -> Option<DrillField> {
    let (form, _) = split(body, form_height(body));
    let inner = Block::default().borders(Borders::ALL).inner(form);
    if !inner.contains(at) {
        return None;
    }
    DrillField::ALL.get(usize::from(at.y - inner.y)).copied()
}

impl DrillScreen {
    /// Draws the screen into `body`.
    pub fn render(&self, frame: &mut Frame<'_>, body: Rect, cx: &Cx<'_>) {
        render(frame, body, self, cx);
    }
}

fn render(frame: &mut Frame<'_>, body: Rect, d: &DrillScreen, cx: &Cx<'_>) {
    match &d.phase {
        DrillPhase::Report(report) => report.render(frame, body, cx),
        DrillPhase::Running(run) => {
            let (top, rest) = split(body, 7);
            render_running(frame, top, cx, run);
            crate::tui::screens::drill::histogram::render(frame, rest, d, cx);
        }
        DrillPhase::Form => {
            let (top, rest) = split(body, form_height(body));
            render_form(frame, top, d, cx);
            // The banner wraps (a cancelled rotate-first drill says more), leaving the table room.
            let banner = d.banner.as_deref().map_or(0, |text| {
                let width = usize::from(rest.width.max(1));
                let wanted = u16::try_from(text.chars().count().div_ceil(width)).unwrap_or(3);
                wanted.min(3).min(rest.height.saturating_sub(3))
            });
            let [line, rest] =
                Layout::vertical([Constraint::Length(banner), Constraint::Min(0)]).areas(rest);
            if let Some(text) = &d.banner {
                let theme = cx.theme;
                frame.render_widget(
                    Paragraph::new(Span::styled(text.as_str(), theme.warn()))
                        .wrap(ratatui::widgets::Wrap { trim: false }),
                    line,
                );
            }
            if d.show_census {
                crate::tui::screens::drill::census::render(frame, rest, d, cx);
            } else {
                crate::tui::screens::drill::histogram::render(frame, rest, d, cx);
            }
        }
    }
}

fn titled(title: String, cx: &Cx<'_>, focused: bool) -> Block<'static> {
    let theme = cx.theme;
    Block::default()
        .borders(Borders::ALL)
        .border_style(if focused {
            theme.border_focus()
        } else {
            theme.border()
        })
        .title(Span::styled(title, theme.title()))
        .title(
            Line::from(Span::styled(format!(" as {} ", cx.principal), theme.dim())).right_aligned(),
        )
}

fn render_form(frame: &mut Frame<'_>, area: Rect, d: &DrillScreen, cx: &Cx<'_>) {
    let block = titled(" Rotation drill ".to_owned(), cx, d.is_editing());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    // Notes go at the right end of their row, when there is room for them.
    let notes_shown = inner.width.saturating_sub(LABEL_W) >= 36;
    for (field, y) in DrillField::ALL.into_iter().zip(inner.y..inner.bottom()) {
        let row = Rect::new(inner.x, y, inner.width, 1);
        render_field(frame, row, d, cx, field, notes_shown);
    }
    if inner.height > 6 {
        let help = form_help(d, cx, notes_shown);
        let at = Rect::new(inner.x, inner.y + 6, inner.width, inner.height - 6);
        let style = cx.theme.dim();
        frame.render_widget(Paragraph::new(Span::styled(help, style)), at);
    }
}

/// One field's row: the label, the value, and the note at the right end.
fn render_field(
    frame: &mut Frame<'_>,
    row: Rect,
    d: &DrillScreen,
    cx: &Cx<'_>,
    field: DrillField,
    notes: bool,
) {
    let (form, theme) = (&d.form, cx.theme);
    let avail = row.width.saturating_sub(LABEL_W);
    let note = form.note(field, cx.view).filter(|_| notes);
    let note_w = note.as_ref().map_or(0, |(_, t)| {
        u16::try_from(t.chars().count())
            .unwrap_or(u16::MAX)
            .min(avail / 2)
    });
    let focused = d.is_editing() && form.focus == field;
    let label = field_label(field.label(), focused, theme);
    let width = LABEL_W.min(row.width);
    frame.render_widget(Paragraph::new(label), Rect { width, ..row });
    let value_w = avail.saturating_sub(note_w + u16::from(note_w > 0));
    let value = Rect::new(row.x + width, row.y, value_w, 1);
    if let Some(text) = form.text_field(field) {
        text.render(frame, value, focused, theme);
    } else {
        let on = if field == DrillField::Rotate {
            form.rotate
        } else {
            form.dry_run
        };
        let mark = if on { "[x] yes" } else { "[ ] no" };
        let style = if focused { theme.focus() } else { theme.text() };
        frame.render_widget(Paragraph::new(Span::styled(mark, style)), value);
    }
    if let Some((ok, text)) = note {
        let at = Rect::new(row.right().saturating_sub(note_w), row.y, note_w, 1);
        let style = if ok { theme.ok() } else { theme.error() };
        frame.render_widget(Paragraph::new(Span::styled(text, style)), at);
    }
}

/// The line under the form: the focused field's help (or its note, when notes do not fit
/// beside the fields), or how to start.
fn form_help(d: &DrillScreen, cx: &Cx<'_>, notes_shown: bool) -> String {
    let d = &d;
    if !d.is_editing() {
        return if d.show_census {
            "⏎ edit · s start · r count again · c back to the drill outlook".to_owned()
        } else {
            "⏎ edit the form · s start · r scan again · c census".to_owned()
        };
    }
    let focus = d.form.focus;
    match d.form.note(focus, cx.view) {
        Some((_, note)) if !notes_shown => note,
        _ => focus.help().to_owned(),
    }
}

fn render_running(frame: &mut Frame<'_>, area: Rect, cx: &Cx<'_>, run: &RunningDrill) {
    let theme = cx.theme;
    let title = if run.cancelling {
        format!(" {} Cancelling… ", spinner(cx.tick))
    } else {
        format!(" {} Drill running ", spinner(cx.tick))
    };
    let block = titled(title, cx, true);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = usize::from(inner.width);
    let job = &run.job;
    let output = job.output.as_ref().map_or_else(
        || "nothing (dry run)".to_owned(),
        |p| p.display().to_string(),
    );
    let route = format!("{} → {output}", job.input.display());
    let p = &run.progress;
    let totals = format!(
        "re-encrypted {} · current {} · failed {} · blank {}",
        count(p.re_encrypted),
        count(p.already_current),
        count(p.failed),
        count(p.empty)
    );
    let hint = if run.cancelling {
        "Stopping; the unfinished output is removed."
    } else {
        "esc cancels at once; no output is written then."
    };
    let lines = vec![
        Line::from(tail(&route, width)),
        gauge(run.ratio(), width, theme),
        Line::from(pace(run)),
        Line::from(totals),
        Line::from(Span::styled(hint, theme.dim())),
    ];
    frame.render_widget(Paragraph::new(lines), inner);
}

/// `███████░░░░░  58%`.
fn gauge(ratio: f64, width: usize, theme: Theme) -> Line<'static> {
    let bar = width.saturating_sub(6);
    // Both are small and non-negative: a share of a screen width.
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let (filled, percent) = (
        (ratio * bar as f64) as usize,
        (ratio * 100.0).floor() as u64,
    );
    let filled = filled.min(bar);
    Line::from(vec![
        Span::styled("█".repeat(filled), theme.ok()),
        Span::styled("░".repeat(bar - filled), theme.dim()),
        Span::raw(format!(" {percent:>3}%")),
    ])
}

/// Lines done of the whole, the rate, the time left and the time so far.
fn pace(run: &RunningDrill) -> String {
    let p = &run.progress;
    let mut text = if let Some(total) = run.total_lines {
        format!("{} of {} lines", count(p.lines_done), count(total))
    } else {
        let percent = (p.bytes_read * 100).checked_div(p.input_bytes).unwrap_or(0);
        format!(
            "{} lines · {percent}% of the file read",
            count(p.lines_done)
        )
    };
    if let Some(rate) = run.rate() {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let rate = rate.round() as u64;
        let _ = write!(text, " · {} lines/s", count(rate));
    }
    let _ = write!(text, " · {}", seconds(run.elapsed.as_secs_f64()));
    if let Some(eta) = run.eta() {
        let _ = write!(text, " · ETA {}", seconds(eta.as_secs_f64()));
    }
    text
}
