//! Draws the Endpoint screen: its state and address, the live request table (newest first) and
//! the selected SDK's snippet with the AccessKeyId written in and the secret masked.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table};

use crate::core::clock::format_date;
use crate::core::secret::SecretString;
use crate::serve::LoggedRequest;
use crate::serve::snippets;

use crate::tui::context::Cx;
use crate::tui::screens::endpoint::{EndpointScreen, EndpointState};
use crate::tui::ui::text::visible;
use crate::tui::ui::theme::Theme;
use crate::tui::vault_view::VaultView;

/// What stands for the AccessKeySecret on screen.
pub const MASKED_SECRET: &str = "••••••••••••••••";

impl EndpointScreen {
    /// Draws the screen into `body`.
    pub fn render(&self, frame: &mut Frame<'_>, body: Rect, cx: &Cx<'_>) {
        let theme = cx.theme;
        let [head, requests, snippet] = Layout::vertical([
            Constraint::Length(3),
            Constraint::Fill(2),
            Constraint::Fill(3),
        ])
        .areas(body);
        render_head(frame, head, self, theme);
        render_requests(frame, requests, self, cx.view, theme);
        render_snippet(frame, snippet, self, cx.view, theme);
    }
}

fn render_head(frame: &mut Frame<'_>, area: Rect, e: &EndpointScreen, theme: Theme) {
    let (state, style) = match e.state {
        EndpointState::Stopped => ("○ stopped".to_owned(), theme.dim()),
        EndpointState::Starting => ("◌ starting…".to_owned(), theme.warn()),
        EndpointState::Running(at) => (format!("● running at http://{at}"), theme.ok()),
        EndpointState::Stopping => ("◌ stopping (finishing requests)…".to_owned(), theme.warn()),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(if e.editing.is_some() {
            theme.border_focus()
        } else {
            theme.border()
        })
        .title(Span::styled(" Endpoint ", theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let label = "Listen ";
    let [state_area, label_area, field_area] = Layout::horizontal([
        Constraint::Length(u16::try_from(state.chars().count() + 2).unwrap_or(u16::MAX)),
        Constraint::Length(7),
        Constraint::Fill(1),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(Span::styled(state, style)), state_area);
    if !e.is_running() {
        frame.render_widget(Paragraph::new(Span::styled(label, theme.dim())), label_area);
        e.listen
            .render(frame, field_area, e.editing.is_some(), theme);
    }
}

/// `HH:MM:SS` of a time (UTC).
fn clock_time(t: i64) -> String {
    format_date(t).chars().skip(11).take(8).collect()
}

/// A latency as people read it.
fn latency(micros: u64) -> String {
    if micros < 1000 {
        format!("{micros} µs")
    } else {
        format!("{}.{} ms", micros / 1000, (micros % 1000) / 100)
    }
}

/// A key as the table names it: its alias if it has one.
fn key_label(view: &VaultView, key_id: Option<&str>) -> String {
    let Some(id) = key_id else {
        return "-".to_owned();
    };
    view.key(id)
        .and_then(|k| k.aliases.first())
        .map_or_else(|| id.to_owned(), Clone::clone)
}

fn render_requests(
    frame: &mut Frame<'_>,
    area: Rect,
    e: &EndpointScreen,
    view: &VaultView,
    theme: Theme,
) {
    let requests: &[LoggedRequest] = &e.requests;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border())
        .title(Span::styled(
            format!(" Requests ({}, newest first) ", requests.len()),
            theme.title(),
        ));
    if requests.is_empty() {
        let text = Line::from(Span::styled(
            "No requests yet. Point an SDK at the endpoint with a snippet below.",
            theme.dim(),
        ));
        frame.render_widget(
            Paragraph::new(text)
                .block(block)
                .wrap(ratatui::widgets::Wrap { trim: true }),
            area,
        );
        return;
    }
    let rows = requests.iter().rev().map(|r| {
        let code_style = if r.event.status < 400 {
            theme.ok()
        } else {
            theme.error()
        };
        Row::new(vec![
            Span::raw(clock_time(r.time)),
            Span::raw(
                r.event
                    .principal
                    .as_deref()
                    .map_or_else(|| "-".to_owned(), visible),
            ),
            Span::raw(visible(&r.event.action)),
            Span::raw(visible(&key_label(view, r.event.key_id.as_deref()))),
            Span::styled(visible(&r.event.code), code_style),
            Span::raw(latency(r.event.micros)),
        ])
    });
    let header =
        Row::new(["Time", "Principal", "Action", "Key", "Result", "Latency"]).style(theme.dim());
    let widths = [
        Constraint::Length(8),
        Constraint::Length(9),
        Constraint::Length(12),
        Constraint::Fill(1),
        Constraint::Length(22),
        Constraint::Length(8),
    ];
    frame.render_widget(Table::new(rows, widths).header(header).block(block), area);
}

fn render_snippet(
    frame: &mut Frame<'_>,
    area: Rect,
    e: &EndpointScreen,
    view: &VaultView,
    theme: Theme,
) {
    let index = e.snippet % snippets::ALL.len();
    let Some(snippet) = snippets::ALL.get(index) else {
        return;
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border())
        .title(Span::styled(
            format!(
                " Snippet {}/{}: {} ",
                index + 1,
                snippets::ALL.len(),
                snippet.title
            ),
            theme.title(),
        ));
    let mut lines = Vec::new();
    let code = if let Some((principal, access_key_id)) = e.access_key(view) {
        lines.push(Line::from(vec![
            Span::styled("as ", theme.dim()),
            Span::raw(principal.to_owned()),
            Span::styled("  AccessKeyId ", theme.dim()),
            Span::raw(access_key_id.to_owned()),
            Span::styled("  secret ", theme.dim()),
            Span::raw(MASKED_SECRET),
            Span::styled("  (c copies it with the secret)", theme.dim()),
        ]));
        let masked = SecretString::from(MASKED_SECRET);
        snippet
            .filled(&e.address(), access_key_id, &masked)
            .expose()
            .to_owned()
    } else {
        lines.push(Line::from(Span::styled(
            crate::tui::screens::endpoint::NO_ACCESS_KEY,
            theme.warn(),
        )));
        snippet
            .template
            .replace(snippets::TEMPLATE_ENDPOINT, &e.address())
    };
    lines.extend(code.lines().map(|l| Line::from(l.to_owned())));
    frame.render_widget(
        Paragraph::new(lines).block(block).scroll((e.scroll, 0)),
        area,
    );
}
