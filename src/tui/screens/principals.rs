//! The principals screen: who may call the API and their policies; `⏎` switches the principal
//! the console acts as, which only *simulates* it (product §7). Principals are created, deleted
//! and given policies and AccessKeys here as with `kms-console principal …` (the same core
//! path, the acting principal's `ram:` permissions), and `w` opens the policy simulator. Also
//! the warning when the console acts as a principal the vault does not have.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::core::vault::PrincipalCall;
use crate::tui::context::Cx;
use crate::tui::keymap::Cmd;
use crate::tui::modals::Modal;
use crate::tui::modals::principal_prompt::{PrincipalPrompt, PromptOp};
use crate::tui::modals::simulator::SimulatorModal;
use crate::tui::screens::Out;

/// The principal list's selection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrincipalsScreen {
    pub selected: usize,
}

impl PrincipalsScreen {
    /// A key of the principals screen.
    pub fn update(&mut self, cmd: Cmd, cx: &Cx<'_>) -> Vec<Out> {
        let last = cx.view.principals.len().saturating_sub(1);
        match cmd {
            Cmd::Up => self.selected = self.selected.saturating_sub(1),
            Cmd::Down => self.selected = (self.selected + 1).min(last),
            Cmd::NewPrincipal => return ask(PromptOp::Create, ""),
            Cmd::DeletePrincipal
            | Cmd::AttachPolicy
            | Cmd::DetachPolicy
            | Cmd::NewAccessKey
            | Cmd::DeleteAccessKey => {
                let Some(p) = cx.view.principals.get(self.selected) else {
                    return Vec::new();
                };
                let name = p.name.clone();
                return match cmd {
                    Cmd::DeletePrincipal => ask(PromptOp::Delete(name), ""),
                    Cmd::AttachPolicy => ask(PromptOp::Attach(name), ""),
                    Cmd::DetachPolicy => {
                        let last = p.policies.len().max(1).to_string();
                        ask(PromptOp::Detach(name), &last)
                    }
                    Cmd::DeleteAccessKey => {
                        let first = p.access_key_ids.first().cloned().unwrap_or_default();
                        ask(PromptOp::DeleteAccessKey(name), &first)
                    }
                    _ => vec![Out::Principal(PrincipalCall::CreateAccessKey { name })],
                };
            }
            Cmd::Simulate => {
                if let Some(p) = cx.view.principals.get(self.selected) {
                    let modal = SimulatorModal::new(cx.view, &p.name);
                    return vec![Out::Modal(Modal::Simulator(Box::new(modal)))];
                }
            }
            Cmd::ActAs => {
                if let Some(p) = cx.view.principals.get(self.selected) {
                    return vec![Out::ActAs(p.name.clone())];
                }
            }
            _ => {}
        }
        Vec::new()
    }

    /// A click in the body: a row of the list selects its principal.
    pub fn click(&mut self, at: Position, cx: &Cx<'_>) {
        let list = list_area(cx.body);
        if list.contains(at) {
            let n = usize::from(at.y - list.y);
            if n < cx.view.principals.len() {
                self.selected = n;
            }
        }
    }

    /// Draws the screen into `body`.
    pub fn render(&self, frame: &mut Frame<'_>, body: Rect, cx: &Cx<'_>) {
        render(frame, body, self, cx);
    }
}

/// Asks for a principal change first.
fn ask(op: PromptOp, value: &str) -> Vec<Out> {
    let prompt = PrincipalPrompt::new(op, value);
    vec![Out::Modal(Modal::Principal(Box::new(prompt)))]
}

/// The warning shown when acting as a principal the vault does not have.
pub fn unknown_principal_warning(name: &str) -> String {
    format!(
        "There is no principal {name:?} in this vault: every request will be refused. Pick one on the principals screen (2)."
    )
}

/// The keys that change principals, said on the screen (the footer has room for few).
pub const CHANGE_KEYS: &str =
    "n new · D delete · A/X attach/detach a policy · K/d new/delete an AccessKey · w simulator";

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

fn render(frame: &mut Frame<'_>, body: Rect, screen: &PrincipalsScreen, cx: &Cx<'_>) {
    let theme = cx.theme;
    let [list, details] = split(body);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border())
        .title(Span::styled(
            format!(" Principals ({}) ", cx.view.principals.len()),
            theme.title(),
        ));
    let lines: Vec<Line<'_>> = cx
        .view
        .principals
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let style = if i == screen.selected {
                theme.selected()
            } else {
                theme.text()
            };
            let mark = if p.name == cx.principal { "● " } else { "  " };
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
        screen
            .selected
            .saturating_sub(usize::from(list.height.saturating_sub(3))),
    )
    .unwrap_or(0);
    frame.render_widget(Paragraph::new(lines).block(block).scroll((scroll, 0)), list);
    render_policies(frame, details, screen, cx);
}

fn render_policies(frame: &mut Frame<'_>, area: Rect, screen: &PrincipalsScreen, cx: &Cx<'_>) {
    let theme = cx.theme;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border())
        .title(Span::styled(" Policies ", theme.title()));
    let Some(p) = cx.view.principals.get(screen.selected) else {
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
            if p.name == cx.principal {
                "The console acts as this principal."
            } else {
                "⏎ to act as this principal."
            },
            theme.ok(),
        )),
        Line::from(Span::styled(CHANGE_KEYS, theme.dim())),
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
