//! The guided walkthrough of `--demo`: one step per case of the ReEncrypt seed page, using the
//! demo's sample ciphertexts, plus choosing the rotated key, signing with the demo's signing key,
//! meeting a refusal, reading the audit log and a drill's outlook, and a last step saying what to
//! try next. It watches what the user does and ticks a step off when it is done.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use sha2::{Digest, Sha256};

use crate::api::{ApiError, ApiRequest, ApiResponse};
use crate::demo::DemoSample;

use crate::tui::keymap::Cmd;
use crate::tui::ui::theme::Theme;
use crate::tui::vault_view::KeyRow;

/// The rotated key of the demo.
pub const ROTATED_ALIAS: &str = "alias/orders";
/// The read-only principal of the demo, and what it meets.
pub const READ_ONLY_PRINCIPAL: &str = "auditor";
pub const REFUSAL_CODE: &str = "Forbidden.NoPermission";
/// The signing key of the demo (EC_P256, SIGN/VERIFY).
pub const SIGNING_ALIAS: &str = "alias/release-signing";
/// What the signing step signs: the caller hashes, KMS signs the digest (product §11.1).
pub const RELEASE_MANIFEST: &str = "kms-console demo release 1.0.0\n";
/// The file of the demo's samples (one JSON line each) written beside the demo copy, for the
/// drill step.
pub const SAMPLES_FILE: &str = "samples.jsonl";
/// The title of the last step.
pub const COMPLETE_TITLE: &str = "Walkthrough complete";

/// What completes a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Goal {
    /// Select the key with this alias.
    Select(String),
    /// ReEncrypt this sample (index into the samples) with the expected outcome.
    Sample(usize),
    /// Be refused with this code while acting as this principal.
    Refused { principal: String, code: String },
    /// Sign with the key of this id (the demo's signing key, reached by its alias).
    Sign { alias: String, key_id: String },
    /// Open an entry's detail on the audit screen.
    AuditDetail,
    /// See the drill's outlook of an input file (its lines counted by key version).
    DrillOutlook,
    /// Reached when every other step is done.
    Finish,
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
    /// Select the signing key and open AsymmetricSign with this digest (base64).
    Sign {
        alias: String,
        digest: String,
    },
    /// Open the audit screen.
    Audit,
    /// Open the drill screen with the demo's samples file as its input.
    Drill,
    /// Open the endpoint screen.
    Endpoint,
}

/// The walkthrough and where the user is in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Walkthrough {
    pub steps: Vec<Step>,
    pub samples: Vec<DemoSample>,
    pub current: usize,
    /// The user has not hidden it (`w`).
    pub visible: bool,
    /// `w` asked for it on a terminal too short for it to show by itself.
    pub pinned: bool,
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

/// The base64 SHA-256 digest of [`RELEASE_MANIFEST`], as `AsymmetricSign` takes it.
pub fn release_digest() -> String {
    STANDARD.encode(Sha256::digest(RELEASE_MANIFEST.as_bytes()))
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
        steps.push(Step {
            title: "The audit log".to_owned(),
            text: "Press 3: every call just made, newest first, with its key and RequestId. ⏎ opens an entry in full; / filters (e.g. principal=auditor).".to_owned(),
            goal: Goal::AuditDetail,
            done: false,
        });
        steps.push(Step {
            title: "A rotation drill".to_owned(),
            text: format!("Press 4, ⏎, type the path of a file of blobs (. uses the demo's {SAMPLES_FILE}): leaving the field counts its lines by key version."),
            goal: Goal::DrillOutlook,
            done: false,
        });
        steps.push(Step {
            title: COMPLETE_TITLE.to_owned(),
            text: "Next: 5 (or .) runs the endpoint for Alibaba's SDKs, `kms-console serve` from a shell; each action is a CLI command too (kms-console --help).".to_owned(),
            goal: Goal::Finish,
            done: false,
        });
        Self {
            steps,
            samples,
            current: 0,
            visible: true,
            pinned: false,
        }
    }

    /// Adds the signing step (before the refusal) when the vault has the demo's signing key.
    #[must_use]
    pub fn with_signing_key(mut self, key_id: Option<&str>) -> Self {
        let Some(key_id) = key_id else {
            return self;
        };
        let step = Step {
            title: format!("Signing keys — {SIGNING_ALIAS}"),
            text: "A SIGN/VERIFY key signs a digest the caller made (here SHA-256 of a release manifest) with ECDSA_SHA_256; GetPublicKey's PEM verifies it with openssl.".to_owned(),
            goal: Goal::Sign {
                alias: SIGNING_ALIAS.to_owned(),
                key_id: key_id.to_owned(),
            },
            done: false,
        };
        let at = self
            .steps
            .iter()
            .position(|s| matches!(s.goal, Goal::Refused { .. }))
            .unwrap_or(self.steps.len());
        self.steps.insert(at, step);
        self
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
            Goal::Sign { alias, .. } => Some(TryIt::Sign {
                alias: alias.clone(),
                digest: release_digest(),
            }),
            Goal::AuditDetail => Some(TryIt::Audit),
            Goal::DrillOutlook => Some(TryIt::Drill),
            Goal::Finish => Some(TryIt::Endpoint),
        }
    }

    /// Notes what the screens show (an audit entry's detail open, a drill outlook ready);
    /// returns the title of a step it completed.
    pub fn saw_screen(&mut self, audit_detail: bool, drill_outlook: bool) -> Option<String> {
        self.complete(|goal| match goal {
            Goal::AuditDetail => audit_detail,
            Goal::DrillOutlook => drill_outlook,
            _ => false,
        })
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
            Goal::Sign { key_id, .. } => {
                request.action == "AsymmetricSign"
                    && outcome
                        .as_ref()
                        .is_ok_and(|r| r.field("KeyId") == Some(key_id.as_str()))
            }
            Goal::Select(_) | Goal::AuditDetail | Goal::DrillOutlook | Goal::Finish => false,
        })
    }

    /// Marks the first open step whose goal holds as done and moves to the next open step; once
    /// every other step is done the last one ("Walkthrough complete") is too, and shows.
    fn complete(&mut self, reached: impl Fn(&Goal) -> bool) -> Option<String> {
        let i = self
            .steps
            .iter()
            .position(|s| !s.done && reached(&s.goal))?;
        let step = self.steps.get_mut(i)?;
        step.done = true;
        let title = step.title.clone();
        let finish = self.steps.iter().position(|s| s.goal == Goal::Finish);
        if let Some(f) = finish
            && self.steps.iter().all(|s| s.done || s.goal == Goal::Finish)
        {
            if let Some(step) = self.steps.get_mut(f) {
                step.done = true;
            }
            self.current = f;
        } else if i == self.current
            && let Some(next) = self
                .steps
                .iter()
                .position(|s| !s.done && s.goal != Goal::Finish)
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

impl Walkthrough {
    /// A key of the walkthrough panel: steps back and forth, or what "try it" asks for.
    pub fn command(&mut self, cmd: Cmd) -> Option<TryIt> {
        match cmd {
            Cmd::WalkNext => self.next(),
            Cmd::WalkPrev => self.prev(),
            Cmd::WalkTry => return self.try_it(),
            _ => {}
        }
        None
    }
}
