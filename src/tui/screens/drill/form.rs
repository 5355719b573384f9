//! The drill screen's form: input and output files, destination key (empty: in place), threads,
//! rotate first and dry run, as typed fields with a focus. The output follows the input (`<input>.reencrypted`)
//! until it is edited; rotate first and dry run exclude each other; [`DrillForm::job`] checks
//! the fields and builds the [`DrillJob`].

use std::path::PathBuf;

use crossterm::event::KeyEvent;

use crate::core::drill::{DEFAULT_MAX_FAILURES, DrillJob, DrillOptions, MAX_THREADS};
use crate::core::spec::KeyState;

use crate::tui::form::field::TextField;
use crate::tui::vault_view::VaultView;

/// What the default output adds to the input's name.
pub const OUTPUT_SUFFIX: &str = ".reencrypted";

/// The form's fields, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DrillField {
    Input,
    Output,
    Destination,
    Threads,
    Rotate,
    DryRun,
}

impl DrillField {
    pub const ALL: [Self; 6] = [
        Self::Input,
        Self::Output,
        Self::Destination,
        Self::Threads,
        Self::Rotate,
        Self::DryRun,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::Input => "Input file",
            Self::Output => "Output file",
            Self::Destination => "Destination key",
            Self::Threads => "Threads",
            Self::Rotate => "Rotate first",
            Self::DryRun => "Dry run",
        }
    }

    /// The line under the form when the field has the focus.
    pub fn help(self) -> &'static str {
        match self {
            Self::Input => "A file of CiphertextBlob lines (base64, or JSON lines); only read.",
            Self::Output => {
                "Where the lines go, in order; written only once every line is done, never over a file."
            }
            Self::Destination => {
                "Where every line goes (^P: pick); empty: in place, to each line's own key."
            }
            Self::Threads => "Worker threads, 1 to 256; empty: one per core.",
            Self::Rotate => {
                "Make a new version first (of the destination, or in place of each key with old lines)."
            }
            Self::DryRun => {
                "Check every line (permissions, key states, decryption); write nothing."
            }
        }
    }

    pub fn is_text(self) -> bool {
        !matches!(self, Self::Rotate | Self::DryRun)
    }
}

/// Fields the user filled in, which no longer follow their defaults.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Chosen {
    /// The output was typed, so it no longer follows the input.
    pub output: bool,
    /// The destination was typed or picked, so it no longer follows the selected key.
    pub destination: bool,
}

/// The form as filled in.
#[derive(Debug, Clone)]
pub struct DrillForm {
    pub input: TextField,
    pub output: TextField,
    pub destination: TextField,
    pub threads: TextField,
    pub rotate: bool,
    pub dry_run: bool,
    pub focus: DrillField,
    pub chosen: Chosen,
    /// What was wrong when starting, shown until the field is edited.
    pub errors: Vec<(DrillField, String)>,
}

impl Default for DrillForm {
    fn default() -> Self {
        Self {
            input: TextField::scrolling("path of a file of ciphertext lines"),
            output: TextField::scrolling("<input>.reencrypted"),
            destination: TextField::scrolling("in place (^P: pick)"),
            threads: TextField::scrolling("one per core"),
            rotate: false,
            dry_run: false,
            focus: DrillField::Input,
            chosen: Chosen::default(),
            errors: Vec::new(),
        }
    }
}

impl DrillForm {
    pub fn text_field(&self, field: DrillField) -> Option<&TextField> {
        match field {
            DrillField::Input => Some(&self.input),
            DrillField::Output => Some(&self.output),
            DrillField::Destination => Some(&self.destination),
            DrillField::Threads => Some(&self.threads),
            DrillField::Rotate | DrillField::DryRun => None,
        }
    }

    fn text_field_mut(&mut self, field: DrillField) -> Option<&mut TextField> {
        match field {
            DrillField::Input => Some(&mut self.input),
            DrillField::Output => Some(&mut self.output),
            DrillField::Destination => Some(&mut self.destination),
            DrillField::Threads => Some(&mut self.threads),
            DrillField::Rotate | DrillField::DryRun => None,
        }
    }

    /// A text field's value, trimmed.
    pub fn value(&self, field: DrillField) -> String {
        self.text_field(field)
            .map(|f| f.text().trim().to_owned())
            .unwrap_or_default()
    }

    /// Sets a text field as if typed (the output follows a new input unless edited).
    pub fn set(&mut self, field: DrillField, value: &str) {
        if let Some(f) = self.text_field_mut(field) {
            f.set(value);
        }
        self.edited(field);
    }

    /// A key for the focused text field.
    pub fn input(&mut self, key: KeyEvent) {
        let focus = self.focus;
        if let Some(f) = self.text_field_mut(focus)
            && f.input(key)
        {
            self.edited(focus);
        }
    }

    pub fn paste(&mut self, text: &str) {
        let focus = self.focus;
        if let Some(f) = self.text_field_mut(focus) {
            f.paste(text.trim());
            self.edited(focus);
        }
    }

    fn edited(&mut self, field: DrillField) {
        self.errors.retain(|(f, _)| *f != field);
        match field {
            DrillField::Input if !self.chosen.output => {
                let input = self.value(DrillField::Input);
                let output = if input.is_empty() {
                    String::new()
                } else {
                    format!("{input}{OUTPUT_SUFFIX}")
                };
                self.output.set(&output);
                self.errors.retain(|(f, _)| *f != DrillField::Output);
            }
            // Emptied, the output follows the input again.
            DrillField::Output => self.chosen.output = !self.value(field).is_empty(),
            DrillField::Destination => self.chosen.destination = true,
            _ => {}
        }
    }

    /// Flips the focused check box; rotate first and dry run exclude each other.
    pub fn toggle(&mut self) {
        match self.focus {
            DrillField::Rotate => {
                self.rotate = !self.rotate;
                self.dry_run &= !self.rotate;
            }
            DrillField::DryRun => {
                self.dry_run = !self.dry_run;
                self.rotate &= !self.dry_run;
            }
            _ => {}
        }
    }

    /// Moves the focus to the next (or previous) field, wrapping.
    pub fn move_focus(&mut self, forward: bool) {
        let all = DrillField::ALL;
        let at = all.iter().position(|f| *f == self.focus).unwrap_or(0);
        let n = all.len();
        let next = if forward { at + 1 } else { at + n - 1 } % n;
        self.focus = all.get(next).copied().unwrap_or(DrillField::Input);
    }

    /// The threads field: `Ok(0)` for one per core.
    fn threads(&self) -> Result<usize, String> {
        let text = self.value(DrillField::Threads);
        if text.is_empty() {
            return Ok(0);
        }
        match text.parse::<usize>() {
            Ok(n) if (1..=MAX_THREADS).contains(&n) => Ok(n),
            _ => Err(format!("a whole number from 1 to {MAX_THREADS}")),
        }
    }

    /// The note beside a field: `(ok, text)`. An error from starting comes first.
    pub fn note(&self, field: DrillField, view: &VaultView) -> Option<(bool, String)> {
        if let Some((_, e)) = self.errors.iter().find(|(f, _)| *f == field) {
            return Some((false, format!("✗ {e}")));
        }
        match field {
            DrillField::Output if self.dry_run => Some((true, "dry run: nothing written".into())),
            DrillField::Destination => Some(self.destination_note(view)),
            DrillField::Threads => self.threads().err().map(|e| (false, format!("✗ {e}"))),
            _ => None,
        }
    }

    fn destination_note(&self, view: &VaultView) -> (bool, String) {
        let text = self.value(DrillField::Destination);
        if text.is_empty() {
            let what = if self.rotate {
                "✓ in place, rotating first"
            } else {
                "✓ in place"
            };
            return (true, what.into());
        }
        let Some(key) = view.resolve(&text) else {
            return (false, "✗ no such key in this vault".into());
        };
        if !key.spec.is_symmetric() {
            return (false, format!("✗ {} is not symmetric", key.spec.as_str()));
        }
        if key.state != KeyState::Enabled {
            return (false, format!("✗ the key is {}", key.state.as_str()));
        }
        let n = key.versions.len();
        if self.rotate {
            (true, format!("✓ to a new v{} made first", n + 1))
        } else {
            (true, format!("✓ to its primary, v{n}"))
        }
    }

    /// Checks the fields; the job to run, or `None` with the errors shown and the focus on the
    /// first bad field. Threads 0 means one per core (the worker counts them).
    pub fn job(&mut self) -> Option<DrillJob> {
        self.errors.clear();
        let (input, output) = (
            self.value(DrillField::Input),
            self.value(DrillField::Output),
        );
        let bad = |field, text: &str| (field, text.to_owned());
        let mut errors = Vec::new();
        if input.is_empty() {
            errors.push(bad(DrillField::Input, "required"));
        }
        if !self.dry_run && output.is_empty() {
            errors.push(bad(DrillField::Output, "required"));
        } else if !self.dry_run && output == input {
            errors.push(bad(DrillField::Output, "the input is never written over"));
        }
        let threads = self
            .threads()
            .map_err(|e| errors.push(bad(DrillField::Threads, &e)));
        if let Some((field, _)) = errors.first() {
            self.focus = *field;
            self.errors = errors;
            return None;
        }
        Some(DrillJob {
            input: PathBuf::from(input),
            output: (!self.dry_run).then(|| PathBuf::from(output)),
            force: false,
            rotate: self.rotate,
            options: DrillOptions {
                destination_key_id: self.value(DrillField::Destination),
                threads: threads.unwrap_or(0),
                dry_run: self.dry_run,
                max_failures: DEFAULT_MAX_FAILURES,
            },
        })
    }
}
