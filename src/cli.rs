//! The command line (product §9): global options, the console commands (`init`, `principal`,
//! `audit`, `drill`, `completions`), and every API action as `kms-console <Action> --<Param> VALUE`, its
//! options built from the same action table the dispatcher uses.

mod action;
mod census;
mod completion;
mod console;
mod drill;
pub mod output;
mod principal;
pub mod reply;
mod restore;
pub mod serve;
pub mod session;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Arg, ArgAction, Args, Command, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::api::{ACTIONS, Format, ParamKind};
use crate::launch::Session;

pub use census::CensusArgs;
pub use drill::DrillArgs;

/// kms-console: a local, Alibaba-Cloud-KMS-compatible key vault with a terminal console.
///
/// With no command it opens the console. Any KMS action runs as
/// `kms-console <Action> --<Param> VALUE`, with the API's own names (see `kms-console ReEncrypt --help`).
#[derive(Debug, Parser)]
#[command(name = "kms-console", version, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    /// Open the console on a fresh temporary copy of the demo vault, with the guided walkthrough.
    #[arg(long)]
    pub demo: bool,
    #[command(subcommand)]
    pub command: Option<ConsoleCommand>,
}

/// Options every command takes.
#[derive(Debug, Clone, Args)]
pub struct Global {
    /// The vault file [default: the user data directory's kms-console/vault.json]
    #[arg(long, global = true, env = "KMS_CONSOLE_VAULT", value_name = "PATH")]
    pub vault: Option<PathBuf>,
    /// The principal to act as
    #[arg(
        long = "as",
        global = true,
        env = "KMS_CONSOLE_PRINCIPAL",
        value_name = "PRINCIPAL",
        default_value = "admin"
    )]
    pub principal: String,
    /// Read the vault passphrase from the first line of FILE (or set KMS_CONSOLE_PASSPHRASE)
    #[arg(long, global = true, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// Print only this field of a response, e.g. CiphertextBlob or KeyMetadata.PrimaryKeyVersion
    /// (strings raw, for shell scripts)
    #[arg(long, global = true, value_name = "FIELD")]
    pub query: Option<String>,
    /// Response document format
    #[arg(long = "Format", global = true, value_name = "JSON|XML", value_parser = ["JSON", "XML", "json", "xml"])]
    pub format: Option<String>,
}

/// Commands of the console itself (the API actions are added from the action table).
#[derive(Debug, Subcommand)]
pub enum ConsoleCommand {
    /// Create a new vault (sealed with a passphrase unless --no-passphrase)
    Init {
        /// Store the vault unprotected (flagged UNPROTECTED everywhere)
        #[arg(long)]
        no_passphrase: bool,
        /// Write the demo vault instead of an empty one
        #[arg(long)]
        demo: bool,
        /// Create the vault from a seed file (JSON: fixed KeyIds, aliases, material, principals
        /// with fixed AccessKeys); seeded material is for tests only
        #[arg(long, value_name = "FILE", conflicts_with = "demo")]
        seed: Option<std::path::PathBuf>,
        /// Cheap Argon2id parameters, for tests only
        #[arg(long, hide = true)]
        insecure_test_kdf: bool,
    },
    /// Manage principals and their policies
    #[command(subcommand)]
    Principal(PrincipalCommand),
    /// Read and verify the audit log
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Rotation drill: re-encrypt a file of ciphertext lines under a key's primary version,
    /// verify each result decrypts, and report the count under each key version
    Drill(DrillArgs),
    /// Census: count the ciphertext lines of files or folders per key version, without
    /// decrypting; marks non-primary versions, disabled keys and versions the vault lacks
    Census(CensusArgs),
    /// Put the previous generation (vault.json.bak) back in place of a damaged vault file,
    /// keeping the replaced file as vault.json.damaged-<n>; asks first (y/N)
    Restore {
        /// Do not ask (needed when not on a terminal)
        #[arg(long)]
        yes: bool,
    },
    /// Answer the KMS API over HTTP, so Alibaba's own SDKs can use this vault (loopback only
    /// unless --allow-remote)
    Serve(serve::ServeArgs),
    /// Print a shell completion script
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// Principal commands; each needs the matching `ram:` permission of the `--as` principal.
#[derive(Debug, Subcommand)]
pub enum PrincipalCommand {
    /// List principals, their AccessKeyIds and policies (ram:ListUsers)
    List,
    /// Create a principal, with no AccessKey yet (ram:CreateUser, and ram:AttachPolicyToUser
    /// with --policy)
    Create {
        name: String,
        /// A policy document (JSON, or @FILE); may be repeated
        #[arg(long, value_name = "JSON|@FILE")]
        policy: Vec<String>,
    },
    /// Delete a principal and its AccessKeys (ram:DeleteUser)
    Delete { name: String },
    /// Attach a policy document to a principal (ram:AttachPolicyToUser)
    AttachPolicy {
        name: String,
        /// The policy document (JSON, or @FILE)
        #[arg(long, value_name = "JSON|@FILE")]
        policy: String,
    },
    /// Detach the policy at INDEX (0-based, as `principal list` shows them)
    /// (ram:DetachPolicyFromUser)
    DetachPolicy { name: String, index: usize },
    /// A principal's AccessKey pairs, which sign requests to the endpoint (`serve`); at most two
    #[command(subcommand)]
    AccessKey(AccessKeyCommand),
}

/// `principal access-key …`.
#[derive(Debug, Subcommand)]
pub enum AccessKeyCommand {
    /// Make a new pair and print it: the AccessKeySecret is shown this once, never again
    /// (ram:CreateAccessKey)
    Create { name: String },
    /// List a principal's AccessKeyIds and their dates, never secrets (ram:ListAccessKeys)
    List { name: String },
    /// Delete one pair (ram:DeleteAccessKey)
    Delete {
        name: String,
        #[arg(value_name = "ACCESS_KEY_ID")]
        access_key_id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Print the audit log, one JSON line per entry
    List {
        /// Only the last N entries
        #[arg(long, value_name = "N")]
        tail: Option<usize>,
    },
    /// Check the hash chain: exit 0 if intact, 1 if a line was edited, removed or reordered
    Verify,
}

/// The whole command tree: the derived console commands plus one subcommand per API action.
pub fn command() -> Command {
    let mut cmd = Cli::command();
    for spec in ACTIONS {
        let mut sub = Command::new(spec.name)
            .about(spec.summary)
            .next_help_heading("API parameters");
        for p in spec.params {
            let value_name = match p.kind {
                ParamKind::Choice(_)
                | ParamKind::Bool
                | ParamKind::Int
                | ParamKind::Text
                | ParamKind::Secret => "VALUE",
                ParamKind::KeyRef => "KEY",
                ParamKind::KeyVersionId => "VERSION_ID",
                ParamKind::AliasName => "alias/NAME",
                ParamKind::Blob => "BASE64",
                ParamKind::Context | ParamKind::Json => "JSON",
            };
            let help = if p.required {
                format!("{} (required)", p.help)
            } else {
                p.help.to_owned()
            };
            let mut arg = Arg::new(p.name)
                .long(p.name)
                .value_name(value_name)
                .help(help)
                .action(ArgAction::Set)
                .allow_hyphen_values(true);
            if !p.kind.values().is_empty() {
                arg = arg.value_parser(completion::Offered(p.kind.values()));
            }
            sub = sub.arg(arg);
        }
        cmd = cmd.subcommand(sub);
    }
    cmd
}

/// What the arguments ask for: a command that has run, or the console.
#[derive(Debug)]
pub enum Route {
    /// A command ran (or the arguments were refused): the process exit code.
    Done(ExitCode),
    /// Open the console on this session (`demo`: on a fresh copy of the demo vault).
    Console { session: Session, demo: bool },
}

/// Parses the arguments and runs a command, or says to open the console. Everything printed goes through
/// [`output`], so a reader that goes away (`| head -1`) never makes the run panic.
pub fn main() -> Route {
    let route = run();
    let Route::Done(code) = route else {
        return route;
    };
    Route::Done(match output::take_stdout_failure() {
        None => code,
        Some(reason) => reply::fail(
            Format::Json,
            &reply::Failure::internal(format!("cannot write the output: {reason}")),
        ),
    })
}

fn run() -> Route {
    let matches = match command().try_get_matches() {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            return Route::Done(ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2)));
        }
    };
    // A command that waits for another process's lock says so (the console and the endpoint,
    // which wait only for other processes' short changes, stay quiet).
    if matches
        .subcommand_name()
        .is_some_and(|name| name != "serve")
    {
        crate::core::vault_file::set_wait_notice(say_waiting);
    }
    if let Some((name, sub)) = matches.subcommand()
        && let Some(spec) = crate::api::find_action(name)
    {
        return Route::Done(match Global::from_arg_matches(sub) {
            Ok(global) => action::run(&global, spec, sub),
            Err(e) => usage_error(&e),
        });
    }
    match Cli::from_arg_matches(&matches) {
        Ok(Cli {
            global,
            demo,
            command: None,
        }) => open_console(&global, demo),
        Ok(Cli {
            global,
            command: Some(command),
            ..
        }) => Route::Done(dispatch_console(&global, command)),
        Err(e) => Route::Done(usage_error(&e)),
    }
}

fn say_waiting(lock: &std::path::Path) {
    eprintln!(
        "kms-console: waiting for {}: another kms-console is changing the vault or verifying \
         its audit log (a stopped one holds it until it goes on or ends)",
        lock.display()
    );
}

fn usage_error(e: &clap::Error) -> ExitCode {
    let _ = e.print();
    ExitCode::from(2)
}

/// The console, unless an option that only a printed document takes was given.
fn open_console(global: &Global, demo: bool) -> Route {
    if global.query.is_some() {
        return Route::Done(usage_error(&command().error(
            clap::error::ErrorKind::ArgumentConflict,
            "--query needs a command that prints a document; the console shows its own",
        )));
    }
    Route::Console {
        session: global.session(),
        demo,
    }
}

fn dispatch_console(global: &Global, which: ConsoleCommand) -> ExitCode {
    match which {
        ConsoleCommand::Init {
            no_passphrase,
            demo,
            seed,
            insecure_test_kdf,
        } => console::init(
            global,
            no_passphrase,
            demo,
            seed.as_deref(),
            insecure_test_kdf,
        ),
        ConsoleCommand::Principal(cmd) => principal::principal(global, cmd),
        ConsoleCommand::Audit(cmd) => console::audit(global, &cmd),
        ConsoleCommand::Drill(args) => drill::run(global, &args),
        ConsoleCommand::Census(args) => census::run(global, &args),
        ConsoleCommand::Restore { yes } => restore::run(global, yes),
        ConsoleCommand::Serve(args) => serve::run(global, &args),
        ConsoleCommand::Completions { shell } => {
            if let Some(option) = document_option(global) {
                return usage_error(&command().error(
                    clap::error::ErrorKind::ArgumentConflict,
                    format!(
                        "{option} does not apply to `completions`, which prints a shell script"
                    ),
                ));
            }
            output::out_bytes(&completion::script(shell));
            ExitCode::SUCCESS
        }
    }
}

/// `--Format` or `--query`, if given: the options of commands that print a document.
fn document_option(global: &Global) -> Option<&'static str> {
    if global.format.is_some() {
        Some("--Format")
    } else if global.query.is_some() {
        Some("--query")
    } else {
        None
    }
}
