//! Before the main screens: what the first-run and unlock screens ask for (their own updates
//! decide: `screens/gate/`) turned into the worker's jobs, and what happens when the worker has
//! opened the vault (or could not).

use crossterm::event::KeyEvent;

use crate::tui::action::Effect;
use crate::tui::app::{App, Gate, PendingKind};
use crate::tui::job::{Job, Reply};
use crate::tui::keymap::Cmd;
use crate::tui::modals::toast::Level;
use crate::tui::screens::gate::GateOut;
use crate::tui::screens::gate::first_run::{FirstRun, NewPassphrase};
use crate::tui::screens::gate::unlock::Unlock;

impl App {
    pub(in crate::tui) fn gate_command(&mut self, cmd: Cmd) -> Vec<Effect> {
        let out = match &mut self.gate {
            Some(Gate::FirstRun(f)) => f.update(cmd),
            Some(Gate::Unlock(u)) => u.update(cmd),
            Some(Gate::Failed(message)) if matches!(cmd, Cmd::Quit | Cmd::Confirm) => {
                self.failure = Some(message.clone());
                GateOut::Quit
            }
            _ => GateOut::Stay,
        };
        match out {
            GateOut::Stay => Vec::new(),
            GateOut::OpenDemo => {
                self.gate = Some(Gate::Loading("Copying the demo vault".to_owned()));
                vec![self.begin(Job::OpenDemo, PendingKind::Open)]
            }
            GateOut::Create(passphrase) => {
                let job = Job::Create {
                    path: self.vault_path.clone(),
                    passphrase,
                    kdf: self.config.kdf,
                };
                self.gate = Some(Gate::Loading(
                    "Creating the vault (deriving its key from the passphrase)".to_owned(),
                ));
                vec![self.begin(job, PendingKind::Create)]
            }
            GateOut::Unlock(passphrase) => {
                let job = Job::Open {
                    path: self.vault_path.clone(),
                    passphrase: Some(passphrase),
                };
                self.gate = Some(Gate::Loading("Unlocking the vault".to_owned()));
                vec![self.begin(job, PendingKind::Open)]
            }
            GateOut::Quit => {
                self.quit = true;
                vec![Effect::Quit]
            }
        }
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
            Some(Gate::FirstRun(f)) => f.field(),
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
