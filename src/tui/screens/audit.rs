//! The audit log screen: the newest entries of `<vault>.audit.jsonl` (who, when, action, what it
//! touched — the key, source→destination for ReEncrypt, the alias of alias actions — and the
//! result), read again after each request while it shows, and `v` to verify the keyed chain
//! against the vault's anchor.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::core::audit::{AuditEntry, AuditRecord, AuditVerifyReport};

use crate::tui::context::Cx;
use crate::tui::job::{Job, PendingKind};
use crate::tui::keymap::Cmd;
use crate::tui::modals::Modal;
use crate::tui::modals::error::ErrorModal;
use crate::tui::modals::toast::Level;
use crate::tui::screens::Out;
use crate::tui::ui::text::fit;

/// The entries shown and where the view is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditScreen {
    pub entries: Vec<AuditEntry>,
    /// First entry shown.
    pub scroll: usize,
    /// The log may have grown since it was read.
    pub stale: bool,
    pub loaded: bool,
    /// The last verification, for the title.
    pub verified: Option<String>,
    pub error: Option<String>,
}

impl AuditScreen {
    /// A key of the audit screen.
    pub fn update(&mut self, cmd: Cmd, cx: &Cx<'_>) -> Vec<Out> {
        let rows = Self::rows(cx.body);
        let last = self.entries.len().saturating_sub(rows);
        if let Some(at) = cmd.scrolled(self.scroll, rows, last) {
            self.scroll = at;
            return Vec::new();
        }
        match cmd {
            Cmd::Reload => return vec![Out::LoadAudit],
            Cmd::Verify => return vec![Out::Run(Job::VerifyAudit, PendingKind::Verify)],
            _ => {}
        }
        Vec::new()
    }

    fn rows(body: Rect) -> usize {
        usize::from(body.height.saturating_sub(3)).max(1)
    }

    /// The log as the worker read it (scrolled to its end), or why it could not.
    pub fn loaded(&mut self, read: Result<Vec<AuditEntry>, String>, cx: &Cx<'_>) {
        self.loaded = true;
        match read {
            Ok(entries) => {
                self.entries = entries;
                self.error = None;
                self.scroll = self.entries.len().saturating_sub(Self::rows(cx.body));
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

    /// Draws the screen into `body`.
    pub fn render(&self, frame: &mut Frame<'_>, body: Rect, cx: &Cx<'_>) {
        render(frame, body, self, cx);
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

/// Widths of the principal, action and "touched" columns: room for `source→destination` from
/// 80 columns on; narrower screens keep room for the result.
fn widths(width: u16) -> (usize, usize, usize) {
    if width >= 78 {
        (10, 18, 19)
    } else {
        (8, 14, 9)
    }
}

/// What the entry touched, in `width` columns: `source→destination` for ReEncrypt, the alias of
/// an alias action, else the resolved key — or the reference as given if none resolved.
fn touched(r: &AuditRecord, width: usize) -> String {
    let short = crate::tui::ui::text::short_id;
    let text = match (&r.source_key_id, &r.key_id, &r.alias_name) {
        (Some(source), Some(destination), _) if width >= 19 => {
            format!("{}→{}", short(source), short(destination))
        }
        (_, _, Some(alias)) => alias.clone(),
        (_, Some(key), _) => short(key),
        _ => r.key_ref.clone().unwrap_or_else(|| "—".to_owned()),
    };
    fit(&text, width)
}

fn entry_line(e: &AuditEntry, width: u16, theme: crate::tui::ui::theme::Theme) -> Line<'_> {
    let r = &e.record;
    let time = short_time(&r.time, width);
    let (principal, action, key) = widths(width);
    let key = touched(r, key);
    let ok = r.result == "Success";
    let row = format!(
        "{time} {} {} {key} ",
        fit(&r.principal, principal),
        fit(&r.action, action)
    );
    // What is left for the result; cut with a visible "…" rather than at the border.
    let left = usize::from(width).saturating_sub(5 + row.chars().count());
    let result = if r.result.chars().count() > left {
        fit(&r.result, left)
    } else {
        r.result.clone()
    };
    Line::from(vec![
        Span::styled(format!("{:>4} ", e.seq), theme.dim()),
        Span::raw(row),
        Span::styled(result, if ok { theme.ok() } else { theme.error() }),
    ])
}

/// The whole date on wide screens, else `MM-DD HH:MM`.
fn short_time(time: &str, width: u16) -> String {
    if width >= 100 {
        time.to_owned()
    } else {
        time.get(5..16).unwrap_or(time).replace('T', " ")
    }
}

fn render(frame: &mut Frame<'_>, body: Rect, a: &AuditScreen, cx: &Cx<'_>) {
    let theme = cx.theme;
    let mut title = format!(" Audit log ({} entries) ", a.entries.len());
    if let Some(v) = &a.verified {
        title.push_str("· ");
        title.push_str(v);
        title.push(' ');
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border())
        .title(Span::styled(title, theme.title()));
    let inner = block.inner(body);
    frame.render_widget(block, body);
    let time = short_time("yyyy-MM-ddTHH:mm:ssZ", inner.width);
    let (principal, action, key) = widths(inner.width);
    let header = format!(
        "   # {} {} {} {} result",
        fit("time", time.chars().count()),
        fit("principal", principal),
        fit("action", action),
        fit("key", key)
    );
    let mut lines = vec![Line::from(Span::styled(header, theme.dim()))];
    if let Some(e) = &a.error {
        lines.push(Line::from(Span::styled(e.as_str(), theme.error())));
    } else if a.entries.is_empty() {
        let text = if a.loaded {
            "The audit log is empty."
        } else {
            "Reading the audit log…"
        };
        lines.push(Line::from(Span::styled(text, theme.dim())));
    }
    let rows = usize::from(inner.height.saturating_sub(1));
    lines.extend(
        a.entries
            .iter()
            .skip(a.scroll)
            .take(rows)
            .map(|e| entry_line(e, inner.width, theme)),
    );
    frame.render_widget(Paragraph::new(lines), inner);
}
