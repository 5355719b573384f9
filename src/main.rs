//! The `kms-console` binary: parse arguments, run a command or the console, map the outcome to
//! an exit code (0 success, 1 API or vault error, 2 usage error).

use std::process::ExitCode;

use kms_console::cli::{self, Route};
use kms_console::tui::{self, ConsoleError};

fn main() -> ExitCode {
    match cli::main() {
        Route::Done(code) => code,
        Route::Console { session, demo } => match tui::run(&session, demo) {
            Ok(()) => ExitCode::SUCCESS,
            // Said on stderr already.
            Err(ConsoleError::NoTerminal) => ExitCode::from(2),
            Err(ConsoleError::Vault(message)) => cli::session::fail(&message),
        },
    }
}
