//! The census view of the drill screen (`c`): the core's census of the file or folder typed as
//! the input — lines per key version, primary or not, the key's state, versions the vault does
//! not hold, and where the first old lines are — run on the worker, never on the UI task.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::core::drill::{CensusReport, CensusVersion};

use crate::tui::context::Cx;
use crate::tui::job::{Job, PendingKind};
use crate::tui::modals::toast::Level;
use crate::tui::screens::Out;
use crate::tui::screens::drill::DrillScreen;
use crate::tui::screens::drill::form::DrillField;
use crate::tui::screens::drill::view::count;
use crate::tui::ui::layout::{panel, spinner};
use crate::tui::ui::text::fit;
use crate::tui::ui::text::short_id;
use crate::tui::ui::text::tail;
use crate::tui::ui::theme::Theme;

/// The census of the path in the form.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum CensusState {
    #[default]
    None,
    Counting(String),
    Ready {
        path: String,
        report: Box<CensusReport>,
    },
    Failed {
        path: String,
        error: String,
    },
}

impl CensusState {
    fn path(&self) -> Option<&str> {
        match self {
            Self::None => None,
            Self::Counting(p) | Self::Ready { path: p, .. } | Self::Failed { path: p, .. } => {
                Some(p)
            }
        }
    }
}

impl DrillScreen {
    /// Counts the input again if the view shows and the path changed (or if `force`d), unless
    /// the path is still being typed or a drill keeps the worker busy.
    pub fn census(&mut self, force: bool, cx: &Cx<'_>) -> Vec<Out> {
        let d = &*self;
        let typing = d.is_editing() && d.form.focus == DrillField::Input;
        if !d.show_census || d.running().is_some() || (typing && !force) {
            return Vec::new();
        }
        let path = d.form.value(DrillField::Input);
        if path.is_empty() {
            self.census = CensusState::None;
            return if force {
                vec![Out::toast(
                    Level::Info,
                    "Name the input file (or folder) first",
                )]
            } else {
                Vec::new()
            };
        }
        if !force && d.census.path() == Some(path.as_str()) {
            return Vec::new();
        }
        self.census = CensusState::Counting(path.clone());
        let job = Job::Census {
            principal: cx.principal.to_owned(),
            path: path.clone(),
        };
        vec![Out::Run(job, PendingKind::Census { path })]
    }

    /// A census came back; kept if it is of the path still being counted.
    pub fn census_done(&mut self, path: String, result: Result<Box<CensusReport>, String>) {
        if self.census != CensusState::Counting(path.clone()) {
            return;
        }
        self.census = match result {
            Ok(report) => CensusState::Ready { path, report },
            Err(error) => CensusState::Failed { path, error },
        };
    }
}

pub fn render(frame: &mut Frame<'_>, area: Rect, d: &DrillScreen, cx: &Cx<'_>) {
    let theme = cx.theme;
    let title = match &d.census {
        CensusState::Ready { report, .. } => format!(
            " Census: {} lines in {} file{} · c: outlook ",
            count(report.totals.lines),
            count(report.totals.files),
            if report.totals.files == 1 { "" } else { "s" }
        ),
        _ => " Census · c: outlook ".to_owned(),
    };
    let block = panel(title, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let text = match &d.census {
        CensusState::Ready { report, .. } => return render_report(frame, inner, cx, report),
        CensusState::None => Span::styled(
            "Name the input (a file or a folder): the census counts its lines per key version without decrypting.",
            theme.dim(),
        ),
        CensusState::Counting(path) => Span::raw(format!("{} Counting {path}…", spinner(cx.tick))),
        CensusState::Failed { error, .. } => Span::styled(error.as_str(), theme.error()),
    };
    frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), inner);
}

/// The label of a row: `alias/orders v1`, or the short id of a version the vault lacks.
fn label(cx: &Cx<'_>, row: &CensusVersion) -> String {
    match cx.view.version(&row.key_version_id) {
        Some((key, at)) => format!("{} v{}", key.reference(), at + 1),
        None => format!("unknown {}", short_id(&row.key_version_id)),
    }
}

/// What a row means: primary, old (and where the first line is), the key's state.
fn status(row: &CensusVersion) -> (String, bool) {
    let state = row.key_state.filter(|s| *s != "Enabled");
    if !row.in_vault {
        return ("✗ not in this vault".to_owned(), false);
    }
    if let Some(state) = state {
        return (format!("✗ key {state}"), false);
    }
    if row.primary {
        return ("primary".to_owned(), true);
    }
    let at = row
        .locations
        .first()
        .map(|l| format!(" · {}:{}", tail(&l.file, 14), l.line))
        .unwrap_or_default();
    (format!("old{at}"), false)
}

fn render_report(frame: &mut Frame<'_>, area: Rect, cx: &Cx<'_>, report: &CensusReport) {
    let theme = cx.theme;
    let width = usize::from(area.width);
    let labels: Vec<String> = report.versions.iter().map(|r| label(cx, r)).collect();
    let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(12);
    let label_w = longest.min(width * 2 / 5).max(8);
    let status_w = width.saturating_sub(label_w + 9);
    let header = format!(
        "{} {:>7}  {}",
        fit("Key version", label_w),
        "Lines",
        "Status"
    );
    let mut lines = vec![Line::from(Span::styled(header, theme.dim()))];
    let room = usize::from(area.height).saturating_sub(2);
    let rows = report.versions.len();
    let shown = if rows <= room {
        rows
    } else {
        room.saturating_sub(1)
    };
    for (row, label) in report.versions.iter().zip(&labels).take(shown) {
        lines.push(row_line(row, label, (label_w, status_w), theme));
    }
    if shown < rows && room > 0 {
        let more = format!("… {} more rows", rows - shown);
        lines.push(Line::from(Span::styled(more, theme.dim())));
    }
    let t = report.totals;
    let old = t.non_primary + t.not_in_vault;
    lines.push(Line::from(vec![
        Span::styled(
            format!("{} under old versions", count(old)),
            if old > 0 { theme.error() } else { theme.ok() },
        ),
        Span::raw(format!(
            " · {} current · {} bad · {} blank",
            count(t.primary),
            count(t.bad),
            count(t.empty)
        )),
    ]));
    frame.render_widget(Paragraph::new(lines), area);
}

fn row_line(
    row: &CensusVersion,
    label: &str,
    (label_w, status_w): (usize, usize),
    theme: Theme,
) -> Line<'static> {
    let (status, fine) = status(row);
    Line::from(vec![
        Span::raw(format!("{} {:>7}  ", fit(label, label_w), count(row.count))),
        Span::styled(
            fit(&status, status_w),
            if fine { theme.ok() } else { theme.error() },
        ),
    ])
}
