//! The result view: the response document of a request (JSON or XML), a one-line summary of
//! what happened, and the equivalent command line and `?Action=…` request, ready to copy or save.
//!
//! Chaining: one field (`KeyId`, `CiphertextBlob`, `Plaintext`) can be copied alone, and a blob
//! can be taken into a Decrypt or ReEncrypt form with its context ([`ResultView::chain`]).
//! Plaintexts and data keys are masked until revealed: what is copied or saved is always what
//! the screen shows, so a masked value leaves the console only after the explicit reveal.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use serde_json::Value;

use crate::api::{Action, ApiError, ApiRequest, ApiResponse, Format};

use crate::tui::ui::text::{short_id, visible};
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
    /// Who sent the request (the CLI line carries `--as` unless it is the default principal).
    pub principal: String,
    /// Whether the secret fields are shown (masked until revealed).
    pub revealed: bool,
}

/// The principal the CLI acts as without `--as`.
pub const DEFAULT_PRINCIPAL: &str = "admin";

/// Response fields that hold a plaintext or a data key: masked until revealed.
pub const SECRET_FIELDS: &[&str] = &["Plaintext"];

/// What a masked value shows instead.
pub const MASK: &str = "•••••••• masked (m reveals)";

/// The fields one key copies alone, with the key's label.
pub const FIELD_KEYS: &[(&str, &str)] =
    &[("K", "KeyId"), ("b", "CiphertextBlob"), ("p", "Plaintext")];

/// A form to open filled from a result: the action and its field values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    pub action: Action,
    pub fields: Vec<(&'static str, String)>,
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
            principal: DEFAULT_PRINCIPAL.to_owned(),
            revealed: false,
        }
    }

    /// The same view, for a request sent as `principal`.
    #[must_use]
    pub fn acting_as(mut self, principal: &str) -> Self {
        principal.clone_into(&mut self.principal);
        self
    }

    /// Whether the response holds a secret field (a plaintext or a data key).
    pub fn has_secret(&self) -> bool {
        self.outcome
            .as_ref()
            .is_ok_and(|r| SECRET_FIELDS.iter().any(|f| r.fields.contains_key(*f)))
    }

    /// Whether a secret field is hidden right now.
    pub fn is_masked(&self) -> bool {
        self.has_secret() && !self.revealed
    }

    /// Shows or hides the secret fields.
    pub fn toggle_reveal(&mut self) {
        self.revealed = !self.revealed;
    }

    /// The response (or error) document in the chosen format, secret fields masked unless
    /// revealed.
    pub fn document(&self) -> String {
        match &self.outcome {
            Ok(r) if self.is_masked() => {
                let mut shown = r.clone();
                for name in SECRET_FIELDS {
                    if let Some(v) = shown.fields.get_mut(*name) {
                        *v = Value::String(MASK.to_owned());
                    }
                }
                shown.render(self.format)
            }
            Ok(r) => r.render(self.format),
            Err(e) => e.render(self.format),
        }
    }

    /// The document as drawn: line by line, its control characters shown visibly.
    fn shown_document(&self) -> String {
        let lines: Vec<String> = self.document().lines().map(visible).collect();
        lines.join("\n")
    }

    /// The fields of the response that can be copied alone, in [`FIELD_KEYS`] order.
    pub fn copyable_fields(&self) -> Vec<(&'static str, &'static str)> {
        let Ok(r) = &self.outcome else {
            return Vec::new();
        };
        FIELD_KEYS
            .iter()
            .filter(|(_, name)| r.field(name).is_some())
            .copied()
            .collect()
    }

    /// One field's value to copy: `Err` says why not (absent, or masked: reveal first).
    pub fn field_to_copy(&self, name: &str) -> Result<String, String> {
        let value = self
            .outcome
            .as_ref()
            .ok()
            .and_then(|r| r.field(name))
            .ok_or_else(|| format!("This result has no {name}"))?;
        if SECRET_FIELDS.contains(&name) && !self.revealed {
            return Err(format!(
                "{name} is masked: m reveals it, then it can be copied"
            ));
        }
        Ok(value.to_owned())
    }

    /// The form `action` (Decrypt or ReEncrypt) filled from this result: its blob, and the
    /// context the blob is bound to.
    pub fn chain(&self, action: Action) -> Result<Chain, String> {
        let blob = self
            .outcome
            .as_ref()
            .ok()
            .and_then(|r| r.field("CiphertextBlob"))
            .ok_or_else(|| "This result has no CiphertextBlob to take further".to_owned())?;
        let context_param = if self.request.is(Action::ReEncrypt) {
            "DestinationEncryptionContext"
        } else {
            "EncryptionContext"
        };
        let context = self.request.params.get(context_param);
        let context_field = match action {
            Action::Decrypt => "EncryptionContext",
            Action::ReEncrypt => "SourceEncryptionContext",
            _ => return Err(format!("{action} does not take a CiphertextBlob")),
        };
        let mut fields = vec![("CiphertextBlob", blob.to_owned())];
        if let Some(c) = context.filter(|c| !c.is_empty()) {
            fields.push((context_field, c.clone()));
        }
        Ok(Chain { action, fields })
    }

    /// The equivalent command line: run as-is in a shell it makes the same call as the same
    /// principal and prints the same document (`--as`, `--Format XML` when they apply).
    pub fn cli_line(&self) -> String {
        let mut line = self.request.to_cli_line();
        if self.principal != DEFAULT_PRINCIPAL {
            line.push_str(" --as ");
            line.push_str(&crate::api::shell_quote(&self.principal));
        }
        if self.format == Format::Xml {
            line.push_str(" --Format XML");
        }
        line
    }

    /// The equivalent `?Action=` request (`Format=XML` when the XML view is shown).
    pub fn query(&self) -> String {
        let mut q = self.request.to_query();
        if self.format == Format::Xml {
            q.push_str("&Format=XML");
        }
        q
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

    /// The keys that take this result further: copy one field, Decrypt/ReEncrypt this blob,
    /// reveal or mask the secret; `None` when the result has none of them.
    fn chain_line(&self, theme: Theme) -> Option<Line<'static>> {
        let fields = self.copyable_fields();
        if fields.is_empty() {
            return None;
        }
        let mut spans = vec![Span::styled("copy ", theme.dim())];
        for (i, (key, name)) in fields.iter().enumerate() {
            if i > 0 {
                spans.push(Span::raw(" "));
            }
            spans.push(Span::styled(*key, theme.key()));
            spans.push(Span::raw(format!(" {name}")));
        }
        if fields.iter().any(|(_, n)| *n == "CiphertextBlob") {
            spans.push(Span::raw("  "));
            spans.push(Span::styled("d", theme.key()));
            spans.push(Span::raw(" Decrypt this "));
            spans.push(Span::styled("r", theme.key()));
            spans.push(Span::raw(" ReEncrypt this"));
        }
        if self.has_secret() {
            spans.push(Span::raw("  "));
            spans.push(Span::styled("m", theme.key()));
            spans.push(Span::raw(if self.revealed { " mask" } else { " reveal" }));
        }
        Some(Line::from(spans))
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

    /// The summary line, the document, the line of chaining keys and the CLI and query lines
    /// within `inner`.
    fn parts(&self, inner: Rect) -> [Rect; 4] {
        let chain = !self.copyable_fields().is_empty() && inner.height >= 6;
        Layout::vertical([
            Constraint::Length(u16::from(!self.summary.is_empty() && inner.height >= 4)),
            Constraint::Min(1),
            Constraint::Length(u16::from(chain)),
            Constraint::Length(self.tail_height(inner)),
        ])
        .areas(inner)
    }

    /// Where the document is drawn when the view is drawn in `area` (toasts go there, so the
    /// summary, the chaining keys and the CLI and request lines stay in view).
    pub fn document_area(&self, area: Rect) -> Rect {
        let [_, document, _, _] = self.parts(Block::default().borders(Borders::ALL).inner(area));
        document
    }

    /// How far the document scrolls when drawn in `area`: until its last line is at the
    /// bottom of its part, no further (wrapped lines counted as drawn).
    pub fn max_scroll(&self, area: Rect) -> u16 {
        let [_, document, _, _] = self.parts(Block::default().borders(Borders::ALL).inner(area));
        let width = usize::from(document.width.max(1));
        let rows: usize = self
            .shown_document()
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
        let chain_line = self.chain_line(theme);
        let [summary, document, chain, cli] = self.parts(inner);
        if let Some(line) = chain_line {
            frame.render_widget(Paragraph::new(line), chain);
        }
        frame.render_widget(
            Paragraph::new(Span::styled(visible(&self.summary), theme.title())),
            summary,
        );
        frame.render_widget(
            Paragraph::new(self.shown_document())
                .wrap(Wrap { trim: false })
                .scroll((self.scroll, 0)),
            document,
        );
        let lines = vec![
            Line::from(vec![
                Span::styled("CLI   ", theme.dim()),
                Span::raw(visible(&self.cli_line())),
            ]),
            Line::from(vec![
                Span::styled("Query ", theme.dim()),
                Span::raw(visible(&self.query())),
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
