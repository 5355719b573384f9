//! Where the vault and the files beside it live: the default path from the user data directory
//! (`ProjectDirs::from("", "", "kms-console")`), its overrides, and the derived lock, backup,
//! temporary and audit paths (product §3, §12).

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

/// The environment variable that overrides the default vault path.
pub const VAULT_ENV: &str = "KMS_CONSOLE_VAULT";
/// The vault's file name inside the user data directory.
pub const VAULT_FILE_NAME: &str = "vault.json";

/// The vault path when none is given on the command line: `KMS_CONSOLE_VAULT` if set and not
/// empty, else `<user data dir>/vault.json`. `None` if the platform has no home directory.
pub fn default_vault_path() -> Option<PathBuf> {
    resolve_vault_path(None)
}

/// The vault path to use: `explicit` (from `--vault`) first, then `KMS_CONSOLE_VAULT`, then the
/// user data directory.
pub fn resolve_vault_path(explicit: Option<&Path>) -> Option<PathBuf> {
    resolve_with(explicit, std::env::var_os(VAULT_ENV).as_deref())
}

/// [`resolve_vault_path`] with the environment value passed in, so it can be tested without
/// touching the process environment.
pub fn resolve_with(explicit: Option<&Path>, env_value: Option<&OsStr>) -> Option<PathBuf> {
    if let Some(path) = explicit {
        return Some(path.to_path_buf());
    }
    if let Some(value) = env_value.filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(value));
    }
    data_dir_vault_path()
}

/// `<user data dir>/vault.json`, ignoring every override.
pub fn data_dir_vault_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "kms-console")
        .map(|dirs| dirs.data_dir().join(VAULT_FILE_NAME))
}

/// `<vault>.lock`: the file whose exclusive lock serialises changes (`vault.json.lock`).
pub fn lock_path(vault: &Path) -> PathBuf {
    sibling(vault, ".lock")
}

/// `<vault>.bak`: the generation before the current one (`vault.json.bak`).
pub fn backup_path(vault: &Path) -> PathBuf {
    sibling(vault, ".bak")
}

/// `<vault>.tmp`: the next generation while it is being written. Only the holder of the lock
/// writes it, so a fixed name is safe, and a crash leaves at most this one stale file.
pub fn temp_path(vault: &Path) -> PathBuf {
    sibling(vault, ".tmp")
}

/// `<vault>.bak.tmp`: the new backup link before it is renamed over the old backup.
pub(crate) fn backup_temp_path(vault: &Path) -> PathBuf {
    sibling(vault, ".bak.tmp")
}

/// `<vault>.damaged-<n>`: a vault file kept aside when a restore replaced it.
pub fn damaged_path(vault: &Path, n: u32) -> PathBuf {
    sibling(vault, &format!(".damaged-{n}"))
}

/// `<vault>.audit.jsonl`: the audit log (product §12).
pub fn audit_path(vault: &Path) -> PathBuf {
    sibling(vault, ".audit.jsonl")
}

/// The folder holding `vault` (`.` for a bare file name).
pub fn parent_dir(vault: &Path) -> &Path {
    match vault.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn sibling(vault: &Path, suffix: &str) -> PathBuf {
    let mut name = OsString::from(vault.as_os_str());
    name.push(suffix);
    PathBuf::from(name)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn explicit_beats_env_beats_data_dir() {
        let explicit = Path::new("/x/v.json");
        let env = OsStr::new("/y/w.json");
        assert_eq!(
            resolve_with(Some(explicit), Some(env)).as_deref(),
            Some(explicit)
        );
        assert_eq!(
            resolve_with(None, Some(env)).as_deref(),
            Some(Path::new("/y/w.json"))
        );
        assert_eq!(
            resolve_with(None, Some(OsStr::new(""))),
            data_dir_vault_path()
        );
    }

    #[test]
    fn default_is_vault_json_in_the_data_dir() {
        if let Some(path) = data_dir_vault_path() {
            assert!(path.ends_with(VAULT_FILE_NAME));
            assert!(path.to_string_lossy().contains("kms-console"));
        }
    }

    #[test]
    fn siblings_keep_the_file_name() {
        let v = Path::new("/d/vault.json");
        assert_eq!(lock_path(v), Path::new("/d/vault.json.lock"));
        assert_eq!(backup_path(v), Path::new("/d/vault.json.bak"));
        assert_eq!(temp_path(v), Path::new("/d/vault.json.tmp"));
        assert_eq!(audit_path(v), Path::new("/d/vault.json.audit.jsonl"));
        assert_eq!(parent_dir(Path::new("vault.json")), Path::new("."));
        assert_eq!(parent_dir(v), Path::new("/d"));
    }
}
