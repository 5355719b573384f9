//! The histogram of a drill input: lines per key version (as the scan found them), placed in
//! the vault's order with a bar, a share and what the drill would do with them given the
//! destination in the form — moved, already current, kept, or failed and why.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::tui::context::Cx;
use crate::tui::drill_scan::{Fate, InputScan, Row, foreign_lines, histogram, outlook};
use crate::tui::screens::drill::DrillScreen;
use crate::tui::screens::drill::ScanState;
use crate::tui::screens::drill::form::DrillField;
use crate::tui::screens::drill::view::count;
use crate::tui::ui::layout::{panel, spinner};
use crate::tui::ui::text::fit;
use crate::tui::ui::theme::Theme;

/// The label under the plan's counts: they come from the headers, before any decryption.
pub const ESTIMATE: &str = "≈ estimate: decryption may still fail (lines bound to a context)";

/// `512 B`, `1.2 MiB`.
fn bytes(n: u64) -> String {
    let units = [(1u64 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    match units.iter().find(|(size, _)| n >= *size) {
        // One decimal of a size on screen.
        #[allow(clippy::cast_precision_loss)]
        Some((size, unit)) => format!("{:.1} {unit}", n as f64 / *size as f64),
        None => format!("{n} B"),
    }
}

pub fn render(frame: &mut Frame<'_>, area: Rect, d: &DrillScreen, cx: &Cx<'_>) {
    let theme = cx.theme;
    let title = match &d.scan {
        ScanState::Ready(s) => format!(" Input: {} lines · {} ", count(s.lines), bytes(s.bytes)),
        _ => " Input by key version ".to_owned(),
    };
    let block = panel(title, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let text = match &d.scan {
        ScanState::Ready(scan) => return render_rows(frame, inner, d, cx, scan),
        ScanState::None => Span::styled(
            "Name the input file (⏎ edits the form): its lines are counted here by key version before anything runs.",
            theme.dim(),
        ),
        ScanState::Scanning(path) => Span::raw(format!("{} Scanning {path}…", spinner(cx.tick))),
        ScanState::Failed { error, .. } => Span::styled(error.as_str(), theme.error()),
    };
    frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), inner);
}

fn fate_text(fate: Fate, dry_run: bool) -> (String, bool) {
    match fate {
        Fate::Moves if dry_run => ("→ would move".to_owned(), true),
        Fate::Moves => ("→ re-encrypted".to_owned(), true),
        Fate::Current => ("already current".to_owned(), true),
        Fate::Kept => ("kept".to_owned(), true),
        Fate::Fails(why) => (format!("✗ {why}"), false),
        Fate::Unknown => (String::new(), true),
    }
}

/// The histogram's rows, its header and the outlook under them.
fn render_rows(frame: &mut Frame<'_>, area: Rect, d: &DrillScreen, cx: &Cx<'_>, scan: &InputScan) {
    let (d, theme) = (&d, cx.theme);
    let destination = d.form.value(DrillField::Destination);
    let rows = histogram(scan, cx.view, &destination, d.form.rotate);
    let width = usize::from(area.width);
    let longest = rows.iter().map(|r| label(r).chars().count()).max();
    let label_w = longest.unwrap_or(12).min(width * 2 / 5).max(8);
    let fate_w = if width >= 56 { 18 } else { 0 };
    let bar_w = width.saturating_sub(label_w + 8 + 6 + fate_w + 3);
    let max = rows.iter().map(|r| r.lines).max().unwrap_or(1).max(1);
    let header = format!("{} {:>7} {:>5}", fit("Key version", label_w), "Lines", "%");
    let mut lines = vec![Line::from(Span::styled(header, theme.dim()))];
    let notes = plan_notes(&rows, scan, cx, &destination, width);
    // The notes give way to the table's rows on a short terminal (the warning last).
    let below = 2 + notes
        .len()
        .min(usize::from(area.height).saturating_sub(2 + 4));
    let room = usize::from(area.height).saturating_sub(below);
    let shown = if rows.len() <= room {
        rows.len()
    } else {
        room.saturating_sub(1)
    };
    let widths = (label_w, bar_w, fate_w);
    for row in rows.iter().take(shown) {
        lines.push(row_line(
            row,
            widths,
            (max, scan.lines),
            d.form.dry_run,
            theme,
        ));
    }
    if shown < rows.len() && room > 0 {
        let more = format!("… {} more rows", rows.len() - shown);
        lines.push(Line::from(Span::styled(more, theme.dim())));
    }
    let mut outlook = outlook_line(&rows, scan, d.form.dry_run, theme);
    // The counts are an estimate: marked so where the line has room (the note below says why).
    if scan.too_long.is_none() && outlook.width() + 2 <= width {
        outlook.spans.insert(0, Span::styled("≈ ", theme.title()));
    }
    lines.push(outlook);
    let kept = below - 2;
    lines.extend(notes.into_iter().take(kept));
    frame.render_widget(Paragraph::new(lines), area);
}

/// What the plan warns of under its counts, most important first: lines of other keys moving
/// to the destination, and that the counts are an estimate (nothing is decrypted yet).
fn plan_notes(
    rows: &[Row],
    scan: &InputScan,
    cx: &Cx<'_>,
    destination: &str,
    width: usize,
) -> Vec<Line<'static>> {
    let theme = cx.theme;
    let mut notes = Vec::new();
    let foreign = foreign_lines(rows, cx.view, destination);
    if foreign > 0 {
        let text = format!(
            "⚠ {} {} of other keys will move to {}",
            count(foreign),
            if foreign == 1 { "line" } else { "lines" },
            destination.trim()
        );
        notes.push(Line::from(Span::styled(fit(&text, width), theme.warn())));
    }
    if scan.too_long.is_none() {
        notes.push(Line::from(Span::styled(fit(ESTIMATE, width), theme.dim())));
    }
    notes
}

fn label(row: &Row) -> String {
    if row.primary {
        format!("{} (primary)", row.label)
    } else {
        row.label.clone()
    }
}

fn row_line(
    row: &Row,
    (label_w, bar_w, fate_w): (usize, usize, usize),
    (max, total): (u64, u64),
    dry_run: bool,
    theme: Theme,
) -> Line<'static> {
    let label = label(row);
    #[allow(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss
    )]
    let (share, filled) = (
        row.lines as f64 * 100.0 / total.max(1) as f64,
        ((row.lines as f64 / max as f64) * bar_w as f64).ceil() as usize,
    );
    let (fate, fine) = fate_text(row.fate, dry_run);
    let fate_style = if fine { theme.text() } else { theme.error() };
    let mut spans = vec![
        Span::raw(format!(
            "{} {:>7} {share:>5.1}",
            fit(&label, label_w),
            count(row.lines)
        )),
        Span::raw(" "),
        Span::styled("█".repeat(filled.min(bar_w)), theme.ok()),
        Span::raw(" ".repeat(bar_w - filled.min(bar_w))),
    ];
    if fate_w > 0 {
        spans.push(Span::styled(format!(" {}", fit(&fate, fate_w)), fate_style));
    }
    Line::from(spans)
}

fn outlook_line(rows: &[Row], scan: &InputScan, dry_run: bool, theme: Theme) -> Line<'static> {
    if let Some(line) = scan.too_long {
        let text = format!("✗ line {line} is longer than 1 MiB: a drill stops there.");
        return Line::from(Span::styled(text, theme.error()));
    }
    let (moves, current, fails) = outlook(rows);
    let verb = if dry_run {
        "would move"
    } else {
        "to re-encrypt"
    };
    Line::from(vec![
        Span::styled(format!("{} {verb}", count(moves)), theme.title()),
        Span::raw(format!(" · {} already current · ", count(current))),
        Span::styled(
            format!("{} to fail", count(fails)),
            if fails > 0 {
                theme.error()
            } else {
                theme.text()
            },
        ),
    ])
}
