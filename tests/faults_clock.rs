//! The clock jumping backwards between two calls (product §4 rotation and deletion, §15): with
//! injected clocks — one per process, as two machines' clocks or an NTP step would differ — no
//! automatic rotation and no deletion is done twice, none is skipped, and the audit log (whose
//! times then run backwards) still verifies. Rotations are scheduled from the newest version's
//! creation date, so a clock set back delays the next one until the clock reaches it again: it
//! is then done once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod faults_support;

use std::path::Path;
use std::sync::Arc;

use common::ok;
use faults_support::{T0, audited_actions, sources};
use kms_console::core::clock::FixedClock;
use kms_console::core::ops::maintenance::MaintenanceEvent;
use kms_console::core::vault::{Vault, new_vault_state};
use kms_console::core::vault_file::NewProtection;

const DAY: i64 = 86_400;

/// Two handles on one vault file (two processes), each with its own clock at [`T0`].
fn two_processes(dir: &Path) -> ((Vault, Arc<FixedClock>), (Vault, Arc<FixedClock>)) {
    let path = dir.join("vault.json");
    let (sa, ca) = sources();
    let state = new_vault_state(&sa).unwrap();
    let a = Vault::create(&path, state, NewProtection::None, sa).unwrap();
    let (sb, cb) = sources();
    let b = Vault::open(&path, None, sb).unwrap().0;
    ((a, ca), (b, cb))
}

fn count(vault: &Vault, action: &str) -> usize {
    audited_actions(vault)
        .iter()
        .filter(|a| *a == action)
        .count()
}

fn rotated(events: &[MaintenanceEvent]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, MaintenanceEvent::KeyRotated { .. }))
        .count()
}

#[test]
fn a_clock_set_back_never_rotates_a_key_twice_nor_skips_a_rotation() {
    let dir = tempfile::tempdir().unwrap();
    let ((mut a, ca), (mut b, cb)) = two_processes(dir.path());
    let doc = ok(
        &mut a,
        "CreateKey",
        &[
            ("KeySpec", "Aliyun_AES_256"),
            ("EnableAutomaticRotation", "true"),
            ("RotationInterval", "7d"),
        ],
    );
    let key = doc["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned();
    let versions = |v: &mut Vault| {
        v.refresh().unwrap();
        v.state().key(&key).unwrap().versions.len()
    };

    // B sees the key as it is before any rotation, and keeps that view.
    b.refresh().unwrap();
    // Due at T0 + 7d. A's clock is a day ahead, then set back past the due date: not yet.
    ca.set(T0 + 6 * DAY);
    assert!(a.maintain().unwrap().is_empty());
    ca.set(T0 + DAY);
    assert!(a.maintain().unwrap().is_empty());
    // Reaching the due date after the jump back, it rotates: not skipped.
    ca.set(T0 + 7 * DAY + 60);
    assert_eq!(rotated(&a.maintain().unwrap()), 1);
    assert_eq!(versions(&mut a), 2);

    // B has not seen that rotation and its clock says it is due too: it re-reads under the
    // lock and finds nothing to do.
    assert_eq!(b.state().key(&key).unwrap().versions.len(), 1);
    cb.set(T0 + 7 * DAY + 3600);
    assert!(b.maintain().unwrap().is_empty());
    // A's clock jumps back before the rotation it just made, then forward to the same instant.
    for t in [T0 + 3 * DAY, T0 + 7 * DAY + 60, T0 + 7 * DAY + 59] {
        ca.set(t);
        assert!(a.maintain().unwrap().is_empty(), "at {t}");
        cb.set(t);
        assert!(b.maintain().unwrap().is_empty(), "at {t}");
    }
    assert_eq!(versions(&mut b), 2);
    // The next one falls due seven days after the last, by the clock that made it: once.
    cb.set(T0 + 14 * DAY + 60);
    assert_eq!(rotated(&b.maintain().unwrap()), 1);
    ca.set(T0 + 14 * DAY + 120);
    assert!(a.maintain().unwrap().is_empty());
    assert_eq!(versions(&mut a), 3);
    assert_eq!(count(&a, "RotateKey"), 2);
}

#[test]
fn a_clock_set_back_never_deletes_a_key_twice_nor_skips_a_deletion() {
    let dir = tempfile::tempdir().unwrap();
    let ((mut a, ca), (mut b, cb)) = two_processes(dir.path());
    let key = common::create_key(&mut a, "Aliyun_AES_256");
    let other = common::create_key(&mut a, "Aliyun_AES_256");
    ok(
        &mut a,
        "ScheduleKeyDeletion",
        &[("KeyId", &key), ("PendingWindowInDays", "7")],
    );
    b.refresh().unwrap();
    // Set back before the schedule was made: the key stays PendingDeletion, its date unmoved.
    ca.set(T0 - 30 * DAY);
    assert!(a.maintain().unwrap().is_empty());
    let state = a.state().key(&key).unwrap().key_state;
    assert_eq!(format!("{state:?}"), "PendingDeletion");
    // Its date reached after the jump: deleted, once.
    ca.set(T0 + 7 * DAY);
    let events = a.maintain().unwrap();
    assert_eq!(
        events,
        vec![MaintenanceEvent::KeyDeleted {
            key_id: key.clone()
        }]
    );
    // B has not seen the deletion and its clock is past the date: nothing left to delete.
    assert!(b.state().key(&key).is_some());
    cb.set(T0 + 8 * DAY);
    assert!(b.maintain().unwrap().is_empty());
    // Back before the date, forward again: the key does not come back, nor is it deleted again.
    for t in [T0, T0 + 7 * DAY, T0 + 30 * DAY] {
        ca.set(t);
        assert!(a.maintain().unwrap().is_empty(), "at {t}");
        assert!(a.state().key(&key).is_none());
    }
    b.refresh().unwrap();
    assert!(b.state().key(&key).is_none());
    assert!(b.state().key(&other).is_some());
    assert_eq!(count(&a, "DeleteKey"), 1);
}
