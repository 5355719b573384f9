//! The audit log screen: the whole of `<vault>.audit.jsonl`, a page at a time from the file
//! (newest page first, never the whole file read to open it), each entry's detail on ⏎, a `/`
//! filter (principal, action, key, result, time, RequestId) searched by the worker a chunk at a
//! time with matches shown as they are found, and `v` to verify the keyed chain against the
//! vault's anchor.

mod detail;
pub mod filter;
mod search;
mod table;

pub use self::search::Search;

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::core::audit::AuditVerifyReport;
use crate::core::audit::pages::{LogLine, Page};

use crate::tui::context::Cx;
use crate::tui::job::{AuditAt, Job, PendingKind};
use crate::tui::keymap::{Cmd, Layer};
use crate::tui::modals::Modal;
use crate::tui::modals::error::ErrorModal;
use crate::tui::modals::toast::Level;
use crate::tui::screens::Out;

/// A search keeps at most this many matches (narrow the filter for more).
pub const MAX_MATCHES: usize = 5000;

/// The page shown and where the view is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditScreen {
    /// The lines of the page read last, oldest first.
    pub page: Page,
    /// The selected row (of the page, or of the matches while a filter is on).
    pub selected: usize,
    /// First row shown.
    pub scroll: usize,
    /// The highest seq seen at the log's end, for "of ≈N" in the title.
    pub newest_seq: Option<u64>,
    /// The log may have grown since it was read.
    pub stale: bool,
    pub loaded: bool,
    /// The last verification, for the title.
    pub verified: Option<String>,
    pub error: Option<String>,
    /// The entry whose detail is open.
    pub detail: Option<Detail>,
    /// The `/` prompt being typed, and why its last text was refused.
    pub prompt: Option<String>,
    pub prompt_error: Option<String>,
    /// The filter in force and what it found.
    pub search: Option<Search>,
    /// Counts searches, so that the chunks of a cancelled one are dropped.
    pub generation: u64,
}

/// An entry's detail view.
#[derive(Debug, Clone, PartialEq)]
pub struct Detail {
    pub line: LogLine,
    pub scroll: usize,
}

impl AuditScreen {
    /// The layer of the keys: the prompt, the detail, or the list.
    pub fn layer(&self) -> Layer {
        if self.prompt.is_some() {
            Layer::AuditFilter
        } else if self.detail.is_some() {
            Layer::AuditDetail
        } else {
            Layer::Audit
        }
    }

    /// The rows the list shows: the matches while a filter is on, else the page.
    pub fn rows_shown(&self) -> &[LogLine] {
        self.search
            .as_ref()
            .map_or(self.page.lines.as_slice(), |s| s.matches.as_slice())
    }

    /// A key of the audit screen.
    pub fn update(&mut self, layer: Layer, cmd: Cmd, cx: &Cx<'_>) -> Vec<Out> {
        match layer {
            Layer::AuditFilter => self.prompt_command(cmd),
            Layer::AuditDetail => {
                self.detail_command(cmd, cx);
                Vec::new()
            }
            _ => self.list_command(cmd, cx),
        }
    }

    fn list_command(&mut self, cmd: Cmd, cx: &Cx<'_>) -> Vec<Out> {
        let rows = Self::rows(cx.body);
        match cmd {
            Cmd::Reload => return vec![Out::LoadAudit],
            Cmd::Verify => return vec![Out::Run(Job::VerifyAudit, PendingKind::Verify)],
            Cmd::ViewDocument => {
                if let Some(line) = self.rows_shown().get(self.selected) {
                    self.detail = Some(Detail {
                        line: line.clone(),
                        scroll: 0,
                    });
                }
                return Vec::new();
            }
            Cmd::Filter => {
                let text = self.search.as_ref().map(|s| filter::describe(&s.filter));
                self.prompt = Some(text.unwrap_or_default());
                self.prompt_error = None;
                return Vec::new();
            }
            Cmd::ClearFilter => return self.clear_filter(),
            _ => {}
        }
        let len = self.rows_shown().len();
        let last = len.saturating_sub(1);
        let Some(at) = cmd.scrolled(self.selected, rows, last) else {
            return Vec::new();
        };
        if self.search.is_none()
            && let Some(out) = self.turn_page(cmd, at, len)
        {
            return vec![out];
        }
        self.select(at, rows);
        Vec::new()
    }

    /// Moving past either end of the page reads the next page from the file; `g` and `G` read
    /// the oldest and the newest page.
    fn turn_page(&self, cmd: Cmd, at: usize, len: usize) -> Option<Out> {
        let page = &self.page;
        let read = |at: AuditAt, last: bool| {
            Some(Out::Run(Job::ReadAudit(at), PendingKind::Audit { last }))
        };
        match cmd {
            Cmd::Top if !page.at_start => read(AuditAt::After(0), false),
            Cmd::Bottom if !page.at_end => read(AuditAt::Newest, true),
            Cmd::Up | Cmd::PageUp if self.selected == 0 && !page.at_start => {
                read(AuditAt::Before(page.start()), true)
            }
            Cmd::Down | Cmd::PageDown
                if self.selected + 1 >= len && at + 1 >= len && !page.at_end =>
            {
                read(AuditAt::After(page.end()), false)
            }
            _ => None,
        }
    }

    fn select(&mut self, at: usize, rows: usize) {
        self.selected = at;
        if at < self.scroll {
            self.scroll = at;
        } else if at >= self.scroll + rows {
            self.scroll = at + 1 - rows;
        }
    }

    /// Esc: stops a running search (its matches stay), else drops the filter.
    fn clear_filter(&mut self) -> Vec<Out> {
        match &mut self.search {
            Some(s) if s.running => {
                s.running = false;
                self.generation += 1;
                vec![Out::toast(Level::Info, "Audit search stopped")]
            }
            Some(s) => {
                (self.selected, self.scroll) = s.back;
                self.search = None;
                self.generation += 1;
                vec![Out::LoadAudit]
            }
            // Nothing to stop or clear: esc goes back one level, as on every screen.
            None => vec![Out::Back],
        }
    }

    fn prompt_command(&mut self, cmd: Cmd) -> Vec<Out> {
        match cmd {
            Cmd::FilterDone => {
                let text = self.prompt.clone().unwrap_or_default();
                match filter::parse(&text) {
                    Ok(f) if f.is_empty() => {
                        self.prompt = None;
                        match &mut self.search {
                            Some(s) => {
                                s.running = false;
                                self.clear_filter()
                            }
                            None => Vec::new(),
                        }
                    }
                    Ok(f) => {
                        self.prompt = None;
                        self.start_search(f, false)
                    }
                    Err(e) => {
                        self.prompt_error = Some(e);
                        Vec::new()
                    }
                }
            }
            Cmd::ClearFilter => {
                self.prompt = None;
                self.prompt_error = None;
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    /// A key typed into the `/` prompt.
    pub fn prompt_input(&mut self, key: crossterm::event::KeyEvent) {
        if let Some(text) = &mut self.prompt
            && crate::tui::ui::text::edit_filter(text, key)
        {
            self.prompt_error = None;
        }
    }

    /// Text pasted into the `/` prompt (control characters dropped).
    pub fn prompt_paste(&mut self, pasted: &str) {
        if let Some(text) = &mut self.prompt {
            text.extend(pasted.chars().filter(|c| !c.is_control()));
        }
    }

    fn detail_command(&mut self, cmd: Cmd, cx: &Cx<'_>) {
        let Some(d) = &mut self.detail else {
            return;
        };
        if cmd == Cmd::Close {
            self.detail = None;
            return;
        }
        let rows = usize::from(cx.body.height.saturating_sub(2)).max(1);
        let last = detail::lines(&d.line, cx.theme).len().saturating_sub(rows);
        if let Some(at) = cmd.scrolled(d.scroll, rows, last) {
            d.scroll = at;
        }
    }

    /// The job that reads the log again where the view is: the newest page if it shows the
    /// end, else the same page.
    pub fn reload_job(&self) -> (Job, PendingKind) {
        let at = if self.page.at_end || self.page.lines.is_empty() {
            AuditAt::Newest
        } else {
            AuditAt::After(self.page.start())
        };
        let last = at == AuditAt::Newest && self.selected + 1 >= self.page.lines.len();
        (Job::ReadAudit(at), PendingKind::Audit { last })
    }

    fn rows(body: Rect) -> usize {
        usize::from(body.height.saturating_sub(3)).max(1)
    }

    /// A page as the worker read it, or why it could not be read. `last` selects its last line
    /// (paging up, or the newest page), else the line selected before if the page still has
    /// it (a reload), else its first.
    pub fn loaded(&mut self, read: Result<Page, String>, last: bool, cx: &Cx<'_>) {
        self.loaded = true;
        let keep = self.page.lines.get(self.selected).map(|l| l.offset);
        match read {
            Ok(page) => {
                if page.at_end {
                    self.newest_seq = page
                        .lines
                        .iter()
                        .rev()
                        .find_map(|l| l.entry.as_ref().map(|e| e.seq))
                        .or(self.newest_seq);
                }
                self.page = page;
                self.error = None;
                if self.search.is_none() {
                    let rows = Self::rows(cx.body);
                    let kept =
                        keep.and_then(|o| self.page.lines.iter().position(|l| l.offset == o));
                    match (last, kept) {
                        (true, _) => {
                            let at = self.page.lines.len().saturating_sub(1);
                            self.selected = at;
                            self.scroll = (at + 1).saturating_sub(rows);
                        }
                        (false, Some(at)) => self.select(at, rows),
                        (false, None) => (self.selected, self.scroll) = (0, 0),
                    }
                }
            }
            Err(e) => self.error = Some(e),
        }
    }

    /// The verification's report: the title says it; a damaged log opens an error modal.
    pub fn verified(&mut self, report: Result<AuditVerifyReport, String>) -> Vec<Out> {
        match report {
            Ok(r) if r.ok => {
                let text = verified_text(&r);
                self.verified = Some(text.clone());
                vec![Out::toast(
                    Level::Success,
                    format!("Audit log verified: {text}"),
                )]
            }
            Ok(r) => {
                let (line, reason) = r.first_bad_line.unwrap_or_default();
                self.verified = Some(format!("DAMAGED at line {line}"));
                vec![Out::Modal(Modal::Error(ErrorModal::plain(
                    "Audit log damaged",
                    &format!("Line {line}: {reason}"),
                )))]
            }
            Err(e) => vec![Out::Modal(Modal::Error(ErrorModal::plain(
                "Audit log unreadable",
                &e,
            )))],
        }
    }

    /// Draws the screen into `body`: the detail if one is open, else the list.
    pub fn render(&self, frame: &mut Frame<'_>, body: Rect, cx: &Cx<'_>) {
        match &self.detail {
            Some(d) => detail::render(frame, body, d, cx.theme),
            None => table::render(self, frame, body, cx),
        }
    }
}

/// The title's words for a sound log: its lines, and those after the anchor or unkeyed.
fn verified_text(r: &AuditVerifyReport) -> String {
    let anchor = if r.anchor_seq.is_some() {
        format!(", {} after the anchor", r.after_anchor)
    } else {
        ", no anchor yet".to_owned()
    };
    let legacy = r
        .legacy_until
        .map(|until| format!(", unkeyed up to seq {until}"))
        .unwrap_or_default();
    format!("chain intact, {} lines{anchor}{legacy}", r.lines_checked)
}
