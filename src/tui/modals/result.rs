//! The result view: the response document of a request (JSON or XML), a one-line summary of
//! what happened, and the equivalent command line and `?Action=…` request, ready to copy or save.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::api::{ApiError, ApiRequest, ApiResponse, Format};

use crate::tui::ui::text::short_id;
use crate::tui::ui::theme::Theme;
use crate::tui::vault_view::VaultView;

/// A finished request and how it is shown.
#[derive(Debug, Clone)]
pub struct ResultView {
    pub request: ApiRequest,
    pub outcome: Result<ApiResponse, ApiError>,
    pub format: Format,
    pub scroll: u16,
    pub summary: String,
}

impl ResultView {
    pub fn new(
        request: ApiRequest,
        outcome: Result<ApiResponse, ApiError>,
        format: Format,
        view: &VaultView,
    ) -> Self {
        let summary = summarize(&outcome, view);
        Self {
            request,
            outcome,
            format,
            scroll: 0,
            summary,
        }
    }

    /// The response (or error) document in the chosen format.
    pub fn document(&self) -> String {
        match &self.outcome {
            Ok(r) => r.render(self.format),
            Err(e) => e.render(self.format),
        }
    }

    pub fn cli_line(&self) -> String {
        self.request.to_cli_line()
    }

    pub fn query(&self) -> String {
        self.request.to_query()
    }

    /// A file name to save the document under.
    pub fn default_file_name(&self) -> String {
        let id = match &self.outcome {
            Ok(r) => r.request_id.as_str(),
            Err(e) => e.request_id.as_str(),
        };
        let ext = match self.format {
            Format::Json => "json",
            Format::Xml => "xml",
        };
        format!(
            "{}-{}.{ext}",
            self.request.action,
            short_id(id).trim_end_matches('…')
        )
    }

    pub fn toggle_format(&mut self) {
        self.format = match self.format {
            Format::Json => Format::Xml,
            Format::Xml => Format::Json,
        };
        self.scroll = 0;
    }

    fn block(&self, theme: Theme) -> Block<'static> {
        let (title, style) = match &self.outcome {
            Ok(_) => (format!(" {} ✓ ", self.request.action), theme.ok()),
            Err(e) => (
                format!(" {} ✗ {} ", self.request.action, e.code),
                theme.error(),
            ),
        };
        let format = match self.format {
            Format::Json => " JSON ",
            Format::Xml => " XML ",
        };
        Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border_focus())
            .title(Span::styled(title, style))
            .title(Line::from(Span::styled(format, theme.dim())).right_aligned())
    }

    /// Rows for the CLI line and the query: what they need wrapped, up to half of `inner`.
    fn tail_height(&self, inner: Rect) -> u16 {
        if inner.height < 10 {
            return 0;
        }
        let width = usize::from(inner.width.max(1));
        let wrapped = |text: String| (text.chars().count() + 6).div_ceil(width);
        let needed = wrapped(self.cli_line()) + wrapped(self.query());
        u16::try_from(needed)
            .unwrap_or(u16::MAX)
            .min(inner.height / 2)
    }

    /// The summary line, the document and the CLI and query lines within `inner`.
    fn parts(&self, inner: Rect) -> [Rect; 3] {
        Layout::vertical([
            Constraint::Length(u16::from(!self.summary.is_empty() && inner.height >= 4)),
            Constraint::Min(1),
            Constraint::Length(self.tail_height(inner)),
        ])
        .areas(inner)
    }

    /// How far the document scrolls when drawn in `area`: until its last line is at the
    /// bottom of its part, no further (wrapped lines counted as drawn).
    pub fn max_scroll(&self, area: Rect) -> u16 {
        let [_, document, _] = self.parts(Block::default().borders(Borders::ALL).inner(area));
        let width = usize::from(document.width.max(1));
        let rows: usize = self
            .document()
            .lines()
            .map(|l| l.chars().count().div_ceil(width).max(1))
            .sum();
        u16::try_from(rows)
            .unwrap_or(u16::MAX)
            .saturating_sub(document.height)
    }

    pub fn render(&self, frame: &mut Frame<'_>, area: Rect, theme: Theme) {
        frame.render_widget(Clear, area);
        let block = self.block(theme);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let [summary, document, cli] = self.parts(inner);
        frame.render_widget(
            Paragraph::new(Span::styled(self.summary.as_str(), theme.title())),
            summary,
        );
        frame.render_widget(
            Paragraph::new(self.document())
                .wrap(Wrap { trim: false })
                .scroll((self.scroll, 0)),
            document,
        );
        let lines = vec![
            Line::from(vec![
                Span::styled("CLI   ", theme.dim()),
                Span::raw(self.cli_line()),
            ]),
            Line::from(vec![
                Span::styled("Query ", theme.dim()),
                Span::raw(self.query()),
            ]),
        ];
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), cli);
    }
}

/// One line on what a response means: the key and version it concerns, and whether that is
/// the key's primary version.
fn summarize(outcome: &Result<ApiResponse, ApiError>, view: &VaultView) -> String {
    let response = match outcome {
        Ok(r) => r,
        Err(e) => return format!("{} ({}): {}", e.code, e.http_status, e.message),
    };
    let Some(subject) = &response.subject else {
        return "Success".to_owned();
    };
    let key_id = subject.key_id.as_str();
    let key = view.key(key_id);
    let name = key.map_or_else(
        || short_id(key_id),
        |k| {
            k.aliases
                .first()
                .cloned()
                .unwrap_or_else(|| short_id(&k.key_id))
        },
    );
    let version = subject.key_version_id.as_deref();
    match (version, key) {
        (Some(v), Some(k)) => {
            let primary = if k.primary_id() == v {
                " (primary)"
            } else {
                " (not primary)"
            };
            format!("Key {name} · version {v}{primary}")
        }
        (Some(v), None) => format!("Key {name} · version {v}"),
        (None, _) => format!("Key {name}"),
    }
}
