//! The drill outlook (`core::drill::outlook`, what the console's histogram shows before a drill)
//! agrees with what drills do: on an input mixing versions of a rotated key, another key, a
//! Disabled and a PendingDeletion key, an RSA line and a version the vault lacks, a real drill
//! (dry run: every line checked and decrypted, nothing sealed) re-encrypts, keeps and fails
//! exactly the lines the outlook said it would, to a destination key and in place; the
//! console's copy of the vault gives the same outlook as the vault.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use kms_console::core::drill::outlook::{Destination, Fate, VersionLookup, fates};
use kms_console::core::drill::{self, DrillControl, DrillOptions, LineSource, line_source};
use kms_console::core::vault::Vault;
use kms_console::tui::vault_view::VaultView;
use serde_json::json;

struct Input {
    vault: Vault,
    a: String,
    b: String,
    lines: Vec<String>,
}

fn blob(vault: &mut Vault, key: &str, n: usize) -> String {
    let pt = STANDARD.encode(format!("line {n}"));
    let doc = common::ok(vault, "Encrypt", &[("KeyId", key), ("Plaintext", &pt)]);
    common::s(&doc["CiphertextBlob"])
}

fn input() -> Input {
    let (mut vault, _clock) = common::memory_vault();
    let a = common::create_key(&mut vault, "Aliyun_AES_256");
    let b = common::create_key(&mut vault, "Aliyun_AES_256");
    let disabled = common::create_key(&mut vault, "Aliyun_AES_256");
    let doomed = common::create_key(&mut vault, "Aliyun_AES_256");
    let rsa = common::create_key(&mut vault, "RSA_2048");
    let mut lines = Vec::new();
    // Key A: two lines under v1, one under v2, three under v3 (the primary).
    for (version, count) in [(1, 2), (2, 1), (3, 3)] {
        if version > 1 {
            common::ok(&mut vault, "CreateKeyVersion", &[("KeyId", &a)]);
        }
        for _ in 0..count {
            let n = lines.len();
            lines.push(blob(&mut vault, &a, n));
        }
    }
    for key in [&b, &b, &disabled, &doomed] {
        let n = lines.len();
        lines.push(blob(&mut vault, key, n));
    }
    common::ok(&mut vault, "DisableKey", &[("KeyId", &disabled)]);
    let window = [("KeyId", doomed.as_str()), ("PendingWindowInDays", "7")];
    common::ok(&mut vault, "ScheduleKeyDeletion", &window);
    // An RSA line with its source fields.
    let described = common::ok(&mut vault, "DescribeKey", &[("KeyId", &rsa)]);
    let version = common::s(&described["KeyMetadata"]["PrimaryKeyVersion"]);
    let pt = STANDARD.encode("rsa line");
    let params = [
        ("KeyId", rsa.as_str()),
        ("KeyVersionId", version.as_str()),
        ("Algorithm", "RSAES_OAEP_SHA_256"),
        ("Plaintext", pt.as_str()),
    ];
    let encrypted = common::ok(&mut vault, "AsymmetricEncrypt", &params);
    lines.push(
        json!({
            "CiphertextBlob": common::s(&encrypted["CiphertextBlob"]),
            "SourceKeyId": rsa,
            "SourceKeyVersionId": version,
            "SourceEncryptionAlgorithm": "RSAES_OAEP_SHA_256",
        })
        .to_string(),
    );
    // A blob whose version this vault does not have.
    let mut foreign = b"11111111-2222-4333-8444-555555555555".to_vec();
    foreign.extend([7u8; 12 + 32 + 16]);
    lines.push(kms_console::core::blob::CiphertextBlob::encode(&foreign));
    Input { vault, a, b, lines }
}

/// Lines per version, in order of first appearance (as the console's scan counts them).
fn versions(lines: &[String]) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = Vec::new();
    for line in lines {
        let LineSource::Version(id) = line_source(line.as_bytes()) else {
            panic!("not a ciphertext line: {line}");
        };
        match out.iter_mut().find(|(v, _)| *v == id) {
            Some((_, n)) => *n += 1,
            None => out.push((id, 1)),
        }
    }
    out
}

/// (moves, current, fails) by the outlook.
fn predicted(
    vault: &dyn VersionLookup,
    lines: &[String],
    destination: Destination<'_>,
) -> (u64, u64, u64) {
    let counts = versions(lines);
    let ids: Vec<&str> = counts.iter().map(|(id, _)| id.as_str()).collect();
    let fates = fates(vault, &ids, destination, false);
    counts
        .iter()
        .zip(fates)
        .fold((0, 0, 0), |(m, c, f), ((_, n), fate)| match fate {
            Fate::Moves => (m + n, c, f),
            Fate::Current => (m, c + n, f),
            Fate::Fails(_) => (m, c, f + n),
            Fate::Kept | Fate::Unknown => panic!("{fate:?}"),
        })
}

/// (re-encrypted, already current, failed) by a dry-run drill.
fn drilled(vault: &Vault, lines: &[String], options: &DrillOptions) -> (u64, u64, u64) {
    let input = lines.join("\n") + "\n";
    let report = drill::run(
        vault.state(),
        &vault.ctx("admin"),
        input.as_bytes(),
        std::io::sink(),
        options,
        &DrillControl::new(),
        &mut |_| {},
    )
    .unwrap();
    let t = report.totals;
    (t.re_encrypted, t.already_current, t.failed)
}

#[test]
fn the_outlook_is_what_a_drill_does_to_a_key_and_in_place() {
    let Input { vault, a, b, lines } = input();
    let view = VaultView::from_state(vault.state());
    for (destination, mut options) in [
        (Destination::Key(&a), DrillOptions::new(a.clone())),
        (Destination::Key(&b), DrillOptions::new(b.clone())),
        (Destination::InPlace, DrillOptions::in_place()),
    ] {
        options.dry_run = true;
        let expected = predicted(vault.state(), &lines, destination);
        assert_eq!(
            drilled(&vault, &lines, &options),
            expected,
            "{destination:?}"
        );
        assert_eq!(
            predicted(&view, &lines, destination),
            expected,
            "{destination:?}"
        );
    }
    // To key A: its three primary lines stay; A's old and B's lines move; the disabled,
    // doomed and foreign lines fail; the RSA line moves.
    assert_eq!(
        predicted(vault.state(), &lines, Destination::Key(&a)),
        (6, 3, 3)
    );
    // In place the RSA line fails too (it needs a destination).
    assert_eq!(
        predicted(vault.state(), &lines, Destination::InPlace),
        (3, 5, 4)
    );
}

#[test]
fn rotating_first_moves_the_old_primary_lines_too_and_an_unknown_destination_says_nothing() {
    let Input { vault, a, b, lines } = input();
    let counts = versions(&lines);
    let ids: Vec<&str> = counts.iter().map(|(id, _)| id.as_str()).collect();
    let state = vault.state();
    let by_key = |fates: Vec<Fate>| -> BTreeMap<String, Vec<Fate>> {
        let mut out: BTreeMap<String, Vec<Fate>> = BTreeMap::new();
        for (id, fate) in ids.iter().zip(fates) {
            let key = state
                .version_facts(id)
                .map_or("-".to_owned(), |f| f.key_id.to_owned());
            out.entry(key).or_default().push(fate);
        }
        out
    };
    // In place with rotation: key A has lines under old versions, so its primary lines move;
    // key B has none, so its lines stay.
    let rotated = by_key(fates(state, &ids, Destination::InPlace, true));
    assert!(rotated[&a].iter().all(|f| *f == Fate::Moves), "{rotated:?}");
    assert!(
        rotated[&b].iter().all(|f| *f == Fate::Current),
        "{rotated:?}"
    );
    // To key B with rotation: B's own primary lines move to the new version.
    let to_b = by_key(fates(state, &ids, Destination::Key(&b), true));
    assert!(to_b[&b].iter().all(|f| *f == Fate::Moves), "{to_b:?}");
    let unknown = fates(state, &ids, Destination::Unknown, false);
    let foreign = unknown.last().copied();
    assert_eq!(foreign, Some(Fate::Fails("not in vault")));
    assert!(
        unknown[..unknown.len() - 1]
            .iter()
            .all(|f| *f == Fate::Unknown)
    );
}
