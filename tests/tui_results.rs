//! Results you can chain, on real vault files: Encrypt → "Decrypt this" → the plaintext back,
//! one field copied alone, the masked plaintext, and the CLI line of a refused call run as-is in
//! a shell with the built binary, reproducing the refusal.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod tui_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use crossterm::event::KeyCode;
use kms_console::api::Action as ApiAction;
use kms_console::core::clock::FixedClock;
use kms_console::tui::action::{Action, Effect};
use kms_console::tui::app::{App, AppConfig, Startup};
use kms_console::tui::job::WorkerEvent;
use kms_console::tui::modals::Modal;
use kms_console::tui::modals::result::MASK;
use kms_console::tui::runtime::harness::Harness;
use kms_console::tui::runtime::worker::Executor;

const BIN: &str = env!("CARGO_BIN_EXE_kms-console");

/// The built binary on `vault`, never with the caller's principal, vault or passphrase.
fn cli(dir: &Path, vault: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("KMS_CONSOLE_VAULT", vault)
        .env("HOME", dir)
        .env_remove("KMS_CONSOLE_PASSPHRASE")
        .env_remove("KMS_CONSOLE_PRINCIPAL")
        .output()
        .unwrap()
}

fn cli_ok(dir: &Path, vault: &Path, args: &[&str]) -> serde_json::Value {
    let out = cli(dir, vault, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null)
}

/// A real vault file made by the binary: one key, and an auditor who may only describe and
/// list. Returns the temp dir, the vault path and the KeyId.
fn real_vault() -> (tempfile::TempDir, PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("vault.json");
    cli_ok(dir.path(), &vault, &["init", "--no-passphrase"]);
    let key = cli_ok(dir.path(), &vault, &["CreateKey", "--Description", "chain"]);
    let key_id = key["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned();
    let policy = r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":["kms:Describe*","kms:List*"],"Resource":["*"]}]}"#;
    cli_ok(
        dir.path(),
        &vault,
        &["principal", "create", "auditor", "--policy", policy],
    );
    (dir, vault, key_id)
}

/// The console open on `path`, acting as `principal`.
fn console(path: &Path, principal: &str) -> Harness {
    let config = AppConfig {
        principal: principal.to_owned(),
        ..tui_support::config()
    };
    let clock = Arc::new(FixedClock::new(tui_support::T0));
    let mut h = Harness::new(App::new(config), Executor::new(tui_support::sources(clock)));
    let startup = Startup::Open {
        path: path.to_owned(),
        passphrase: None,
    };
    for e in h.app.start(startup) {
        if let Effect::Run(id, job) = e {
            let (reply, _) = h.executor.run(job);
            h.act(Action::Worker(WorkerEvent::Done(id, reply)));
        }
    }
    assert!(h.app.gate.is_none(), "the vault opened");
    h
}

fn last_copy(h: &Harness) -> String {
    match h.effects.last() {
        Some(Effect::Copy(text)) => text.clone(),
        other => panic!("no copy: {other:?}"),
    }
}

#[test]
fn encrypt_then_decrypt_this_gives_the_plaintext_back() {
    let (_dir, vault, key_id) = real_vault();
    let mut h = console(&vault, "admin");
    drop(h.app.open_form(ApiAction::Encrypt));
    let form = h.app.form.as_mut().unwrap();
    form.set("KeyId", &key_id);
    form.set("EncryptionContext", r#"{"app":"chain"}"#);
    form.focus_on("Plaintext");
    h.type_text("chained secret");
    h.key(KeyCode::Enter);
    let encrypted = h.app.result.as_ref().unwrap();
    let blob = encrypted
        .outcome
        .as_ref()
        .unwrap()
        .field("CiphertextBlob")
        .unwrap()
        .to_owned();
    // One field alone: the blob.
    h.type_text("b");
    assert_eq!(last_copy(&h), blob);
    // "Decrypt this": the form comes filled with the blob and its context.
    h.type_text("d");
    assert!(h.app.result.is_none());
    let form = h.app.form.as_ref().unwrap();
    let request = form.request();
    assert!(request.is(ApiAction::Decrypt));
    assert_eq!(request.params["CiphertextBlob"], blob);
    assert_eq!(request.params["EncryptionContext"], r#"{"app":"chain"}"#);
    h.key(KeyCode::Enter);
    let decrypted = h.app.result.as_ref().unwrap();
    let response = decrypted.outcome.as_ref().unwrap();
    assert_eq!(response.field("Plaintext"), Some("chained secret"));
    // Masked until revealed: neither the screen, the document copy nor the field copy has it.
    let screen = h.screen(80, 24);
    assert!(!screen.contains("chained secret"), "{screen}");
    assert!(screen.contains("masked"), "{screen}");
    h.type_text("c");
    let doc = last_copy(&h);
    assert!(
        doc.contains(MASK) && !doc.contains("chained secret"),
        "{doc}"
    );
    let copies = h.effects.len();
    h.type_text("p");
    assert_eq!(h.effects.len(), copies, "a masked field is not copied");
    assert!(h.app.toasts.0.last().unwrap().text.contains("masked"));
    // Revealed: shown, and the field copies alone.
    h.type_text("m");
    let screen = h.screen(80, 24);
    assert!(screen.contains("chained secret"), "{screen}");
    h.type_text("p");
    assert_eq!(last_copy(&h), "chained secret");
    h.type_text("K");
    assert_eq!(last_copy(&h), key_id);
    // "ReEncrypt this" takes the same blob with its context as the source context.
    drop(h.app.open_form(ApiAction::Encrypt));
    let form = h.app.form.as_mut().unwrap();
    form.set("KeyId", &key_id);
    form.focus_on("Plaintext");
    h.type_text("again");
    h.key(KeyCode::Enter);
    h.type_text("r");
    let request = h.app.form.as_ref().unwrap().request();
    assert!(request.is(ApiAction::ReEncrypt));
    assert!(!request.params.contains_key("SourceEncryptionContext"));
    // A result without a blob says so instead of opening an empty form.
    h.key(KeyCode::Esc);
    drop(h.app.open_form(ApiAction::DescribeKey));
    h.app.form.as_mut().unwrap().set("KeyId", &key_id);
    h.key(KeyCode::Enter);
    h.type_text("d");
    assert!(h.app.result.is_some() && h.app.form.is_some());
    assert!(
        h.app
            .toasts
            .0
            .last()
            .unwrap()
            .text
            .contains("no CiphertextBlob")
    );
}

#[test]
fn the_cli_line_of_a_refused_call_reproduces_the_refusal_in_a_shell() {
    let (dir, vault, key_id) = real_vault();
    let mut h = console(&vault, "auditor");
    drop(h.app.open_form(ApiAction::Encrypt));
    let form = h.app.form.as_mut().unwrap();
    form.set("KeyId", &key_id);
    form.focus_on("Plaintext");
    h.type_text("not allowed");
    h.key(KeyCode::Enter);
    let Some(Modal::Error(e)) = h.app.modals.last() else {
        panic!("no error modal");
    };
    assert!(e.title.starts_with("Forbidden.NoPermission"), "{}", e.title);
    h.type_text("v");
    h.type_text("x");
    h.type_text("l");
    let line = last_copy(&h);
    assert!(
        line.contains(" --as auditor") && line.ends_with(" --Format XML"),
        "{line}"
    );
    assert!(
        !line.contains("not allowed"),
        "the plaintext stays out: {line}"
    );
    // Run as-is in a shell, the binary first on PATH; the secret comes from $PLAINTEXT.
    let bin_dir = Path::new(BIN).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("sh")
        .arg("-c")
        .arg(&line)
        .env("PATH", path)
        .env("PLAINTEXT", "not allowed")
        .env("KMS_CONSOLE_VAULT", &vault)
        .env("HOME", dir.path())
        .env_remove("KMS_CONSOLE_PASSPHRASE")
        .env_remove("KMS_CONSOLE_PRINCIPAL")
        .output()
        .expect("sh runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("<Code>Forbidden.NoPermission</Code>"),
        "{stderr}"
    );
    // Without --as the same line runs as admin and succeeds: the flag is what reproduces it.
    let as_admin = line.replace(" --as auditor", "");
    let out = Command::new("sh")
        .arg("-c")
        .arg(&as_admin)
        .env("PATH", format!("{}:/usr/bin:/bin", bin_dir.display()))
        .env("PLAINTEXT", "not allowed")
        .env("KMS_CONSOLE_VAULT", &vault)
        .env("HOME", dir.path())
        .env_remove("KMS_CONSOLE_PASSPHRASE")
        .env_remove("KMS_CONSOLE_PRINCIPAL")
        .output()
        .expect("sh runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The answer of the simulator on top.
fn simulated(h: &mut Harness) -> kms_console::core::ops::simulate::Simulation {
    let Some(Modal::Simulator(s)) = h.app.modals.last() else {
        panic!("no simulator");
    };
    s.answer.clone().expect("answered").expect("no error")
}

#[test]
fn the_simulator_gives_its_three_answers_and_names_the_statement() {
    use kms_console::core::policy::Verdict;
    let mut h = tui_support::results_states::harness_with_careful();
    let ask = |h: &mut Harness, down: &str| {
        h.key(KeyCode::Esc);
        h.type_text("2g");
        h.type_text(down);
        h.type_text("w");
        h.key(KeyCode::Enter);
        simulated(h)
    };
    h.type_text("2");
    let allow = ask(&mut h, "");
    assert!(allow.allowed());
    let check = allow.deciding().unwrap();
    assert_eq!(check.decision.verdict, Verdict::Allow);
    assert!(check.statement.as_deref().unwrap().contains("kms:*"));
    let no_allow = ask(&mut h, "jj");
    assert_eq!(no_allow.principal, "auditor");
    assert_eq!(
        no_allow.deciding().unwrap().decision.verdict,
        Verdict::NoAllow
    );
    assert!(no_allow.deciding().unwrap().statement.is_none());
    let deny = ask(&mut h, "jjj");
    assert_eq!(deny.principal, "careful");
    let check = deny.deciding().unwrap();
    assert_eq!(check.decision.verdict, Verdict::ExplicitDeny);
    assert!(check.statement.as_deref().unwrap().contains("\"Deny\""));
    // ← / → change the question and clear the old answer; ⏎ asks again.
    h.key(KeyCode::Right);
    let Some(Modal::Simulator(s)) = h.app.modals.last() else {
        panic!("no simulator");
    };
    assert!(s.answer.is_none());
    assert_ne!(s.ask().action, "Encrypt");
}

#[test]
fn why_was_this_denied_is_filled_with_the_refused_call() {
    let mut h = tui_support::results_states::why_denied();
    let Some(Modal::Simulator(s)) = h.app.modals.last() else {
        panic!("no simulator");
    };
    let ask = s.ask();
    assert_eq!(ask.principal, "auditor");
    assert_eq!(ask.action, "Encrypt");
    assert_eq!(ask.key.as_deref(), Some("alias/orders"));
    let answer = simulated(&mut h);
    assert!(!answer.allowed());
    assert_eq!(answer.deciding().unwrap().permission, "kms:Encrypt");
    // Esc goes back to the error.
    h.key(KeyCode::Esc);
    assert!(matches!(h.app.modals.last(), Some(Modal::Error(_))));
}

/// The audit log's lines, as JSON values.
fn audit_lines(vault: &Path) -> Vec<serde_json::Value> {
    let log = std::fs::read_to_string(kms_console::core::paths::audit_path(vault)).unwrap();
    log.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The principal names in the console's view.
fn names(h: &Harness) -> Vec<String> {
    h.app
        .view
        .principals
        .iter()
        .map(|p| p.name.clone())
        .collect()
}

#[test]
fn principals_change_from_the_console_as_the_cli_changes_them() {
    let (dir, vault, _key_id) = real_vault();
    let mut h = console(&vault, "admin");
    h.type_text("2");
    // Create: the name is asked for, the principal appears, the audit log says CreateUser.
    h.type_text("n");
    assert!(matches!(h.app.modals.last(), Some(Modal::Principal(_))));
    h.type_text("ops-team");
    h.key(KeyCode::Enter);
    assert!(h.app.modals.is_empty(), "{:?}", h.app.modals);
    assert!(names(&h).contains(&"ops-team".to_owned()));
    let lines = audit_lines(&vault);
    let last = lines.last().unwrap().to_string();
    assert!(
        last.contains("\"CreateUser\"") && last.contains("ops-team") && last.contains("Success"),
        "{last}"
    );
    // The CLI sees it.
    let listed = cli_ok(dir.path(), &vault, &["principal", "list"]).to_string();
    assert!(listed.contains("ops-team"), "{listed}");
    // A bad name is refused with the CLI's validation, in the error modal.
    h.type_text("n");
    h.type_text("bad name!");
    h.key(KeyCode::Enter);
    let Some(Modal::Error(e)) = h.app.modals.last() else {
        panic!("no error: {:?}", h.app.modals);
    };
    assert!(e.title.contains("CreateUser"), "{}", e.title);
    h.key(KeyCode::Esc);
    // Select ops-team, attach a policy (a malformed one is refused first), detach it.
    let at = names(&h).iter().position(|n| n == "ops-team").unwrap();
    h.type_text(&"j".repeat(at));
    h.type_text("A");
    h.paste(
        r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"kms:Nope","Resource":"*"}]}"#,
    );
    h.key(KeyCode::Enter);
    assert!(matches!(h.app.modals.last(), Some(Modal::Error(_))));
    h.key(KeyCode::Esc);
    h.type_text("A");
    h.paste(r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"kms:Describe*","Resource":"*"}]}"#);
    h.key(KeyCode::Enter);
    assert!(h.app.modals.is_empty(), "{:?}", h.app.modals);
    let policies = |h: &Harness| h.app.view.principals[at].policies.len();
    assert_eq!(policies(&h), 1);
    h.type_text("X");
    h.key(KeyCode::Enter);
    assert_eq!(policies(&h), 0);
    // A new AccessKey: its secret shown once, copied on request, then gone.
    h.type_text("K");
    let Some(Modal::SecretOnce(s)) = h.app.modals.last() else {
        panic!("no secret: {:?}", h.app.modals);
    };
    let secret = s.secret.expose().to_owned();
    let id = s.access_key_id.clone();
    assert!(!secret.is_empty() && !id.is_empty());
    assert!(
        !format!("{:?}", h.app.modals).contains(&secret),
        "never in Debug"
    );
    let screen = h.screen(100, 30);
    assert!(screen.contains(&secret), "{screen}");
    h.type_text("c");
    assert_eq!(last_copy(&h), secret);
    h.key(KeyCode::Esc);
    let screen = h.screen(100, 30);
    assert!(!screen.contains(&secret), "never shown again: {screen}");
    assert!(h.app.view.principals[at].access_key_ids.contains(&id));
    let log = std::fs::read_to_string(kms_console::core::paths::audit_path(&vault)).unwrap();
    assert!(!log.contains(&secret), "the secret is not audited");
    // Delete the AccessKey (its id filled in), then the principal (asked first).
    h.type_text("d");
    h.key(KeyCode::Enter);
    assert!(h.app.view.principals[at].access_key_ids.is_empty());
    h.type_text("D");
    h.type_text("n");
    assert!(names(&h).contains(&"ops-team".to_owned()), "n keeps it");
    h.type_text("D");
    h.type_text("y");
    assert!(!names(&h).contains(&"ops-team".to_owned()));
    let actions: Vec<String> = audit_lines(&vault)
        .iter()
        .filter_map(|l| {
            let record = l.get("record").unwrap_or(l);
            record["action"].as_str().map(str::to_owned)
        })
        .collect();
    for a in [
        "AttachPolicyToUser",
        "DetachPolicyFromUser",
        "CreateAccessKey",
        "DeleteAccessKey",
        "DeleteUser",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} audited: {actions:?}");
    }
}

#[test]
fn an_auditor_acting_cannot_change_principals() {
    let (_dir, vault, _key_id) = real_vault();
    let mut h = console(&vault, "auditor");
    h.type_text("2n");
    h.type_text("sneaky");
    h.key(KeyCode::Enter);
    let Some(Modal::Error(e)) = h.app.modals.last() else {
        panic!("no error: {:?}", h.app.modals);
    };
    assert!(e.title.starts_with("Forbidden.NoPermission"), "{}", e.title);
    assert!(!names(&h).contains(&"sneaky".to_owned()));
    h.key(KeyCode::Esc);
    h.type_text("K");
    assert!(
        matches!(h.app.modals.last(), Some(Modal::Error(e)) if e.title.starts_with("Forbidden"))
    );
    let last = audit_lines(&vault).last().unwrap().to_string();
    assert!(
        last.contains("CreateAccessKey") && last.contains("Forbidden.NoPermission"),
        "{last}"
    );
}
