//! The first-run screen, shown when there is no vault yet: create one sealed with a passphrase
//! (typed twice, masked), or try the demo on a temporary copy.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::GateOut;
use crate::tui::form::secret_field::SecretField;
use crate::tui::keymap::Cmd;
use crate::tui::ui::theme::Theme;

/// Below this many characters a new passphrase gets a warning (not a refusal: `init` on the
/// command line takes any non-empty passphrase too, and how strong it must be is the operator's
/// policy; the warning says what is at stake).
pub const ADVISED_PASSPHRASE_CHARS: usize = 12;

/// The inline check of an empty field.
pub const EMPTY_PASSPHRASE: &str = "Type a passphrase.";

/// The choices, in order.
pub const CHOICES: [&str; 3] = [
    "Create a new vault here, sealed with a passphrase",
    "Try the demo vault (a temporary copy; nothing is written here)",
    "Quit",
];

/// A new passphrase, typed twice.
#[derive(Debug, Default)]
pub struct NewPassphrase {
    pub first: SecretField,
    pub second: SecretField,
    /// 0 = first field, 1 = second.
    pub focus: u8,
    pub error: Option<String>,
}

impl NewPassphrase {
    /// The warning for a short (but not empty) first passphrase.
    pub fn warning(&self) -> Option<String> {
        let n = self.first.len();
        (n > 0 && n < ADVISED_PASSPHRASE_CHARS).then(|| {
            format!(
                "Short passphrase ({n} characters): {ADVISED_PASSPHRASE_CHARS} or more advised."
            )
        })
    }
}

/// The first-run screen.
#[derive(Debug)]
pub struct FirstRun {
    pub path: String,
    pub choice: usize,
    /// Present once "create" was chosen.
    pub entering: Option<NewPassphrase>,
}

impl FirstRun {
    pub fn new(path: String) -> Self {
        Self {
            path,
            choice: 0,
            entering: None,
        }
    }

    /// A key: moves among the choices, or types the new passphrase twice.
    pub fn update(&mut self, cmd: Cmd) -> GateOut {
        let Some(p) = &mut self.entering else {
            return match cmd {
                Cmd::Up => {
                    self.choice = self.choice.saturating_sub(1);
                    GateOut::Stay
                }
                Cmd::Down => {
                    self.choice = (self.choice + 1).min(CHOICES.len() - 1);
                    GateOut::Stay
                }
                Cmd::Confirm if self.choice == 0 => {
                    self.entering = Some(NewPassphrase::default());
                    GateOut::Stay
                }
                Cmd::Confirm if self.choice == 1 => GateOut::OpenDemo,
                Cmd::Confirm | Cmd::Quit => GateOut::Quit,
                _ => GateOut::Stay,
            };
        };
        match cmd {
            Cmd::NextField => p.focus = 1 - p.focus.min(1),
            Cmd::Cancel => self.entering = None,
            // Neither field may be empty, whichever has the focus (Tab moves it freely).
            Cmd::Submit if p.first.is_empty() => {
                p.focus = 0;
                p.error = Some(EMPTY_PASSPHRASE.to_owned());
            }
            Cmd::Submit if p.focus == 0 => {
                p.focus = 1;
                p.error = None;
            }
            Cmd::Submit if p.second.is_empty() => {
                p.error = Some("Type the passphrase again, to be sure of it.".to_owned());
            }
            Cmd::Submit if !p.first.same_as(&p.second) => {
                p.first.clear();
                p.second.clear();
                p.focus = 0;
                p.error = Some("The two passphrases differ; type them again.".to_owned());
            }
            Cmd::Submit => {
                let passphrase = p.first.take();
                p.second.clear();
                return GateOut::Create(passphrase);
            }
            _ => {}
        }
        GateOut::Stay
    }

    /// The passphrase field being typed into, once "create" was chosen.
    pub fn field(&mut self) -> Option<&mut SecretField> {
        self.entering.as_mut().map(|p| {
            if p.focus == 0 {
                &mut p.first
            } else {
                &mut p.second
            }
        })
    }

    pub fn render(&self, frame: &mut Frame<'_>, area: Rect, theme: Theme) {
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border_focus())
            .title(Span::styled(" Welcome to kms-console ", theme.title()));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        match &self.entering {
            None => self.render_choices(frame, inner, theme),
            Some(p) => render_new_passphrase(frame, inner, &self.path, p, theme),
        }
    }

    fn render_choices(&self, frame: &mut Frame<'_>, area: Rect, theme: Theme) {
        let mut lines = vec![
            Line::from(format!("There is no vault at {}.", self.path)),
            Line::from(Span::styled(
                "A vault holds your keys, their versions, aliases and who may use them.",
                theme.dim(),
            )),
            Line::default(),
        ];
        for (i, choice) in CHOICES.iter().enumerate() {
            let (mark, style) = if i == self.choice {
                ("▶ ", theme.selected())
            } else {
                ("  ", theme.text())
            };
            lines.push(Line::from(Span::styled(format!("{mark}{choice}"), style)));
        }
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
    }
}

fn render_new_passphrase(
    frame: &mut Frame<'_>,
    area: Rect,
    path: &str,
    p: &NewPassphrase,
    theme: Theme,
) {
    let [intro, first, second, error, note] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new(format!("New vault at {path}")).wrap(Wrap { trim: false }),
        intro,
    );
    for (row, label, field, focused) in [
        (first, "Passphrase     ", &p.first, p.focus == 0),
        (second, "Type it again  ", &p.second, p.focus == 1),
    ] {
        let [l, v] = Layout::horizontal([Constraint::Length(17), Constraint::Min(1)]).areas(row);
        // Marked by a sign as well as by style, so the focus shows without colour too.
        let (mark, style) = if focused {
            ("▶ ", theme.focus())
        } else {
            ("  ", theme.text())
        };
        frame.render_widget(
            Paragraph::new(Span::styled(format!("{mark}{label}"), style)),
            l,
        );
        field.render(frame, v, focused, theme);
    }
    if let Some(e) = &p.error {
        frame.render_widget(
            Paragraph::new(Span::styled(format!("✗ {e}"), theme.error())),
            error,
        );
    } else if let Some(w) = p.warning() {
        frame.render_widget(
            Paragraph::new(Span::styled(format!("! {w}"), theme.warn())),
            error,
        );
    }
    frame.render_widget(
        Paragraph::new(Span::styled(
            "It seals the vault (Argon2id, AES-256-GCM). Nobody can recover a lost passphrase.",
            theme.dim(),
        ))
        .wrap(Wrap { trim: true }),
        note,
    );
}
