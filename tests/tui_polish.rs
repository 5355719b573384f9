//! Everyday polish of the console (issue 12): the new key selected after CreateKey, the
//! rotation-policy form filled from the key, Ctrl-U, Shift-Tab, Esc, scrolling that stops at
//! the end, and toasts that leave a result's CLI and request lines in view.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod tui_support;

use crossterm::event::KeyCode;
use kms_console::tui::app::Screen;
use kms_console::tui::modals::Modal;
use kms_console::tui::modals::toast::Level;
use kms_console::tui::runtime::harness::draw;
use tui_support::harness;

#[test]
fn after_create_key_the_new_key_is_selected() {
    let mut h = harness();
    let before = h.app.view.keys.len();
    // A filter that the new key does not match is cleared so it can show.
    h.type_text("/orders");
    h.key(KeyCode::Enter);
    h.type_text("n");
    h.app.form.as_mut().unwrap().set("Description", "fresh key");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.view.keys.len(), before + 1);
    let new = h.app.result.as_ref().unwrap().document();
    let selected = h.app.selected_key().unwrap();
    assert_eq!(selected.description, "fresh key");
    assert!(new.contains(&selected.key_id), "{new}");
}

#[test]
fn the_rotation_policy_form_is_filled_from_the_key_and_runs_as_is() {
    let mut h = harness();
    // alias/orders rotates every 90 days.
    h.type_text("P");
    let form = h.app.form.as_ref().unwrap();
    assert_eq!(form.value("KeyId"), "alias/orders");
    assert_eq!(form.value("EnableAutomaticRotation"), "true");
    assert_eq!(form.value("RotationInterval"), "90d");
    h.key(KeyCode::Esc);
    // alias/payments has no policy: off, with Alibaba's default interval; ⏎ as it is runs.
    h.type_text("jP");
    let form = h.app.form.as_ref().unwrap();
    assert_eq!(form.value("KeyId"), "alias/payments");
    assert_eq!(form.value("EnableAutomaticRotation"), "false");
    assert_eq!(form.value("RotationInterval"), "365d");
    h.app
        .form
        .as_mut()
        .unwrap()
        .set("EnableAutomaticRotation", "true");
    h.key(KeyCode::Enter);
    assert!(h.app.modals.is_empty(), "{:?}", h.app.modals);
    assert!(h.app.result.is_some());
    let key = h.app.view.resolve("alias/payments").unwrap();
    assert_eq!(key.rotation, "Enabled");
    assert_eq!(key.rotation_interval, Some(365 * 86_400));
}

#[test]
fn ctrl_u_clears_the_focused_field() {
    let mut h = harness();
    h.type_text("e");
    let form = h.app.form.as_ref().unwrap();
    assert_eq!(form.value("KeyId"), "alias/orders");
    // The focus is on the first empty field (Plaintext); type, then clear it.
    h.type_text("secret words");
    let focused = h
        .app
        .form
        .as_ref()
        .unwrap()
        .focused()
        .unwrap()
        .name()
        .to_owned();
    assert_eq!(h.app.form.as_ref().unwrap().value(&focused), "secret words");
    h.ctrl('u');
    assert_eq!(h.app.form.as_ref().unwrap().value(&focused), "");
    // A text field (KeyId) too.
    h.key(KeyCode::BackTab);
    let focused = h
        .app
        .form
        .as_ref()
        .unwrap()
        .focused()
        .unwrap()
        .name()
        .to_owned();
    assert_eq!(focused, "KeyId");
    h.ctrl('u');
    assert_eq!(h.app.form.as_ref().unwrap().value("KeyId"), "");
}

#[test]
fn shift_tab_goes_to_the_previous_screen_but_is_the_previous_field_in_a_form() {
    let mut h = harness();
    h.key(KeyCode::BackTab);
    assert_eq!(h.app.screen, Screen::Endpoint);
    h.key(KeyCode::BackTab);
    assert_eq!(h.app.screen, Screen::Drill);
    h.key(KeyCode::Tab);
    assert_eq!(h.app.screen, Screen::Endpoint);
    h.type_text("1e");
    let first = h.app.form.as_ref().unwrap().focus;
    h.key(KeyCode::BackTab);
    assert_eq!(h.app.screen, Screen::Keys, "a form keeps Shift-Tab");
    assert_ne!(h.app.form.as_ref().unwrap().focus, first);
}

#[test]
fn esc_goes_back_one_level() {
    let mut h = harness();
    // A screen goes back to the keys.
    for screen in ["2", "3", "4", "5"] {
        h.type_text(screen);
        assert_ne!(h.app.screen, Screen::Keys);
        h.key(KeyCode::Esc);
        assert_eq!(h.app.screen, Screen::Keys, "esc on screen {screen}");
    }
    // Result → form → list.
    h.type_text("i");
    h.key(KeyCode::Enter);
    assert!(h.app.result.is_some());
    h.key(KeyCode::Esc);
    assert!(h.app.result.is_none() && h.app.form.is_some());
    h.key(KeyCode::Esc);
    assert!(h.app.form.is_none());
    // Help closes.
    h.type_text("?");
    h.key(KeyCode::Esc);
    assert!(h.app.modals.is_empty());
    assert_eq!(h.app.screen, Screen::Keys);
    assert!(!h.app.quit);
}

#[test]
fn help_scrolling_stops_with_its_last_line_at_the_bottom() {
    let mut h = harness();
    h.app.size = (80, 24);
    h.type_text("?");
    for _ in 0..200 {
        h.key(KeyCode::Down);
    }
    let Some(Modal::Help(help)) = h.app.modals.last() else {
        panic!("no help");
    };
    assert!(help.scroll > 0, "it scrolls");
    let screen = draw(&h.app, 80, 24);
    // The last binding of the last layer shows; no blank box.
    let last = help.lines(h.app.config.theme).last().unwrap().to_string();
    assert!(screen.contains(last.trim()), "{screen}");
    let scroll = help.scroll;
    h.key(KeyCode::Down);
    let Some(Modal::Help(help)) = h.app.modals.last() else {
        panic!("no help");
    };
    assert_eq!(help.scroll, scroll, "clamped");
    h.key(KeyCode::Up);
    let Some(Modal::Help(help)) = h.app.modals.last() else {
        panic!("no help");
    };
    assert_eq!(help.scroll, scroll - 1, "and back up at once");
}

#[test]
fn result_scrolling_stops_with_the_document_end_in_view() {
    let mut h = harness();
    h.app.size = (80, 24);
    h.type_text("i");
    h.key(KeyCode::Enter);
    for _ in 0..200 {
        h.key(KeyCode::Down);
    }
    let result = h.app.result.as_ref().unwrap();
    let scroll = result.scroll;
    assert!(scroll > 0, "it scrolls");
    let screen = draw(&h.app, 80, 24);
    assert!(screen.contains("RequestId"), "{screen}");
    assert!(screen.contains("CLI"), "{screen}");
    h.key(KeyCode::Up);
    assert_eq!(h.app.result.as_ref().unwrap().scroll, scroll - 1);
}

#[test]
fn toasts_leave_the_cli_and_request_lines_of_a_result_in_view() {
    let mut h = harness();
    h.type_text("i");
    h.key(KeyCode::Enter);
    let bare = draw(&h.app, 80, 24);
    let tail: Vec<&str> = bare
        .lines()
        .filter(|l| l.contains("CLI ") || l.contains("?Action=") || l.contains("Key alias/orders"))
        .collect();
    assert!(!tail.is_empty(), "{bare}");
    h.app.toasts.push(
        Level::Success,
        "Copied the CLI line (OSC 52: the terminal puts it on the clipboard)",
    );
    h.app.toasts.push(Level::Info, "A second note");
    let screen = draw(&h.app, 80, 24);
    assert!(screen.contains("Copied the CLI line"), "{screen}");
    for line in &tail {
        assert!(screen.contains(line), "covered: {line}\n{screen}");
    }
    // More toasts than the document has room for: those that do not fit wait their turn.
    for n in 0..4 {
        h.app.toasts.push(
            Level::Info,
            format!("Note {n} of a busy moment, long enough to wrap"),
        );
    }
    let screen = draw(&h.app, 80, 24);
    for line in &tail {
        assert!(screen.contains(line), "covered: {line}\n{screen}");
    }
    assert!(screen.contains("Note 3"), "the newest shows: {screen}");
    // Without a result they stay in the bottom-right corner.
    h.key(KeyCode::Esc);
    h.key(KeyCode::Esc);
    let screen = draw(&h.app, 80, 24);
    let rows: Vec<&str> = screen.lines().collect();
    let at = rows.iter().position(|l| l.contains("Note 3")).unwrap();
    assert!(at > rows.len() / 2, "{screen}");
}

#[test]
fn details_show_the_whole_primary_version_id_and_usage_protection_and_arn() {
    let h = harness();
    let key = h.app.selected_key().unwrap();
    let primary = key.primary_id().to_owned();
    let arn = key.arn.clone();
    for (w, hgt) in [(80, 24), (60, 20)] {
        let screen = draw(&h.app, w, hgt);
        // The id may be cut into lines, never shortened with "…".
        let joined = details_text(&screen);
        assert!(joined.contains(&primary), "{w}x{hgt}: {primary}\n{screen}");
        assert!(screen.contains("★ "), "{screen}");
    }
    let screen = draw(&h.app, 80, 24);
    assert!(screen.contains("Usage    ENCRYPT/DECRYPT"), "{screen}");
    assert!(screen.contains("DelProt. off"), "{screen}");
    let tall = draw(&h.app, 160, 50);
    assert!(details_text(&tall).contains(&format!("ARN{arn}")), "{tall}");
}

/// The details pane's text, its lines joined without their padding.
fn details_text(screen: &str) -> String {
    screen
        .lines()
        .map(|l| {
            let right = l.rsplit("││").next().unwrap_or("");
            right.trim_end_matches(['│', '"']).trim().to_owned()
        })
        .collect()
}

fn list_aliases(h: &kms_console::tui::runtime::harness::Harness) -> Vec<String> {
    h.app
        .keys
        .shown
        .iter()
        .map(|&i| {
            h.app.view.keys[i]
                .aliases
                .first()
                .cloned()
                .unwrap_or_default()
        })
        .collect()
}

#[test]
fn o_cycles_the_sort_column_and_the_header_and_title_show_it() {
    use kms_console::tui::screens::keys::sort::KeySort;
    let mut h = harness();
    let vault_order = list_aliases(&h);
    h.type_text("o");
    assert_eq!(h.app.keys.sort, KeySort::Alias);
    let mut sorted = vault_order.clone();
    sorted.sort();
    assert_eq!(list_aliases(&h), sorted);
    let screen = draw(&h.app, 80, 24);
    assert!(screen.contains("Keys (8) · by alias"), "{screen}");
    assert!(screen.contains("Alias▾"), "{screen}");
    // The selection stays on the same key.
    assert_eq!(h.app.selected_key().unwrap().aliases[0], "alias/orders");
    h.type_text("oo");
    assert_eq!(h.app.keys.sort, KeySort::State);
    let states: Vec<_> = h
        .app
        .keys
        .shown
        .iter()
        .map(|&i| h.app.view.keys[i].state.as_str())
        .collect();
    let mut by_state = states.clone();
    by_state.sort_unstable();
    assert_eq!(states, by_state);
    assert!(draw(&h.app, 80, 24).contains("State▾"));
    h.type_text("o");
    assert_eq!(h.app.keys.sort, KeySort::Versions);
    assert_eq!(
        h.app.view.keys[h.app.keys.shown[0]].aliases[0],
        "alias/orders"
    );
    assert!(draw(&h.app, 80, 24).contains("#▾"));
    // Round the cycle: back to the vault's order, no marker.
    h.type_text("ooo");
    assert_eq!(h.app.keys.sort, KeySort::Vault);
    assert_eq!(list_aliases(&h), vault_order);
    let screen = draw(&h.app, 80, 24);
    assert!(
        !screen.contains('▾') && !screen.contains("· by"),
        "{screen}"
    );
}

#[test]
fn a_second_alias_shows_as_plus_n_and_wide_lists_show_the_description() {
    let mut h = harness();
    h.type_text("A");
    h.type_text("orders-eu");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Esc);
    h.key(KeyCode::Esc);
    assert_eq!(h.app.selected_key().unwrap().aliases.len(), 2);
    let screen = draw(&h.app, 80, 24);
    assert!(screen.contains("│orders +1  "), "{screen}");
    assert!(!screen.contains("Description"), "no room at 80 columns");
    let wide = draw(&h.app, 160, 30);
    assert!(wide.contains("Description"), "{wide}");
    let row = wide.lines().find(|l| l.contains("orders +1")).unwrap();
    assert!(row.contains("Orders service: data keys"), "{row}");
}
