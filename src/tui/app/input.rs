//! Input routing: a terminal event becomes at most one [`Action`]. Keys go to the top modal
//! first, then to the open form or the drill form being edited (whose focused text field takes
//! every key the form does not bind, so typing `q` never quits), then to the screen, then to
//! the global bindings.

use crossterm::event::{Event, KeyEvent, KeyEventKind, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Position;

use crate::tui::action::{Action, Effect};
use crate::tui::app::{App, Gate, Screen};
use crate::tui::keymap::{Layer, Sink, lookup};
use crate::tui::modals::Modal;

impl App {
    /// The layers that see a key now, top first, and where unbound keys go.
    pub fn route(&self) -> (Vec<Layer>, Sink) {
        let (top, sink) = self.top_layers();
        let mut layers = vec![Layer::Always];
        layers.extend(top);
        (layers, sink)
    }

    /// The layers of whatever holds the keys: a modal, a gate, the result, a form or a screen.
    fn top_layers(&self) -> (Vec<Layer>, Sink) {
        if let Some(modal) = self.modals.last() {
            let (layer, sink) = modal.layer();
            return (vec![layer], sink);
        }
        match &self.gate {
            Some(Gate::FirstRun(f)) if f.entering.is_some() => {
                return (vec![Layer::Passphrase], Sink::Passphrase);
            }
            Some(Gate::Unlock(_)) => return (vec![Layer::Passphrase], Sink::Passphrase),
            Some(Gate::FirstRun(_) | Gate::Failed(_)) => {
                return (vec![Layer::FirstRun], Sink::None);
            }
            Some(Gate::Loading(_)) => return (Vec::new(), Sink::None),
            None => {}
        }
        if self.result.is_some() {
            return (vec![Layer::Result, Layer::Global], Sink::None);
        }
        if let Some(form) = &self.form {
            return form_layers(form);
        }
        let screen = match self.screen {
            Screen::Keys if self.keys.filtering => return (vec![Layer::Filter], Sink::Filter),
            Screen::Keys => Layer::Keys,
            Screen::Principals => Layer::Principals,
            Screen::Audit => match self.audit.layer() {
                Layer::AuditFilter => return (vec![Layer::AuditFilter], Sink::AuditFilter),
                layer => layer,
            },
            Screen::Drill if self.drill.is_editing() => return self.drill.form_layers(),
            Screen::Drill => self.drill.layer(),
            Screen::Endpoint if self.endpoint.editing.is_some() => {
                return (vec![Layer::EndpointAddress], Sink::EndpointAddress);
            }
            Screen::Endpoint => self.endpoint.layer(),
        };
        let mut layers = Vec::new();
        if self.damage.is_some() {
            layers.push(Layer::Damaged);
        }
        layers.push(screen);
        if crate::tui::app::view::areas(self).walk.height > 0 {
            layers.push(Layer::Walkthrough);
        }
        layers.push(Layer::Global);
        (layers, Sink::None)
    }

    /// The action a terminal event asks for, if any.
    pub fn on_event(&self, event: &Event) -> Option<Action> {
        match event {
            Event::Key(key) => self.on_key(key),
            Event::Mouse(mouse) => on_mouse(*mouse),
            Event::Paste(text) => Some(Action::Paste(text.clone())),
            Event::Resize(w, h) => Some(Action::Resize(*w, *h)),
            Event::FocusGained | Event::FocusLost => None,
        }
    }

    pub fn on_key(&self, key: &KeyEvent) -> Option<Action> {
        if key.kind == KeyEventKind::Release {
            return None;
        }
        let (layers, sink) = self.route();
        for layer in layers {
            if let Some(cmd) = lookup(layer, key) {
                return Some(Action::Cmd(layer, cmd));
            }
        }
        (sink != Sink::None).then_some(Action::Input(*key))
    }

    /// A key for whichever text field has the focus.
    pub(in crate::tui) fn text_input(&mut self, key: KeyEvent) {
        let (_, sink) = self.route();
        match sink {
            Sink::Field => {
                if let Some(form) = &mut self.form {
                    form.input(key, &self.view);
                }
            }
            Sink::DrillField => self.drill.input(key),
            Sink::Filter => {
                self.keys.filter_input(key, &self.view);
                self.relayout();
                self.saw_selection();
            }
            Sink::Picker => {
                if let Some(Modal::Picker(p)) = self.modals.last_mut() {
                    p.input(key);
                }
            }
            Sink::Prompt => match self.modals.last_mut() {
                Some(Modal::Save(s)) => {
                    s.field.input(key);
                }
                Some(Modal::Principal(p)) => {
                    p.field.input(key);
                }
                _ => {}
            },
            Sink::Passphrase => self.passphrase_input(key),
            Sink::EndpointAddress => self.endpoint.input(key),
            Sink::AuditFilter => self.audit.prompt_input(key),
            Sink::None => {}
        }
    }

    /// Pasted text for whichever text field has the focus.
    pub(in crate::tui) fn paste(&mut self, text: &str) {
        let (_, sink) = self.route();
        match sink {
            Sink::Field => {
                if let Some(form) = &mut self.form {
                    form.paste(text, &self.view);
                }
            }
            Sink::DrillField => self.drill.paste(text),
            Sink::Filter => {
                for c in text.chars().filter(|c| !c.is_control()) {
                    self.keys.query.push(c);
                }
                let keep = self.keys.selected_id.clone();
                self.keys.refilter(&self.view, keep.as_deref());
                self.relayout();
            }
            Sink::Picker => {
                if let Some(Modal::Picker(p)) = self.modals.last_mut() {
                    p.paste(text);
                }
            }
            Sink::Prompt => match self.modals.last_mut() {
                Some(Modal::Save(s)) => s.field.paste(text),
                Some(Modal::Principal(p)) => p.field.paste(text),
                _ => {}
            },
            Sink::Passphrase => self.passphrase_paste(text),
            Sink::EndpointAddress => self.endpoint.paste(text),
            Sink::AuditFilter => self.audit.prompt_paste(text),
            Sink::None => {}
        }
    }

    /// A left click: a tab switches screens; a row of a list selects it.
    pub(in crate::tui) fn click(&mut self, column: u16, row: u16) -> Vec<Effect> {
        let at = Position::new(column, row);
        if !self.modals.is_empty() || self.gate.is_some() || self.form.is_some() {
            return Vec::new();
        }
        let areas = crate::tui::app::view::areas(self);
        if areas.tabs.contains(at) {
            if let Some(screen) = crate::tui::app::view::tab_at(areas.tabs, column) {
                return self.show(screen);
            }
            return Vec::new();
        }
        if self.result.is_some() || !areas.body.contains(at) {
            return Vec::new();
        }
        match self.screen {
            Screen::Keys => {
                let outs = self.keys.click(at, &cx!(self, areas.body));
                return self.carry_out(outs);
            }
            Screen::Principals => self.principals.click(at, &cx!(self, areas.body)),
            Screen::Audit | Screen::Endpoint => {}
            Screen::Drill => {
                let outs = self.drill.click(at, &cx!(self, areas.body));
                return self.carry_out(outs);
            }
        }
        Vec::new()
    }

    /// The wheel moves the selection (or scrolls) of what is under the pointer.
    pub(in crate::tui) fn wheel(&mut self, down: bool, _column: u16, _row: u16) -> Vec<Effect> {
        let cmd = if down {
            crate::tui::keymap::Cmd::Down
        } else {
            crate::tui::keymap::Cmd::Up
        };
        let (layers, _) = self.route();
        let target = layers.into_iter().rev().find(|l| {
            matches!(
                l,
                Layer::Keys
                    | Layer::Principals
                    | Layer::Audit
                    | Layer::AuditDetail
                    | Layer::DrillReport
                    | Layer::Result
                    | Layer::Help
                    | Layer::Picker
            )
        });
        match target {
            Some(layer) => self.update(Action::Cmd(layer, cmd)),
            None => Vec::new(),
        }
    }
}

/// A form's layers: a picker for key, version and alias fields; choice keys for choices;
/// every other key to a text field.
fn form_layers(form: &crate::tui::form::Form) -> (Vec<Layer>, Sink) {
    let Some(field) = form.focused() else {
        return (vec![Layer::Form], Sink::None);
    };
    // The field's own keys first, so the footer names them before the form's.
    let mut layers = Vec::new();
    if crate::tui::form::rules::has_picker(field.param.kind) {
        layers.push(Layer::Pickable);
    }
    if !field.is_text() {
        layers.push(Layer::Choice);
    }
    layers.push(Layer::Form);
    let sink = if field.is_text() {
        Sink::Field
    } else {
        Sink::None
    };
    (layers, sink)
}

fn on_mouse(mouse: MouseEvent) -> Option<Action> {
    let (column, row) = (mouse.column, mouse.row);
    match mouse.kind {
        MouseEventKind::Down(MouseButton::Left) => Some(Action::Click { column, row }),
        MouseEventKind::ScrollDown => Some(Action::Scroll {
            down: true,
            column,
            row,
        }),
        MouseEventKind::ScrollUp => Some(Action::Scroll {
            down: false,
            column,
            row,
        }),
        _ => None,
    }
}
