//! Before the main screens: the first-run choices, the new passphrase typed twice, the
//! passphrase prompt of a sealed vault, and what happens when the worker has opened the vault
//! (or could not).

use crossterm::event::KeyEvent;

use crate::tui::action::Effect;
use crate::tui::app::{App, Gate, PendingKind};
use crate::tui::job::{Job, Reply};
use crate::tui::keymap::Cmd;
use crate::tui::modals::toast::Level;
use crate::tui::screens::gate::first_run::{CHOICES, EMPTY_PASSPHRASE, FirstRun, NewPassphrase};
use crate::tui::screens::gate::unlock::Unlock;

impl App {
    pub(in crate::tui) fn gate_command(&mut self, cmd: Cmd) -> Vec<Effect> {
        match self.gate.take() {
            Some(Gate::FirstRun(mut f)) => {
                let effects = if f.entering.is_some() {
                    self.new_passphrase_command(&mut f, cmd)
                } else {
                    self.first_run_command(&mut f, cmd)
                };
                if self.gate.is_none() && !self.quit {
                    self.gate = Some(Gate::FirstRun(f));
                }
                effects
            }
            Some(Gate::Unlock(u)) => self.unlock_command(u, cmd),
            Some(Gate::Failed(message)) => {
                if matches!(cmd, Cmd::Quit | Cmd::Confirm) {
                    self.failure = Some(message);
                    self.quit = true;
                    return vec![Effect::Quit];
                }
                self.gate = Some(Gate::Failed(message));
                Vec::new()
            }
            other => {
                self.gate = other;
                Vec::new()
            }
        }
    }

    fn first_run_command(&mut self, f: &mut FirstRun, cmd: Cmd) -> Vec<Effect> {
        match cmd {
            Cmd::Up => f.choice = f.choice.saturating_sub(1),
            Cmd::Down => f.choice = (f.choice + 1).min(CHOICES.len() - 1),
            Cmd::Confirm if f.choice == 0 => f.entering = Some(NewPassphrase::default()),
            Cmd::Confirm if f.choice == 1 => {
                self.gate = Some(Gate::Loading("Copying the demo vault".to_owned()));
                return vec![self.begin(Job::OpenDemo, PendingKind::Open)];
            }
            Cmd::Confirm | Cmd::Quit => {
                self.quit = true;
                return vec![Effect::Quit];
            }
            _ => {}
        }
        Vec::new()
    }

    fn new_passphrase_command(&mut self, f: &mut FirstRun, cmd: Cmd) -> Vec<Effect> {
        let Some(p) = &mut f.entering else {
            return Vec::new();
        };
        match cmd {
            Cmd::NextField => p.focus = 1 - p.focus.min(1),
            Cmd::Cancel => f.entering = None,
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
                let job = Job::Create {
                    path: self.vault_path.clone(),
                    passphrase: p.first.take(),
                    kdf: self.config.kdf,
                };
                p.second.clear();
                self.gate = Some(Gate::Loading(
                    "Creating the vault (deriving its key from the passphrase)".to_owned(),
                ));
                return vec![self.begin(job, PendingKind::Create)];
            }
            _ => {}
        }
        Vec::new()
    }

    fn unlock_command(&mut self, mut u: Unlock, cmd: Cmd) -> Vec<Effect> {
        match cmd {
            Cmd::Submit if u.field.is_empty() => {
                u.error = Some("Type the passphrase.".to_owned());
            }
            Cmd::Submit => {
                let job = Job::Open {
                    path: self.vault_path.clone(),
                    passphrase: Some(u.field.take()),
                };
                self.gate = Some(Gate::Loading("Unlocking the vault".to_owned()));
                return vec![self.begin(job, PendingKind::Open)];
            }
            Cmd::Cancel | Cmd::Quit => {
                self.quit = true;
                return vec![Effect::Quit];
            }
            _ => {}
        }
        self.gate = Some(Gate::Unlock(u));
        Vec::new()
    }

    pub(in crate::tui) fn passphrase_input(&mut self, key: KeyEvent) {
        if let Some(field) = self.passphrase_field() {
            field.input(key);
        }
    }

    pub(in crate::tui) fn passphrase_paste(&mut self, text: &str) {
        if let Some(field) = self.passphrase_field() {
            field.paste(text);
        }
    }

    /// The passphrase field being typed into, on the unlock or the first-run screen.
    fn passphrase_field(&mut self) -> Option<&mut crate::tui::form::secret_field::SecretField> {
        match &mut self.gate {
            Some(Gate::Unlock(u)) => Some(&mut u.field),
            Some(Gate::FirstRun(f)) => f.entering.as_mut().map(|p| {
                if p.focus == 0 {
                    &mut p.first
                } else {
                    &mut p.second
                }
            }),
            _ => None,
        }
    }

    /// The worker created the vault, or could not: then the first-run form says why, to try
    /// again (another passphrase, or quit) rather than a dead end.
    pub(in crate::tui) fn create_done(&mut self, reply: Reply) -> Vec<Effect> {
        match reply {
            Reply::OpenFailed { message, .. } => {
                let mut first_run = FirstRun::new(self.vault_path.display().to_string());
                first_run.entering = Some(NewPassphrase {
                    error: Some(format!("Cannot create the vault: {message}")),
                    ..NewPassphrase::default()
                });
                self.gate = Some(Gate::FirstRun(first_run));
                Vec::new()
            }
            other => self.open_done(other),
        }
    }

    /// The worker opened (or created) the vault, or could not.
    pub(in crate::tui) fn open_done(&mut self, reply: Reply) -> Vec<Effect> {
        match reply {
            Reply::Opened(opened) => {
                let opened = *opened;
                self.opened(opened.info, opened.view);
                for note in opened.notes {
                    self.toasts.push(Level::Info, note);
                }
            }
            Reply::OpenFailed {
                message,
                wrong_passphrase: true,
            } => {
                let path = self.vault_path.display().to_string();
                self.gate = Some(Gate::Unlock(Unlock::new(path, Some(message))));
            }
            Reply::OpenFailed { message, .. } => self.gate = Some(Gate::Failed(message)),
            _ => {}
        }
        Vec::new()
    }
}
