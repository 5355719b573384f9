//! The app's side of the guided walkthrough: what "try it" does to the rest of the console —
//! select a key on the keys screen, act as a principal, fill the ReEncrypt form from a sample,
//! open AsymmetricSign on the demo's signing key, open the audit, drill (on the demo's samples
//! file) and endpoint screens — and what it hears back from the screens.

use crate::demo::DemoSample;
use crate::tui::action::Effect;
use crate::tui::app::{App, Screen};
use crate::tui::form::Form;
use crate::tui::keymap::Cmd;
use crate::tui::modals::toast::Level;
use crate::tui::screens::drill::ScanState;
use crate::tui::screens::drill::form::DrillField;
use crate::tui::screens::walkthrough::{SAMPLES_FILE, TryIt};
use std::path::Path;

impl App {
    /// A key of the walkthrough panel; "try it" does the current step's setup: selects the
    /// key, or fills the ReEncrypt form.
    pub(in crate::tui) fn walk_command(&mut self, cmd: Cmd) -> Vec<Effect> {
        let Some(step) = self.walkthrough.as_mut().and_then(|w| w.command(cmd)) else {
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
            TryIt::Sign { alias, digest } => {
                self.select_alias(&alias);
                let mut effects = self.open_form(crate::api::Action::AsymmetricSign);
                if let Some(form) = &mut self.form {
                    form.set("Digest", &digest);
                }
                effects.extend(self.toast(
                    Level::Info,
                    format!("AsymmetricSign filled for {alias}: press ⏎ to sign"),
                ));
                effects
            }
            TryIt::Audit => {
                let mut effects = self.show(Screen::Audit);
                effects.extend(self.toast(Level::Info, "⏎ opens the selected entry in full"));
                effects
            }
            TryIt::Drill => self.try_drill(),
            TryIt::Endpoint => self.show(Screen::Endpoint),
        }
    }

    /// Opens the drill screen with the demo's samples file (beside the demo copy) as its input.
    fn try_drill(&mut self) -> Vec<Effect> {
        let folder = self.info.as_ref().and_then(|i| {
            std::path::Path::new(&i.path)
                .parent()
                .map(Path::to_path_buf)
        });
        if let Some(folder) = folder {
            let path = folder.join(SAMPLES_FILE).display().to_string();
            self.drill.form.set(DrillField::Input, &path);
        }
        let mut effects = self.show(Screen::Drill);
        effects.extend(self.toast(
            Level::Info,
            "The outlook counts the file's lines by key version: s starts the drill",
        ));
        effects
    }

    /// Tells the walkthrough what the screens show (an audit entry's detail, a drill's outlook);
    /// called after every change of the model.
    pub(in crate::tui) fn saw_screen(&mut self) {
        let audit = self.screen == Screen::Audit && self.audit.detail.is_some();
        let drill = self.screen == Screen::Drill && matches!(self.drill.scan, ScanState::Ready(_));
        if let Some(w) = &mut self.walkthrough
            && let Some(title) = w.saw_screen(audit, drill)
        {
            self.toasts
                .push(Level::Success, format!("✓ Walkthrough: {title}"));
        }
    }

    /// Selects the key with this alias (clearing the filter).
    pub fn select_alias(&mut self, alias: &str) {
        self.screen = Screen::Keys;
        self.keys.query.clear();
        self.keys.filtering = false;
        let id = self.view.aliases.get(alias).cloned();
        self.keys.refilter(&self.view, id.as_deref());
        self.relayout();
        self.saw_selection();
    }

    /// Opens the ReEncrypt form filled from a demo sample.
    pub fn fill_from_sample(&mut self, s: &DemoSample) -> Vec<Effect> {
        let Some(spec) = crate::api::find_action("ReEncrypt") else {
            return Vec::new();
        };
        let mut form = Form::new(spec);
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
        self.screen = Screen::Keys;
        self.result = None;
        self.form = Some(form);
        self.toast(
            Level::Info,
            format!("Filled from sample {}: press ⏎ to run", s.name),
        )
    }
}
