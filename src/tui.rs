//! The terminal console (being built).

use std::process::ExitCode;

use crate::cli::Global;

/// Opens the console.
pub fn run(_global: &Global, _demo: bool) -> ExitCode {
    eprintln!(
        "kms-console: the terminal console is not built yet; use the command line (kms-console --help)"
    );
    ExitCode::from(2)
}
