//! Control characters in user-supplied text are drawn visibly (`␛`, `\x01`), never passed to
//! the terminal nor silently dropped: in form fields (plain and Plaintext), a result document,
//! an error message, and a key's description on the keys list and in its details (issue 12).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod tui_support;

use crossterm::event::KeyCode;
use tui_support::harness;

const EVIL: &str = "evil\u{1b}[2Jkey\u{1}";
const SHOWN: &str = "evil␛[2Jkey\\x01";

fn assert_shows(screen: &str, what: &str) {
    assert!(screen.contains(SHOWN), "{what}: {screen}");
    assert!(
        !screen.contains(['\u{1b}', '\u{1}']),
        "{what}: a control character reached the screen"
    );
}

#[test]
fn a_description_with_escape_and_soh_shows_visibly_everywhere() {
    let mut h = harness();
    h.type_text("n");
    h.app.form.as_mut().unwrap().set("Description", EVIL);
    // Unfocused and focused, the field shows the characters.
    assert_shows(&h.screen(100, 30), "CreateKey form");
    h.key(KeyCode::Enter);
    assert_eq!(
        h.app.selected_key().unwrap().description,
        EVIL,
        "sent as typed"
    );
    // The XML view carries the raw character (JSON escapes it).
    h.type_text("x");
    assert_shows(&h.screen(100, 30), "result (XML)");
    // Back from the result, then from the form, to the keys list.
    h.key(KeyCode::Esc);
    h.key(KeyCode::Esc);
    assert!(h.app.form.is_none() && h.app.result.is_none());
    let screen = h.screen(160, 40);
    assert_shows(&screen, "keys list and details");
    assert!(
        screen.matches(SHOWN).count() >= 2,
        "the list's Description column and the details: {screen}"
    );
}

#[test]
fn a_pasted_plaintext_with_control_characters_shows_them() {
    let mut h = harness();
    h.type_text("e");
    h.paste(EVIL);
    let form = h.app.form.as_ref().unwrap();
    assert_eq!(form.value("Plaintext"), EVIL, "the value is kept as pasted");
    assert_shows(&h.screen(100, 30), "Encrypt form, Plaintext focused");
}

#[test]
fn an_error_message_with_control_characters_shows_them() {
    use kms_console::tui::modals::Modal;
    use kms_console::tui::modals::error::ErrorModal;
    let mut h = harness();
    h.app
        .modals
        .push(Modal::Error(ErrorModal::plain("Cannot read", EVIL)));
    assert_shows(&h.screen(80, 24), "error modal");
}
