//! The `kms-console` binary: parse arguments, run the console or a command, map the outcome to
//! an exit code (0 success, 1 API or vault error, 2 usage error).

use std::process::ExitCode;

fn main() -> ExitCode {
    kms_console::cli::main()
}
