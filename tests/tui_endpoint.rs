//! The console's Endpoint screen on a real vault file: started from the console on a free
//! loopback port, a V1-signed request is answered and shows in the live table, the snippet is
//! copied with the secret while the screen shows it masked, stopping (and quitting) closes the
//! port, and a port in use or an address that is not loopback is refused in an error modal.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod serve_support;

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::KeyCode;
use kms_console::core::clock::{FixedClock, format_date};
use kms_console::core::secret::SecretString;
use kms_console::core::vault::Sources;
use kms_console::core::vault_file::KdfParams;
use kms_console::tui::action::Effect;
use kms_console::tui::app::{App, AppConfig};
use kms_console::tui::job::{Job, Reply};
use kms_console::tui::modals::Modal;
use kms_console::tui::runtime::harness::Harness;
use kms_console::tui::runtime::worker::Executor;
use kms_console::tui::screens::endpoint::EndpointState;
use kms_console::tui::ui::theme::Theme;
use serve_support::{Connection, credentials, demo_vault, signed_query};

/// 2027-03-01T09:30:00Z: the console's clock and the signed requests' timestamp.
const NOW: i64 = 1_803_720_600;

fn config() -> AppConfig {
    AppConfig {
        theme: Theme { color: false },
        ..AppConfig::default()
    }
}

fn sources() -> Sources {
    Sources {
        clock: Arc::new(FixedClock::new(NOW)),
        ..Sources::default()
    }
}

/// A console open on the vault file at `path`, as its worker opens it.
fn console(path: &Path) -> Harness {
    let mut executor = Executor::new(sources());
    let job = Job::Open {
        path: path.to_owned(),
        passphrase: None,
    };
    let Reply::Opened(opened) = executor.run(job).0 else {
        panic!("the vault did not open");
    };
    Harness::new(
        App::with_vault(config(), opened.info, opened.view),
        executor,
    )
}

/// Types `address` over the listen address.
fn listen_on(h: &mut Harness, address: &str) {
    h.type_text("e");
    for _ in 0..40 {
        h.key(KeyCode::Backspace);
    }
    h.type_text(address);
    h.key(KeyCode::Enter);
}

fn running_at(h: &Harness) -> SocketAddr {
    match h.app.endpoint.state {
        EndpointState::Running(at) => at,
        other => panic!("not running: {other:?}; modals {:?}", h.app.modals),
    }
}

fn error_text(h: &Harness) -> String {
    match h.app.modals.last() {
        Some(Modal::Error(e)) => format!("{e:?}"),
        other => panic!("no error modal: {other:?}"),
    }
}

/// Polls as the worker does until the table holds `n` requests (bounded; not a speed check).
fn wait_for_requests(h: &mut Harness, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while h.app.endpoint.requests.len() < n {
        assert!(Instant::now() < deadline, "the request never showed");
        std::thread::sleep(Duration::from_millis(10));
        h.poll();
    }
}

#[test]
fn started_from_the_console_a_signed_request_shows_live_and_stopping_closes_the_port() {
    let (_dir, path) = demo_vault();
    let admin = credentials(&path, "admin");
    let mut h = console(&path);
    h.type_text("5");
    listen_on(&mut h, "127.0.0.1:0");
    h.type_text("s");
    let at = running_at(&h);
    assert!(at.ip().is_loopback() && at.port() != 0);
    let screen = h.screen(100, 30);
    assert!(
        screen.contains(&format!("running at http://{at}")),
        "{screen}"
    );

    let query = signed_query(
        &admin,
        "Encrypt",
        &[("KeyId", "alias/orders"), ("Plaintext", "aGVsbG8=")],
        "console-nonce-1",
        &format_date(NOW),
    );
    let reply = Connection::open(at.port()).get(&query, &[]);
    assert_eq!(reply.status, 200, "{}", reply.body);
    wait_for_requests(&mut h, 1);
    let seen = &h.app.endpoint.requests[0];
    assert_eq!(seen.time, NOW);
    assert_eq!(seen.event.principal.as_deref(), Some("admin"));
    assert_eq!(seen.event.action, "Encrypt");
    assert_eq!(seen.event.code, "Success");
    let screen = h.screen(100, 30);
    let row = screen
        .lines()
        .find(|l| l.contains("09:30:00"))
        .unwrap_or_else(|| panic!("no row in\n{screen}"));
    for cell in ["admin", "Encrypt", "alias/orders", "Success"] {
        assert!(row.contains(cell), "{cell} missing from {row}");
    }

    h.type_text("x");
    assert_eq!(h.app.endpoint.state, EndpointState::Stopped);
    assert!(TcpStream::connect(at).is_err(), "still listening at {at}");
}

#[test]
fn the_copied_snippet_holds_the_secret_and_the_screen_only_a_mask() {
    let (_dir, path) = demo_vault();
    let admin = credentials(&path, "admin");
    let mut h = console(&path);
    h.type_text("5");
    listen_on(&mut h, "127.0.0.1:0");
    h.type_text("s");
    let at = running_at(&h).to_string();
    for (index, snippet) in kms_console::serve::snippets::ALL.iter().enumerate() {
        assert_eq!(h.app.endpoint.snippet, index);
        h.effects.clear();
        h.type_text("c");
        let copied: Vec<&String> = h
            .effects
            .iter()
            .filter_map(|e| match e {
                Effect::Copy(text) => Some(text),
                _ => None,
            })
            .collect();
        let expected = snippet.filled(&at, &admin.id, &SecretString::from(admin.secret.as_str()));
        assert_eq!(copied, [expected.expose()], "{}", snippet.title);
        let screen = h.screen(120, 60);
        assert!(screen.contains(&admin.id), "{screen}");
        assert!(screen.contains(&at), "{screen}");
        assert!(
            !screen.contains(&admin.secret),
            "the secret is on screen:\n{screen}"
        );
        h.key(KeyCode::Right);
    }
    // Quitting stops the endpoint too.
    h.type_text("q");
    assert!(h.app.quit);
    assert_eq!(h.app.endpoint.state, EndpointState::Stopped);
    assert!(
        TcpStream::connect(at.as_str()).is_err(),
        "still listening at {at}"
    );
}

#[test]
fn a_port_in_use_is_refused_with_the_reason() {
    let (_dir, path) = demo_vault();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let mut h = console(&path);
    h.type_text("5");
    listen_on(&mut h, &address);
    h.type_text("s");
    assert_eq!(h.app.endpoint.state, EndpointState::Stopped);
    let error = error_text(&h);
    assert!(error.contains("Cannot start the endpoint"), "{error}");
    assert!(
        error.contains(&format!("cannot listen on {address}")),
        "{error}"
    );
    assert!(error.to_lowercase().contains("in use"), "{error}");
}

#[test]
fn only_loopback_addresses_are_accepted() {
    let (_dir, path) = demo_vault();
    let mut h = console(&path);
    h.type_text("5");
    for (address, why) in [
        ("0.0.0.0:20160", "loopback only"),
        ("192.168.1.10:20160", "loopback only"),
        ("localhost", "not an address and port"),
    ] {
        listen_on(&mut h, address);
        h.type_text("s");
        assert_eq!(h.app.endpoint.state, EndpointState::Stopped);
        let error = error_text(&h);
        assert!(error.contains(why), "{address}: {error}");
        h.key(KeyCode::Esc);
        assert!(h.app.modals.is_empty());
    }
}

#[test]
fn a_sealed_vault_is_served_through_a_second_handle_opened_with_its_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.json");
    let mut executor = Executor::new(sources());
    let job = Job::Create {
        path: path.clone(),
        passphrase: SecretString::from("correct horse"),
        kdf: KdfParams::cheap_for_tests(),
    };
    let Reply::Opened(opened) = executor.run(job).0 else {
        panic!("the vault was not created");
    };
    let mut h = Harness::new(
        App::with_vault(config(), opened.info, opened.view),
        executor,
    );
    h.type_text("5");
    listen_on(&mut h, "[::1]:0");
    if h.app.modals.is_empty() {
        h.type_text("s");
    }
    // Some machines have no IPv6 loopback; IPv4 then.
    if !matches!(h.app.endpoint.state, EndpointState::Running(_)) {
        h.key(KeyCode::Esc);
        listen_on(&mut h, "127.0.0.1:0");
        h.type_text("s");
    }
    let at = running_at(&h);
    h.type_text("x");
    assert!(TcpStream::connect(at).is_err(), "still listening at {at}");
}

#[test]
fn an_in_memory_vault_cannot_be_served_and_says_why() {
    let mut h = Harness::new(
        App::new(config()),
        Executor::with_vault(kms_console::core::vault::Vault::in_memory(
            kms_console::core::vault::new_vault_state(&sources()).unwrap(),
            sources(),
        )),
    );
    h.app.gate = None;
    h.type_text("5s");
    assert_eq!(h.app.endpoint.state, EndpointState::Stopped);
    let error = error_text(&h);
    assert!(error.contains("needs a vault file"), "{error}");
}

/// The screen after real signed requests (the fixed clock gives their times; the port, the
/// temporary path and the latencies are set to fixed values before drawing).
#[test]
fn snapshot_of_real_requests_in_the_live_table() {
    let (_dir, path) = demo_vault();
    let admin = credentials(&path, "admin");
    let auditor = credentials(&path, "auditor");
    let mut h = console(&path);
    h.type_text("5");
    listen_on(&mut h, "127.0.0.1:0");
    h.type_text("s");
    let port = running_at(&h).port();
    let mut connection = Connection::open(port);
    let stamp = format_date(NOW);
    let encrypt = [("KeyId", "alias/orders"), ("Plaintext", "aGVsbG8=")];
    let sent = [
        signed_query(&admin, "Encrypt", &encrypt, "n-1", &stamp),
        signed_query(&auditor, "Encrypt", &encrypt, "n-2", &stamp),
        signed_query(&admin, "ListKeys", &[], "n-3", &stamp),
        signed_query(&admin, "ListKeys", &[], "n-3", &stamp),
    ];
    for query in &sent {
        connection.get(query, &[]);
    }
    wait_for_requests(&mut h, sent.len());
    h.app.endpoint.state = EndpointState::Running("127.0.0.1:20160".parse().unwrap());
    for (i, r) in h.app.endpoint.requests.iter_mut().enumerate() {
        r.event.micros = 700 + 1000 * u64::try_from(i).unwrap();
    }
    h.app.info.as_mut().unwrap().path = "/tmp/demo/vault.json".to_owned();
    h.app.toasts.0.clear();
    for (w, ht) in [(80, 24), (60, 20)] {
        // The demo's AccessKeyIds are drawn at random: one of the same length stands in.
        let stand_in = format!("LTAI{}", "x".repeat(admin.id.len() - 4));
        let screen = h.screen(w, ht).replace(&admin.id, &stand_in);
        insta::assert_snapshot!(format!("endpoint_real_requests_{w}x{ht}"), screen);
    }
    h.type_text("x");
}
