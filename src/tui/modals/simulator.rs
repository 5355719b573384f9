//! The policy simulator: "may principal P do action A on key K?" Three choices (principal,
//! action, key) cycled with ←/→, `⏎` asks the worker ([`crate::core::ops::simulate`], the same
//! evaluation the operations use), and the answer names the statement that decided: Allow,
//! Deny by an explicit Deny, or Deny because no statement allows it. Opened from the principals
//! screen, or from a `Forbidden.NoPermission` error filled with the refused call.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::api::{ACTIONS, ApiRequest};
use crate::core::ops::simulate::{Check, Simulation};
use crate::core::policy::Verdict;
pub use crate::tui::job::Ask;
use crate::tui::keymap::Cmd;
use crate::tui::ui::theme::Theme;
use crate::tui::vault_view::VaultView;

/// The three choices of the simulator.
const FIELDS: [&str; 3] = ["Principal", "Action", "Key"];

/// The simulator: its choices, and the last answer.
#[derive(Debug, Clone)]
pub struct SimulatorModal {
    principals: Vec<String>,
    actions: Vec<&'static str>,
    /// Key references (an alias if the key has one, else its KeyId), plus "" for none.
    keys: Vec<String>,
    at: [usize; 3],
    pub focus: usize,
    /// The answer to the current choices, or why there is none.
    pub answer: Option<Result<Simulation, String>>,
}

impl SimulatorModal {
    /// The simulator on the vault in `view`, with `principal` chosen.
    pub fn new(view: &VaultView, principal: &str) -> Self {
        let principals: Vec<String> = view.principals.iter().map(|p| p.name.clone()).collect();
        let mut keys = vec![String::new()];
        keys.extend(view.keys.iter().map(|k| {
            k.aliases
                .first()
                .cloned()
                .unwrap_or_else(|| k.key_id.clone())
        }));
        let actions: Vec<&'static str> = ACTIONS.iter().map(|a| a.name).collect();
        let mut modal = Self {
            principals,
            actions,
            keys,
            at: [0; 3],
            focus: 1,
            answer: None,
        };
        modal.choose(0, principal);
        modal.choose(1, "Encrypt");
        modal.at[2] = usize::from(modal.keys.len() > 1);
        modal
    }

    /// The simulator filled with a refused call: its principal, action and key.
    pub fn for_request(view: &VaultView, principal: &str, request: &ApiRequest) -> Self {
        let mut modal = Self::new(view, principal);
        modal.choose(1, &request.action);
        let key = ["KeyId", "DestinationKeyId", "SourceKeyId"]
            .iter()
            .find_map(|p| request.params.get(*p));
        match key {
            Some(k) => {
                // The key as the list names it (an alias), else the reference as typed.
                let named = view.resolve(k).and_then(|row| {
                    modal
                        .keys
                        .iter()
                        .position(|r| *r == row.key_id || row.aliases.contains(r))
                });
                if let Some(i) = named {
                    modal.at[2] = i;
                } else {
                    modal.keys.push(k.clone());
                    modal.at[2] = modal.keys.len() - 1;
                }
            }
            None => modal.at[2] = 0,
        }
        modal
    }

    fn options(&self, field: usize) -> Vec<&str> {
        match field {
            0 => self.principals.iter().map(String::as_str).collect(),
            1 => self.actions.clone(),
            _ => self.keys.iter().map(String::as_str).collect(),
        }
    }

    /// Chooses `value` for `field` if it is one of its options (else adds it for a principal
    /// or action the lists lack, so a refused call is asked about as it was made).
    fn choose(&mut self, field: usize, value: &str) {
        if let Some(i) = self.options(field).iter().position(|o| *o == value) {
            self.at[field] = i;
        } else if field == 0 {
            self.principals.push(value.to_owned());
            self.at[0] = self.principals.len() - 1;
        }
    }

    fn chosen(&self, field: usize) -> String {
        self.options(field)
            .get(self.at[field])
            .map_or_else(String::new, |s| (*s).to_owned())
    }

    /// The question the current choices ask.
    pub fn ask(&self) -> Ask {
        let key = self.chosen(2);
        Ask {
            principal: self.chosen(0),
            action: self.chosen(1),
            key: (!key.is_empty()).then_some(key),
        }
    }

    /// A key of the simulator; `Some` when it asks the worker.
    pub fn update(&mut self, cmd: Cmd) -> Option<Ask> {
        match cmd {
            Cmd::Submit | Cmd::Confirm => return Some(self.ask()),
            Cmd::NextField | Cmd::Down => self.focus = (self.focus + 1) % FIELDS.len(),
            Cmd::PrevField | Cmd::Up => {
                self.focus = (self.focus + FIELDS.len() - 1) % FIELDS.len();
            }
            Cmd::CycleNext | Cmd::CyclePrev => {
                let n = self.options(self.focus).len().max(1);
                let at = &mut self.at[self.focus];
                *at = if cmd == Cmd::CycleNext {
                    (*at + 1) % n
                } else {
                    (*at + n - 1) % n
                };
                self.answer = None;
            }
            _ => {}
        }
        None
    }

    pub fn render(&self, frame: &mut Frame<'_>, area: Rect, theme: Theme) {
        frame.render_widget(Clear, area);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border_focus())
            .title(Span::styled(" Policy simulator ", theme.title()));
        let mut lines = Vec::new();
        for (i, name) in FIELDS.iter().enumerate() {
            let value = self.chosen(i);
            let value = if value.is_empty() {
                "(none: account-level actions)".to_owned()
            } else {
                value
            };
            let (mark, style) = if i == self.focus {
                ("▸ ", theme.selected())
            } else {
                ("  ", theme.text())
            };
            lines.push(Line::from(vec![
                Span::raw(mark),
                Span::styled(format!("{name:<9} "), theme.dim()),
                Span::styled(format!("‹ {value} ›"), style),
            ]));
        }
        lines.push(Line::default());
        match &self.answer {
            None => lines.push(Line::from(Span::styled(
                "⏎ asks: may this principal do this action on this key?",
                theme.dim(),
            ))),
            Some(Err(why)) => lines.push(Line::from(Span::styled(why.clone(), theme.error()))),
            Some(Ok(sim)) => lines.extend(answer_lines(sim, theme)),
        }
        frame.render_widget(
            Paragraph::new(lines)
                .block(block)
                .wrap(Wrap { trim: false }),
            area,
        );
    }
}

/// The answer: the verdict in a word, then each permission checked and what decided it.
fn answer_lines(sim: &Simulation, theme: Theme) -> Vec<Line<'static>> {
    let verdict = sim
        .deciding()
        .map_or(Verdict::NoAllow, |c| c.decision.verdict);
    let (head, style) = match (sim.allowed(), verdict) {
        (true, _) => ("ALLOW", theme.ok()),
        (false, Verdict::ExplicitDeny) => ("DENY: an explicit Deny", theme.error()),
        (false, _) => ("DENY: no statement allows it", theme.error()),
    };
    let mut lines = vec![Line::from(Span::styled(head, style))];
    for check in &sim.checks {
        lines.push(Line::from(check_line(check)));
        if let Some(statement) = &check.statement {
            lines.push(Line::from(Span::styled(
                format!("    {statement}"),
                theme.dim(),
            )));
        }
    }
    lines
}

/// One permission check: `kms:Encrypt: Allow by policy 1, statement 1`.
pub fn check_line(check: &Check) -> String {
    let by = check.decision.statement.map_or_else(
        || "no statement of any policy allows it".to_owned(),
        |at| format!("policy {}, statement {}", at.policy + 1, at.statement + 1),
    );
    let verdict = match check.decision.verdict {
        Verdict::Allow => "Allow by",
        Verdict::ExplicitDeny => "Deny by",
        Verdict::NoAllow => "Deny:",
    };
    format!("  {}: {verdict} {by}", check.permission)
}
