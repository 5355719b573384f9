//! The app's side of the rooms: the read-only context a screen sees, carrying out what a screen
//! asks for ([`Out`]), and what only the app can do for them — who the console acts as, the
//! walkthrough hearing of the selection, reading the audit log once at a time.

use ratatui::layout::Rect;

use crate::tui::action::Effect;
use crate::tui::app::App;
use crate::tui::context::Cx;
use crate::tui::job::PendingKind;
use crate::tui::modals::toast::Level;
use crate::tui::screens::keys::KeysScreen;
use crate::tui::screens::principals::unknown_principal_warning;
use crate::tui::screens::{Out, Screen};

impl App {
    /// What the screens see of the app, for a screen drawn in `body`.
    pub fn cx(&self, body: Rect) -> Cx<'_> {
        cx!(self, body)
    }

    /// The body of the screen at the current terminal size.
    pub fn body(&self) -> Rect {
        crate::tui::app::view::areas(self).body
    }

    /// Carries out what a screen asked for, in order.
    pub(in crate::tui) fn carry_out(&mut self, outs: Vec<Out>) -> Vec<Effect> {
        let mut effects = Vec::new();
        for out in outs {
            match out {
                Out::Toast(level, text) => self.toasts.push(level, text),
                Out::Modal(modal) => self.modals.push(modal),
                Out::OpenForm(action) => effects.extend(self.open_form(action)),
                Out::Run(job, kind) => {
                    let drill = matches!(kind, PendingKind::Drill);
                    let effect = self.begin(job, kind);
                    if drill && let Effect::Run(id, _) = &effect {
                        self.drill.began(*id);
                    }
                    effects.push(effect);
                }
                Out::ActAs(name) => effects.extend(self.act_as(&name)),
                Out::Principal(call) => effects.extend(self.principal_call(call)),
                Out::SelectionMoved => self.saw_selection(),
                Out::LoadAudit => effects.extend(self.load_audit()),
                Out::Back => effects.extend(self.show(Screen::Keys)),
                Out::Effect(effect) => effects.push(effect),
            }
        }
        effects
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

    /// Tells the walkthrough which key is selected.
    pub(in crate::tui) fn saw_selection(&mut self) {
        let key = self.keys.selected_key(&self.view).cloned();
        if let Some(w) = &mut self.walkthrough
            && let Some(title) = w.saw_selection(key.as_ref())
        {
            self.toasts
                .push(Level::Success, format!("✓ Walkthrough: {title}"));
        }
    }

    /// Rows of keys the list shows at the current size.
    pub fn key_list_rows(&self) -> usize {
        KeysScreen::rows(self.body())
    }

    /// Asks the worker for the log (unless it is already reading it).
    pub(in crate::tui) fn load_audit(&mut self) -> Vec<Effect> {
        let reading = self
            .pending
            .iter()
            .any(|p| matches!(p.kind, PendingKind::Audit { .. }));
        if reading || self.info.is_none() {
            return Vec::new();
        }
        self.audit.stale = false;
        let (job, kind) = self.audit.reload_job();
        vec![self.begin(job, kind)]
    }

    /// Shows the audit screen and finds the entry of this RequestId (from an error modal).
    pub(in crate::tui) fn jump_to_audit_entry(&mut self, request_id: &str) -> Vec<Effect> {
        self.form = None;
        let mut effects = self.show(Screen::Audit);
        let outs = self.audit.find_request(request_id);
        effects.extend(self.carry_out(outs));
        effects
    }

    /// Reads the log again if it shows and may have grown.
    pub(in crate::tui) fn audit_autoload(&mut self) -> Vec<Effect> {
        if self.gate.is_none() && self.screen == Screen::Audit && self.audit.stale {
            return self.load_audit();
        }
        Vec::new()
    }
}
