//! The error modal: an operation that failed, titled with its API code, with the message, the
//! recommendation and the RequestId; `v` opens the whole error document.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::api::{ApiError, ApiRequest, Format};

use crate::tui::modals::result::ResultView;
use crate::tui::ui::text::visible;
use crate::tui::ui::theme::Theme;
use crate::tui::vault_view::VaultView;

/// A failure to show.
#[derive(Debug, Clone)]
pub struct ErrorModal {
    pub title: String,
    pub lines: Vec<String>,
    /// The failed request's document view, for API errors.
    pub document: Option<Box<ResultView>>,
    /// The failed request's RequestId: `a` jumps to its audit entry.
    pub request_id: Option<String>,
}

/// The code of a DryRun that would have succeeded.
pub const DRY_RUN_CODE: &str = "DryRunOperationError";

impl ErrorModal {
    /// A failed API request.
    pub fn api(request: ApiRequest, error: ApiError, format: Format, view: &VaultView) -> Self {
        let title = format!("{} ({})", error.code, error.http_status);
        let mut lines = vec![error.message.clone()];
        if error.code == DRY_RUN_CODE {
            lines.insert(
                0,
                "DryRun: every check passed; nothing was done.".to_owned(),
            );
        } else if !error.recommend.is_empty() {
            lines.push(error.recommend.clone());
        }
        lines.push(format!("RequestId {}", error.request_id));
        Self {
            request_id: Some(error.request_id.clone()),
            title,
            lines,
            document: Some(Box::new(ResultView::new(request, Err(error), format, view))),
        }
    }

    /// The same modal, for a request sent as `principal` (its document's CLI line says so).
    #[must_use]
    pub fn acting_as(mut self, principal: &str) -> Self {
        self.document = self.document.map(|d| Box::new(d.acting_as(principal)));
        self
    }

    /// A failure outside the API (opening the vault, reading the audit log, saving a file).
    pub fn plain(title: &str, message: &str) -> Self {
        Self {
            title: title.to_owned(),
            lines: vec![message.to_owned()],
            document: None,
            request_id: None,
        }
    }

    pub fn is_dry_run(&self) -> bool {
        self.title.starts_with(DRY_RUN_CODE)
    }

    pub fn render(&self, frame: &mut Frame<'_>, area: Rect, theme: Theme) {
        frame.render_widget(Clear, area);
        let style = if self.is_dry_run() {
            theme.ok()
        } else {
            theme.error()
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(style)
            .title(Span::styled(format!(" {} ", self.title), style));
        let mut lines: Vec<Line<'_>> = self.lines.iter().map(|l| Line::from(visible(l))).collect();
        lines.push(Line::default());
        let mut keys = vec![Span::styled("esc", theme.key()), Span::raw(" close")];
        if self.document.is_some() {
            keys.extend([
                Span::raw("  "),
                Span::styled("v", theme.key()),
                Span::raw(" error document"),
            ]);
        }
        if self.title.starts_with("Forbidden.NoPermission") && self.document.is_some() {
            keys.extend([
                Span::raw("  "),
                Span::styled("w", theme.key()),
                Span::raw(" why denied?"),
            ]);
        }
        if self.request_id.is_some() {
            keys.extend([
                Span::raw("  "),
                Span::styled("a", theme.key()),
                Span::raw(" audit entry"),
            ]);
        }
        lines.push(Line::from(keys));
        frame.render_widget(
            Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
            area,
        );
    }
}
