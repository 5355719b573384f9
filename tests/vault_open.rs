//! An open vault file: due maintenance happens on open (expired keys go, due rotations happen,
//! both audited as `system`), and a handle sees changes another handle made.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use common::{T0, sources};
use kms_console::api::{ApiRequest, dispatch};
use kms_console::core::clock::FixedClock;
use kms_console::core::vault::{Vault, new_vault_state};
use kms_console::core::vault_file::NewProtection;

fn call(v: &mut Vault, action: &str, params: &[(&str, &str)]) -> serde_json::Value {
    let mut r = ApiRequest::new(action);
    for (k, val) in params {
        r.set(k, *val);
    }
    dispatch(v, "admin", &r).map_or_else(|e| panic!("{action}: {}", e.message), |r| r.document())
}

#[test]
fn opening_deletes_expired_keys_and_rotates_due_ones() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.json");
    let clock = Arc::new(FixedClock::new(T0));
    let state = new_vault_state(&sources(clock.clone())).unwrap();
    let mut v = Vault::create(&path, state, NewProtection::None, sources(clock.clone())).unwrap();
    let rotating = call(
        &mut v,
        "CreateKey",
        &[
            ("EnableAutomaticRotation", "true"),
            ("RotationInterval", "30d"),
        ],
    );
    let rotating = rotating["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_owned();
    let doomed = call(&mut v, "CreateKey", &[]);
    let doomed = doomed["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned();
    call(
        &mut v,
        "CreateAlias",
        &[("AliasName", "alias/doomed"), ("KeyId", &doomed)],
    );
    call(
        &mut v,
        "ScheduleKeyDeletion",
        &[("KeyId", &doomed), ("PendingWindowInDays", "7")],
    );
    drop(v);

    // Ten days later: the deletion is due, the rotation not yet.
    clock.advance(10 * 86_400);
    let (mut v, events) = Vault::open(&path, None, sources(clock.clone())).unwrap();
    assert_eq!(events.len(), 1);
    assert!(v.state().key(&doomed).is_none());
    assert!(v.state().aliases().get("alias/doomed").is_none());
    assert_eq!(
        call(&mut v, "ListKeyVersions", &[("KeyId", &rotating)])["TotalCount"],
        1
    );
    drop(v);

    // Thirty-one days after creation: one rotation, by the system.
    clock.advance(21 * 86_400);
    let (mut v, events) = Vault::open(&path, None, sources(clock.clone())).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(
        call(&mut v, "ListKeyVersions", &[("KeyId", &rotating)])["TotalCount"],
        2
    );
    let log = v.audit_log().unwrap().read().unwrap();
    let system: Vec<&str> = log
        .iter()
        .filter(|e| e.record.principal == "system")
        .map(|e| e.record.action.as_str())
        .collect();
    assert_eq!(system, ["DeleteKey", "RotateKey"]);
    let report = v.audit_log().unwrap().verify(v.state().audit_anchor());
    assert!(report.unwrap().ok);
    // Opening again changes nothing more.
    drop(v);
    let (_, events) = Vault::open(&path, None, sources(clock)).unwrap();
    assert!(events.is_empty());
}

#[test]
fn a_handle_sees_what_another_handle_changed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.json");
    let clock = Arc::new(FixedClock::new(T0));
    let state = new_vault_state(&sources(clock.clone())).unwrap();
    let mut a = Vault::create(&path, state, NewProtection::None, sources(clock.clone())).unwrap();
    let (mut b, _) = Vault::open(&path, None, sources(clock)).unwrap();
    let key = call(&mut b, "CreateKey", &[]);
    let key = key["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned();
    assert!(a.changed_on_disk());
    // A read through the API refreshes first, so the console sees the CLI's key at once.
    assert_eq!(
        call(&mut a, "DescribeKey", &[("KeyId", &key)])["KeyMetadata"]["KeyId"],
        key.as_str()
    );
    assert!(!a.changed_on_disk());
    // And a change made through `a` keeps `b`'s key.
    call(
        &mut a,
        "CreateAlias",
        &[("AliasName", "alias/k"), ("KeyId", &key)],
    );
    assert_eq!(call(&mut b, "ListAliases", &[])["TotalCount"], 1);
}
