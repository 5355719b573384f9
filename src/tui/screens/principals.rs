//! The principals screen: who may call the API and their policies; `⏎` switches the principal
//! the console acts as, which only *simulates* it (product §7). (Principals are created and
//! changed with `kms-console principal …`.) Also the warning when the console acts as a
//! principal the vault does not have.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::tui::action::Effect;
use crate::tui::app::App;
use crate::tui::keymap::Cmd;
use crate::tui::modals::toast::Level;
use crate::tui::ui::theme::Theme;

/// The principal list's selection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrincipalsScreen {
    pub selected: usize,
}

impl App {
    pub(in crate::tui) fn principals_command(&mut self, cmd: Cmd) -> Vec<Effect> {
        let last = self.view.principals.len().saturating_sub(1);
        let p = &mut self.principals;
        match cmd {
            Cmd::Up => p.selected = p.selected.saturating_sub(1),
            Cmd::Down => p.selected = (p.selected + 1).min(last),
            Cmd::ActAs => return self.act_as_selected(),
            _ => {}
        }
        Vec::new()
    }

    fn act_as_selected(&mut self) -> Vec<Effect> {
        let Some(name) = self
            .view
            .principals
            .get(self.principals.selected)
            .map(|p| p.name.clone())
        else {
            return Vec::new();
        };
        self.act_as(&name)
    }

    /// Makes every later request run as `name`.
    pub fn act_as(&mut self, name: &str) -> Vec<Effect> {
        name.clone_into(&mut self.principal);
        if let Some(i) = self.view.principals.iter().position(|p| p.name == name) {
            self.principals.selected = i;
            self.toast(Level::Info, format!("Now acting as {name}"))
        } else {
            self.warn_if_unknown_principal()
        }
    }

    /// Whether the vault has the principal the console acts as.
    pub fn principal_known(&self) -> bool {
        self.view
            .principals
            .iter()
            .any(|p| p.name == self.principal)
    }

    /// Warns at once when the console acts as a principal the vault does not have (every request
    /// would be refused).
    pub fn warn_if_unknown_principal(&mut self) -> Vec<Effect> {
        if self.principal_known() {
            return Vec::new();
        }
        let text = unknown_principal_warning(&self.principal);
        self.toast(Level::Warn, text)
    }
}

/// The warning shown when acting as a principal the vault does not have.
pub fn unknown_principal_warning(name: &str) -> String {
    format!(
        "There is no principal {name:?} in this vault: every request will be refused. Pick one on the principals screen (2)."
    )
}

/// What `--as` and "act as" mean, said plainly on the principals screen.
pub const SIMULATION_NOTE: &str = "Acting as a principal only simulates it: whoever can open the vault file holds all of it. Principals are enforced at the endpoint (kms-console serve), where each request is signed with an AccessKey.";

/// The rows of the principal list (inside its border).
pub fn list_area(body: Rect) -> Rect {
    let [list, _] = split(body);
    Block::default().borders(Borders::ALL).inner(list)
}

fn split(body: Rect) -> [Rect; 2] {
    if body.width >= 60 {
        Layout::horizontal([Constraint::Percentage(40), Constraint::Min(0)]).areas(body)
    } else {
        Layout::vertical([Constraint::Percentage(40), Constraint::Min(0)]).areas(body)
    }
}

pub fn render(frame: &mut Frame<'_>, body: Rect, app: &App) {
    let theme = app.config.theme;
    let [list, details] = split(body);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border())
        .title(Span::styled(
            format!(" Principals ({}) ", app.view.principals.len()),
            theme.title(),
        ));
    let lines: Vec<Line<'_>> = app
        .view
        .principals
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let style = if i == app.principals.selected {
                theme.selected()
            } else {
                theme.text()
            };
            let mark = if p.name == app.principal {
                "● "
            } else {
                "  "
            };
            Line::from(vec![
                Span::styled(mark, theme.ok()),
                Span::styled(p.name.as_str(), style),
                Span::styled(
                    format!(
                        "  {} polic{}",
                        p.policies.len(),
                        if p.policies.len() == 1 { "y" } else { "ies" }
                    ),
                    theme.dim(),
                ),
            ])
        })
        .collect();
    let scroll = u16::try_from(
        app.principals
            .selected
            .saturating_sub(usize::from(list.height.saturating_sub(3))),
    )
    .unwrap_or(0);
    frame.render_widget(Paragraph::new(lines).block(block).scroll((scroll, 0)), list);
    render_policies(frame, details, app, theme);
}

fn render_policies(frame: &mut Frame<'_>, area: Rect, app: &App, theme: Theme) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border())
        .title(Span::styled(" Policies ", theme.title()));
    let Some(p) = app.view.principals.get(app.principals.selected) else {
        frame.render_widget(block, area);
        return;
    };
    let keys = if p.access_key_ids.is_empty() {
        "none".to_owned()
    } else {
        p.access_key_ids.join(", ")
    };
    let mut lines = vec![
        Line::from(vec![
            Span::styled("AccessKeys ", theme.dim()),
            Span::raw(keys),
        ]),
        Line::from(Span::styled(
            if p.name == app.principal {
                "The console acts as this principal."
            } else {
                "⏎ to act as this principal."
            },
            theme.ok(),
        )),
        Line::from(Span::styled(SIMULATION_NOTE, theme.dim())),
    ];
    for policy in &p.policies {
        lines.push(Line::default());
        lines.extend(policy.lines().map(|l| Line::from(l.to_owned())));
    }
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}
