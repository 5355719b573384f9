//! The one key table: every binding of every layer as data (`{keys, command, description}`).
//! The router dispatches keys from it, and the footer hints and the `?` help popup are
//! generated from it, so what the screen says is what the keys do.

pub mod chord;
mod scroll;
pub mod sink;

use crossterm::event::{KeyCode, KeyEvent};

use crate::api::Action;

pub use crate::tui::keymap::chord::Chord;
use crate::tui::keymap::chord::{ch, ctrl, key};
pub use crate::tui::keymap::sink::Sink;

/// What a key asks for. `Open` names the API action whose form to open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmd {
    Quit,
    Help,
    ShowKeys,
    ShowPrincipals,
    ShowAudit,
    ShowDrill,
    ShowEndpoint,
    NextScreen,
    PrevScreen,
    /// Sort the list by the next column.
    Sort,
    /// Back one level: a main screen goes back to the keys (esc where the screen binds none).
    Back,
    ToggleWalkthrough,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Filter,
    ClearFilter,
    FilterDone,
    Actions,
    Open(Action),
    ActAs,
    Verify,
    Reload,
    WalkNext,
    WalkPrev,
    WalkTry,
    Submit,
    NextField,
    PrevField,
    Pick,
    Close,
    CycleNext,
    CyclePrev,
    ToggleFormat,
    CopyDocument,
    CopyCli,
    CopyQuery,
    /// Copy one field of the result alone (`KeyId`, `CiphertextBlob`, `Plaintext`).
    CopyField(&'static str),
    /// Open this action's form filled from the result's blob and context.
    Chain(Action),
    /// Show or hide the result's plaintext and data keys.
    Reveal,
    Save,
    ViewDocument,
    Confirm,
    Cancel,
    /// Give the drill screen's form the keys.
    Edit,
    /// Show (or hide) the census of the drill input on the drill screen.
    Census,
    /// Put the vault file's previous generation (`.bak`) back (asks first).
    RestoreBackup,
    /// Stop the endpoint.
    Stop,
    /// Open the policy simulator (from a refused call: filled with it).
    Simulate,
    /// A principal change from the principals screen (asked first).
    NewPrincipal,
    DeletePrincipal,
    AttachPolicy,
    DetachPolicy,
    NewAccessKey,
    DeleteAccessKey,
    /// Jump from an error to its request's audit entry.
    AuditEntry,
}

/// One binding: the keys, how the footer and help name them, the command, what it does, and
/// whether the footer shows it.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub keys: &'static [Chord],
    pub label: &'static str,
    pub cmd: Cmd,
    pub desc: &'static str,
    pub footer: bool,
}

const fn b(
    keys: &'static [Chord],
    label: &'static str,
    cmd: Cmd,
    desc: &'static str,
    footer: bool,
) -> Binding {
    Binding {
        keys,
        label,
        cmd,
        desc,
        footer,
    }
}

/// A group of bindings that is active together; the router asks the top layer first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    Always,
    Global,
    /// The vault file on disk is damaged (the banner shows).
    Damaged,
    Keys,
    Filter,
    Walkthrough,
    Principals,
    Audit,
    /// The audit screen's `/` prompt, being typed.
    AuditFilter,
    /// The audit screen's entry detail.
    AuditDetail,
    /// The drill screen with its form not being edited.
    Drill,
    /// The drill screen's form, being edited.
    DrillForm,
    DrillRun,
    DrillReport,
    /// The Endpoint screen.
    Endpoint,
    /// The Endpoint screen's listen address, being edited.
    EndpointAddress,
    Form,
    /// The focused field has a picker.
    Pickable,
    Choice,
    Result,
    /// The policy simulator.
    Simulator,
    /// A principal change's text (name, policy, number, AccessKeyId).
    Ask,
    /// A new AccessKey's secret, shown once.
    SecretOnce,
    Help,
    Confirm,
    Error,
    Picker,
    Prompt,
    FirstRun,
    Passphrase,
}

const UP: &[Chord] = &[key(KeyCode::Up), ch('k')];
const DOWN: &[Chord] = &[key(KeyCode::Down), ch('j')];
const ESC: &[Chord] = &[key(KeyCode::Esc)];
const ENTER: &[Chord] = &[key(KeyCode::Enter)];

#[rustfmt::skip]
const ALWAYS: &[Binding] = &[b(&[ctrl('c')], "^C", Cmd::Quit, "quit (asks while a drill runs)", false)];

#[rustfmt::skip]
const GLOBAL: &[Binding] = &[
    b(&[ch('q')], "q", Cmd::Quit, "quit", true),
    b(&[ch('?')], "?", Cmd::Help, "help: every key", true),
    b(&[ch('1')], "1", Cmd::ShowKeys, "keys screen", false),
    b(&[ch('2')], "2", Cmd::ShowPrincipals, "principals screen", false),
    b(&[ch('3')], "3", Cmd::ShowAudit, "audit log screen", false),
    b(&[ch('4')], "4", Cmd::ShowDrill, "rotation drill screen", false),
    b(&[ch('5')], "5", Cmd::ShowEndpoint, "endpoint screen", false),
    b(&[key(KeyCode::Tab)], "tab", Cmd::NextScreen, "next screen", true),
    b(&[key(KeyCode::BackTab)], "S-tab", Cmd::PrevScreen, "previous screen", false),
    b(ESC, "esc", Cmd::Back, "back to the keys screen", false),
    b(&[ch('w')], "w", Cmd::ToggleWalkthrough, "show/hide the walkthrough", false),
];

#[rustfmt::skip]
const DAMAGED: &[Binding] = &[
    b(&[ch('B')], "B", Cmd::RestoreBackup, "restore the vault file from .bak", true),
];

#[rustfmt::skip]
const KEYS: &[Binding] = &[
    b(UP, "↑/k", Cmd::Up, "previous key", false),
    b(DOWN, "↓/j", Cmd::Down, "next key", false),
    b(&[key(KeyCode::PageUp)], "PgUp", Cmd::PageUp, "page up", false),
    b(&[key(KeyCode::PageDown)], "PgDn", Cmd::PageDown, "page down", false),
    b(&[ch('g'), key(KeyCode::Home)], "g", Cmd::Top, "first key", false),
    b(&[ch('G'), key(KeyCode::End)], "G", Cmd::Bottom, "last key", false),
    b(&[ch('/')], "/", Cmd::Filter, "filter keys", true),
    b(ESC, "esc", Cmd::ClearFilter, "clear the filter", false),
    b(&[ch('o')], "o", Cmd::Sort, "sort by the next column", false),
    b(&[ch('r')], "r", Cmd::Open(Action::ReEncrypt), "ReEncrypt", true),
    b(&[ch('a'), key(KeyCode::Enter)], "a/⏎", Cmd::Actions, "all actions", true),
    b(&[ch('e')], "e", Cmd::Open(Action::Encrypt), "Encrypt", false),
    b(&[ch('d')], "d", Cmd::Open(Action::Decrypt), "Decrypt", false),
    b(&[ch('n')], "n", Cmd::Open(Action::CreateKey), "new key (CreateKey)", true),
    b(&[ch('R')], "R", Cmd::Open(Action::CreateKeyVersion), "rotate now (CreateKeyVersion)", false),
    b(&[ch('A')], "A", Cmd::Open(Action::CreateAlias), "add an alias", false),
    b(&[ch('P')], "P", Cmd::Open(Action::UpdateRotationPolicy), "rotation policy", false),
    b(&[ch('E')], "E", Cmd::Open(Action::EnableKey), "enable the key", false),
    b(&[ch('D')], "D", Cmd::Open(Action::DisableKey), "disable the key", false),
    b(&[ch('X')], "X", Cmd::Open(Action::ScheduleKeyDeletion), "schedule deletion", false),
    b(&[ch('C')], "C", Cmd::Open(Action::CancelKeyDeletion), "cancel deletion", false),
    b(&[ch('i')], "i", Cmd::Open(Action::DescribeKey), "DescribeKey", false),
];

#[rustfmt::skip]
const FILTER: &[Binding] = &[
    b(ENTER, "⏎", Cmd::FilterDone, "keep the filter", true),
    b(ESC, "esc", Cmd::ClearFilter, "clear the filter", true),
    b(&[key(KeyCode::Up)], "↑", Cmd::Up, "previous key", false),
    b(&[key(KeyCode::Down)], "↓", Cmd::Down, "next key", false),
];

#[rustfmt::skip]
const WALKTHROUGH: &[Binding] = &[
    b(&[ch('.')], ".", Cmd::WalkTry, "try this step (walkthrough)", true),
    b(&[ch(']')], "]", Cmd::WalkNext, "next step (walkthrough)", true),
    b(&[ch('[')], "[", Cmd::WalkPrev, "previous step (walkthrough)", false),
];

#[rustfmt::skip]
const PRINCIPALS: &[Binding] = &[
    b(UP, "↑/k", Cmd::Up, "previous principal", false),
    b(DOWN, "↓/j", Cmd::Down, "next principal", false),
    b(&[key(KeyCode::Enter), ch('s')], "⏎", Cmd::ActAs, "act as this principal", true),
    b(&[ch('w')], "w", Cmd::Simulate, "policy simulator: may a principal do an action on a key?", true),
    b(&[ch('n')], "n", Cmd::NewPrincipal, "new principal (CreateUser)", true),
    b(&[ch('D')], "D", Cmd::DeletePrincipal, "delete the principal (DeleteUser)", false),
    b(&[ch('A')], "A", Cmd::AttachPolicy, "attach a policy (AttachPolicyToUser)", false),
    b(&[ch('X')], "X", Cmd::DetachPolicy, "detach a policy (DetachPolicyFromUser)", false),
    b(&[ch('K')], "K", Cmd::NewAccessKey, "new AccessKey: its secret shown once", false),
    b(&[ch('d')], "d", Cmd::DeleteAccessKey, "delete an AccessKey", false),
];

#[rustfmt::skip]
const AUDIT: &[Binding] = &[
    b(UP, "↑/k", Cmd::Up, "scroll up", false),
    b(DOWN, "↓/j", Cmd::Down, "scroll down", false),
    b(&[key(KeyCode::PageUp)], "PgUp", Cmd::PageUp, "page up", false),
    b(&[key(KeyCode::PageDown)], "PgDn", Cmd::PageDown, "page down", false),
    b(&[ch('g'), key(KeyCode::Home)], "g", Cmd::Top, "oldest entry", false),
    b(&[ch('G'), key(KeyCode::End)], "G", Cmd::Bottom, "newest entry", false),
    b(ENTER, "⏎", Cmd::ViewDocument, "entry detail", true),
    b(&[ch('/')], "/", Cmd::Filter, "filter: principal= action= key= result= since= until= id=", true),
    b(ESC, "esc", Cmd::ClearFilter, "stop the search, clear the filter, then back", false),
    b(&[ch('v')], "v", Cmd::Verify, "verify the hash chain", true),
    b(&[ch('r')], "r", Cmd::Reload, "reload", false),
];

#[rustfmt::skip]
const AUDIT_FILTER: &[Binding] = &[
    b(ENTER, "⏎", Cmd::FilterDone, "search", true),
    b(ESC, "esc", Cmd::ClearFilter, "cancel", true),
];

#[rustfmt::skip]
const AUDIT_DETAIL: &[Binding] = &[
    b(&[key(KeyCode::Esc), key(KeyCode::Enter)], "esc", Cmd::Close, "back to the list", true),
    b(UP, "↑/k", Cmd::Up, "scroll up", false),
    b(DOWN, "↓/j", Cmd::Down, "scroll down", false),
    b(&[key(KeyCode::PageUp)], "PgUp", Cmd::PageUp, "page up", false),
    b(&[key(KeyCode::PageDown)], "PgDn", Cmd::PageDown, "page down", false),
];

#[rustfmt::skip]
const DRILL: &[Binding] = &[
    b(&[key(KeyCode::Enter), ch('e')], "⏎", Cmd::Edit, "edit the drill form", true),
    b(&[ch('s')], "s", Cmd::Submit, "start the drill", true),
    b(&[ch('r')], "r", Cmd::Reload, "scan the input file again", false),
    b(&[ch('c')], "c", Cmd::Census, "census of the input: lines per key version", false),
];

#[rustfmt::skip]
const DRILL_FORM: &[Binding] = &[
    b(ENTER, "⏎", Cmd::Submit, "start the drill", true),
    b(&[key(KeyCode::Tab), key(KeyCode::Down)], "tab/↓", Cmd::NextField, "next field", true),
    b(&[key(KeyCode::BackTab), key(KeyCode::Up)], "S-tab/↑", Cmd::PrevField, "previous field", false),
    b(ESC, "esc", Cmd::Close, "done editing", true),
];

#[rustfmt::skip]
const DRILL_RUN: &[Binding] = &[
    b(ESC, "esc", Cmd::Cancel, "cancel the drill (nothing is written)", true),
];

#[rustfmt::skip]
const DRILL_REPORT: &[Binding] = &[
    b(UP, "↑/k", Cmd::Up, "scroll up", false),
    b(DOWN, "↓/j", Cmd::Down, "scroll down", false),
    b(&[key(KeyCode::PageUp)], "PgUp", Cmd::PageUp, "page up", false),
    b(&[key(KeyCode::PageDown)], "PgDn", Cmd::PageDown, "page down", false),
    b(&[ch('g'), key(KeyCode::Home)], "g", Cmd::Top, "top", false),
    b(&[ch('G'), key(KeyCode::End)], "G", Cmd::Bottom, "bottom", false),
    b(&[ch('s')], "s", Cmd::Save, "save the report", true),
    b(&[ch('c')], "c", Cmd::CopyDocument, "copy the report: JSON", true),
    b(&[key(KeyCode::Esc), key(KeyCode::Enter)], "esc", Cmd::Close, "back to the form", true),
];

#[rustfmt::skip]
const ENDPOINT: &[Binding] = &[
    b(&[key(KeyCode::Enter), ch('s')], "⏎/s", Cmd::Submit, "start: listen on the address", true),
    b(&[ch('x')], "x", Cmd::Stop, "stop (requests in flight finish)", true),
    b(&[ch('c')], "c", Cmd::CopyDocument, "copy the snippet: the secret included", true),
    b(&[key(KeyCode::Right)], "→", Cmd::CycleNext, "next SDK: the next snippet", true),
    b(&[key(KeyCode::Left)], "←", Cmd::CyclePrev, "previous SDK snippet", false),
    b(&[ch('p')], "p", Cmd::Pick, "principal: pick one with an AccessKey", true),
    b(&[ch('e')], "e", Cmd::Edit, "edit address: the listen address", true),
    b(UP, "↑/k", Cmd::Up, "scroll the snippet up", false),
    b(DOWN, "↓/j", Cmd::Down, "scroll the snippet down", false),
];

#[rustfmt::skip]
const ENDPOINT_ADDRESS: &[Binding] = &[
    b(ENTER, "⏎", Cmd::Confirm, "keep the address", true),
    b(ESC, "esc", Cmd::Cancel, "put the address back", true),
];

#[rustfmt::skip]
const FORM: &[Binding] = &[
    b(ENTER, "⏎", Cmd::Submit, "run", true),
    b(&[key(KeyCode::Tab), key(KeyCode::Down)], "tab/↓", Cmd::NextField, "next field", true),
    b(&[key(KeyCode::BackTab), key(KeyCode::Up)], "S-tab/↑", Cmd::PrevField, "previous field", false),
    b(ESC, "esc", Cmd::Close, "close the form", true),
];

#[rustfmt::skip]
const PICKABLE: &[Binding] = &[b(&[ctrl('p'), key(KeyCode::F(2))], "^P", Cmd::Pick, "pick from a list", true)];
#[rustfmt::skip]
const CHOICE: &[Binding] = &[
    b(&[key(KeyCode::Right), ch(' ')], "→/space", Cmd::CycleNext, "next value", true),
    b(&[key(KeyCode::Left)], "←", Cmd::CyclePrev, "previous value", false),
];

#[rustfmt::skip]
const RESULT: &[Binding] = &[
    b(&[ch('x'), ch('f')], "x", Cmd::ToggleFormat, "JSON/XML", true),
    b(&[ch('c')], "c", Cmd::CopyDocument, "copy: the document, as shown", true),
    b(&[ch('l')], "l", Cmd::CopyCli, "copy CLI: the equivalent command line", true),
    b(&[ch('u')], "u", Cmd::CopyQuery, "copy ?Action=: the request", true),
    b(&[ch('K')], "K", Cmd::CopyField("KeyId"), "copy the KeyId", false),
    b(&[ch('b')], "b", Cmd::CopyField("CiphertextBlob"), "copy the CiphertextBlob", false),
    b(&[ch('p')], "p", Cmd::CopyField("Plaintext"), "copy the Plaintext (once revealed)", false),
    b(&[ch('d')], "d", Cmd::Chain(Action::Decrypt), "Decrypt this: the blob and its context", false),
    b(&[ch('r')], "r", Cmd::Chain(Action::ReEncrypt), "ReEncrypt this: the blob and its context", false),
    b(&[ch('m')], "m", Cmd::Reveal, "reveal/mask the plaintext and data keys", false),
    b(&[ch('s')], "s", Cmd::Save, "save: to a file, as shown", true),
    b(UP, "↑/k", Cmd::Up, "scroll up", false),
    b(DOWN, "↓/j", Cmd::Down, "scroll down", false),
    b(&[key(KeyCode::Esc), key(KeyCode::Backspace)], "esc", Cmd::Close, "back to the form", true),
];

#[rustfmt::skip]
const HELP: &[Binding] = &[
    b(&[key(KeyCode::Esc), ch('?'), ch('q')], "esc", Cmd::Close, "close help", true),
    b(UP, "↑/k", Cmd::Up, "scroll up", false),
    b(DOWN, "↓/j", Cmd::Down, "scroll down", false),
];

#[rustfmt::skip]
const CONFIRM: &[Binding] = &[
    b(&[ch('y'), key(KeyCode::Enter)], "y", Cmd::Confirm, "yes, do it", true),
    b(&[ch('n'), key(KeyCode::Esc)], "n/esc", Cmd::Cancel, "no", true),
];

#[rustfmt::skip]
const ERROR: &[Binding] = &[
    b(&[key(KeyCode::Esc), key(KeyCode::Enter)], "esc", Cmd::Close, "close", true),
    b(&[ch('v')], "v", Cmd::ViewDocument, "view the error document", true),
    b(&[ch('w')], "w", Cmd::Simulate, "why was this denied? the policy simulator", false),
    b(&[ch('a')], "a", Cmd::AuditEntry, "this request's audit entry", false),
];

#[rustfmt::skip]
const ASK: &[Binding] = &[
    b(ENTER, "⏎", Cmd::Confirm, "do it", true),
    b(ESC, "esc", Cmd::Cancel, "cancel", true),
];

#[rustfmt::skip]
const SECRET_ONCE: &[Binding] = &[
    b(&[ch('c')], "c", Cmd::CopyDocument, "copy the secret", true),
    b(&[key(KeyCode::Esc), key(KeyCode::Enter)], "esc", Cmd::Close, "close: the secret is never shown again", true),
];

#[rustfmt::skip]
const SIMULATOR: &[Binding] = &[
    b(ENTER, "⏎", Cmd::Submit, "ask", true),
    b(&[key(KeyCode::Tab), key(KeyCode::Down)], "tab/↓", Cmd::NextField, "next choice", true),
    b(&[key(KeyCode::BackTab), key(KeyCode::Up)], "S-tab/↑", Cmd::PrevField, "previous choice", false),
    b(&[key(KeyCode::Right), ch(' ')], "→/space", Cmd::CycleNext, "next value", true),
    b(&[key(KeyCode::Left)], "←", Cmd::CyclePrev, "previous value", false),
    b(ESC, "esc", Cmd::Close, "close", true),
];

#[rustfmt::skip]
const PICKER: &[Binding] = &[
    b(ENTER, "⏎", Cmd::Confirm, "choose", true),
    b(ESC, "esc", Cmd::Cancel, "cancel", true),
    b(&[key(KeyCode::Up)], "↑", Cmd::Up, "previous", false),
    b(&[key(KeyCode::Down)], "↓", Cmd::Down, "next", false),
    b(&[key(KeyCode::PageUp)], "PgUp", Cmd::PageUp, "page up", false),
    b(&[key(KeyCode::PageDown)], "PgDn", Cmd::PageDown, "page down", false),
];

#[rustfmt::skip]
const PROMPT: &[Binding] = &[
    b(ENTER, "⏎", Cmd::Confirm, "save", true),
    b(ESC, "esc", Cmd::Cancel, "cancel", true),
];

#[rustfmt::skip]
const FIRST_RUN: &[Binding] = &[
    b(UP, "↑/k", Cmd::Up, "previous choice", false),
    b(DOWN, "↓/j", Cmd::Down, "next choice", false),
    b(ENTER, "⏎", Cmd::Confirm, "choose", true),
    b(&[ch('q'), key(KeyCode::Esc)], "q", Cmd::Quit, "quit", true),
];

#[rustfmt::skip]
const PASSPHRASE: &[Binding] = &[
    b(ENTER, "⏎", Cmd::Submit, "continue", true),
    b(&[key(KeyCode::Tab), key(KeyCode::BackTab)], "tab", Cmd::NextField, "other field", false),
    b(ESC, "esc", Cmd::Cancel, "back / quit", true),
];

impl Layer {
    pub fn bindings(self) -> &'static [Binding] {
        match self {
            Self::Always => ALWAYS,
            Self::Global => GLOBAL,
            Self::Damaged => DAMAGED,
            Self::Keys => KEYS,
            Self::Filter => FILTER,
            Self::Walkthrough => WALKTHROUGH,
            Self::Principals => PRINCIPALS,
            Self::Audit => AUDIT,
            Self::AuditFilter => AUDIT_FILTER,
            Self::AuditDetail => AUDIT_DETAIL,
            Self::Drill => DRILL,
            Self::DrillForm => DRILL_FORM,
            Self::DrillRun => DRILL_RUN,
            Self::DrillReport => DRILL_REPORT,
            Self::Endpoint => ENDPOINT,
            Self::EndpointAddress => ENDPOINT_ADDRESS,
            Self::Form => FORM,
            Self::Pickable => PICKABLE,
            Self::Choice => CHOICE,
            Self::Result => RESULT,
            Self::Simulator => SIMULATOR,
            Self::Ask => ASK,
            Self::SecretOnce => SECRET_ONCE,
            Self::Help => HELP,
            Self::Confirm => CONFIRM,
            Self::Error => ERROR,
            Self::Picker => PICKER,
            Self::Prompt => PROMPT,
            Self::FirstRun => FIRST_RUN,
            Self::Passphrase => PASSPHRASE,
        }
    }

    /// The heading of this layer in the help popup.
    pub fn title(self) -> &'static str {
        match self {
            Self::Always => "Anywhere",
            Self::Global => "Everywhere outside forms",
            Self::Damaged => "Vault file damaged on disk",
            Self::Keys => "Keys screen",
            Self::Filter => "Filtering",
            Self::Walkthrough => "Walkthrough",
            Self::Principals => "Principals screen",
            Self::Audit => "Audit log screen",
            Self::AuditFilter => "Audit filter (other keys edit it)",
            Self::AuditDetail => "Audit entry",
            Self::Drill => "Drill screen",
            Self::DrillForm => "Drill form (other keys edit the field)",
            Self::DrillRun => "Drill running",
            Self::DrillReport => "Drill report",
            Self::Endpoint => "Endpoint screen",
            Self::EndpointAddress => "Listen address (other keys edit it)",
            Self::Form => "Forms (other keys edit the field)",
            Self::Pickable => "Key, version and alias fields",
            Self::Choice => "Choice fields",
            Self::Result => "Result",
            Self::Simulator => "Policy simulator",
            Self::Ask => "Principal change (other keys edit the text)",
            Self::SecretOnce => "New AccessKey",
            Self::Help => "Help",
            Self::Confirm => "Confirmation",
            Self::Error => "Error",
            Self::Picker => "Picker (type to filter)",
            Self::Prompt => "File name",
            Self::FirstRun => "First run",
            Self::Passphrase => "Passphrase",
        }
    }
}

/// The command `key` is bound to in `layer`.
pub fn lookup(layer: Layer, key: &KeyEvent) -> Option<Cmd> {
    layer
        .bindings()
        .iter()
        .find(|b| b.keys.iter().any(|c| c.matches(key)))
        .map(|b| b.cmd)
}

/// The footer's hints for these layers, top layer first, without repeating a command.
pub fn footer_hints(layers: &[Layer]) -> Vec<(&'static str, &'static str)> {
    let mut seen: Vec<Cmd> = Vec::new();
    let mut out = Vec::new();
    for layer in layers {
        for b in layer.bindings().iter().filter(|b| b.footer) {
            if !seen.contains(&b.cmd) {
                seen.push(b.cmd);
                out.push((b.label, short(b.desc)));
            }
        }
    }
    out
}

/// The footer names a binding by its description up to the first `(` or `:`.
fn short(desc: &str) -> &str {
    desc.split([':', '(']).next().map_or(desc, str::trim)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyModifiers;

    #[test]
    fn shifted_characters_match() {
        let g = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(lookup(Layer::Keys, &g), Some(Cmd::Bottom));
        let c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(lookup(Layer::Always, &c), Some(Cmd::Quit));
        assert_eq!(lookup(Layer::Global, &c), None);
    }

    #[test]
    fn the_restore_key_of_the_damage_banner_is_free_on_every_screen_under_it() {
        let b = KeyEvent::new(KeyCode::Char('B'), KeyModifiers::SHIFT);
        assert_eq!(lookup(Layer::Damaged, &b), Some(Cmd::RestoreBackup));
        for layer in [
            Layer::Global,
            Layer::Keys,
            Layer::Walkthrough,
            Layer::Principals,
            Layer::Audit,
            Layer::Drill,
            Layer::DrillRun,
            Layer::DrillReport,
            Layer::Endpoint,
        ] {
            assert_eq!(lookup(layer, &b), None, "{layer:?}");
        }
    }

    #[test]
    fn no_layer_binds_one_key_twice() {
        let layers = [
            Layer::Always,
            Layer::Global,
            Layer::Damaged,
            Layer::Keys,
            Layer::Filter,
            Layer::Walkthrough,
            Layer::Principals,
            Layer::Audit,
            Layer::AuditFilter,
            Layer::AuditDetail,
            Layer::Drill,
            Layer::DrillForm,
            Layer::DrillRun,
            Layer::DrillReport,
            Layer::Endpoint,
            Layer::EndpointAddress,
            Layer::Form,
            Layer::Pickable,
            Layer::Choice,
            Layer::Result,
            Layer::Simulator,
            Layer::Ask,
            Layer::SecretOnce,
            Layer::Help,
            Layer::Confirm,
            Layer::Error,
            Layer::Picker,
            Layer::Prompt,
            Layer::FirstRun,
            Layer::Passphrase,
        ];
        for layer in layers {
            let chords: Vec<Chord> = layer
                .bindings()
                .iter()
                .flat_map(|b| b.keys.iter().copied())
                .collect();
            for (i, c) in chords.iter().enumerate() {
                assert!(!chords[i + 1..].contains(c), "{layer:?} binds {c:?} twice");
            }
        }
    }
}
