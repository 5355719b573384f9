//! An action's form, built from the action table: one field per parameter, a focus, the rules
//! that hide fields which do not apply, and the [`ApiRequest`] it sends.

pub mod field;
pub mod inspector;
pub mod rules;
pub mod secret_field;
pub mod view;

use crossterm::event::KeyEvent;

use crate::api::{Action, ActionSpec, ApiRequest};

use crate::tui::form::field::{Field, required_note};
use crate::tui::form::inspector::Inspection;
use crate::tui::form::rules as form_rules;
use crate::tui::job::JobId;
use crate::tui::vault_view::VaultView;

/// An open form.
#[derive(Debug, Clone)]
pub struct Form {
    pub spec: &'static ActionSpec,
    pub fields: Vec<Field>,
    /// Index into `fields`; always a visible field.
    pub focus: usize,
    /// The request in flight, if any.
    pub pending: Option<JobId>,
}

impl Form {
    pub fn new(spec: &'static ActionSpec) -> Self {
        Self {
            spec,
            fields: spec.params.iter().map(Field::for_param).collect(),
            focus: 0,
            pending: None,
        }
    }

    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name() == name)
    }

    pub fn value(&self, name: &str) -> String {
        self.field(name).map(Field::value).unwrap_or_default()
    }

    /// Sets a field's value (ignored if the action has no such parameter).
    pub fn set(&mut self, name: &str, value: &str) {
        if let Some(f) = self.fields.iter_mut().find(|f| f.name() == name) {
            f.set_value(value);
        }
        self.keep_focus_visible();
    }

    pub fn focused(&self) -> Option<&Field> {
        self.fields.get(self.focus)
    }

    pub fn visible(&self, index: usize) -> bool {
        self.fields
            .get(index)
            .is_some_and(|f| !form_rules::hidden(self, f.name()))
    }

    /// Indexes of the fields shown, in order.
    pub fn visible_fields(&self) -> Vec<usize> {
        (0..self.fields.len())
            .filter(|&i| self.visible(i))
            .collect()
    }

    /// Moves the focus to the next (or previous) visible field, wrapping.
    pub fn move_focus(&mut self, forward: bool) {
        let shown = self.visible_fields();
        let Some(at) = shown.iter().position(|&i| i == self.focus) else {
            self.focus = shown.first().copied().unwrap_or(0);
            return;
        };
        let n = shown.len();
        let next = if forward {
            (at + 1) % n
        } else {
            (at + n - 1) % n
        };
        self.focus = shown.get(next).copied().unwrap_or(0);
    }

    /// Focuses the field of this parameter.
    pub fn focus_on(&mut self, name: &str) {
        if let Some(i) = self.fields.iter().position(|f| f.name() == name)
            && self.visible(i)
        {
            self.focus = i;
        }
    }

    fn keep_focus_visible(&mut self) {
        if !self.visible(self.focus) {
            let shown = self.visible_fields();
            self.focus = shown
                .iter()
                .copied()
                .find(|&i| i > self.focus)
                .or_else(|| shown.last().copied())
                .unwrap_or(0);
        }
    }

    /// A key for the focused text field.
    pub fn input(&mut self, key: KeyEvent, view: &VaultView) {
        if let Some(f) = self.fields.get_mut(self.focus) {
            f.input(key);
        }
        self.changed(view);
    }

    pub fn paste(&mut self, text: &str, view: &VaultView) {
        if let Some(f) = self.fields.get_mut(self.focus) {
            f.paste(text);
        }
        self.changed(view);
    }

    /// Steps the focused choice field.
    pub fn cycle(&mut self, forward: bool) {
        if let Some(f) = self.fields.get_mut(self.focus) {
            f.cycle(forward);
        }
        self.keep_focus_visible();
    }

    /// After an edit: a pasted symmetric blob with no destination yet fills the destination
    /// with the key it names (the after-rotation case of the seed page).
    fn changed(&mut self, view: &VaultView) {
        if self.spec.action == Action::ReEncrypt
            && self.value("DestinationKeyId").trim().is_empty()
            && let Inspection::Names { key_index, .. } = self.inspect(view)
            && let Some(key) = view.keys.get(key_index)
            && key.spec.is_symmetric()
        {
            let reference = key.reference().to_owned();
            self.set("DestinationKeyId", &reference);
        }
    }

    /// What the blob field's text names, for forms that take a symmetric blob.
    pub fn inspect(&self, view: &VaultView) -> Inspection {
        if !form_rules::inspects_blob(self) {
            return Inspection::NotApplicable;
        }
        inspector::inspect(view, &self.value("CiphertextBlob"))
    }

    /// Checks every shown field; marks required ones left empty. `true` if it can be sent, and
    /// otherwise the focus moves to the first bad field.
    pub fn validate(&mut self) -> bool {
        let shown = self.visible_fields();
        let mut first_bad = None;
        for &i in &shown {
            let Some(f) = self.fields.get_mut(i) else {
                continue;
            };
            f.check();
            if f.param.required && f.is_blank() {
                f.note = Some(required_note());
            }
            if !f.is_valid() && first_bad.is_none() {
                first_bad = Some(i);
            }
        }
        if let Some(i) = first_bad {
            self.focus = i;
        }
        first_bad.is_none()
    }

    /// The request this form sends: every shown field with a value.
    pub fn request(&self) -> ApiRequest {
        let mut request = ApiRequest::new(self.spec.name);
        for i in self.visible_fields() {
            if let Some(f) = self.fields.get(i) {
                let value = f.value();
                let value = if f.param.kind == crate::api::ParamKind::Secret {
                    value
                } else {
                    value.trim().to_owned()
                };
                request.set(f.name(), value);
            }
        }
        request
    }
}
