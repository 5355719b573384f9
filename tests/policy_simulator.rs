//! The policy simulator answers as the operations decide: on the demo vault, each answer agrees
//! with what `dispatch` does for the same principal, action and key, and names the statement that
//! decided (Allow, Deny by an explicit Deny, Deny for want of an Allow).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use kms_console::api::{ApiRequest, dispatch};
use kms_console::core::clock::FixedClock;
use kms_console::core::ops::simulate::simulate;
use kms_console::core::policy::Verdict;
use kms_console::core::vault::Vault;
use kms_console::demo::{samples, write_demo_vault};

mod tui_support;

fn demo() -> (tempfile::TempDir, Vault) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.json");
    let clock = Arc::new(FixedClock::new(samples().unwrap().generated_at));
    write_demo_vault(&path, clock.as_ref()).unwrap();
    let (vault, _) = Vault::open(&path, None, tui_support::sources(clock)).unwrap();
    (dir, vault)
}

fn reencrypt_as(vault: &mut Vault, principal: &str) -> Result<(), String> {
    let sample = &samples().unwrap().samples[0];
    let mut req = ApiRequest::new("ReEncrypt");
    req.set("CiphertextBlob", sample.ciphertext_blob.as_str());
    req.set("DestinationKeyId", "alias/orders");
    for (name, value) in [
        ("SourceEncryptionContext", &sample.encryption_context),
        (
            "DestinationEncryptionContext",
            &sample.destination_encryption_context,
        ),
    ] {
        if let Some(v) = value {
            req.set(name, v.as_str());
        }
    }
    dispatch(vault, principal, &req)
        .map(|_| ())
        .map_err(|e| e.code)
}

#[test]
fn allow_names_the_statement_and_the_operation_runs() {
    let (_dir, mut vault) = demo();
    let ctx = vault.ctx("admin");
    let s = simulate(
        vault.state(),
        &ctx,
        "rotation-operator",
        "ReEncrypt",
        Some("alias/orders"),
    )
    .unwrap();
    assert!(s.allowed());
    let permissions: Vec<_> = s.checks.iter().map(|c| c.permission.as_str()).collect();
    assert_eq!(permissions, ["kms:ReEncryptFrom", "kms:ReEncryptTo"]);
    for check in &s.checks {
        assert_eq!(check.decision.verdict, Verdict::Allow);
        assert!(
            check
                .statement
                .as_deref()
                .unwrap()
                .contains("kms:ReEncrypt*")
        );
        assert!(
            check
                .resource
                .ends_with(&vault.state().aliases()["alias/orders"])
        );
    }
    assert_eq!(reencrypt_as(&mut vault, "rotation-operator"), Ok(()));
}

#[test]
fn deny_for_want_of_an_allow_names_no_statement_and_the_operation_is_refused() {
    let (_dir, mut vault) = demo();
    let ctx = vault.ctx("admin");
    let s = simulate(
        vault.state(),
        &ctx,
        "auditor",
        "ReEncrypt",
        Some("alias/orders"),
    )
    .unwrap();
    assert!(!s.allowed());
    let deciding = s.deciding().unwrap();
    assert_eq!(deciding.permission, "kms:ReEncryptFrom");
    assert_eq!(deciding.decision.verdict, Verdict::NoAllow);
    assert_eq!(deciding.statement, None);
    assert_eq!(
        reencrypt_as(&mut vault, "auditor"),
        Err("Forbidden.NoPermission".to_owned())
    );
    // The auditor may read, and the simulator says so.
    let ctx = vault.ctx("admin");
    let read = simulate(
        vault.state(),
        &ctx,
        "auditor",
        "DescribeKey",
        Some("alias/orders"),
    );
    assert!(read.unwrap().allowed());
}

#[test]
fn an_explicit_deny_wins_and_is_named() {
    let (_dir, mut vault) = demo();
    tui_support::results_states::add_careful(&mut vault, "kms:ReEncryptTo");
    let ctx = vault.ctx("admin");
    let s = simulate(
        vault.state(),
        &ctx,
        "careful",
        "ReEncrypt",
        Some("alias/orders"),
    )
    .unwrap();
    assert!(!s.allowed());
    let deciding = s.deciding().unwrap();
    assert_eq!(deciding.permission, "kms:ReEncryptTo");
    assert_eq!(deciding.decision.verdict, Verdict::ExplicitDeny);
    let at = deciding.decision.statement.unwrap();
    assert_eq!((at.policy, at.statement), (1, 0));
    assert!(deciding.statement.as_deref().unwrap().contains("Deny"));
    assert_eq!(
        reencrypt_as(&mut vault, "careful"),
        Err("Forbidden.NoPermission".to_owned())
    );
}

#[test]
fn asking_about_another_principal_needs_list_users_and_bad_questions_get_codes() {
    let (_dir, vault) = demo();
    // The auditor may ask about itself, not about admin.
    let ctx = vault.ctx("auditor");
    assert!(
        simulate(vault.state(), &ctx, "auditor", "ListKeys", None)
            .unwrap()
            .allowed()
    );
    let e = simulate(vault.state(), &ctx, "admin", "ListKeys", None).unwrap_err();
    assert_eq!(e.code(), "Forbidden.NoPermission");
    let ctx = vault.ctx("admin");
    let state = vault.state();
    let code = |r: Result<_, kms_console::core::error::KmsError>| r.unwrap_err().code();
    assert_eq!(
        code(simulate(state, &ctx, "nobody", "ListKeys", None)),
        "InvalidParameter"
    );
    assert_eq!(
        code(simulate(state, &ctx, "auditor", "Frobnicate", None)),
        "InvalidAction.NotFound"
    );
    assert_eq!(
        code(simulate(state, &ctx, "auditor", "Encrypt", None)),
        "MissingParameter"
    );
    assert_eq!(
        code(simulate(
            state,
            &ctx,
            "auditor",
            "Encrypt",
            Some("alias/nope")
        )),
        "Forbidden.AliasNotFound"
    );
    // RAM actions are asked on a user's ARN.
    let s = simulate(state, &ctx, "admin", "CreateUser", Some("someone")).unwrap();
    assert!(s.allowed());
    assert!(s.checks[0].resource.ends_with(":user/someone"));
}
