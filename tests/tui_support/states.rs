//! Every screen, form and modal of the console, each reached the way a user reaches it, for
//! the snapshot and size-sweep tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crossterm::event::KeyCode;
use kms_console::api::ACTIONS;
use kms_console::core::audit::pages::{AuditFilter, LogLine, Page};
use kms_console::core::audit::{AuditEntry, AuditRecord, Seal};
use kms_console::demo::DemoSample;
use kms_console::serve::{LoggedRequest, RequestEvent};
use kms_console::tui::action::Action;
use kms_console::tui::app::{App, Startup};
use kms_console::tui::job::{Reply, WorkerEvent};
use kms_console::tui::runtime::harness::Harness;
use kms_console::tui::runtime::worker::Executor;
use kms_console::tui::screens::audit::Search;
use kms_console::tui::screens::endpoint::EndpointState;
use kms_console::tui::screens::walkthrough::{SIGNING_ALIAS, Walkthrough};

use super::{config, fake_blob, harness, orders_versions, sources};

/// A named state of the console.
pub struct State {
    pub name: String,
    pub harness: Harness,
}

fn state(name: &str, harness: Harness) -> State {
    State {
        name: name.to_owned(),
        harness,
    }
}

fn with(name: &str, keys: impl FnOnce(&mut Harness)) -> State {
    let mut h = harness();
    keys(&mut h);
    state(name, h)
}

const PATH: &str = "/home/demo/.local/share/kms-console/vault.json";

fn gate(startup: Startup) -> Harness {
    let clock = std::sync::Arc::new(kms_console::core::clock::FixedClock::new(super::T0));
    let mut h = Harness::new(App::new(config()), Executor::new(sources(clock)));
    drop(h.app.start(startup));
    h
}

fn entry(seq: u64, action: &str, key: Option<&str>, result: &str) -> AuditEntry {
    AuditEntry {
        seq,
        record: AuditRecord {
            time: format!("2026-11-01T00:0{seq}:00Z"),
            principal: if result == "Success" {
                "admin"
            } else {
                "auditor"
            }
            .to_owned(),
            action: action.to_owned(),
            key_id: key.map(str::to_owned),
            key_version_id: None,
            result: result.to_owned(),
            request_id: format!("00000000-0000-4000-8000-0000000001{seq:02}"),
            details: None,
            ..AuditRecord::default()
        },
        prev: "0".repeat(64),
        seal: Seal::Mac("1".repeat(64)),
    }
}

/// The audit screen on a page of five entries (the whole log), the last one selected.
fn audit_page(h: &mut Harness) {
    h.type_text("3");
    let id = h.app.view.aliases["alias/orders"].clone();
    let payments = h.app.view.aliases["alias/payments"].clone();
    h.app.audit.error = None;
    let mut moved = entry(2, "ReEncrypt", Some(&id), "Success");
    moved.record.source_key_id = Some(payments.clone());
    moved.record.source_key_version_id = Some("11111111-2222-4333-8444-555555555555".to_owned());
    let mut refused = entry(3, "ReEncrypt", Some(&id), "Forbidden.NoPermission");
    refused.record.key_ref = Some("alias/orders".to_owned());
    refused.record.source_key_id = Some(payments);
    refused.record.details =
        Some(serde_json::json!({"reason": "no statement allows kms:ReEncrypt"}));
    let mut alias = entry(4, "UpdateAlias", Some(&id), "Success");
    alias.record.alias_name = Some("alias/orders".to_owned());
    let entries = [
        entry(1, "CreateKey", Some(&id), "Success"),
        moved,
        refused,
        alias,
        entry(5, "ListKeys", None, "Success"),
    ];
    let mut offset = 0;
    let lines = entries
        .into_iter()
        .map(|e| {
            let line = LogLine {
                offset,
                end: offset + 300,
                entry: Some(e),
            };
            offset += 300;
            line
        })
        .collect();
    h.app.audit.page = Page {
        lines,
        at_start: true,
        at_end: true,
    };
    h.app.audit.newest_seq = Some(5);
    h.app.audit.selected = 4;
    h.app.audit.scroll = 0;
    h.app.audit.verified = Some("chain intact, 5 lines, 0 after the anchor".to_owned());
}

/// The walkthrough on its signing step, before and after `.` (try it): the demo-like vault with
/// the demo's signing key, `alias/release-signing`.
fn signing_walkthrough_states() -> Vec<State> {
    let step = || {
        let (mut h, id) = super::harness_with_signing_key();
        let w = Walkthrough::new(demo_samples(&h)).with_signing_key(Some(&id));
        let at = w
            .steps
            .iter()
            .position(|s| s.title.contains(SIGNING_ALIAS))
            .unwrap();
        h.app.walkthrough = Some(w);
        h.app.walkthrough.as_mut().unwrap().current = at;
        h.app.info.as_mut().unwrap().demo = true;
        h
    };
    let mut filled = step();
    filled.type_text(".");
    vec![
        state("walkthrough_signing", step()),
        state("walkthrough_signing_filled", filled),
    ]
}

/// Demo-like samples over the harness vault.
pub fn demo_samples(h: &Harness) -> Vec<DemoSample> {
    let versions = orders_versions(h);
    vec![DemoSample {
        name: "orders-v1".to_owned(),
        case: "after-rotation".to_owned(),
        description: "Made under version 1 of alias/orders, which has been rotated twice; ReEncrypt moves it to the primary version.".to_owned(),
        ciphertext_blob: fake_blob(&versions[0]),
        encryption_context: Some(r#"{"app":"orders"}"#.to_owned()),
        source_key_id: None,
        source_key_version_id: None,
        source_encryption_algorithm: None,
        destination_key_id: "alias/orders".to_owned(),
        destination_encryption_context: Some(r#"{"app":"orders"}"#.to_owned()),
        plaintext: "order #1001".to_owned(),
        expect_error: None,
    }]
}

/// The main screens and the gates before them.
pub fn screens() -> Vec<State> {
    let mut out = vec![
        with("keys", |_| {}),
        with("keys_filtered", |h| h.type_text("/sm")),
        // alias/orders given a second alias (+1), the list sorted by state (o ×3).
        with("keys_sorted", |h| {
            h.type_text("A");
            h.type_text("orders-eu");
            h.key(KeyCode::Enter);
            h.key(KeyCode::Esc);
            h.key(KeyCode::Esc);
            h.app.toasts.0.clear();
            h.type_text("ooo");
        }),
        with("keys_no_match", |h| {
            h.type_text("/zzz");
            h.key(KeyCode::Enter);
        }),
        with("principals", |h| h.type_text("2j")),
        with("principals_switched", |h| {
            h.type_text("2jj");
            h.key(KeyCode::Enter);
        }),
        with("audit_unavailable", |h| h.type_text("3")),
        with("audit", audit_page),
        // ⏎ on the refused ReEncrypt: every field of its record.
        with("audit_detail", |h| {
            audit_page(h);
            h.type_text("kk");
            h.key(KeyCode::Enter);
        }),
        with("audit_filter", |h| {
            audit_page(h);
            h.type_text("/principal=auditor result=Forbidden.NoPermission");
        }),
        with("audit_filter_refused", |h| {
            audit_page(h);
            h.type_text("/colour=red");
            h.key(KeyCode::Enter);
        }),
        // A search under way: the matches found so far and how many lines it has looked at.
        with("audit_searching", |h| {
            audit_page(h);
            let lines = h.app.audit.page.lines.clone();
            h.app.audit.search = Some(Search {
                filter: AuditFilter {
                    principal: Some("auditor".to_owned()),
                    ..AuditFilter::default()
                },
                matches: vec![lines[2].clone()],
                scanned: 120_000,
                running: true,
                ..Search::default()
            });
            h.app.audit.selected = 0;
            h.app.audit.scroll = 0;
        }),
        with("walkthrough", |h| {
            h.app.walkthrough = Some(Walkthrough::new(demo_samples(h)));
            h.app.info.as_mut().unwrap().demo = true;
        }),
    ];
    out.extend(signing_walkthrough_states());
    out.extend(super::walk_states::all());
    out.extend(endpoint_states());
    let path = PATH.into();
    out.push(state("first_run", gate(Startup::FirstRun { path })));
    let mut h = gate(Startup::FirstRun { path: PATH.into() });
    h.key(KeyCode::Enter);
    h.type_text("secret");
    h.key(KeyCode::Enter);
    h.type_text("other");
    h.key(KeyCode::Enter);
    h.type_text("sec");
    out.push(state("first_run_passphrase", h));
    let mut h = gate(Startup::Unlock {
        path: PATH.into(),
        error: Some(
            "wrong passphrase, or the vault file has been altered (the two cannot be told apart)"
                .to_owned(),
        ),
    });
    h.type_text("pass");
    out.push(state("unlock", h));
    out.push(state(
        "loading",
        gate(Startup::Open {
            path: PATH.into(),
            passphrase: None,
        }),
    ));
    let mut h = gate(Startup::Open {
        path: PATH.into(),
        passphrase: None,
    });
    let reply = Reply::OpenFailed {
        message: format!("the vault file is damaged: the checksum does not match ({PATH})"),
        wrong_passphrase: false,
    };
    h.act(Action::Worker(WorkerEvent::Done(1, reply)));
    out.push(state("open_failed", h));
    out
}

fn logged(
    seconds: i64,
    principal: Option<&str>,
    action: &str,
    key: Option<&str>,
    code: &str,
) -> LoggedRequest {
    let status = match code {
        "Success" => 200,
        "Forbidden.NoPermission" | "Forbidden.KeyNotFound" => 404,
        _ => 400,
    };
    LoggedRequest {
        time: super::T0 + seconds,
        event: RequestEvent {
            principal: principal.map(str::to_owned),
            action: action.to_owned(),
            key_id: key.map(str::to_owned),
            code: code.to_owned(),
            status,
            micros: 830 + 1000 * u64::try_from(seconds).unwrap(),
        },
    }
}

/// The Endpoint screen: stopped, running with requests (as its worker reports them), showing
/// another SDK's snippet, editing the address, and refusing an address that is not loopback.
fn endpoint_states() -> Vec<State> {
    vec![
        with("endpoint_stopped", |h| h.type_text("5")),
        with("endpoint_running", |h| {
            h.type_text("5");
            let at = "127.0.0.1:20160".parse().unwrap();
            // What the worker's reply to a start sets (a real start is in tests/tui_endpoint.rs).
            h.app.endpoint.state = EndpointState::Running(at);
            let orders = h.app.view.aliases["alias/orders"].clone();
            let log = vec![
                logged(1, Some("admin"), "Encrypt", Some(&orders), "Success"),
                logged(2, Some("admin"), "Decrypt", Some(&orders), "Success"),
                logged(
                    3,
                    Some("auditor"),
                    "ReEncrypt",
                    Some(&orders),
                    "Forbidden.NoPermission",
                ),
                logged(4, None, "Encrypt", None, "SignatureDoesNotMatch"),
                logged(5, Some("admin"), "ListKeys", None, "Success"),
            ];
            h.act(Action::Worker(WorkerEvent::EndpointLog(log)));
        }),
        with("endpoint_snippet_node", |h| {
            h.type_text("5");
            h.key(KeyCode::Right);
            h.key(KeyCode::Right);
            h.type_text("p");
            h.key(KeyCode::Down);
            h.key(KeyCode::Enter);
        }),
        with("endpoint_principal_picker", |h| h.type_text("5p")),
        with("endpoint_snippet_tea", |h| {
            h.type_text("5");
            h.key(KeyCode::Right);
        }),
        with("endpoint_editing", |h| {
            h.type_text("5e");
            for _ in 0..5 {
                h.key(KeyCode::Backspace);
            }
            h.type_text("8080");
        }),
        with("endpoint_not_loopback", |h| {
            h.type_text("5e");
            for _ in 0..15 {
                h.key(KeyCode::Backspace);
            }
            h.type_text("0.0.0.0:20160");
            h.key(KeyCode::Enter);
            h.type_text("s");
        }),
    ]
}

/// The form of every action, opened on the selected key.
pub fn forms() -> Vec<State> {
    ACTIONS
        .iter()
        .map(|spec| {
            with(&format!("form_{}", spec.name), |h| {
                h.type_text("a");
                h.type_text(spec.name);
                h.key(KeyCode::Enter);
            })
        })
        .collect()
}

/// ReEncrypt in its particular states, the result view and every modal.
pub fn details() -> Vec<State> {
    vec![
        with("reencrypt_inspected", |h| {
            h.type_text("r");
            let blob = fake_blob(&orders_versions(h)[0]);
            h.paste(&blob);
            for _ in 0..3 {
                h.key(KeyCode::Tab);
            }
            h.type_text(r#"{"app":"#);
        }),
        with("reencrypt_asymmetric", |h| {
            h.type_text("r");
            h.paste("EBQEI0gw6LrCPu12jl6mZCkt09ykjrC6RI7iyCC/cWURkUATl2cKDU5buPOu8tsT");
            h.key(KeyCode::Tab);
            h.key(KeyCode::Tab);
            h.type_text(" ");
            h.key(KeyCode::Tab);
        }),
        with("reencrypt_not_base64", |h| {
            h.type_text("r");
            h.paste("not-a-blob: %%%");
        }),
        with("reencrypt_required", |h| {
            h.type_text("r");
            h.key(KeyCode::Enter);
        }),
        with("result_json", |h| {
            h.type_text("i");
            h.key(KeyCode::Enter);
        }),
        with("result_xml", |h| {
            h.type_text("i");
            h.key(KeyCode::Enter);
            h.type_text("x");
        }),
        state("result_reencrypt", reencrypt_result()),
        state("result_masked", decrypt_result()),
        state("result_revealed", {
            let mut h = decrypt_result();
            h.type_text("m");
            h
        }),
        state("result_field_copied", {
            let mut h = decrypt_result();
            h.type_text("K");
            h
        }),
        state("result_masked_copy_refused", {
            let mut h = decrypt_result();
            h.type_text("p");
            h
        }),
        with("modal_error", |h| {
            h.type_text("2jj");
            h.key(KeyCode::Enter);
            h.type_text("1r");
            let blob = fake_blob(&orders_versions(h)[0]);
            h.paste(&blob);
            h.key(KeyCode::Enter);
        }),
        with("modal_dry_run", |h| {
            h.type_text("e");
            h.type_text("hello");
            h.app.form.as_mut().unwrap().focus_on("DryRun");
            h.type_text(" ");
            h.key(KeyCode::Enter);
        }),
        with("modal_confirm", |h| {
            h.type_text("jD");
            h.key(KeyCode::Enter);
        }),
        with("modal_help", |h| h.type_text("?")),
        with("picker_actions", |h| h.type_text("a")),
        with("picker_keys", |h| {
            h.type_text("r");
            h.key(KeyCode::Tab);
            h.ctrl('p');
        }),
        with("picker_versions", |h| {
            h.type_text("a");
            h.type_text("DescribeKeyVersion");
            h.key(KeyCode::Enter);
            h.key(KeyCode::Tab);
            h.ctrl('p');
        }),
        with("modal_save", |h| {
            h.type_text("i");
            h.key(KeyCode::Enter);
            h.type_text("s");
        }),
    ]
}

/// ReEncrypt of a real blob made under version 1 of alias/orders, run through the form and the
/// worker as a user runs it; then only the random parts (the blobs' IVs and ciphertext, in the
/// request and the response) are replaced by fixed ones so the snapshot is stable.
fn reencrypt_result() -> Harness {
    let (mut h, blob) = super::harness_with_blob();
    let versions = orders_versions(&h);
    h.type_text("r");
    h.paste(&blob);
    for _ in 0..3 {
        h.key(KeyCode::Tab);
    }
    h.type_text(r#"{"app":"orders"}"#);
    h.key(KeyCode::Enter);
    let result = h.app.result.take().expect("ReEncrypt ran");
    let mut response = result.outcome.expect("ReEncrypt succeeded");
    assert_eq!(response.fields["KeyVersionId"], versions[2].as_str());
    response
        .fields
        .insert("CiphertextBlob".into(), fake_blob(&versions[2]).into());
    let mut request = result.request;
    request.set("CiphertextBlob", fake_blob(&versions[0]));
    h.app.result = Some(kms_console::tui::modals::result::ResultView::new(
        request,
        Ok(response),
        result.format,
        &h.app.view,
    ));
    h
}

/// Decrypt of a real blob of alias/orders, run through the form and the worker; the request's
/// blob (its IV is random) is then replaced by a fixed one so the snapshot is stable.
pub fn decrypt_result() -> Harness {
    let (mut h, blob) = super::harness_with_blob();
    let versions = orders_versions(&h);
    h.type_text("d");
    h.paste(&blob);
    h.key(KeyCode::Tab);
    h.type_text(r#"{"app":"orders"}"#);
    h.key(KeyCode::Enter);
    let result = h.app.result.as_mut().expect("Decrypt ran");
    assert!(result.outcome.is_ok(), "Decrypt succeeded");
    result
        .request
        .set("CiphertextBlob", fake_blob(&versions[0]));
    h
}

/// Every state.
pub fn all() -> Vec<State> {
    let mut out = screens();
    out.extend(forms());
    out.extend(details());
    out.extend(super::drill_states::all());
    out.extend(super::results_states::all());
    out
}
