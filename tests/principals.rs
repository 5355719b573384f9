//! Principals are honest (product §7): managing them needs RAM's permissions, the last principal
//! able to manage principals is protected, policies that cannot mean anything are refused,
//! AccessKeys are at most two with the secret shown once, an unknown `--as` is refused — all
//! through the real binary on temporary vaults, and the console's warning without a terminal.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::{Command, Output};

use kms_console::core::model::VaultState;
use kms_console::core::vault_file::VaultFile;
use serde_json::Value;

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    /// A temporary folder with an empty unprotected vault (`admin` only).
    fn new() -> Self {
        let e = Self {
            dir: tempfile::tempdir().unwrap(),
        };
        e.ok(&["init", "--no-passphrase"]);
        e
    }

    fn vault(&self) -> PathBuf {
        self.dir.path().join("vault.json")
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_kms-console"))
            .args(args)
            .env("KMS_CONSOLE_VAULT", self.vault())
            .env("HOME", self.dir.path())
            .env_remove("KMS_CONSOLE_PASSPHRASE")
            .env_remove("KMS_CONSOLE_PRINCIPAL")
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> Value {
        let out = self.run(args);
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// Runs, expects exit 1, nothing on stdout and the error document on stderr; returns it.
    fn err_doc(&self, args: &[&str]) -> Value {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(out.stdout.is_empty(), "{args:?}: nothing on stdout");
        let doc: Value = serde_json::from_slice(&out.stderr)
            .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
        for field in [
            "RequestId",
            "HostId",
            "Code",
            "Message",
            "Recommend",
            "HttpStatus",
        ] {
            assert!(doc.get(field).is_some(), "{field} in {doc}");
        }
        doc
    }

    fn err(&self, args: &[&str]) -> String {
        self.err_doc(args)["Code"].as_str().unwrap().to_owned()
    }

    fn audit(&self) -> Vec<Value> {
        let out = self.run(&["audit", "list"]);
        assert!(out.status.success());
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    fn state(&self) -> VaultState {
        let file: VaultFile<VaultState> = VaultFile::open(&self.vault(), None).unwrap();
        file.contents().clone()
    }
}

fn policy(effect: &str, actions: &[&str], resource: &str) -> String {
    serde_json::json!({
        "Version": "1",
        "Statement": [{ "Effect": effect, "Action": actions, "Resource": [resource] }]
    })
    .to_string()
}

const READ_ONLY: &[&str] = &["kms:Describe*", "kms:List*", "kms:GetPublicKey"];

fn s(v: &Value) -> &str {
    v.as_str().unwrap()
}

#[test]
fn a_principal_without_ram_permissions_cannot_manage_principals() {
    let e = Env::new();
    let p = policy("Allow", READ_ONLY, "*");
    e.ok(&["principal", "create", "auditor", "--policy", &p]);
    for args in [
        &["--as", "auditor", "principal", "create", "eve"][..],
        &["--as", "auditor", "principal", "list"],
        &["--as", "auditor", "principal", "delete", "admin"],
        &[
            "--as",
            "auditor",
            "principal",
            "attach-policy",
            "auditor",
            "--policy",
            &policy("Allow", &["ram:*"], "*"),
        ],
        &[
            "--as",
            "auditor",
            "principal",
            "detach-policy",
            "admin",
            "0",
        ],
        &[
            "--as",
            "auditor",
            "principal",
            "access-key",
            "create",
            "auditor",
        ],
        &[
            "--as",
            "auditor",
            "principal",
            "access-key",
            "list",
            "admin",
        ],
    ] {
        let doc = e.err_doc(args);
        assert_eq!(doc["Code"], "Forbidden.NoPermission", "{args:?}");
        assert_eq!(doc["HttpStatus"], 403);
        assert!(s(&doc["Message"]).contains("ram:"), "{doc}");
    }
    let create = e.err_doc(&["--as", "auditor", "principal", "create", "eve"]);
    assert!(
        s(&create["Message"]).contains("ram:CreateUser on acs:ram::"),
        "{create}"
    );
    let users = e.ok(&["principal", "list"]);
    assert_eq!(
        users["Users"].as_array().unwrap().len(),
        2,
        "nothing was created"
    );
    // Each refusal is audited with the acting principal, RAM's action name and the code.
    let audit = e.audit();
    let refused = audit
        .iter()
        .find(|r| r["action"] == "CreateUser" && r["principal"] == "auditor")
        .unwrap();
    assert_eq!(refused["result"], "Forbidden.NoPermission");
    assert_eq!(refused["details"]["UserName"], "eve");
}

#[test]
fn the_demo_admin_manages_principals_and_its_auditor_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("demo.json");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_kms-console"))
            .args(args)
            .env("KMS_CONSOLE_VAULT", &vault)
            .env("HOME", dir.path())
            .env_remove("KMS_CONSOLE_PASSPHRASE")
            .env_remove("KMS_CONSOLE_PRINCIPAL")
            .output()
            .unwrap()
    };
    assert!(run(&["init", "--demo"]).status.success());
    let refused = run(&["--as", "auditor", "principal", "create", "eve"]);
    assert_eq!(refused.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&refused.stderr).unwrap();
    assert_eq!(doc["Code"], "Forbidden.NoPermission");
    let listed = run(&["principal", "list"]);
    assert!(listed.status.success());
    let users: Value = serde_json::from_slice(&listed.stdout).unwrap();
    let managers: Vec<&str> = users["Users"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["ManagesPrincipals"] == true)
        .map(|u| s(&u["UserName"]))
        .collect();
    assert_eq!(managers, ["admin"]);
    for user in users["Users"].as_array().unwrap() {
        assert_eq!(user["AccessKeys"].as_array().unwrap().len(), 1, "{user}");
    }
    assert!(run(&["principal", "create", "eve"]).status.success());
}

#[test]
fn the_last_principal_manager_cannot_be_deleted_or_stripped() {
    let e = Env::new();
    let conflict = |args: &[&str]| {
        let doc = e.err_doc(args);
        assert_eq!(doc["Code"], "DeleteConflict.User.LastManager", "{args:?}");
        assert_eq!(doc["HttpStatus"], 409);
        assert!(s(&doc["Message"]).contains("\"admin\""), "{doc}");
    };
    conflict(&["principal", "delete", "admin"]);
    conflict(&["principal", "detach-policy", "admin", "0"]);
    // A Deny strips the right as surely as a detach.
    let deny = policy("Deny", &["ram:DetachPolicyFromUser"], "acs:ram::*:user/*");
    conflict(&["principal", "attach-policy", "admin", "--policy", &deny]);
    let admin = e.state().principal("admin").unwrap().policies.clone();
    assert_eq!(admin.len(), 1, "nothing was kept");
    // A Deny on one other user leaves the right to manage users in general.
    let narrow = policy("Deny", &["ram:DeleteUser"], "acs:ram::*:user/bob");
    e.ok(&["principal", "attach-policy", "admin", "--policy", &narrow]);
    // With a second manager, the first may go; then the second is the last.
    let all = policy("Allow", &["ram:*"], "*");
    e.ok(&["principal", "create", "second", "--policy", &all]);
    e.ok(&["principal", "delete", "admin"]);
    assert_eq!(
        e.err(&[
            "--as",
            "second",
            "principal",
            "detach-policy",
            "second",
            "0"
        ]),
        "DeleteConflict.User.LastManager"
    );
    assert_eq!(
        e.err(&["--as", "second", "principal", "delete", "second"]),
        "DeleteConflict.User.LastManager"
    );
    let audit = e.audit();
    let refused: Vec<&Value> = audit
        .iter()
        .filter(|r| r["result"] == "DeleteConflict.User.LastManager")
        .collect();
    assert_eq!(refused.len(), 5);
    assert_eq!(refused[0]["action"], "DeleteUser");
    assert_eq!(refused[1]["action"], "DetachPolicyFromUser");
    assert_eq!(refused[2]["action"], "AttachPolicyToUser");
    assert_eq!(refused[2]["details"]["PolicyDocument"], deny);
}

#[test]
fn malformed_policies_are_refused_naming_the_entry() {
    let e = Env::new();
    e.ok(&["principal", "create", "ops"]);
    let cases = [
        (policy("Allow", &["kms:Encrypt", "kms:Foo"], "*"), "\"kms:Foo\""),
        (policy("Allow", &["ram:Bar"], "*"), "\"ram:Bar\""),
        (policy("Allow", &["s3:*"], "*"), "\"s3:*\""),
        (policy("Allow", &["kms:ReEncrypt"], "*"), "\"kms:ReEncrypt\""),
        (
            policy("Allow", &["kms:*"], "acs:kms:cn-hangzhou:999:key/*"),
            "\"acs:kms:cn-hangzhou:999:key/*\"",
        ),
        (
            policy("Allow", &["kms:*"], "acs:kms:*:*:alias/orders"),
            "\"acs:kms:*:*:alias/orders\"",
        ),
        (policy("Allow", &["kms:*"], "orders"), "\"orders\""),
        (r#"{"Version":"1","Statement":["#.to_owned(), "line 1 column"),
        (
            r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*","Condition":{}}]}"#.to_owned(),
            "line 1",
        ),
    ];
    for (doc, named) in &cases {
        for args in [
            vec!["principal", "attach-policy", "ops", "--policy", doc],
            vec!["principal", "create", "eve", "--policy", doc],
        ] {
            let err = e.err_doc(&args);
            assert_eq!(err["Code"], "MalformedPolicyDocument", "{doc}");
            assert_eq!(err["HttpStatus"], 400);
            assert!(s(&err["Message"]).contains(named), "{named} in {err}");
        }
    }
    let state = e.state();
    assert!(
        state.principal("ops").unwrap().policies.is_empty(),
        "nothing kept"
    );
    assert!(state.principal("eve").is_none(), "nothing created");
    // Wildcards that can match real actions and resources of this vault are fine.
    let good = policy(
        "Allow",
        &["kms:ReEncrypt*", "ram:List*"],
        "acs:kms:*:*:key/*",
    );
    e.ok(&["principal", "attach-policy", "ops", "--policy", &good]);
}

/// `LTAI` + 20 letters or digits; a secret is 30 of them.
fn alnum(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|b| b.is_ascii_alphanumeric())
}

#[test]
fn access_keys_are_two_at_most_and_their_secret_is_shown_once() {
    let e = Env::new();
    e.ok(&["principal", "create", "ops"]);
    let listed = e.ok(&["principal", "access-key", "list", "ops"]);
    assert_eq!(
        listed["AccessKeys"],
        serde_json::json!([]),
        "create makes no pair"
    );
    let mut pairs = Vec::new();
    for _ in 0..2 {
        let created = e.ok(&["principal", "access-key", "create", "ops"]);
        let id = s(&created["AccessKey"]["AccessKeyId"]).to_owned();
        let secret = s(&created["AccessKey"]["AccessKeySecret"]).to_owned();
        assert!(id.starts_with("LTAI") && alnum(&id[4..], 20), "{id}");
        assert!(alnum(&secret, 30), "{secret}");
        pairs.push((id, secret));
    }
    assert_ne!(pairs[0], pairs[1]);
    let third = e.err_doc(&["principal", "access-key", "create", "ops"]);
    assert_eq!(third["Code"], "LimitExceeded.User.AccessKey");
    assert_eq!(third["HttpStatus"], 409);
    // Lists show ids and dates, never a secret; nor does the audit log or Debug.
    let out = e.run(&["principal", "access-key", "list", "ops"]);
    let users = e.run(&["principal", "list"]);
    let log = std::fs::read_to_string(format!("{}.audit.jsonl", e.vault().display())).unwrap();
    let state = e.state();
    let debug = format!("{state:?}");
    for (id, secret) in &pairs {
        for (what, text) in [
            (
                "access-key list",
                String::from_utf8_lossy(&out.stdout).into_owned(),
            ),
            (
                "principal list",
                String::from_utf8_lossy(&users.stdout).into_owned(),
            ),
            ("audit log", log.clone()),
            ("Debug", debug.clone()),
        ] {
            assert!(text.contains(id.as_str()), "{what} names {id}");
            assert!(!text.contains(secret.as_str()), "{what} shows a secret");
        }
        let (owner, key) = state.access_key(id).unwrap();
        assert_eq!(owner.name, "ops");
        assert_eq!(key.access_key_secret.expose(), secret);
    }
    assert!(state.access_key("LTAI00000000000000000000").is_none());
    let audit = e.audit();
    let created: Vec<&Value> = audit
        .iter()
        .filter(|r| r["action"] == "CreateAccessKey")
        .collect();
    assert_eq!(created.len(), 3);
    assert_eq!(created[0]["details"]["AccessKeyId"], pairs[0].0.as_str());
    assert_eq!(created[2]["result"], "LimitExceeded.User.AccessKey");
    // Delete one; a wrong id is refused; then there is room for one more.
    e.ok(&["principal", "access-key", "delete", "ops", &pairs[0].0]);
    assert_eq!(
        e.err(&["principal", "access-key", "delete", "ops", &pairs[0].0]),
        "InvalidParameter"
    );
    let left = e.ok(&["principal", "access-key", "list", "ops"]);
    assert_eq!(left["AccessKeys"].as_array().unwrap().len(), 1);
    assert_eq!(left["AccessKeys"][0]["AccessKeyId"], pairs[1].0.as_str());
    e.ok(&["principal", "access-key", "create", "ops"]);
    let deleted = e
        .audit()
        .into_iter()
        .find(|r| r["action"] == "DeleteAccessKey")
        .unwrap();
    assert_eq!(deleted["details"]["AccessKeyId"], pairs[0].0.as_str());
    assert_eq!(deleted["details"]["UserName"], "ops");
}

#[test]
fn a_vault_file_with_single_access_key_pairs_still_loads() {
    // The demo vault as written before AccessKey lists: `AccessKeyId`/`AccessKeySecret` on each
    // principal, and an `admin` that `init` gave only `kms:*`.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.json");
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/vault-single-access-key.json"
        ),
        &path,
    )
    .unwrap();
    let file: VaultFile<VaultState> = VaultFile::open(&path, None).unwrap();
    let state = file.contents();
    let (owner, key) = state.access_key("LTAIhssyuHYXNGv69BpUnFfq").unwrap();
    assert_eq!(owner.name, "admin");
    assert_eq!(
        key.access_key_secret.expose(),
        "010CyywM28AOK4bebBiE4dbDVy3Seo"
    );
    assert_eq!(key.creation_date, owner.creation_date);
    for p in state.principals() {
        assert_eq!(p.access_keys.len(), 1, "{}", p.name);
    }
    // The owner's admin can still manage principals; the others gained nothing.
    let text = |p: &str| serde_json::to_string(&state.principal(p).unwrap().policies).unwrap();
    assert!(text("admin").contains("ram:*"));
    assert!(!text("auditor").contains("ram:") && !text("rotation-operator").contains("ram:"));
    // Saved again, the pair moves into `AccessKeys` and reads back the same.
    let saved = serde_json::to_value(state).unwrap();
    assert!(saved["Principals"][0].get("AccessKeyId").is_none());
    let again: VaultState = serde_json::from_value(saved).unwrap();
    assert!(again.access_key("LTAIhssyuHYXNGv69BpUnFfq").is_some());
}

#[test]
fn an_unknown_principal_is_refused() {
    let e = Env::new();
    for args in [
        &["--as", "nobody", "ListKeys"][..],
        &["--as", "nobody", "CreateKey"],
        &["--as", "nobody", "principal", "list"],
        &[
            "--as",
            "nobody",
            "principal",
            "access-key",
            "create",
            "admin",
        ],
    ] {
        let doc = e.err_doc(args);
        assert_eq!(doc["Code"], "Forbidden.NoPermission", "{args:?}");
        assert!(
            s(&doc["Message"]).contains("there is no principal \"nobody\""),
            "{doc}"
        );
    }
    // The same through the environment.
    let out = Command::new(env!("CARGO_BIN_EXE_kms-console"))
        .args(["ListKeys"])
        .env("KMS_CONSOLE_VAULT", e.vault())
        .env("HOME", e.dir.path())
        .env("KMS_CONSOLE_PRINCIPAL", "nobody")
        .env_remove("KMS_CONSOLE_PASSPHRASE")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no principal \\\"nobody\\\""));
}

/// `--as ops principal …`.
fn as_ops<'a>(rest: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["--as", "ops", "principal"];
    args.extend_from_slice(rest);
    args
}

#[test]
fn ram_permissions_follow_wildcards_and_deny() {
    let e = Env::new();
    let keys_of_all = policy("Allow", &["ram:*AccessKey*"], "acs:ram::*:user/*");
    e.ok(&["principal", "create", "ops", "--policy", &keys_of_all]);
    let not_admin = policy("Deny", &["ram:Delete*"], "acs:ram::*:user/admin");
    e.ok(&["principal", "attach-policy", "ops", "--policy", &not_admin]);
    let own = e.ok(&as_ops(&["access-key", "create", "ops"]));
    let admins = e.ok(&as_ops(&["access-key", "create", "admin"]));
    e.ok(&as_ops(&["access-key", "list", "admin"]));
    let admin_id = s(&admins["AccessKey"]["AccessKeyId"]).to_owned();
    let own_id = s(&own["AccessKey"]["AccessKeyId"]).to_owned();
    let denied = e.err_doc(&as_ops(&["access-key", "delete", "admin", &admin_id]));
    assert_eq!(denied["Code"], "Forbidden.NoPermission");
    assert!(s(&denied["Message"]).contains("ram:DeleteAccessKey on acs:ram::"));
    e.ok(&as_ops(&["access-key", "delete", "ops", &own_id]));
    for rest in [&["list"][..], &["create", "eve"], &["delete", "admin"]] {
        assert_eq!(e.err(&as_ops(rest)), "Forbidden.NoPermission", "{rest:?}");
    }
    // Case does not matter in actions, as in RAM.
    let lister = policy("Allow", &["RAM:listusers"], "*");
    e.ok(&["principal", "create", "lister", "--policy", &lister]);
    e.ok(&["--as", "lister", "principal", "list"]);
}

#[test]
fn principal_changes_are_audited_with_ram_names_and_the_policy_text() {
    let e = Env::new();
    let p = policy("Allow", READ_ONLY, "*");
    e.ok(&["principal", "create", "auditor", "--policy", &p]);
    let extra = policy("Allow", &["kms:Encrypt"], "acs:kms:*:*:key/*");
    e.ok(&["principal", "attach-policy", "auditor", "--policy", &extra]);
    e.ok(&["principal", "detach-policy", "auditor", "1"]);
    e.ok(&["principal", "list"]);
    e.ok(&["principal", "delete", "auditor"]);
    let audit = e.audit();
    let actions: Vec<&str> = audit.iter().map(|r| s(&r["action"])).collect();
    assert_eq!(
        actions,
        [
            "CreateUser",
            "AttachPolicyToUser",
            "DetachPolicyFromUser",
            "ListUsers",
            "DeleteUser"
        ]
    );
    for r in &audit {
        assert_eq!(r["principal"], "admin");
        assert_eq!(r["result"], "Success");
    }
    assert_eq!(audit[0]["details"]["UserName"], "auditor");
    assert_eq!(
        audit[0]["details"]["PolicyDocument"],
        serde_json::json!([p])
    );
    assert_eq!(audit[1]["details"]["PolicyDocument"], extra);
    let detached: Value = serde_json::from_str(s(&audit[2]["details"]["PolicyDocument"])).unwrap();
    assert_eq!(detached, serde_json::from_str::<Value>(&extra).unwrap());
    assert_eq!(audit[4]["details"]["UserName"], "auditor");
    // Each change's line is anchored by the vault write that made it: the last line (the
    // delete) lies inside the anchor, nothing after it.
    let verified = e.ok(&["audit", "verify"]);
    assert_eq!(verified["ok"], true, "{verified}");
    assert_eq!(verified["anchor_seq"], audit[4]["seq"], "{verified}");
    assert_eq!(verified["after_anchor"], 0, "{verified}");
}

#[test]
fn the_console_warns_at_once_about_an_unknown_principal() {
    use kms_console::core::model::VaultData;
    use kms_console::tui::app::{App, AppConfig};
    use kms_console::tui::job::VaultInfo;
    use kms_console::tui::modals::toast::Level;
    use kms_console::tui::screens::principals::unknown_principal_warning;
    use kms_console::tui::vault_view::VaultView;

    let state: VaultState = VaultData {
        region: "cn-hangzhou".into(),
        account_id: "1234567890123456".into(),
        keys: Vec::new(),
        aliases: std::collections::BTreeMap::new(),
        principals: Vec::new(),
        audit: None,
    }
    .into();
    let info = || VaultInfo {
        path: "/tmp/v.json".into(),
        protection: None,
        demo: false,
    };
    let config = AppConfig {
        principal: "nobody".into(),
        ..AppConfig::default()
    };
    let app = App::with_vault(config, info(), VaultView::from_state(&state));
    // The status bar says so for as long as it lasts.
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 24)).unwrap();
    terminal
        .draw(|f| kms_console::tui::app::view::render(f, &app))
        .unwrap();
    let screen: String = terminal
        .backend()
        .buffer()
        .content()
        .iter()
        .map(ratatui::buffer::Cell::symbol)
        .collect();
    assert!(screen.contains("as nobody (unknown principal)"), "{screen}");
    let warned: Vec<_> = app
        .toasts
        .0
        .iter()
        .filter(|t| t.level == Level::Warn)
        .collect();
    assert_eq!(warned.len(), 1);
    assert_eq!(warned[0].text, unknown_principal_warning("nobody"));
    assert!(warned[0].text.contains("\"nobody\""));
    // Switching to a known principal is no warning; to an unknown one is.
    let e = Env::new();
    let real = e.state();
    let mut app = App::with_vault(AppConfig::default(), info(), VaultView::from_state(&real));
    assert!(app.toasts.0.iter().all(|t| t.level != Level::Warn));
    app.act_as("ghost");
    assert_eq!(
        app.toasts.0.last().map(|t| (t.level, t.text.clone())),
        Some((Level::Warn, unknown_principal_warning("ghost")))
    );
    assert!(!app.principal_known());
}
