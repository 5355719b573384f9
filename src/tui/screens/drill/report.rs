//! The drill report: totals, where the lines went, the count under each key version before
//! and after, and the failed lines with their numbers and codes (scrolling), with the report
//! document ready to copy or save.

use std::fmt::Write as _;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::api::render_json;
use crate::core::drill::{DrillJob, DrillReport};

use crate::tui::action::Effect;
use crate::tui::context::Cx;
use crate::tui::keymap::Cmd;
use crate::tui::modals::Modal;
use crate::tui::modals::save_prompt::SavePrompt;
use crate::tui::modals::toast::Level;
use crate::tui::screens::Out;
use crate::tui::screens::drill::DrillPhase;
use crate::tui::screens::drill::DrillScreen;
use crate::tui::screens::drill::view::{count, seconds};
use crate::tui::ui::text::fit;
use crate::tui::ui::text::short_id;
use crate::tui::ui::text::tail;
use crate::tui::ui::text::visible;
use crate::tui::ui::theme::Theme;
use crate::tui::vault_view::VaultView;

/// A finished drill and how it is shown.
#[derive(Debug, Clone)]
pub struct DrillReportView {
    /// The job as run.
    pub job: DrillJob,
    pub report: DrillReport,
    pub request_id: String,
    /// The report document (JSON), as saved or copied.
    pub document: String,
    /// First line of the tables shown.
    pub scroll: usize,
}

impl DrillReportView {
    pub fn new(
        job: DrillJob,
        report: DrillReport,
        request_id: String,
        document: Option<&serde_json::Value>,
    ) -> Self {
        let document = document.map_or_else(String::new, render_json);
        Self {
            job,
            report,
            request_id,
            document,
            scroll: 0,
        }
    }

    /// A file name to save the report under.
    pub fn default_file_name(&self) -> String {
        let id = short_id(&self.request_id);
        format!("drill-report-{}.json", id.trim_end_matches('…'))
    }

    /// The head of the report: what moved where, how fast.
    fn summary(&self, view: &VaultView, theme: Theme) -> Vec<Line<'static>> {
        let r = &self.report;
        let t = r.totals;
        let mut to = if r.in_place {
            let mut to = "In place: each line to its own key's primary".to_owned();
            if r.rotated {
                let _ = write!(to, ", {} keys rotated first", r.rotations.len());
            }
            to
        } else {
            let mut to = format!(
                "To {}",
                version_label(view, &r.destination_key_id, &r.destination_key_version_id)
            );
            if r.rotated {
                to.push_str(", made first");
            }
            to
        };
        let _ = write!(to, " · {} threads", r.threads);
        let timing = format!(
            "{} lines in {} · {} lines/s",
            count(t.lines),
            seconds(r.elapsed_seconds),
            count(rate(r.lines_per_second))
        );
        let failed = Span::styled(
            format!("failed {}", count(t.failed)),
            if t.failed > 0 {
                theme.error()
            } else {
                theme.ok()
            },
        );
        let verb = if r.dry_run {
            "would re-encrypt"
        } else {
            "re-encrypted"
        };
        let totals = Line::from(vec![
            Span::raw(format!(
                "{verb} {} · already current {} · ",
                count(t.re_encrypted),
                count(t.already_current)
            )),
            failed,
            Span::raw(format!(" · blank {}", count(t.empty))),
        ]);
        vec![Line::from(to), Line::from(timing), totals]
    }

    fn output_line(&self, width: usize, theme: Theme) -> Line<'static> {
        match self.job.output.as_deref().filter(|_| !self.report.dry_run) {
            Some(path) => Line::from(vec![
                Span::styled("Output ", theme.dim()),
                Span::raw(tail(
                    &visible(&path.display().to_string()),
                    width.saturating_sub(7),
                )),
            ]),
            None => Line::from(Span::styled("Dry run: nothing was written.", theme.dim())),
        }
    }

    /// The version table and the failures: what scrolls.
    pub fn table(&self, view: &VaultView, width: usize, theme: Theme) -> Vec<Line<'static>> {
        let r = &self.report;
        let labels: Vec<String> = r
            .versions
            .iter()
            .map(|v| version_label(view, &v.key_id, &v.key_version_id))
            .collect();
        let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
        let label_w = longest.max(11).min(width.saturating_sub(18)).max(8);
        let mut lines = vec![Line::from(Span::styled(
            format!(
                "{}  {:>7} {:>8}",
                fit("Key version", label_w),
                "Before",
                "After"
            ),
            theme.dim(),
        ))];
        for (v, label) in r.versions.iter().zip(labels) {
            let primary = r
                .keys
                .iter()
                .any(|k| k.primary_key_version_id == v.key_version_id);
            let style =
                if v.key_version_id == r.destination_key_version_id || (r.in_place && primary) {
                    theme.ok()
                } else {
                    theme.text()
                };
            lines.push(Line::from(Span::styled(
                format!(
                    "{}  {:>7} {:>8}",
                    fit(&label, label_w),
                    count(v.before),
                    count(v.after)
                ),
                style,
            )));
        }
        lines.push(Line::default());
        lines.extend(self.failure_lines(width, theme));
        lines
    }

    fn failure_lines(&self, width: usize, theme: Theme) -> Vec<Line<'static>> {
        let r = &self.report;
        if r.failures.is_empty() {
            return vec![Line::from(Span::styled("No line failed.", theme.ok()))];
        }
        let mut lines = vec![Line::from(Span::styled(
            format!(
                "Failed lines ({}), kept as they were",
                count(r.totals.failed)
            ),
            theme.title(),
        ))];
        let code_w = r.failures.iter().map(|f| f.code.len()).max().unwrap_or(0);
        let line_w = r.failures.last().map_or(1, |f| f.line.to_string().len());
        for f in &r.failures {
            let head = format!("line {:<line_w$}  {:<code_w$}  ", f.line, f.code);
            let room = width.saturating_sub(head.chars().count());
            lines.push(Line::from(vec![
                Span::styled(head, theme.error()),
                Span::raw(fit(&visible(&f.message), room).trim_end().to_owned()),
            ]));
        }
        if r.failures_omitted > 0 {
            lines.push(Line::from(Span::styled(
                format!("… and {} more, not listed", count(r.failures_omitted)),
                theme.dim(),
            )));
        }
        lines
    }

    pub fn render(&self, frame: &mut Frame<'_>, area: Rect, cx: &Cx<'_>) {
        let theme = cx.theme;
        let what = if self.report.dry_run {
            "Dry-run report"
        } else {
            "Drill report"
        };
        let (title, style) = match self.report.totals.failed {
            0 => (format!(" {what} ✓ "), theme.ok()),
            n => (format!(" {what} · {} failed ", count(n)), theme.warn()),
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border_focus())
            .title(Span::styled(title, style))
            .title(
                Line::from(Span::styled(
                    format!(" RequestId {} ", short_id(&self.request_id)),
                    theme.dim(),
                ))
                .right_aligned(),
            );
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let width = usize::from(inner.width);
        let mut head = self.summary(cx.view, theme);
        head.push(self.output_line(width, theme));
        let rows: usize = head
            .iter()
            .map(|l| l.width().div_ceil(width.max(1)).max(1))
            .sum();
        let rows = u16::try_from(rows + 1).unwrap_or(u16::MAX);
        // The head, unless that would leave the tables less than four rows.
        let head_rows = if inner.height >= rows + 4 { rows } else { 0 };
        let [top, rest] =
            Layout::vertical([Constraint::Length(head_rows), Constraint::Min(0)]).areas(inner);
        frame.render_widget(Paragraph::new(head).wrap(Wrap { trim: false }), top);
        let lines: Vec<Line<'_>> = self
            .table(cx.view, width, theme)
            .into_iter()
            .skip(self.scroll)
            .take(usize::from(rest.height))
            .collect();
        frame.render_widget(Paragraph::new(lines), rest);
    }
}

fn rate(lines_per_second: f64) -> u64 {
    // A rate is shown in whole lines; anything odd is 0.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let whole = lines_per_second.round().max(0.0) as u64;
    whole
}

/// `alias/orders v1 (primary)`, from the vault as it is now.
pub fn version_label(view: &VaultView, key_id: &str, version_id: &str) -> String {
    match view.version(version_id) {
        Some((key, at)) => {
            let primary = if at + 1 == key.versions.len() {
                " (primary)"
            } else {
                ""
            };
            format!("{} v{}{primary}", key.reference(), at + 1)
        }
        None => format!("{} {}", short_id(key_id), short_id(version_id)),
    }
}

impl DrillScreen {
    /// A key of the report.
    pub fn report_update(&mut self, cmd: Cmd, cx: &Cx<'_>) -> Vec<Out> {
        let rows = usize::from(cx.body.height.saturating_sub(8)).max(1);
        let DrillPhase::Report(report) = &mut self.phase else {
            return Vec::new();
        };
        let last = report.report.versions.len() + report.report.failures.len() + 3;
        let last = last.saturating_sub(rows);
        if let Some(at) = cmd.scrolled(report.scroll, rows, last) {
            report.scroll = at;
            return Vec::new();
        }
        match cmd {
            Cmd::Save => {
                let prompt = SavePrompt::new(&report.default_file_name(), report.document.clone());
                return vec![Out::Modal(Modal::Save(prompt))];
            }
            Cmd::CopyDocument => {
                let text = report.document.clone();
                return vec![
                    Out::toast(
                        Level::Success,
                        "Copied the report (OSC 52: the terminal puts it on the clipboard)",
                    ),
                    Out::Effect(Effect::Copy(text)),
                ];
            }
            Cmd::Close => self.phase = DrillPhase::Form,
            _ => {}
        }
        Vec::new()
    }
}
