//! Fuzz target: opening arbitrary bytes as a vault file never panics and never rewrites the file.
#![no_main]

use kms_console::core::model::VaultState;
use kms_console::core::vault_file::{VaultFile, peek_protection};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("vault.json");
    std::fs::write(&path, data).expect("write");
    let _ = peek_protection(&path);
    let _ = VaultFile::<VaultState>::open(&path, None);
    let _ = VaultFile::<VaultState>::open(&path, Some("passphrase".into()));
    assert_eq!(std::fs::read(&path).expect("read"), data, "a failed open never rewrites the file");
});
