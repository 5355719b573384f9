//! The request flow: opening an action's form, picking keys and versions, confirming
//! destructive requests, sending the request to the worker, and showing what comes back (the
//! result view on success, the error modal titled with the API code on failure).

use crate::api::{ApiError, ApiRequest, ApiResponse};

use crate::core::ops::simulate::Simulation;
use crate::core::vault::PrincipalCall;
use crate::tui::action::Effect;
use crate::tui::app::{App, PendingKind, Screen};
use crate::tui::form::Form;
use crate::tui::form::rules as form_rules;
use crate::tui::job::PrincipalDone;
use crate::tui::job::{Job, JobId};
use crate::tui::keymap::Cmd;
use crate::tui::modals::Modal;
use crate::tui::modals::confirm::ConfirmModal;
use crate::tui::modals::error::ErrorModal;
use crate::tui::modals::picker::{PickTarget, Picker};
use crate::tui::modals::result::ResultView;
use crate::tui::modals::save_prompt::SavePrompt;
use crate::tui::modals::secret_once::SecretOnce;
use crate::tui::modals::simulator::{Ask, SimulatorModal};
use crate::tui::modals::toast::Level;

impl App {
    /// Opens the form of `action`, filled from the selected key.
    pub fn open_form(&mut self, action: crate::api::Action) -> Vec<Effect> {
        let mut form = Form::new(action.spec());
        form_rules::prefill(&mut form, self.selected_key());
        self.form = Some(form);
        self.result = None;
        self.screen = Screen::Keys;
        Vec::new()
    }

    pub(in crate::tui) fn form_command(&mut self, cmd: Cmd) -> Vec<Effect> {
        if cmd == Cmd::Submit {
            return self.submit();
        }
        if cmd == Cmd::Pick {
            return self.open_picker();
        }
        let Some(form) = &mut self.form else {
            return Vec::new();
        };
        match cmd {
            Cmd::NextField => form.move_focus(true),
            Cmd::PrevField => form.move_focus(false),
            Cmd::CycleNext => form.cycle(true),
            Cmd::CyclePrev => form.cycle(false),
            Cmd::Close => self.form = None,
            _ => {}
        }
        Vec::new()
    }

    fn open_picker(&mut self) -> Vec<Effect> {
        let Some(form) = &self.form else {
            return Vec::new();
        };
        match Picker::for_field(form, &self.view) {
            Ok(picker) => {
                self.modals.push(Modal::Picker(picker));
                Vec::new()
            }
            Err(why) => self.toast(Level::Warn, why),
        }
    }

    /// Checks the form; sends its request, or asks first if it is destructive.
    fn submit(&mut self) -> Vec<Effect> {
        let Some(form) = &mut self.form else {
            return Vec::new();
        };
        if form.pending.is_some() {
            return self.toast(Level::Info, "Still running; wait for the result");
        }
        if !form.validate() {
            return Vec::new();
        }
        let request = form.request();
        if let Some((title, message)) = form_rules::confirmation(&request, &self.view) {
            self.modals.push(Modal::Confirm(ConfirmModal {
                title,
                message,
                request,
            }));
            return Vec::new();
        }
        self.send(request)
    }

    /// Sends a request to the worker as the current principal.
    pub fn send(&mut self, request: ApiRequest) -> Vec<Effect> {
        if self.drill.running().is_some() {
            self.toasts.push(
                Level::Info,
                "Queued: the worker finishes the drill first (esc on the drill screen cancels it)",
            );
        }
        let principal = self.principal.clone();
        let job = Job::Api {
            principal: principal.clone(),
            request: request.clone(),
        };
        let effect = self.begin(job, PendingKind::Api { request, principal });
        if let (Some(form), Effect::Run(id, _)) = (&mut self.form, &effect) {
            form.pending = Some(*id);
        }
        vec![effect]
    }

    pub(in crate::tui) fn api_done(
        &mut self,
        id: JobId,
        principal: &str,
        request: ApiRequest,
        outcome: Result<ApiResponse, ApiError>,
    ) -> Vec<Effect> {
        if let Some(form) = &mut self.form
            && form.pending == Some(id)
        {
            form.pending = None;
        }
        self.audit.stale = true;
        if let Some(w) = &mut self.walkthrough
            && let Some(title) = w.saw_result(principal, &request, &outcome)
        {
            self.toasts
                .push(Level::Success, format!("✓ Walkthrough: {title}"));
        }
        let format = self.config.format;
        match outcome {
            Ok(response) => {
                // The new key is selected (the worker's new view came before this reply).
                if request.is(crate::api::Action::CreateKey)
                    && let Some(subject) = &response.subject
                {
                    self.select_key(&subject.key_id.clone());
                }
                let view = ResultView::new(request, Ok(response), format, &self.view);
                self.result = Some(view.acting_as(principal));
            }
            Err(error) => self.modals.push(Modal::Error(
                ErrorModal::api(request, error, format, &self.view).acting_as(principal),
            )),
        }
        Vec::new()
    }

    pub(in crate::tui) fn result_command(&mut self, cmd: Cmd) -> Vec<Effect> {
        let Some(result) = &mut self.result else {
            return Vec::new();
        };
        let (text, what) = match cmd {
            Cmd::ToggleFormat => {
                result.toggle_format();
                self.config.format = result.format;
                return Vec::new();
            }
            Cmd::Up => {
                result.scroll = result.scroll.saturating_sub(1);
                return Vec::new();
            }
            Cmd::Down => {
                let body = crate::tui::app::view::areas(self).body;
                if let Some(result) = &mut self.result {
                    result.scroll = (result.scroll + 1).min(result.max_scroll(body));
                }
                return Vec::new();
            }
            Cmd::Save => {
                let prompt = SavePrompt::new(&result.default_file_name(), result.document());
                self.modals.push(Modal::Save(prompt));
                return Vec::new();
            }
            Cmd::Close => {
                self.result = None;
                return Vec::new();
            }
            Cmd::CopyDocument => (result.document(), "the document"),
            Cmd::CopyCli => (result.cli_line(), "the CLI line"),
            Cmd::CopyQuery => (result.query(), "the ?Action= request"),
            Cmd::Reveal => {
                result.toggle_reveal();
                return Vec::new();
            }
            Cmd::CopyField(name) => match result.field_to_copy(name) {
                Ok(value) => (value, name),
                Err(why) => return self.toast(Level::Warn, why),
            },
            Cmd::Chain(action) => return self.chain(action),
            _ => return Vec::new(),
        };
        self.toasts.push(
            Level::Success,
            format!("Copied {what} (OSC 52: the terminal puts it on the clipboard)"),
        );
        vec![Effect::Copy(text)]
    }

    /// "Why was this denied?": the policy simulator over the error, filled with the refused
    /// call's principal, action and key, asked at once.
    fn why_denied(&mut self, error: ErrorModal) -> Vec<Effect> {
        let Some(doc) = error.document.as_deref() else {
            self.modals.push(Modal::Error(error));
            return Vec::new();
        };
        let simulator = SimulatorModal::for_request(&self.view, &doc.principal, &doc.request);
        let ask = simulator.ask();
        self.modals.push(Modal::Error(error));
        self.modals.push(Modal::Simulator(Box::new(simulator)));
        self.simulate(ask)
    }

    /// Runs a principal call through the worker, as the principal the console acts as.
    pub(in crate::tui) fn principal_call(&mut self, call: PrincipalCall) -> Vec<Effect> {
        let job = Job::Principal {
            principal: self.principal.clone(),
            call,
        };
        vec![self.begin(job, PendingKind::Principal)]
    }

    /// A principal call's answer: a toast (and the secret, once) or the error modal.
    pub(in crate::tui) fn principal_done(&mut self, done: PrincipalDone) -> Vec<Effect> {
        self.audit.stale = true;
        match done.result {
            Ok(note) => {
                if let Some((user, access_key_id, secret)) = done.secret {
                    self.modals.push(Modal::SecretOnce(Box::new(SecretOnce {
                        user,
                        access_key_id,
                        secret,
                    })));
                }
                self.toast(Level::Success, format!("{} ✓ {note}", done.action))
            }
            Err((code, message)) => {
                let title = format!("{code} ({})", done.action);
                let mut modal = ErrorModal::plain(&title, &message);
                modal.lines.push(format!("RequestId {}", done.request_id));
                self.modals.push(Modal::Error(modal));
                Vec::new()
            }
        }
    }

    /// Asks the worker the simulator's question, as the principal the console acts as.
    fn simulate(&mut self, ask: Ask) -> Vec<Effect> {
        let job = Job::Simulate {
            principal: self.principal.clone(),
            ask,
        };
        vec![self.begin(job, PendingKind::Simulate)]
    }

    /// The simulator's answer, for the simulator on top (if it is still open).
    pub(in crate::tui) fn simulated(&mut self, answer: Result<Simulation, String>) {
        if let Some(Modal::Simulator(s)) = self.modals.last_mut() {
            s.answer = Some(answer);
        }
    }

    /// Opens the form of `action` filled from the result's blob and context.
    fn chain(&mut self, action: crate::api::Action) -> Vec<Effect> {
        let Some(result) = &self.result else {
            return Vec::new();
        };
        let chain = match result.chain(action) {
            Ok(chain) => chain,
            Err(why) => return self.toast(Level::Warn, why),
        };
        let effects = self.open_form(chain.action);
        if let Some(form) = &mut self.form {
            for (name, value) in &chain.fields {
                form.set(name, value);
            }
            form.focus_on("CiphertextBlob");
        }
        effects
    }

    pub(in crate::tui) fn modal_command(&mut self, cmd: Cmd) -> Vec<Effect> {
        let Some(modal) = self.modals.pop() else {
            return Vec::new();
        };
        match (modal, cmd) {
            (Modal::Help(mut help), Cmd::Up | Cmd::Down) => {
                let room = crate::tui::app::view::modal_room(self.size);
                let rows = Modal::Help(help.clone())
                    .area(room)
                    .height
                    .saturating_sub(2);
                help.scroll_by(cmd == Cmd::Down, rows);
                self.modals.push(Modal::Help(help));
            }
            (Modal::Confirm(c), Cmd::Confirm) => return self.send(c.request.clone()),
            (Modal::Restore(_), Cmd::Confirm) => return self.restore_confirmed(),
            (Modal::Quit(_), Cmd::Confirm) => return self.quit_now(),
            (Modal::Quit(_), Cmd::Cancel) => {
                return self.toast(Level::Info, "The drill keeps running");
            }
            (Modal::Confirm(_) | Modal::Restore(_) | Modal::Principal(_), Cmd::Cancel) => {
                return self.toast(Level::Info, "Cancelled; nothing was changed");
            }
            (Modal::Error(e), Cmd::ViewDocument) => self.result = e.document.map(|d| *d),
            (Modal::Error(e), Cmd::Simulate) => return self.why_denied(e),
            (Modal::Principal(p), Cmd::Confirm) => match p.call() {
                Ok(call) => return self.principal_call(call),
                Err(why) => {
                    self.modals.push(Modal::Principal(p));
                    return self.toast(Level::Warn, why);
                }
            },
            (Modal::SecretOnce(s), Cmd::CopyDocument) => {
                let text = s.secret.expose().to_owned();
                self.modals.push(Modal::SecretOnce(s));
                self.toasts.push(
                    Level::Success,
                    "Copied the AccessKeySecret (OSC 52: the terminal puts it on the clipboard)",
                );
                return vec![Effect::Copy(text)];
            }
            (Modal::SecretOnce(_), Cmd::Close) => {
                return self.toast(Level::Info, "The AccessKeySecret is gone from the console");
            }
            (Modal::Simulator(mut s), cmd) if cmd != Cmd::Close => {
                let ask = s.update(cmd);
                self.modals.push(Modal::Simulator(s));
                if let Some(ask) = ask {
                    return self.simulate(ask);
                }
            }
            (Modal::Error(e), Cmd::AuditEntry) => match e.request_id {
                Some(id) => return self.jump_to_audit_entry(&id),
                None => self.modals.push(Modal::Error(e)),
            },
            (Modal::Picker(p), Cmd::Confirm) => return self.picked(&p),
            (Modal::Picker(mut p), Cmd::Up | Cmd::Down | Cmd::PageUp | Cmd::PageDown) => {
                p.move_by(match cmd {
                    Cmd::Up => -1,
                    Cmd::Down => 1,
                    Cmd::PageUp => -10,
                    _ => 10,
                });
                self.modals.push(Modal::Picker(p));
            }
            (Modal::Save(s), Cmd::Confirm) => {
                let path = s.field.text().trim().to_owned();
                return vec![Effect::Save {
                    path: path.into(),
                    contents: s.contents,
                }];
            }
            (Modal::Help(_) | Modal::Error(_) | Modal::Simulator(_), Cmd::Close)
            | (Modal::Picker(_) | Modal::Save(_), Cmd::Cancel) => {}
            (modal, _) => self.modals.push(modal),
        }
        Vec::new()
    }

    /// Selects key `key_id` in the list, clearing a filter that hides it.
    fn select_key(&mut self, key_id: &str) {
        self.keys.refilter(&self.view, Some(key_id));
        if self.keys.selected_id.as_deref() != Some(key_id) {
            self.keys.query.clear();
            self.keys.refilter(&self.view, Some(key_id));
        }
        self.relayout();
    }

    fn picked(&mut self, picker: &Picker) -> Vec<Effect> {
        let Some(item) = picker.chosen() else {
            return Vec::new();
        };
        match &picker.target {
            PickTarget::Action => match crate::api::Action::parse(&item.value) {
                Some(action) => self.open_form(action),
                None => Vec::new(),
            },
            PickTarget::DrillKey => {
                self.drill.picked(&item.value.clone());
                Vec::new()
            }
            PickTarget::EndpointPrincipal => {
                self.endpoint.picked(&item.value.clone(), &self.view);
                Vec::new()
            }
            PickTarget::Field(name) => {
                let view = &self.view;
                if let Some(form) = &mut self.form {
                    form.set(name, &item.value);
                    // A key chosen for an asymmetric source also names its primary version.
                    if let Some(key) = view.resolve(&item.value) {
                        let version = if *name == "SourceKeyId" {
                            "SourceKeyVersionId"
                        } else {
                            "KeyVersionId"
                        };
                        if matches!(*name, "SourceKeyId" | "KeyId") {
                            form.set(version, key.primary_id());
                        }
                    }
                    form.focus_on(name);
                }
                Vec::new()
            }
        }
    }
}
