//! The guided walkthrough of `--demo`: one step per case of the ReEncrypt seed page, using the
//! demo's sample ciphertexts, plus choosing the rotated key and meeting a refusal. It watches
//! what the user does and ticks a step off when it is done.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::api::{ApiError, ApiRequest, ApiResponse};
use crate::demo::DemoSample;

use super::theme::Theme;
use super::vault_view::KeyRow;

/// The rotated key of the demo.
pub const ROTATED_ALIAS: &str = "alias/orders";
/// The read-only principal of the demo, and what it meets.
pub const READ_ONLY_PRINCIPAL: &str = "auditor";
pub const REFUSAL_CODE: &str = "Forbidden.NoPermission";

/// What completes a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Goal {
    /// Select the key with this alias.
    Select(String),
    /// ReEncrypt this sample (index into the samples) with the expected outcome.
    Sample(usize),
    /// Be refused with this code while acting as this principal.
    Refused { principal: String, code: String },
}

/// One step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub title: String,
    pub text: String,
    pub goal: Goal,
    pub done: bool,
}

/// What `.` ("try it") does for the current step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TryIt {
    Select(String),
    Fill(Box<DemoSample>),
    ActAsThenFill(String, Box<DemoSample>),
}

/// The walkthrough and where the user is in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Walkthrough {
    pub steps: Vec<Step>,
    pub samples: Vec<DemoSample>,
    pub current: usize,
    pub visible: bool,
}

fn case_title(case: &str) -> &str {
    match case {
        "after-rotation" => "After rotation: move to the primary version",
        "context-change" => "Same key, new encryption context",
        "another-key" => "Move to another key",
        "asymmetric" => "Asymmetric ciphertext (RSA / SM2)",
        "refusal" => "A refusal",
        other => other,
    }
}

impl Walkthrough {
    /// The steps for these demo samples.
    pub fn new(samples: Vec<DemoSample>) -> Self {
        let mut steps = vec![Step {
            title: "The rotated key".to_owned(),
            text: format!(
                "Select {ROTATED_ALIAS} (↑↓, or .): it has several versions; the newest, marked ★, is primary and encrypts."
            ),
            goal: Goal::Select(ROTATED_ALIAS.to_owned()),
            done: false,
        }];
        steps.extend(samples.iter().enumerate().map(|(i, s)| Step {
            title: format!("{} — {}", case_title(&s.case), s.name),
            text: s.description.clone(),
            goal: Goal::Sample(i),
            done: false,
        }));
        steps.push(Step {
            title: "Who may do what".to_owned(),
            text: format!("Act as {READ_ONLY_PRINCIPAL} (screen 2, ⏎) and run a ReEncrypt: it is refused with {REFUSAL_CODE}."),
            goal: Goal::Refused {
                principal: READ_ONLY_PRINCIPAL.to_owned(),
                code: REFUSAL_CODE.to_owned(),
            },
            done: false,
        });
        Self {
            steps,
            samples,
            current: 0,
            visible: true,
        }
    }

    pub fn step(&self) -> Option<&Step> {
        self.steps.get(self.current)
    }

    pub fn done_count(&self) -> usize {
        self.steps.iter().filter(|s| s.done).count()
    }

    pub fn next(&mut self) {
        self.current = (self.current + 1).min(self.steps.len().saturating_sub(1));
    }

    pub fn prev(&mut self) {
        self.current = self.current.saturating_sub(1);
    }

    /// What "try it" does for the current step.
    pub fn try_it(&self) -> Option<TryIt> {
        match &self.step()?.goal {
            Goal::Select(alias) => Some(TryIt::Select(alias.clone())),
            Goal::Sample(i) => self
                .samples
                .get(*i)
                .map(|s| TryIt::Fill(Box::new(s.clone()))),
            Goal::Refused { principal, .. } => self
                .samples
                .first()
                .map(|s| TryIt::ActAsThenFill(principal.clone(), Box::new(s.clone()))),
        }
    }

    /// Notes a selected key; returns the title of a step it completed.
    pub fn saw_selection(&mut self, key: Option<&KeyRow>) -> Option<String> {
        let key = key?;
        self.complete(|goal| matches!(goal, Goal::Select(alias) if key.aliases.contains(alias)))
    }

    /// Notes a finished request; returns the title of a step it completed.
    pub fn saw_result(
        &mut self,
        principal: &str,
        request: &ApiRequest,
        outcome: &Result<ApiResponse, ApiError>,
    ) -> Option<String> {
        let blob = request
            .params
            .get("CiphertextBlob")
            .map(|b| b.trim().to_owned());
        let samples = self.samples.clone();
        self.complete(|goal| match goal {
            Goal::Sample(i) => samples.get(*i).is_some_and(|s| {
                request.is(crate::api::Action::ReEncrypt)
                    && blob.as_deref() == Some(s.ciphertext_blob.trim())
                    && match (&s.expect_error, outcome) {
                        (None, Ok(_)) => true,
                        (Some(code), Err(e)) => &e.code == code,
                        _ => false,
                    }
            }),
            Goal::Refused { principal: p, code } => {
                p == principal && outcome.as_ref().is_err_and(|e| &e.code == code)
            }
            Goal::Select(_) => false,
        })
    }

    /// Marks the first open step whose goal holds as done and moves to the next open step.
    fn complete(&mut self, reached: impl Fn(&Goal) -> bool) -> Option<String> {
        let i = self
            .steps
            .iter()
            .position(|s| !s.done && reached(&s.goal))?;
        let step = self.steps.get_mut(i)?;
        step.done = true;
        let title = step.title.clone();
        if i == self.current
            && let Some(next) = self.steps.iter().position(|s| !s.done)
        {
            self.current = next;
        }
        Some(title)
    }

    pub fn render(&self, frame: &mut Frame<'_>, area: Rect, theme: Theme) {
        frame.render_widget(Clear, area);
        let marks: String = self
            .steps
            .iter()
            .map(|s| if s.done { '✓' } else { '·' })
            .collect();
        let title = Line::from(vec![
            Span::styled(
                format!(" Walkthrough {}/{} ", self.current + 1, self.steps.len()),
                theme.title(),
            ),
            Span::styled(format!("{marks} "), theme.ok()),
        ]);
        let keys = Span::styled(" . try it  ] next  [ back  w hide ", theme.dim());
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border_focus())
            .title(title)
            .title(Line::from(keys).right_aligned());
        let lines = match self.step() {
            Some(step) => {
                let (mark, style) = if step.done {
                    ("✓ ", theme.ok())
                } else {
                    ("▶ ", theme.focus())
                };
                vec![
                    Line::from(vec![
                        Span::styled(mark, style),
                        Span::styled(step.title.as_str(), theme.title()),
                    ]),
                    Line::from(step.text.as_str()),
                ]
            }
            None => vec![Line::from("No walkthrough steps.")],
        };
        frame.render_widget(
            Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
            area,
        );
    }
}

impl super::app::App {
    pub(super) fn walk_command(&mut self, cmd: super::keymap::Cmd) -> Vec<super::action::Effect> {
        use super::keymap::Cmd;
        let Some(w) = &mut self.walkthrough else {
            return Vec::new();
        };
        match cmd {
            Cmd::WalkNext => w.next(),
            Cmd::WalkPrev => w.prev(),
            Cmd::WalkTry => return self.walk_try(),
            _ => {}
        }
        Vec::new()
    }

    /// Does the current step's setup: selects the key, or fills the ReEncrypt form.
    fn walk_try(&mut self) -> Vec<super::action::Effect> {
        let Some(step) = self.walkthrough.as_ref().and_then(Walkthrough::try_it) else {
            return Vec::new();
        };
        match step {
            TryIt::Select(alias) => {
                self.select_alias(&alias);
                Vec::new()
            }
            TryIt::Fill(sample) => self.fill_from_sample(&sample),
            TryIt::ActAsThenFill(principal, sample) => {
                let mut effects = self.act_as(&principal);
                effects.extend(self.fill_from_sample(&sample));
                effects
            }
        }
    }

    /// Selects the key with this alias (clearing the filter).
    pub fn select_alias(&mut self, alias: &str) {
        self.screen = super::app::Screen::Keys;
        self.keys.query.clear();
        self.keys.filtering = false;
        let id = self.view.aliases.get(alias).cloned();
        self.keys.refilter(&self.view, id.as_deref());
        self.relayout();
        self.saw_selection();
    }

    /// Opens the ReEncrypt form filled from a demo sample.
    pub fn fill_from_sample(&mut self, s: &DemoSample) -> Vec<super::action::Effect> {
        let mut form = super::form::Form::new(crate::api::Action::ReEncrypt.spec());
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        form.set(
            "SourceEncryptionAlgorithm",
            &opt(&s.source_encryption_algorithm),
        );
        for (name, value) in [
            ("CiphertextBlob", s.ciphertext_blob.clone()),
            ("DestinationKeyId", s.destination_key_id.clone()),
            ("SourceKeyId", opt(&s.source_key_id)),
            ("SourceKeyVersionId", opt(&s.source_key_version_id)),
            ("SourceEncryptionContext", opt(&s.encryption_context)),
            (
                "DestinationEncryptionContext",
                opt(&s.destination_encryption_context),
            ),
        ] {
            form.set(name, &value);
        }
        form.focus = 0;
        self.screen = super::app::Screen::Keys;
        self.result = None;
        self.form = Some(form);
        self.toast(
            super::toast::Level::Info,
            format!("Filled from sample {}: press ⏎ to run", s.name),
        )
    }
}
