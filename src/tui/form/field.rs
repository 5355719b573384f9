//! Form fields, one per API parameter, chosen by its [`ParamKind`]: a one-line text input
//! (ratatui-textarea), a secret text input (a Plaintext: shown as typed, held in a buffer wiped
//! on drop), a choice of fixed values, or a check box. Each handles its own keys and draws
//! itself; the API's check of its value (contexts, lists, whole numbers) shows inline.

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui_textarea::{CursorMove, TextArea, WrapMode};

use crate::api::{Checked, ParamKind, ParamSpec};
use crate::core::error::KmsError;

use crate::tui::form::secret_field::{Look, WipedText};
use crate::tui::ui::text::visible;
use crate::tui::ui::theme::Theme;

/// A one-line text input.
#[derive(Debug, Clone)]
pub struct TextField {
    area: Box<TextArea<'static>>,
    /// Base64 fields drop the line breaks of pasted text; others turn them into spaces.
    join_with: &'static str,
    /// Wrapped (a blob may take two rows), or scrolling sideways in one (a file path).
    wrap: WrapMode,
}

impl TextField {
    pub fn new(placeholder: &str, base64: bool) -> Self {
        let mut area = TextArea::default();
        area.set_placeholder_text(placeholder);
        area.set_cursor_line_style(ratatui::style::Style::new());
        area.set_wrap_mode(WrapMode::Glyph);
        Self {
            area: Box::new(area),
            join_with: if base64 { "" } else { " " },
            wrap: WrapMode::Glyph,
        }
    }

    /// A field that scrolls sideways instead of wrapping, for one row.
    pub fn scrolling(placeholder: &str) -> Self {
        let mut field = Self::new(placeholder, false);
        field.wrap = WrapMode::None;
        field.area.set_wrap_mode(WrapMode::None);
        field
    }

    pub fn text(&self) -> String {
        self.area.lines().join(self.join_with)
    }

    pub fn set(&mut self, value: &str) {
        let mut area = TextArea::new(vec![value.replace(['\r', '\n'], self.join_with)]);
        area.set_placeholder_text(self.area.placeholder_text().to_owned());
        area.set_cursor_line_style(ratatui::style::Style::new());
        area.set_wrap_mode(self.wrap);
        area.move_cursor(ratatui_textarea::CursorMove::End);
        *self.area = area;
    }

    /// Edits with a key; `true` if the text changed. A new line never stays. Ctrl-U clears the
    /// field (as in a shell and in the filters; the text area would undo instead).
    pub fn input(&mut self, key: KeyEvent) -> bool {
        if key.code == crossterm::event::KeyCode::Char('u')
            && key
                .modifiers
                .contains(crossterm::event::KeyModifiers::CONTROL)
        {
            let changed = !self.text().is_empty();
            self.set("");
            return changed;
        }
        let before = self.area.lines().len();
        let changed = self.area.input(key);
        if self.area.lines().len() != before {
            let text = self.text();
            self.set(&text);
        }
        changed
    }

    pub fn paste(&mut self, text: &str) {
        let clean = text.replace("\r\n", "\n").replace('\n', self.join_with);
        self.area.insert_str(clean);
    }

    /// The text area as drawn: with any control characters shown visibly (`␛`, `\x01`) and the
    /// cursor on the same character.
    fn shown(&self) -> TextArea<'static> {
        let lines = self.area.lines();
        if !lines.iter().any(|l| l.chars().any(char::is_control)) {
            return (*self.area).clone();
        }
        let cursor = self.area.cursor();
        let col = lines.get(cursor.0).map_or(0, |l| {
            visible(&l.chars().take(cursor.1).collect::<String>())
                .chars()
                .count()
        });
        let mut area = TextArea::new(lines.iter().map(|l| visible(l)).collect());
        area.set_placeholder_text(self.area.placeholder_text().to_owned());
        area.set_cursor_line_style(ratatui::style::Style::new());
        area.set_wrap_mode(self.wrap);
        area.move_cursor(CursorMove::Jump(
            u16::try_from(cursor.0).unwrap_or(u16::MAX),
            u16::try_from(col).unwrap_or(u16::MAX),
        ));
        area
    }

    /// Draws the input; the cursor shows only when focused.
    pub fn render(&self, frame: &mut Frame<'_>, area: Rect, focused: bool, theme: Theme) {
        let mut shown = self.shown();
        if !focused {
            // Unfocused, a long value shows its beginning (a blob's header names its key).
            shown.move_cursor(ratatui_textarea::CursorMove::Top);
            shown.move_cursor(ratatui_textarea::CursorMove::Head);
        }
        shown.set_cursor_style(if focused {
            theme.cursor()
        } else {
            ratatui::style::Style::new()
        });
        shown.set_placeholder_style(theme.dim());
        shown.set_style(if focused { theme.text() } else { theme.dim() });
        frame.render_widget(&shown, area);
    }
}

/// A field's value and how it is edited.
#[derive(Debug, Clone)]
pub enum FieldInput {
    Text(TextField),
    /// Secret text (a Plaintext): never in an ordinary buffer, never in `Debug`.
    Secret(WipedText),
    /// One of fixed values; `None` is "not given" (only for optional parameters).
    Choice {
        options: &'static [&'static str],
        selected: Option<usize>,
    },
    /// An optional `true` flag (DryRun): checked is `true`, unchecked is absent.
    Check(bool),
}

/// An inline message under a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub ok: bool,
    pub text: String,
}

/// One parameter's field.
#[derive(Debug, Clone)]
pub struct Field {
    pub param: &'static ParamSpec,
    pub input: FieldInput,
    pub note: Option<Note>,
}

const BOOL_VALUES: &[&str] = &["true", "false"];

impl Field {
    pub fn for_param(param: &'static ParamSpec) -> Self {
        let input = match param.kind {
            ParamKind::Choice(options) => FieldInput::Choice {
                options,
                selected: param.required.then_some(0),
            },
            ParamKind::Bool if param.required => FieldInput::Choice {
                options: BOOL_VALUES,
                selected: Some(0),
            },
            ParamKind::Bool => FieldInput::Check(false),
            ParamKind::Blob => FieldInput::Text(TextField::new(param.help, true)),
            ParamKind::Secret => FieldInput::Secret(WipedText::default()),
            _ => FieldInput::Text(TextField::new(param.help, false)),
        };
        Self {
            param,
            input,
            note: None,
        }
    }

    pub fn name(&self) -> &'static str {
        self.param.name
    }

    /// The parameter value; empty means "not given". (A secret's copy goes straight into the
    /// request, which wipes its values on drop.)
    pub fn value(&self) -> String {
        match &self.input {
            FieldInput::Text(t) => t.text(),
            FieldInput::Secret(t) => t.expose().to_owned(),
            FieldInput::Choice { options, selected } => selected
                .and_then(|i| options.get(i))
                .map(|s| (*s).to_owned())
                .unwrap_or_default(),
            FieldInput::Check(on) => if *on { "true" } else { "" }.to_owned(),
        }
    }

    pub fn set_value(&mut self, value: &str) {
        match &mut self.input {
            FieldInput::Text(t) => t.set(value),
            FieldInput::Secret(t) => t.set(value),
            FieldInput::Choice { options, selected } => {
                *selected = options.iter().position(|o| *o == value);
            }
            FieldInput::Check(on) => *on = value.eq_ignore_ascii_case("true"),
        }
        self.check();
    }

    pub fn is_text(&self) -> bool {
        matches!(self.input, FieldInput::Text(_) | FieldInput::Secret(_))
    }

    /// Whether the value is empty or only white space (without copying a secret).
    pub fn is_blank(&self) -> bool {
        match &self.input {
            FieldInput::Secret(t) => t.is_blank(),
            _ => self.value().trim().is_empty(),
        }
    }

    /// Steps a choice or check box forward or back (wrapping through "not given").
    pub fn cycle(&mut self, forward: bool) {
        match &mut self.input {
            FieldInput::Choice { options, selected } => {
                let n = options.len();
                let optional = !self.param.required;
                // Positions 0..n are the options; n is "not given" when optional.
                let slots = n + usize::from(optional);
                let at = selected.unwrap_or(n);
                let next = if forward {
                    (at + 1) % slots
                } else {
                    (at + slots - 1) % slots
                };
                *selected = (next < n).then_some(next);
            }
            FieldInput::Check(on) => *on = !*on,
            FieldInput::Text(_) | FieldInput::Secret(_) => {}
        }
        self.check();
    }

    pub fn input(&mut self, key: KeyEvent) {
        let changed = match &mut self.input {
            FieldInput::Text(t) => t.input(key),
            FieldInput::Secret(t) => t.input(key),
            _ => false,
        };
        if changed {
            self.check();
        }
    }

    pub fn paste(&mut self, text: &str) {
        match &mut self.input {
            FieldInput::Text(t) => t.paste(text),
            FieldInput::Secret(t) => t.paste(text),
            _ => return,
        }
        self.check();
    }

    /// Checks the value as typed, by the API's own parse of the parameter
    /// ([`ParamSpec::check`]): a bad value shows the reason the API would give.
    pub fn check(&mut self) {
        // Secrets have no check of their own: their text is never copied for one.
        if self.param.kind == ParamKind::Secret || self.is_blank() {
            self.note = None;
            return;
        }
        self.note = match self.param.check(&self.value()) {
            Ok(Checked::Given) => None,
            Ok(Checked::Context { pairs }) => Some(ok_note(&format!(
                "valid context, {pairs} pair{}",
                if pairs == 1 { "" } else { "s" }
            ))),
            Ok(Checked::List { json: true, .. }) => Some(ok_note("valid JSON")),
            Ok(Checked::List { items, json: false }) => Some(ok_note(&format!(
                "{items} item{}",
                if items == 1 { "" } else { "s" }
            ))),
            Err(KmsError::InvalidParameter { reason, .. }) => Some(bad_note(&reason)),
            Err(other) => Some(bad_note(&other.to_string())),
        };
    }

    /// Whether the value is acceptable to send (required given, own checks pass).
    pub fn is_valid(&self) -> bool {
        self.note.as_ref().is_none_or(|n| n.ok) && (!self.param.required || !self.is_blank())
    }

    /// Draws the value part of the field.
    pub fn render(&self, frame: &mut Frame<'_>, area: Rect, focused: bool, theme: Theme) {
        match &self.input {
            FieldInput::Text(t) => t.render(frame, area, focused, theme),
            FieldInput::Secret(t) => {
                let look = Look {
                    focused,
                    masked: false,
                    placeholder: self.param.help,
                };
                t.render(frame, area, look, theme);
            }
            FieldInput::Choice { options, selected } => {
                let unset = if self.param.name == "SourceEncryptionAlgorithm" {
                    "none: a symmetric blob"
                } else {
                    "(default)"
                };
                let shown = selected.and_then(|i| options.get(i)).map_or(unset, |s| *s);
                let style = if focused { theme.focus() } else { theme.text() };
                let line = Line::from(vec![
                    Span::styled("◂ ", theme.dim()),
                    Span::styled(shown, style),
                    Span::styled(" ▸", theme.dim()),
                ]);
                frame.render_widget(Paragraph::new(line), area);
            }
            FieldInput::Check(on) => {
                let mark = if *on { "[x] yes" } else { "[ ] no" };
                let style = if focused { theme.focus() } else { theme.text() };
                frame.render_widget(Paragraph::new(Span::styled(mark, style)), area);
            }
        }
    }
}

fn ok_note(text: &str) -> Note {
    Note {
        ok: true,
        text: format!("✓ {text}"),
    }
}

fn bad_note(text: &str) -> Note {
    Note {
        ok: false,
        text: format!("✗ {text}"),
    }
}

/// A required field left empty, for inline display after a submit attempt.
pub fn required_note() -> Note {
    bad_note("required")
}
