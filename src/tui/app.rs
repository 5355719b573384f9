//! The console's model and its update. `App::update` is the only place the model changes; it
//! does no I/O and returns effects (run this job, copy, save, quit) for the event loop.

/// The read-only context of the screens, built from the app's fields (so a screen of the app
/// can be borrowed mutably beside it): `cx!(self, body)`.
macro_rules! cx {
    ($app:expr, $body:expr) => {
        $crate::tui::context::Cx {
            view: &$app.view,
            theme: $app.config.theme,
            tick: $app.tick,
            principal: &$app.principal,
            body: $body,
        }
    };
}

pub mod damage;
pub(in crate::tui) mod gate;
pub mod input;
pub(in crate::tui) mod quit;
pub(in crate::tui) mod replies;
pub(in crate::tui) mod requests;
pub mod rooms;
pub mod view;
pub mod walk;

use std::path::PathBuf;

use crate::api::Format;
use crate::core::secret::SecretString;
use crate::core::vault_file::KdfParams;

pub use crate::tui::job::PendingKind;
pub use crate::tui::screens::Screen;

use crate::tui::action::{Action, Effect};
use crate::tui::form::Form;
use crate::tui::job::{Job, JobId, VaultInfo};
use crate::tui::keymap::{Cmd, Layer};
use crate::tui::modals::Modal;
use crate::tui::modals::result::ResultView;
use crate::tui::modals::toast::{Level, Toasts};
use crate::tui::screens::audit::AuditScreen;
use crate::tui::screens::drill::DrillScreen;
use crate::tui::screens::endpoint::EndpointScreen;
use crate::tui::screens::gate::first_run::FirstRun;
use crate::tui::screens::gate::unlock::Unlock;
use crate::tui::screens::keys::KeysScreen;
use crate::tui::screens::principals::PrincipalsScreen;
use crate::tui::screens::walkthrough::Walkthrough;
use crate::tui::ui::theme::Theme;
use crate::tui::vault_view::{KeyRow, VaultView};

/// How the console starts.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// The principal to act as at first.
    pub principal: String,
    /// The format results show in first.
    pub format: Format,
    pub theme: Theme,
    /// Key-derivation cost of a vault created on the first-run screen.
    pub kdf: KdfParams,
}

impl Default for AppConfig {
    fn default() -> Self {
        Self {
            principal: "admin".to_owned(),
            format: Format::Json,
            theme: Theme::default(),
            kdf: KdfParams::production(),
        }
    }
}

/// What stands before the main screens until a vault is open.
#[derive(Debug)]
pub enum Gate {
    /// Waiting for the worker (opening, deriving the key).
    Loading(String),
    FirstRun(FirstRun),
    Unlock(Unlock),
    /// The vault cannot be opened; says why until the user quits.
    Failed(String),
}

/// How the event loop starts the console.
#[derive(Debug)]
pub enum Startup {
    /// No vault at `path`.
    FirstRun { path: PathBuf },
    /// A sealed vault with no passphrase given (or a wrong one).
    Unlock {
        path: PathBuf,
        error: Option<String>,
    },
    Open {
        path: PathBuf,
        passphrase: Option<SecretString>,
    },
    /// A fresh temporary copy of the demo vault, with the walkthrough.
    Demo,
}

/// A job the UI waits for.
#[derive(Debug, Clone)]
pub struct Pending {
    pub id: JobId,
    pub label: String,
    pub kind: PendingKind,
}

/// The whole model.
#[derive(Debug)]
pub struct App {
    pub config: AppConfig,
    pub(in crate::tui::app) principal: String,
    pub info: Option<VaultInfo>,
    /// The vault file this console opens (before it is open).
    pub(in crate::tui::app) vault_path: PathBuf,
    pub view: VaultView,
    pub gate: Option<Gate>,
    pub screen: Screen,
    pub keys: KeysScreen,
    pub(in crate::tui::app) principals: PrincipalsScreen,
    pub audit: AuditScreen,
    pub drill: DrillScreen,
    pub endpoint: EndpointScreen,
    pub form: Option<Form>,
    pub result: Option<ResultView>,
    pub modals: Vec<Modal>,
    pub toasts: Toasts,
    pub walkthrough: Option<Walkthrough>,
    /// Why the vault file on disk does not open, while it does not (the damage banner).
    pub damage: Option<String>,
    pub(in crate::tui::app) pending: Vec<Pending>,
    next_job: JobId,
    pub(in crate::tui::app) tick: u64,
    /// The terminal size, for layout-dependent updates (scrolling, mouse).
    pub size: (u16, u16),
    pub quit: bool,
    /// Why the console quit without a vault (from the "Cannot open the vault" screen): the
    /// program then exits non-zero and says so once the screen is restored.
    pub(in crate::tui::app) failure: Option<String>,
}

impl App {
    pub fn new(config: AppConfig) -> Self {
        Self {
            principal: config.principal.clone(),
            config,
            info: None,
            vault_path: PathBuf::new(),
            view: VaultView::default(),
            gate: Some(Gate::Loading("Starting".to_owned())),
            screen: Screen::Keys,
            keys: KeysScreen::default(),
            principals: PrincipalsScreen::default(),
            audit: AuditScreen::default(),
            drill: DrillScreen::default(),
            endpoint: EndpointScreen::default(),
            form: None,
            result: None,
            modals: Vec::new(),
            toasts: Toasts::default(),
            walkthrough: None,
            damage: None,
            pending: Vec::new(),
            next_job: 1,
            tick: 0,
            size: (80, 24),
            quit: false,
            failure: None,
        }
    }

    /// A console already open on a vault (tests, benchmarks).
    pub fn with_vault(config: AppConfig, info: VaultInfo, view: VaultView) -> Self {
        let mut app = Self::new(config);
        app.opened(info, view);
        app
    }

    /// The first effects: open the vault, or show the first-run or passphrase screen.
    pub fn start(&mut self, startup: Startup) -> Vec<Effect> {
        match startup {
            Startup::FirstRun { path } => {
                let shown = path.display().to_string();
                self.vault_path = path;
                self.gate = Some(Gate::FirstRun(FirstRun::new(shown)));
                Vec::new()
            }
            Startup::Unlock { path, error } => {
                let shown = path.display().to_string();
                self.vault_path = path;
                self.gate = Some(Gate::Unlock(Unlock::new(shown, error)));
                Vec::new()
            }
            Startup::Open { path, passphrase } => {
                self.vault_path.clone_from(&path);
                let job = Job::Open { path, passphrase };
                vec![self.begin(job, PendingKind::Open)]
            }
            Startup::Demo => vec![self.begin(Job::OpenDemo, PendingKind::Open)],
        }
    }

    /// The one place the model changes.
    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        let mut effects = self.apply(action);
        effects.extend(self.audit_autoload());
        if self.walkthrough.is_some() {
            self.saw_screen();
        }
        effects
    }

    fn apply(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Cmd(layer, cmd) => self.command(layer, cmd),
            Action::Input(key) => {
                self.text_input(key);
                Vec::new()
            }
            Action::Paste(text) => {
                self.paste(&text);
                Vec::new()
            }
            Action::Click { column, row } => self.click(column, row),
            Action::Scroll { down, column, row } => self.wheel(down, column, row),
            Action::Resize(w, h) => {
                self.size = (w, h);
                self.relayout();
                Vec::new()
            }
            Action::Tick => {
                self.tick = self.tick.wrapping_add(1);
                self.toasts.tick();
                Vec::new()
            }
            Action::Worker(event) => self.worker_event(event),
            Action::Saved(Ok(path)) => self.toast(Level::Success, format!("Saved to {path}")),
            Action::Saved(Err(e)) => self.toast(Level::Error, e),
        }
    }

    fn command(&mut self, layer: Layer, cmd: Cmd) -> Vec<Effect> {
        match layer {
            Layer::Always | Layer::Global => self.global_command(cmd),
            Layer::Keys | Layer::Filter => {
                let body = self.body();
                let outs = self.keys.update(cmd, &cx!(self, body));
                self.carry_out(outs)
            }
            Layer::Walkthrough => self.walk_command(cmd),
            Layer::Principals => {
                let body = self.body();
                let outs = self.principals.update(cmd, &cx!(self, body));
                self.carry_out(outs)
            }
            Layer::Damaged => self.damage_command(cmd),
            Layer::Audit | Layer::AuditFilter | Layer::AuditDetail => {
                let body = self.body();
                let outs = self.audit.update(layer, cmd, &cx!(self, body));
                self.carry_out(outs)
            }
            // The drill screen's form has no `form`: its fields take these keys then.
            Layer::Form | Layer::Pickable | Layer::Choice if self.form.is_some() => {
                self.form_command(cmd)
            }
            Layer::Form | Layer::Pickable | Layer::Choice => {
                let body = self.body();
                let outs = self.drill.form_update(cmd, &cx!(self, body));
                self.carry_out(outs)
            }
            Layer::Drill | Layer::DrillForm | Layer::DrillRun | Layer::DrillReport => {
                let body = self.body();
                let outs = self.drill.update(layer, cmd, &cx!(self, body));
                self.carry_out(outs)
            }
            Layer::Endpoint | Layer::EndpointAddress => {
                let body = self.body();
                let outs = self.endpoint.update(layer, cmd, &cx!(self, body));
                self.carry_out(outs)
            }
            Layer::Result => self.result_command(cmd),
            Layer::Help
            | Layer::Confirm
            | Layer::Error
            | Layer::Picker
            | Layer::Prompt
            | Layer::Simulator
            | Layer::Ask
            | Layer::SecretOnce => self.modal_command(cmd),
            Layer::FirstRun | Layer::Passphrase => self.gate_command(cmd),
        }
    }

    fn global_command(&mut self, cmd: Cmd) -> Vec<Effect> {
        match cmd {
            Cmd::Quit => self.quit_command(),
            Cmd::Help => {
                let (layers, _) = self.route();
                self.modals
                    .push(Modal::Help(crate::tui::modals::help::HelpModal::new(
                        layers,
                    )));
                Vec::new()
            }
            Cmd::ShowKeys => self.show(Screen::Keys),
            Cmd::ShowPrincipals => self.show(Screen::Principals),
            Cmd::ShowAudit => self.show(Screen::Audit),
            Cmd::ShowDrill => self.show(Screen::Drill),
            Cmd::ShowEndpoint => self.show(Screen::Endpoint),
            Cmd::NextScreen => self.show(self.screen.next()),
            Cmd::PrevScreen => self.show(self.screen.prev()),
            Cmd::Back if self.screen != Screen::Keys => self.show(Screen::Keys),
            Cmd::ToggleWalkthrough => {
                // Hides the panel that shows; shows it (even on a short terminal) otherwise.
                let shown = crate::tui::app::view::areas(self).walk.height > 0;
                if let Some(w) = &mut self.walkthrough {
                    w.visible = !shown;
                    w.pinned = !shown;
                    self.relayout();
                }
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    /// Switches to a main screen (closing any result or form on top).
    pub fn show(&mut self, screen: Screen) -> Vec<Effect> {
        self.screen = screen;
        self.result = None;
        match screen {
            Screen::Audit => self.load_audit(),
            Screen::Drill => {
                let outs = self.drill.shown(self.keys.selected_key(&self.view));
                self.carry_out(outs)
            }
            _ => Vec::new(),
        }
    }

    /// Hands a job to the worker and remembers what its reply is for.
    pub fn begin(&mut self, job: Job, kind: PendingKind) -> Effect {
        let id = self.next_job;
        self.next_job += 1;
        self.pending.push(Pending {
            id,
            label: job.label(),
            kind,
        });
        Effect::Run(id, job)
    }

    /// The principal the console acts as.
    pub fn principal(&self) -> &str {
        &self.principal
    }

    /// Why the console quit without a vault, once (the program then exits non-zero).
    pub fn take_failure(&mut self) -> Option<String> {
        self.failure.take()
    }

    /// What the status bar shows while the worker is busy.
    pub fn busy(&self) -> Option<&str> {
        self.pending.first().map(|p| p.label.as_str())
    }

    /// Whether ticks matter now (a spinner turns or a toast fades).
    pub fn wants_tick(&self) -> bool {
        !self.pending.is_empty() || !self.toasts.is_empty()
    }

    pub fn toast(&mut self, level: Level, text: impl Into<String>) -> Vec<Effect> {
        self.toasts.push(level, text);
        Vec::new()
    }

    pub fn selected_key(&self) -> Option<&KeyRow> {
        self.keys.selected_key(&self.view)
    }

    /// The vault is open: show the main screens.
    pub fn opened(&mut self, info: VaultInfo, view: VaultView) {
        if info.demo && self.walkthrough.is_none() {
            let samples = crate::demo::samples()
                .map(|s| s.samples)
                .unwrap_or_default();
            let signing = view
                .aliases
                .get(crate::tui::screens::walkthrough::SIGNING_ALIAS);
            self.walkthrough =
                Some(Walkthrough::new(samples).with_signing_key(signing.map(String::as_str)));
        }
        self.info = Some(info);
        self.gate = None;
        self.set_view(view);
        self.warn_if_unknown_principal();
    }

    /// Takes a new view of the vault, keeping the selection on the same key.
    pub fn set_view(&mut self, view: VaultView) {
        self.view = view;
        let keep = self.keys.selected_id.clone();
        self.keys.refilter(&self.view, keep.as_deref());
        self.relayout();
        if self.principals.selected >= self.view.principals.len() {
            self.principals.selected = 0;
        }
    }

    /// Keeps scroll positions valid after the size or the content changed.
    pub fn relayout(&mut self) {
        let rows = self.key_list_rows();
        self.keys.ensure_visible(rows);
    }
}
