//! The principals screen's changes, asked before they run: a new principal's name, a policy to
//! attach, the policy to detach, the AccessKey to delete, or "yes" to delete a principal. Each
//! becomes one [`PrincipalCall`] run by the worker through the core's one path (the caller's
//! `ram:` permissions, the CLI's validation, audited with RAM's names).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::core::vault::PrincipalCall;
use crate::tui::form::field::TextField;
use crate::tui::ui::theme::Theme;

/// Which change the prompt asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptOp {
    /// CreateUser: the field is the new name.
    Create,
    /// DeleteUser of this principal: no field, "yes" runs it.
    Delete(String),
    /// AttachPolicyToUser: the field is the policy document (JSON).
    Attach(String),
    /// DetachPolicyFromUser: the field is the policy's number (1-based, as the screen lists).
    Detach(String),
    /// DeleteAccessKey: the field is the AccessKeyId.
    DeleteAccessKey(String),
}

/// A principal change being asked for.
#[derive(Debug, Clone)]
pub struct PrincipalPrompt {
    pub op: PromptOp,
    pub field: TextField,
}

impl PrincipalPrompt {
    pub fn new(op: PromptOp, value: &str) -> Self {
        let placeholder = match &op {
            PromptOp::Create => "name of the new principal",
            PromptOp::Delete(_) => "",
            PromptOp::Attach(_) => r#"{"Version":"1","Statement":[…]}"#,
            PromptOp::Detach(_) => "policy number (1 = first)",
            PromptOp::DeleteAccessKey(_) => "AccessKeyId",
        };
        let mut field = TextField::new(placeholder, false);
        field.set(value);
        Self { op, field }
    }

    /// Whether the prompt has a text field (a delete asks only yes or no).
    pub fn has_field(&self) -> bool {
        !matches!(self.op, PromptOp::Delete(_))
    }

    fn title(&self) -> String {
        match &self.op {
            PromptOp::Create => " New principal (CreateUser) ".to_owned(),
            PromptOp::Delete(n) => format!(" Delete principal {n} (DeleteUser) "),
            PromptOp::Attach(n) => format!(" Attach a policy to {n} (AttachPolicyToUser) "),
            PromptOp::Detach(n) => format!(" Detach a policy from {n} (DetachPolicyFromUser) "),
            PromptOp::DeleteAccessKey(n) => format!(" Delete an AccessKey of {n} "),
        }
    }

    /// The call the prompt asks for, or why the field does not make one.
    pub fn call(&self) -> Result<PrincipalCall, String> {
        let text = self.field.text().trim().to_owned();
        Ok(match &self.op {
            PromptOp::Create => PrincipalCall::Create {
                name: text,
                policies: Ok(Vec::new()),
            },
            PromptOp::Delete(name) => PrincipalCall::Delete { name: name.clone() },
            PromptOp::Attach(name) => PrincipalCall::AttachPolicy {
                name: name.clone(),
                policy: Ok(text),
            },
            PromptOp::Detach(name) => {
                let n: usize = text
                    .parse()
                    .ok()
                    .filter(|n| *n >= 1)
                    .ok_or_else(|| format!("{text:?} is not a policy number (1, 2, …)"))?;
                PrincipalCall::DetachPolicy {
                    name: name.clone(),
                    index: n - 1,
                }
            }
            PromptOp::DeleteAccessKey(name) => PrincipalCall::DeleteAccessKey {
                name: name.clone(),
                access_key_id: text,
            },
        })
    }

    pub fn render(&self, frame: &mut Frame<'_>, area: Rect, theme: Theme) {
        frame.render_widget(Clear, area);
        let warn = matches!(self.op, PromptOp::Delete(_) | PromptOp::DeleteAccessKey(_));
        let style = if warn { theme.warn() } else { theme.title() };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(if warn {
                theme.warn()
            } else {
                theme.border_focus()
            })
            .title(Span::styled(self.title(), style));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let [input, hint] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
        let hint_text = if let PromptOp::Delete(name) = &self.op {
            format!("Delete {name} and its AccessKeys?   ⏎/y yes   esc no")
        } else {
            "⏎ do it (as the principal the console acts as)   esc cancel".to_owned()
        };
        if self.has_field() {
            self.field.render(frame, input, true, theme);
        }
        frame.render_widget(
            Paragraph::new(Span::styled(hint_text, theme.dim())).wrap(Wrap { trim: true }),
            if self.has_field() { hint } else { inner },
        );
    }
}
