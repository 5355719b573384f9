//! Saving a result or report from the console: a new file only its owner may read (it may hold
//! plaintext or a data key), never written over an existing one, named by its absolute path.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::core::vault_file::private_options;

/// Writes `contents` and a final newline to a new file at `path` (relative to the current
/// folder), mode 0600 on Unix; refuses if anything is there already. Returns the absolute path
/// written, or a message naming it.
pub fn save_new(path: &Path, contents: &str) -> Result<String, String> {
    let absolute = absolute(path);
    let shown = absolute.display().to_string();
    let mut file = private_options()
        .write(true)
        .create_new(true)
        .open(&absolute)
        .map_err(|e| format!("cannot save to {shown}: {e}"))?;
    file.write_all(contents.as_bytes())
        .and_then(|()| file.write_all(b"\n"))
        .and_then(|()| file.sync_all())
        .map_err(|e| format!("cannot save to {shown}: {e}"))?;
    Ok(shown)
}

/// `path` made absolute against the current folder (as typed if that cannot be known).
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn never_over_an_existing_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("result.json");
        std::fs::write(&path, "kept").unwrap();
        let err = save_new(&path, "{}").unwrap_err();
        assert!(err.contains(&path.display().to_string()), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "kept");
    }
}
