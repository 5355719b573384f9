//! The app's side of the guided walkthrough: what "try it" does to the rest of the console —
//! select a key on the keys screen, act as a principal, fill the ReEncrypt form from a sample,
//! open AsymmetricSign on the demo's signing key.

use crate::demo::DemoSample;
use crate::tui::action::Effect;
use crate::tui::app::{App, Screen};
use crate::tui::form::Form;
use crate::tui::keymap::Cmd;
use crate::tui::modals::toast::Level;
use crate::tui::screens::walkthrough::TryIt;

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
