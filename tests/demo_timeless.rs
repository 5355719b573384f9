//! The demo is the same demo on any date (issue: main's tests failed from 2026-11-30 because the
//! copy ran maintenance with the real clock before its dates were moved). Every check here runs
//! with an injected clock at the demo's own date and far beyond it — five and fifty years ahead —
//! and must see the same nine keys, the same rotation state and the same sample outcomes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod tui_support;

use std::sync::Arc;

use kms_console::api::{ApiRequest, dispatch};
use kms_console::core::clock::FixedClock;
use kms_console::core::spec::KeyState;
use kms_console::core::vault::Vault;
use kms_console::demo::{samples, write_demo_vault};
use kms_console::tui::action::{Action, Effect};
use kms_console::tui::app::{App, Startup};
use kms_console::tui::job::WorkerEvent;
use kms_console::tui::runtime::harness::Harness;
use kms_console::tui::runtime::worker::Executor;
use kms_console::tui::screens::walkthrough::release_digest;

const DAY: i64 = 86_400;
/// How far past the demo's own date each check runs: the day it was made, the day a 30-day
/// rotation would have fallen due, the day `alias/doomed` would have been deleted, five years
/// and fifty years ahead.
const OFFSETS: [i64; 5] = [0, 30 * DAY, 45 * DAY, 1_826 * DAY, 18_262 * DAY];

fn generated_at() -> i64 {
    samples().unwrap().generated_at
}

fn alias_key<'a>(vault: &'a Vault, alias: &str) -> &'a kms_console::core::model::Cmk {
    let id = vault.state().aliases()[alias].clone();
    vault.state().key(&id).unwrap()
}

fn call(vault: &mut Vault, action: &str, params: &[(&str, Option<&String>)]) -> serde_json::Value {
    let mut req = ApiRequest::new(action);
    for (name, value) in params {
        if let Some(v) = value {
            req.set(name, v.as_str());
        }
    }
    match dispatch(vault, "admin", &req) {
        Ok(r) => r.document(),
        Err(e) => serde_json::json!({ "Code": e.code }),
    }
}

#[test]
fn the_demo_copy_is_the_same_demo_on_any_date() {
    for offset in OFFSETS {
        let now = generated_at() + offset;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vault.json");
        let clock = Arc::new(FixedClock::new(now));
        write_demo_vault(&path, clock.as_ref()).unwrap();
        let (mut vault, events) =
            Vault::open(&path, None, tui_support::sources(clock.clone())).unwrap();
        assert!(events.is_empty(), "+{offset}s: maintenance ran: {events:?}");
        assert_eq!(vault.state().keys().len(), 10, "+{offset}s");
        let orders = alias_key(&vault, "alias/orders");
        assert_eq!(orders.versions.len(), 3, "+{offset}s");
        assert!(orders.next_rotation_date().unwrap() > now, "+{offset}s");
        let doomed = alias_key(&vault, "alias/doomed");
        assert_eq!(doomed.key_state, KeyState::PendingDeletion, "+{offset}s");
        assert!(doomed.delete_date.unwrap() > now, "+{offset}s");
        assert_eq!(
            alias_key(&vault, "alias/retired").key_state,
            KeyState::Disabled
        );

        // The signing key signs the walkthrough's digest, and the signature verifies.
        let signer = alias_key(&vault, "alias/release-signing");
        assert_eq!(signer.key_state, KeyState::Enabled, "+{offset}s");
        let version = signer.primary_version_id().to_owned();
        let (alias, algorithm, digest) = (
            "alias/release-signing".to_owned(),
            "ECDSA_SHA_256".to_owned(),
            release_digest(),
        );
        let sign = [
            ("KeyId", Some(&alias)),
            ("KeyVersionId", Some(&version)),
            ("Algorithm", Some(&algorithm)),
            ("Digest", Some(&digest)),
        ];
        let signature = call(&mut vault, "AsymmetricSign", &sign);
        let value = signature["Value"].as_str().expect("signed").to_owned();
        let mut verify = sign.to_vec();
        verify.push(("Value", Some(&value)));
        let verified = call(&mut vault, "AsymmetricVerify", &verify);
        assert_eq!(verified["Value"], true, "+{offset}s: {verified}");

        for sample in samples().unwrap().samples {
            let destination = vault.state().aliases().get(&sample.destination_key_id);
            let primary = destination
                .and_then(|id| vault.state().key(id))
                .map(|k| k.primary_version_id().to_owned());
            let doc = call(
                &mut vault,
                "ReEncrypt",
                &[
                    ("CiphertextBlob", Some(&sample.ciphertext_blob)),
                    ("DestinationKeyId", Some(&sample.destination_key_id)),
                    (
                        "SourceEncryptionContext",
                        sample.encryption_context.as_ref(),
                    ),
                    (
                        "DestinationEncryptionContext",
                        sample.destination_encryption_context.as_ref(),
                    ),
                    ("SourceKeyId", sample.source_key_id.as_ref()),
                    ("SourceKeyVersionId", sample.source_key_version_id.as_ref()),
                    (
                        "SourceEncryptionAlgorithm",
                        sample.source_encryption_algorithm.as_ref(),
                    ),
                ],
            );
            if let Some(code) = &sample.expect_error {
                assert_eq!(doc["Code"], code.as_str(), "{}: {doc}", sample.name);
                continue;
            }
            assert_eq!(
                doc["KeyVersionId"].as_str(),
                primary.as_deref(),
                "+{offset}s {}: {doc}",
                sample.name
            );
            let blob = doc["CiphertextBlob"].as_str().unwrap().to_owned();
            let back = call(
                &mut vault,
                "Decrypt",
                &[
                    ("CiphertextBlob", Some(&blob)),
                    (
                        "EncryptionContext",
                        sample.destination_encryption_context.as_ref(),
                    ),
                ],
            );
            assert_eq!(
                back["Plaintext"],
                sample.plaintext.as_str(),
                "{}",
                sample.name
            );
        }
    }
}

/// The console on the demo copy, driven as `--demo` does, at the clock's `now`.
fn demo_console(now: i64) -> Harness {
    let sources = tui_support::sources(Arc::new(FixedClock::new(now)));
    let mut h = Harness::new(App::new(tui_support::config()), Executor::new(sources));
    for effect in h.app.start(Startup::Demo) {
        if let Effect::Run(id, job) = effect {
            let (reply, _) = h.executor.run(job);
            h.act(Action::Worker(WorkerEvent::Done(id, reply)));
        }
    }
    h
}

/// Dates (`2026-11-01`) replaced by a placeholder of the same width, and the status bar (which
/// names each copy's own temporary folder) left out, so two screens drawn on different days
/// compare equal when they show the same demo.
fn without_dates(screen: &str) -> String {
    let screen: String = screen
        .lines()
        .filter(|line| !line.contains("(demo copy)"))
        .collect::<Vec<_>>()
        .join("\n");
    let chars: Vec<char> = screen.chars().collect();
    let mut out = String::with_capacity(screen.len());
    let mut i = 0;
    while i < chars.len() {
        let is_date = chars.len() >= i + 10
            && chars[i..i + 10].iter().enumerate().all(|(j, c)| match j {
                4 | 7 => *c == '-',
                _ => c.is_ascii_digit(),
            });
        if is_date {
            out.push_str("YYYY-MM-DD");
            i += 10;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

#[test]
fn the_console_shows_the_same_demo_five_years_ahead() {
    // Both open on alias/orders, the rotated key, with the walkthrough at its first step.
    let mut today = demo_console(generated_at());
    let mut later = demo_console(generated_at() + 1_826 * DAY);
    for (width, height) in [(80, 24), (120, 40)] {
        let a = today.screen(width, height);
        let b = later.screen(width, height);
        assert!(b.contains("Keys (10)"), "{b}");
        assert!(
            b.contains("Rotation every 90 days") || b.contains("90d"),
            "{b}"
        );
        assert_eq!(without_dates(&a), without_dates(&b), "{width}x{height}");
    }
}
