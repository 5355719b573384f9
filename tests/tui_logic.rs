//! The console's logic without a terminal: keys and actions in, model and effects out.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod tui_support;

use crossterm::event::KeyCode;
use kms_console::api::ACTIONS;
use kms_console::core::spec::KeyState;
use kms_console::tui::action::{Action, Effect};
use kms_console::tui::app::Screen;
use kms_console::tui::form::inspector::Inspection;
use kms_console::tui::keymap::{Layer, footer_hints};
use kms_console::tui::modals::Modal;
use tui_support::{fake_blob, harness, harness_with_blob, orders_versions};

fn selected_alias(h: &kms_console::tui::runtime::harness::Harness) -> String {
    h.app.selected_key().unwrap().aliases[0].clone()
}

#[test]
fn opens_on_the_key_list_with_the_first_key_selected() {
    let h = harness();
    assert_eq!(h.app.screen, Screen::Keys);
    assert!(h.app.gate.is_none());
    assert_eq!(h.app.view.keys.len(), 8);
    assert_eq!(selected_alias(&h), "alias/orders");
}

#[test]
fn arrows_and_vim_keys_move_the_selection() {
    let mut h = harness();
    h.type_text("j");
    assert_eq!(selected_alias(&h), "alias/payments");
    h.key(KeyCode::Down);
    assert_eq!(selected_alias(&h), "alias/legacy-aes128");
    h.type_text("k");
    assert_eq!(selected_alias(&h), "alias/payments");
    h.type_text("G");
    assert_eq!(selected_alias(&h), "alias/doomed");
    h.type_text("g");
    assert_eq!(selected_alias(&h), "alias/orders");
    h.key(KeyCode::Up);
    assert_eq!(selected_alias(&h), "alias/orders");
}

#[test]
fn slash_filters_and_escape_clears() {
    let mut h = harness();
    h.type_text("/sm");
    assert!(h.app.keys.filtering);
    assert_eq!(h.app.keys.shown.len(), 2);
    // While filtering, q is text, not quit.
    h.type_text("q");
    assert!(!h.app.quit);
    assert_eq!(h.app.keys.shown.len(), 0);
    h.key(KeyCode::Backspace);
    h.key(KeyCode::Enter);
    assert!(!h.app.keys.filtering);
    assert_eq!(h.app.keys.query, "sm");
    assert_eq!(selected_alias(&h), "alias/gm-sm4");
    h.key(KeyCode::Esc);
    assert_eq!(h.app.keys.shown.len(), 8);
    assert_eq!(selected_alias(&h), "alias/gm-sm4");
}

#[test]
fn q_quits_but_not_while_typing_in_a_form() {
    let mut h = harness();
    h.type_text("r");
    assert_eq!(h.app.form.as_ref().unwrap().spec.name, "ReEncrypt");
    h.type_text("q");
    assert!(!h.app.quit);
    assert_eq!(h.app.form.as_ref().unwrap().value("CiphertextBlob"), "q");
    h.key(KeyCode::Esc);
    assert!(h.app.form.is_none());
    h.type_text("q");
    assert!(h.app.quit);
    assert!(matches!(h.effects.last(), Some(Effect::Quit)));
}

#[test]
fn reencrypt_of_an_old_version_lands_on_the_primary_version() {
    let (mut h, blob) = harness_with_blob();
    let versions = orders_versions(&h);
    h.type_text("r");
    h.paste(&blob);
    let form = h.app.form.as_ref().unwrap();
    assert_eq!(form.value("DestinationKeyId"), "alias/orders");
    let inspection = form.inspect(&h.app.view);
    assert!(matches!(
        inspection,
        Inspection::Names {
            version_index: 0,
            versions: 3,
            ..
        }
    ));
    assert!(!inspection.is_primary());
    for _ in 0..3 {
        h.key(KeyCode::Tab);
    }
    assert_eq!(
        h.app.form.as_ref().unwrap().focused().unwrap().name(),
        "SourceEncryptionContext"
    );
    h.type_text(r#"{"app":"orders"}"#);
    h.key(KeyCode::Enter);
    let result = h.app.result.as_ref().expect("a result");
    let response = result.outcome.as_ref().expect("success");
    assert_eq!(response.field("KeyVersionId"), Some(versions[2].as_str()));
    assert!(result.summary.contains("(primary)"), "{}", result.summary);
    assert!(
        result
            .cli_line()
            .starts_with("kms-console ReEncrypt --CiphertextBlob")
    );
    assert!(
        result
            .query()
            .starts_with("?Action=ReEncrypt&CiphertextBlob=")
    );
    // The new blob names the primary version.
    let new_blob = response.field("CiphertextBlob").unwrap();
    let inspected = kms_console::tui::form::inspector::inspect(&h.app.view, new_blob);
    assert!(inspected.is_primary());
}

#[test]
fn a_pasted_blob_fills_an_empty_destination_with_its_key() {
    let mut h = harness();
    h.type_text("/nothing-matches");
    h.key(KeyCode::Enter);
    assert!(h.app.selected_key().is_none());
    h.type_text("r");
    assert_eq!(h.app.form.as_ref().unwrap().value("DestinationKeyId"), "");
    let versions = orders_versions(&h);
    h.paste(&fake_blob(&versions[1]));
    let form = h.app.form.as_ref().unwrap();
    assert_eq!(form.value("DestinationKeyId"), "alias/orders");
}

#[test]
fn the_algorithm_select_shows_the_source_key_fields_only_when_needed() {
    let mut h = harness();
    h.type_text("r");
    let visible = |h: &kms_console::tui::runtime::harness::Harness, name: &str| {
        let form = h.app.form.as_ref().unwrap();
        let i = form.fields.iter().position(|f| f.name() == name).unwrap();
        form.visible(i)
    };
    assert!(!visible(&h, "SourceKeyId"));
    assert!(!visible(&h, "SourceKeyVersionId"));
    assert!(visible(&h, "SourceEncryptionContext"));
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    h.type_text(" ");
    assert_eq!(
        h.app
            .form
            .as_ref()
            .unwrap()
            .value("SourceEncryptionAlgorithm"),
        "RSAES_OAEP_SHA_256"
    );
    assert!(visible(&h, "SourceKeyId"));
    assert!(visible(&h, "SourceKeyVersionId"));
    assert!(!visible(&h, "SourceEncryptionContext"));
    // The pickers offer asymmetric keys for the source and their versions.
    h.key(KeyCode::Tab);
    h.ctrl('p');
    let Some(Modal::Picker(p)) = h.app.modals.last() else {
        panic!("no picker");
    };
    let labels: Vec<&str> = p.items.iter().map(|i| i.label.as_str()).collect();
    assert_eq!(labels, ["alias/rsa-2048", "alias/sm2"]);
    h.key(KeyCode::Enter);
    let form = h.app.form.as_ref().unwrap();
    assert_eq!(form.value("SourceKeyId"), "alias/rsa-2048");
    let rsa = h.app.view.resolve("alias/rsa-2048").unwrap();
    assert_eq!(form.value("SourceKeyVersionId"), rsa.primary_id());
}

#[test]
fn contexts_are_validated_as_typed_and_bad_ones_are_not_sent() {
    let mut h = harness();
    h.type_text("r");
    h.paste(&fake_blob(&orders_versions(&h)[0]));
    for _ in 0..3 {
        h.key(KeyCode::Tab);
    }
    h.type_text(r#"{"app":"#);
    let note = |h: &kms_console::tui::runtime::harness::Harness| {
        let f = h
            .app
            .form
            .as_ref()
            .unwrap()
            .field("SourceEncryptionContext")
            .unwrap();
        f.note.clone().unwrap()
    };
    assert!(!note(&h).ok);
    h.key(KeyCode::Enter);
    assert!(h.app.result.is_none() && h.app.modals.is_empty());
    assert!(h.app.busy().is_none());
    h.type_text(r#""orders"}"#);
    assert!(note(&h).ok, "{}", note(&h).text);
    h.key(KeyCode::Tab);
    h.type_text("[1]");
    assert!(
        !h.app
            .form
            .as_ref()
            .unwrap()
            .field("DestinationEncryptionContext")
            .unwrap()
            .is_valid()
    );
}

#[test]
fn dry_run_reports_that_it_would_have_succeeded() {
    let (mut h, blob) = harness_with_blob();
    h.type_text("r");
    h.paste(&blob);
    h.app
        .form
        .as_mut()
        .unwrap()
        .set("SourceEncryptionContext", r#"{"app":"orders"}"#);
    h.app.form.as_mut().unwrap().focus_on("DryRun");
    h.type_text(" ");
    h.key(KeyCode::Enter);
    let Some(Modal::Error(e)) = h.app.modals.last() else {
        panic!("no modal");
    };
    assert!(e.title.starts_with("DryRunOperationError"), "{}", e.title);
    assert!(e.is_dry_run());
}

#[test]
fn disable_asks_for_confirmation() {
    let mut h = harness();
    h.type_text("j");
    h.type_text("D");
    h.key(KeyCode::Enter);
    assert!(matches!(h.app.modals.last(), Some(Modal::Confirm(_))));
    h.type_text("n");
    assert!(h.app.modals.is_empty());
    assert_eq!(h.app.selected_key().unwrap().state, KeyState::Enabled);
    h.key(KeyCode::Enter);
    h.type_text("y");
    assert_eq!(h.app.selected_key().unwrap().state, KeyState::Disabled);
    assert!(h.app.result.is_some());
}

#[test]
fn schedule_deletion_needs_its_window_then_confirmation() {
    let mut h = harness();
    h.type_text("j");
    h.type_text("X");
    h.key(KeyCode::Enter);
    let form = h.app.form.as_ref().unwrap();
    let window = form.field("PendingWindowInDays").unwrap();
    assert_eq!(window.note.as_ref().unwrap().text, "✗ required");
    assert_eq!(form.focused().unwrap().name(), "PendingWindowInDays");
    h.type_text("7");
    h.key(KeyCode::Enter);
    let Some(Modal::Confirm(c)) = h.app.modals.last() else {
        panic!("no confirmation");
    };
    assert!(c.message.contains("alias/payments"), "{}", c.message);
    h.type_text("y");
    assert_eq!(
        h.app.selected_key().unwrap().state,
        KeyState::PendingDeletion
    );
}

#[test]
fn every_action_is_reachable_from_the_action_menu() {
    for spec in ACTIONS {
        let mut h = harness();
        h.type_text("a");
        assert!(matches!(h.app.modals.last(), Some(Modal::Picker(_))));
        h.type_text(spec.name);
        h.key(KeyCode::Enter);
        let form = h
            .app
            .form
            .as_ref()
            .unwrap_or_else(|| panic!("{} has no form", spec.name));
        assert_eq!(form.spec.name, spec.name);
        assert!(!form.visible_fields().is_empty() || spec.params.is_empty());
    }
}

#[test]
fn errors_show_the_api_code_and_principals_can_be_switched() {
    let (mut h, blob) = harness_with_blob();
    h.type_text("2");
    assert_eq!(h.app.screen, Screen::Principals);
    h.type_text("jj");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.principal(), "auditor");
    h.type_text("1r");
    h.paste(&blob);
    h.key(KeyCode::Enter);
    let Some(Modal::Error(e)) = h.app.modals.last() else {
        panic!("no error modal");
    };
    assert_eq!(e.title, "Forbidden.NoPermission (403)");
    h.type_text("v");
    let doc = h.app.result.as_ref().unwrap().document();
    assert!(
        doc.contains("\"Code\": \"Forbidden.NoPermission\""),
        "{doc}"
    );
}

#[test]
fn results_toggle_xml_copy_and_save() {
    let mut h = harness();
    h.type_text("i");
    h.key(KeyCode::Enter);
    let doc = h.app.result.as_ref().unwrap().document();
    assert!(doc.starts_with('{') && doc.contains("\"KeyMetadata\""));
    h.type_text("x");
    let xml = h.app.result.as_ref().unwrap().document();
    assert!(xml.starts_with("<?xml") && xml.contains("<KMS>"), "{xml}");
    h.type_text("c");
    assert!(matches!(h.effects.last(), Some(Effect::Copy(t)) if *t == xml));
    h.type_text("l");
    assert!(
        matches!(h.effects.last(), Some(Effect::Copy(t)) if t == "kms-console DescribeKey --KeyId alias/orders --Format XML")
    );
    h.type_text("u");
    assert!(
        matches!(h.effects.last(), Some(Effect::Copy(t)) if t == "?Action=DescribeKey&KeyId=alias%2Forders&Format=XML")
    );
    h.type_text("s");
    assert!(matches!(h.app.modals.last(), Some(Modal::Save(_))));
    h.key(KeyCode::Enter);
    let Some(Effect::Save { path, contents }) = h.effects.last() else {
        panic!("no save");
    };
    assert!(
        path.to_string_lossy().starts_with("DescribeKey-")
            && path.to_string_lossy().ends_with(".xml")
    );
    assert_eq!(*contents, xml);
    h.act(Action::Saved(Ok("DescribeKey-1.xml".into())));
    assert!(h.app.toasts.0.last().unwrap().text.contains("Saved"));
    // Esc goes back to the form, esc again to the list.
    h.key(KeyCode::Esc);
    assert!(h.app.result.is_none() && h.app.form.is_some());
}

#[test]
fn help_is_built_from_the_key_table() {
    let mut h = harness();
    let (layers, _) = h.app.route();
    h.type_text("?");
    let Some(Modal::Help(help)) = h.app.modals.last() else {
        panic!("no help");
    };
    let text: String = help
        .lines(h.app.config.theme)
        .iter()
        .map(|l| l.to_string() + "\n")
        .collect();
    for layer in &layers {
        for b in layer.bindings() {
            assert!(text.contains(b.desc), "help lacks {}", b.desc);
        }
    }
    for (label, _) in footer_hints(&layers) {
        assert!(text.contains(label));
    }
    assert!(layers.contains(&Layer::Keys) && layers.contains(&Layer::Global));
    h.key(KeyCode::Esc);
    assert!(h.app.modals.is_empty());
}

#[test]
fn a_click_selects_a_key_and_a_tab() {
    let mut h = harness();
    // Row 0 is the tab bar, row 1 the list border, row 2 its header, row 3 the first key.
    h.act(Action::Click { column: 5, row: 5 });
    assert_eq!(selected_alias(&h), "alias/legacy-aes128");
    h.act(Action::Scroll {
        down: true,
        column: 5,
        row: 5,
    });
    assert_eq!(selected_alias(&h), "alias/gm-sm4");
    let tabs = h.screen(80, 24);
    let first = tabs.lines().next().unwrap();
    let col = first.find("Principals").unwrap();
    h.act(Action::Click {
        column: u16::try_from(col).unwrap() - 1,
        row: 0,
    });
    assert_eq!(h.app.screen, Screen::Principals);
}

#[test]
fn a_running_request_shows_a_spinner_until_done() {
    let mut h = harness();
    h.type_text("n");
    h.app.form.as_mut().unwrap().set("KeySpec", "RSA_3072");
    let effects = h.app.update(Action::Cmd(
        Layer::Form,
        kms_console::tui::keymap::Cmd::Submit,
    ));
    assert!(matches!(effects.as_slice(), [Effect::Run(_, _)]));
    assert_eq!(h.app.busy(), Some("CreateKey: generating an RSA_3072 key"));
    assert!(h.app.wants_tick());
    let screen = kms_console::tui::runtime::harness::draw(&h.app, 80, 24);
    assert!(screen.contains("RSA_3072 key…"), "{screen}");
    assert!(screen.contains("running…"), "{screen}");
    h.app.update(Action::Tick);
    let later = kms_console::tui::runtime::harness::draw(&h.app, 80, 24);
    assert_ne!(screen, later, "the spinner turns");
}

#[test]
fn the_console_refuses_the_foreign_arns_dispatch_refuses() {
    use kms_console::api::{ApiRequest, dispatch};
    use kms_console::tui::vault_view::VaultView;

    let (mut vault, _clock, _) = tui_support::vault();
    let view = VaultView::from_state(vault.state());
    let key = view.resolve("alias/orders").unwrap().clone();
    let (region, account) = (view.region.clone(), view.account_id.clone());
    let mut describe = |key_ref: &str| {
        let mut r = ApiRequest::new("DescribeKey");
        r.params.insert("KeyId".to_owned(), key_ref.to_owned());
        dispatch(&mut vault, "admin", &r)
    };
    // This vault's own ARNs resolve to the key in both.
    for own in [
        key.arn.clone(),
        format!("acs:kms:{region}:{account}:alias/orders"),
    ] {
        assert_eq!(view.try_resolve(&own).unwrap().key_id, key.key_id, "{own}");
        let doc = describe(&own).unwrap().document();
        assert_eq!(doc["KeyMetadata"]["KeyId"], key.key_id.as_str(), "{own}");
    }
    // Another account's or region's ARN of the same key: refused with the API's error.
    for foreign in [
        format!("acs:kms:{region}:9999999999999999:key/{}", key.key_id),
        format!("acs:kms:eu-west-1:{account}:key/{}", key.key_id),
        format!("acs:kms:{region}:9999999999999999:alias/orders"),
    ] {
        let api = describe(&foreign).unwrap_err();
        let console = view.try_resolve(&foreign).unwrap_err();
        assert_eq!(console.code(), api.code, "{foreign}");
        assert_eq!(console.to_string(), api.message, "{foreign}");
        assert_eq!(api.code, "Forbidden.KeyNotFound", "{foreign}");
        assert!(view.resolve(&foreign).is_none(), "{foreign}");
    }
}

#[test]
fn fields_ask_the_api_and_show_its_reason() {
    use kms_console::api::{ApiRequest, dispatch, find_action};
    use kms_console::tui::form::field::Field;

    let param = |action: &str, name: &str| {
        find_action(action)
            .unwrap()
            .params
            .iter()
            .find(|p| p.name == name)
            .unwrap()
    };
    // TagKeys takes a comma list as well as JSON, as UntagResource does.
    let mut keys = Field::for_param(param("UntagResource", "TagKeys"));
    keys.set_value("k1, k2");
    assert!(keys.is_valid(), "{:?}", keys.note);
    // A bad value shows exactly the reason dispatch gives for it.
    let (mut vault, _clock, _) = tui_support::vault();
    for (action, name, bad) in [
        ("UntagResource", "TagKeys", "[k1"),
        ("TagResource", "Tags", "k=v"),
        ("ScheduleKeyDeletion", "PendingWindowInDays", "seven"),
        ("Encrypt", "EncryptionContext", "[1]"),
    ] {
        let mut field = Field::for_param(param(action, name));
        field.set_value(bad);
        assert!(!field.is_valid(), "{name}");
        let note = field.note.clone().unwrap();
        let mut r = ApiRequest::new(action);
        for (k, v) in [
            ("KeyId", "alias/orders"),
            ("Plaintext", "aGk="),
            ("TagKeys", "k"),
            ("Tags", r#"[{"TagKey":"k","TagValue":"v"}]"#),
            ("PendingWindowInDays", "7"),
            (name, bad),
        ] {
            r.params.insert(k.to_owned(), v.to_owned());
        }
        let api = dispatch(&mut vault, "admin", &r).unwrap_err();
        assert_eq!(api.code, "InvalidParameter", "{name}");
        assert_eq!(
            api.message,
            format!(
                "The specified parameter \"{name}\" is not valid. {}",
                note.text.strip_prefix("✗ ").unwrap()
            )
        );
    }
}

#[test]
fn result_summaries_read_the_typed_subject() {
    use kms_console::api::{ApiRequest, Format, dispatch};
    use kms_console::tui::modals::result::ResultView;
    use kms_console::tui::vault_view::VaultView;

    let (mut vault, _clock, old_blob) = tui_support::vault();
    let view = VaultView::from_state(vault.state());
    let orders = view.resolve("alias/orders").unwrap().clone();
    let mut summary = |action: &str, params: &[(&str, &str)]| {
        let mut r = ApiRequest::new(action);
        for (k, v) in params {
            r.params.insert((*k).to_owned(), (*v).to_owned());
        }
        let out = dispatch(&mut vault, "admin", &r);
        let subject = out.as_ref().unwrap().subject.clone();
        (
            subject,
            ResultView::new(r, out, Format::Json, &view).summary,
        )
    };
    let (subject, text) = summary("DescribeKey", &[("KeyId", "alias/orders")]);
    let subject = subject.unwrap();
    assert_eq!(subject.key_id, orders.key_id);
    assert_eq!(subject.key_version_id.as_deref(), Some(orders.primary_id()));
    assert_eq!(
        text,
        format!(
            "Key alias/orders · version {} (primary)",
            orders.primary_id()
        )
    );
    let (_, text) = summary(
        "Decrypt",
        &[
            ("CiphertextBlob", &old_blob),
            ("EncryptionContext", r#"{"app":"orders"}"#),
        ],
    );
    let first = &orders.versions[0].id;
    assert_eq!(
        text,
        format!("Key alias/orders · version {first} (not primary)")
    );
    let (subject, text) = summary("ListAliases", &[]);
    assert_eq!((subject, text.as_str()), (None, "Success"));
}
