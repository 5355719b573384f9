//! The audit log screen: the newest entries of `<vault>.audit.jsonl` (who, when, action, what it
//! touched — the key, source→destination for ReEncrypt, the alias of alias actions — and the
//! result), read again after each request while it shows, and `v` to verify the keyed chain
//! against the vault's anchor.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::core::audit::{AuditEntry, AuditRecord, AuditVerifyReport};

use crate::tui::action::Effect;
use crate::tui::app::{App, PendingKind, Screen};
use crate::tui::job::Job;
use crate::tui::keymap::Cmd;
use crate::tui::modals::Modal;
use crate::tui::modals::error::ErrorModal;
use crate::tui::modals::toast::Level;

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

impl App {
    pub(in crate::tui) fn audit_command(&mut self, cmd: Cmd) -> Vec<Effect> {
        let rows = self.audit_rows();
        let last = self.audit.entries.len().saturating_sub(rows);
        let a = &mut self.audit;
        match cmd {
            Cmd::Up => a.scroll = a.scroll.saturating_sub(1),
            Cmd::Down => a.scroll = (a.scroll + 1).min(last),
            Cmd::PageUp => a.scroll = a.scroll.saturating_sub(rows),
            Cmd::PageDown => a.scroll = (a.scroll + rows).min(last),
            Cmd::Top => a.scroll = 0,
            Cmd::Bottom => a.scroll = last,
            Cmd::Reload => return self.load_audit(),
            Cmd::Verify => return vec![self.begin(Job::VerifyAudit, PendingKind::Verify)],
            _ => {}
        }
        Vec::new()
    }

    fn audit_rows(&self) -> usize {
        let body = crate::tui::app::view::areas(self).body;
        usize::from(body.height.saturating_sub(3)).max(1)
    }

    /// Asks the worker for the log (unless it is already reading it).
    pub(in crate::tui) fn load_audit(&mut self) -> Vec<Effect> {
        let reading = self
            .pending
            .iter()
            .any(|p| matches!(p.kind, PendingKind::Audit));
        if reading || self.info.is_none() {
            return Vec::new();
        }
        self.audit.stale = false;
        vec![self.begin(Job::ReadAudit, PendingKind::Audit)]
    }

    /// Reads the log again if it shows and may have grown.
    pub(in crate::tui) fn audit_autoload(&mut self) -> Vec<Effect> {
        if self.gate.is_none() && self.screen == Screen::Audit && self.audit.stale {
            return self.load_audit();
        }
        Vec::new()
    }

    pub(in crate::tui) fn audit_loaded(
        &mut self,
        read: Result<Vec<AuditEntry>, String>,
    ) -> Vec<Effect> {
        self.audit.loaded = true;
        match read {
            Ok(entries) => {
                self.audit.entries = entries;
                self.audit.error = None;
                let rows = self.audit_rows();
                self.audit.scroll = self.audit.entries.len().saturating_sub(rows);
            }
            Err(e) => self.audit.error = Some(e),
        }
        Vec::new()
    }

    pub(in crate::tui) fn audit_verified(
        &mut self,
        report: Result<AuditVerifyReport, String>,
    ) -> Vec<Effect> {
        match report {
            Ok(r) if r.ok => {
                let text = verified_text(&r);
                self.audit.verified = Some(text.clone());
                self.toast(Level::Success, format!("Audit log verified: {text}"))
            }
            Ok(r) => {
                let (line, reason) = r.first_bad_line.unwrap_or_default();
                self.audit.verified = Some(format!("DAMAGED at line {line}"));
                self.modals.push(Modal::Error(ErrorModal::plain(
                    "Audit log damaged",
                    &format!("Line {line}: {reason}"),
                )));
                Vec::new()
            }
            Err(e) => {
                self.modals
                    .push(Modal::Error(ErrorModal::plain("Audit log unreadable", &e)));
                Vec::new()
            }
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

fn fit(text: &str, width: usize) -> String {
    crate::tui::ui::text::fit(text, width)
}

pub fn render(frame: &mut Frame<'_>, body: Rect, app: &App) {
    let theme = app.config.theme;
    let a = &app.audit;
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
