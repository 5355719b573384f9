//! The vault file under both protections. The first byte picks what the rest is:
//! - 0: a whole file. Opening it never panics and never rewrites it; `peek_protection` and
//!   `decode_unprotected` agree with the open.
//! - 1: the contents (JSON) of an unprotected vault, written by the real encoder (so the
//!   checksum holds and the fuzzer reaches the contents parser), then opened.
//! - 2: the same contents sealed with a passphrase (cheap Argon2id parameters), opened with the
//!   right passphrase (same outcome as unprotected), a wrong one and none (both refused).
//!
//! Contents that open are then used: due maintenance, and DescribeKey, ListKeyVersions and
//! Encrypt on each key, which must not panic however inconsistent the file's state is.

use std::path::Path;

use kms_console::api::{ApiRequest, dispatch};
use kms_console::core::model::VaultState;
use kms_console::core::secret::SecretString;
use kms_console::core::vault::Vault;
use kms_console::core::vault_file::{
    KdfParams, NewProtection, Protection, VaultError, VaultFile, decode_unprotected,
    peek_protection,
};
use serde_json::Value;

use crate::fixture;

const PASSPHRASE: &str = "correct horse battery staple";

pub fn check(data: &[u8]) {
    let _ = opens(data);
}

/// Runs the checks; whether the input opened as a vault.
pub fn opens(data: &[u8]) -> bool {
    let Some((&mode, rest)) = data.split_first() else {
        return false;
    };
    let dir = scratch_dir();
    let path = dir.path().join("vault.json");
    let state = match mode % 3 {
        0 => whole_file(&path, rest),
        1 => json(rest)
            .and_then(|contents| contents_round(&path, contents, NewProtection::None, None).ok()),
        _ => json(rest).and_then(|contents| sealed(&path, &dir, contents)),
    };
    state.map(exercise).is_some()
}

/// On tmpfs when there is one: the checks write a file per input.
fn scratch_dir() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    if shm.is_dir()
        && let Ok(dir) = tempfile::tempdir_in(shm)
    {
        return dir;
    }
    tempfile::tempdir().expect("a temporary folder")
}

fn json(bytes: &[u8]) -> Option<Value> {
    serde_json::from_slice(bytes).ok()
}

fn whole_file(path: &Path, bytes: &[u8]) -> Option<VaultState> {
    std::fs::write(path, bytes).expect("write the file");
    let peeked = peek_protection(path);
    let decoded = decode_unprotected::<VaultState>(bytes);
    let opened = VaultFile::<VaultState>::open(path, None);
    assert_eq!(
        std::fs::read(path).expect("read the file back"),
        bytes,
        "a failed open never rewrites the file"
    );
    let agree = match (&peeked, &decoded, &opened) {
        (Ok(Protection::None), Ok(_), Ok(file)) => file.protection() == Protection::None,
        (
            Ok(Protection::Passphrase),
            Err(VaultError::PassphraseRequired),
            Err(VaultError::PassphraseRequired),
        )
        | (Ok(Protection::None) | Err(_), Err(_), Err(_)) => true,
        _ => false,
    };
    assert!(
        agree,
        "peek, decode and open disagree: {:?} / {:?} / {:?}",
        peeked.as_ref().err(),
        decoded.as_ref().err(),
        opened.as_ref().err()
    );
    opened.ok().map(|file| file.contents().clone())
}

/// Writes `contents` with the real encoder, opens it as a vault, and returns its state.
fn contents_round(
    path: &Path,
    contents: Value,
    protection: NewProtection,
    passphrase: Option<&str>,
) -> Result<VaultState, VaultError> {
    VaultFile::create(path, contents, protection).expect("any JSON value can be written");
    let written = std::fs::read(path).expect("read the file back");
    let opened = VaultFile::<VaultState>::open(path, passphrase.map(SecretString::from));
    assert_eq!(
        std::fs::read(path).expect("read the file again"),
        written,
        "opening never rewrites the file"
    );
    opened.map(|file| file.contents().clone())
}

fn sealed(path: &Path, dir: &tempfile::TempDir, contents: Value) -> Option<VaultState> {
    let plain_path = dir.path().join("plain.json");
    let plain = contents_round(&plain_path, contents.clone(), NewProtection::None, None);
    let protection =
        NewProtection::Passphrase(SecretString::from(PASSPHRASE), KdfParams::cheap_for_tests());
    let opened = contents_round(path, contents, protection, Some(PASSPHRASE));
    assert_eq!(
        plain.is_ok(),
        opened.is_ok(),
        "sealing does not change whether contents open: {:?} / {:?}",
        plain.as_ref().err(),
        opened.as_ref().err()
    );
    assert!(matches!(
        VaultFile::<VaultState>::open(path, None),
        Err(VaultError::PassphraseRequired)
    ));
    assert!(
        VaultFile::<VaultState>::open(path, Some(SecretString::from("wrong"))).is_err(),
        "a wrong passphrase never opens a vault"
    );
    opened.ok()
}

/// Uses a state read from a file the way opening it for real would.
fn exercise(state: VaultState) {
    let ids: Vec<String> = state
        .keys()
        .iter()
        .take(16)
        .map(|k| k.key_id.clone())
        .collect();
    let mut vault = Vault::in_memory(state, fixture::sources());
    let _ = vault.maintain();
    for request in [ApiRequest::new("ListKeys"), ApiRequest::new("ListAliases")] {
        let _ = dispatch(&mut vault, "admin", &request);
    }
    for id in ids {
        for request in [
            ApiRequest::new("DescribeKey").with("KeyId", id.as_str()),
            ApiRequest::new("ListKeyVersions").with("KeyId", id.as_str()),
            ApiRequest::new("Encrypt")
                .with("KeyId", id.as_str())
                .with("Plaintext", "x"),
        ] {
            let _ = dispatch(&mut vault, "admin", &request);
        }
    }
}
