//! `kms-console drill`: a rotation drill from the command line (product §11) — its options, a
//! progress line when stderr is a terminal, and the report on stdout and in `--report FILE`.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Args;

use super::Global;
use super::output;
use super::reply::{self, Done, Failure};
use super::session;
use crate::api::{ApiError, render_json};
use crate::core::drill::{
    DrillControl, DrillError, DrillJob, DrillOptions, DrillProgress, is_same_file, run_job,
};

const AFTER_HELP: &str = "\
Two modes:
  --DestinationKeyId KEY  every line moves to the primary version of KEY;
  no --DestinationKeyId   in place: each symmetric line moves to the primary version of its own
                          key (--rotate rotates each key that has lines under an old version).

Input lines, in any mix:
  a bare base64 CiphertextBlob (made with no EncryptionContext);
  a JSON object {\"CiphertextBlob\": …, \"EncryptionContext\": {…}, \"DestinationEncryptionContext\": {…}}
    with both contexts optional (an object of strings, or its JSON text). Without
    DestinationEncryptionContext the new blob keeps the source context;
  a JSON object for RSA / SM2 ciphertext with SourceKeyId, SourceKeyVersionId and
    SourceEncryptionAlgorithm (as ReEncrypt takes them): it needs --DestinationKeyId, and in
    place fails with Drill.DestinationRequired;
  a blank line.

Output: the same lines in the same order, written to a temporary file beside FILE, fsynced and
renamed into place only when every line is done. A re-encrypted line keeps its kind: a bare blob
becomes the new blob; a JSON line keeps its other members with CiphertextBlob replaced (and a
DestinationEncryptionContext moved into EncryptionContext). Lines already under the destination's
primary version, blank lines and lines that fail are written back unchanged, so nothing is lost
and a second drill on the output finds the failed lines again. Every new blob is verified to
decrypt to the original plaintext before it is written. The input is never written over.

The report (stdout, and --report FILE as JSON): Totals, the count under each key version Before
and After (Versions) and per key (Keys), Rotations, Failures with Line, Code and Message,
elapsed time and rate. One Drill entry with the counts goes to the audit log, one DrillKey entry
per key with lines in the file, and a CreateKeyVersion entry per rotation. A drill of a drill's
output re-encrypts nothing. `kms-console census` counts the versions without decrypting.

The principal needs kms:ReEncryptFrom on the source keys and kms:ReEncryptTo on the destination
(kms:CreateKeyVersion too with --rotate); verification needs no kms:Decrypt.

Ctrl-C cancels the drill and leaves no output (exit status 130).
Exit status: 0 if every line is done; 1 if any line failed (the report is still printed) or the
drill could not run (error on stderr, no output file); 2 on a usage error.";

/// `drill` options.
#[derive(Debug, Args)]
#[command(after_long_help = AFTER_HELP)]
pub struct DrillArgs {
    /// The file of ciphertext lines (only ever read)
    #[arg(long, value_name = "FILE")]
    pub input: PathBuf,
    /// Where the lines go, in input order, written atomically [required unless --dry-run]
    #[arg(long, value_name = "FILE", required_unless_present = "dry_run")]
    pub output: Option<PathBuf>,
    /// The symmetric key whose primary version every line moves to (KeyId, alias/NAME or ARN);
    /// without it the drill is in place: each symmetric line moves to its own key's primary
    #[arg(long = "DestinationKeyId", value_name = "KEY", default_value = "")]
    pub destination_key_id: String,
    /// Make a new version of the destination key first, so that every line moves to it (in
    /// place: of every key with lines under an old version, once each)
    #[arg(long, conflicts_with = "dry_run")]
    pub rotate: bool,
    /// Worker threads [default: one per core]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: Option<u16>,
    /// Check every line (permissions, key states, that it decrypts); seal and write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Also write the report to FILE as JSON
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Replace the output file if it exists
    #[arg(long)]
    pub force: bool,
}

pub fn run(global: &Global, args: &DrillArgs) -> ExitCode {
    let format = session::format(global);
    let fail = |f: Failure| reply::fail(format, &f);
    if let Some(report) = &args.report {
        let clash = is_same_file(report, &args.input)
            || args
                .output
                .as_deref()
                .is_some_and(|o| is_same_file(report, o));
        if clash {
            return fail(Failure::option(
                "--report",
                "--report must name a file other than --input and --output",
            ));
        }
    }
    if let Err(f) = check_for_xml(format, args) {
        return fail(f);
    }
    let mut vault = match session::open(global) {
        Ok(v) => v,
        Err(m) => return fail(Failure::vault(m)),
    };
    let mut options = DrillOptions::new(args.destination_key_id.clone());
    if let Some(n) = args.threads {
        options.threads = usize::from(n);
    }
    options.dry_run = args.dry_run;
    let job = DrillJob {
        input: args.input.clone(),
        output: args.output.clone(),
        force: args.force,
        rotate: args.rotate,
        options,
    };
    let control = std::sync::Arc::new(DrillControl::new());
    cancel_on_ctrl_c(&control);
    let mut progress = ProgressLine::new(std::io::stderr().is_terminal());
    let outcome = run_job(&mut vault, &global.principal, &job, &control, &mut |p| {
        progress.show(p);
    });
    progress.finish();
    let report = match &outcome.result {
        Ok(report) => report,
        Err(DrillError::Kms(e)) => {
            let error = ApiError::from_kms(e, outcome.request_id.clone());
            return reply::fail_api(format, &error);
        }
        Err(e) => return fail(failure(e, args)),
    };
    let doc = outcome.document(&job).unwrap_or_default();
    let done = if report.dry_run {
        "the dry run checked every line and wrote nothing".to_owned()
    } else {
        format!(
            "the drill finished and its output is in place ({} lines)",
            report.totals.lines
        )
    };
    if let Some(path) = &args.report {
        let text = render_json(&doc) + "\n";
        if let Err(e) = std::fs::write(path, text) {
            return fail(Failure::internal(format!(
                "cannot write the report {}: {e}; {done}",
                path.display()
            )));
        }
    }
    let printed = reply::document(
        format,
        global.query.as_deref(),
        &doc,
        "KMS",
        Done::Changed(&done),
    );
    if report.totals.failed > 0 && printed == ExitCode::SUCCESS {
        return fail(Failure::lines_failed(format!(
            "{} of {} lines failed and were kept as they were (see Failures)",
            report.totals.failed, report.totals.lines
        )));
    }
    printed
}

/// A drill that could not run, as its error document names it (a key problem is an API error).
fn failure(e: &DrillError, args: &DrillArgs) -> Failure {
    match e {
        DrillError::OutputExists(path) => Failure::exists(format!(
            "the output {path} already exists; give --force to replace it"
        )),
        DrillError::Cancelled => {
            Failure::cancelled("the drill was cancelled; no output was written")
        }
        DrillError::SameFile(_) | DrillError::NoOutput => Failure::option("--output", e),
        _ => {
            // Reading names the input; everything else is about the output.
            let text = e.to_string();
            let input = args.input.display().to_string();
            let option = if text.contains(&input) || text.contains("the input") {
                "--input"
            } else {
                "--output"
            };
            Failure::option(option, text)
        }
    }
}

/// With `--Format XML`, the arguments the report echoes must be ones XML can carry.
fn check_for_xml(format: crate::api::Format, args: &DrillArgs) -> Result<(), Failure> {
    let input = args.input.display().to_string();
    let output = args
        .output
        .as_deref()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    reply::check_args_for_xml(
        format,
        &[
            ("--input", &input),
            ("--output", &output),
            ("--DestinationKeyId", &args.destination_key_id),
        ],
    )
}

/// The first Ctrl-C cancels the drill (it stops between batches and removes its temporary output);
/// a second one ends the process at once. The handler is in place when this returns.
fn cancel_on_ctrl_c(control: &std::sync::Arc<DrillControl>) {
    use tokio::signal::unix::{SignalKind, signal};
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return;
    };
    let interrupts = {
        let _entered = runtime.enter();
        signal(SignalKind::interrupt())
    };
    let Ok(mut interrupts) = interrupts else {
        return;
    };
    let control = std::sync::Arc::clone(control);
    std::thread::spawn(move || {
        runtime.block_on(async {
            if interrupts.recv().await.is_some() {
                // Cancelled before it says so: whoever reads the message may rely on it.
                control.cancel();
                output::err("\nkms-console: cancelling the drill (Ctrl-C again to stop at once)");
            }
            if interrupts.recv().await.is_some() {
                std::process::exit(130);
            }
        });
    });
}

/// `lines done (percent of the input read)` on stderr, at most four times a second, only on a
/// terminal.
struct ProgressLine {
    enabled: bool,
    shown: bool,
    last: Instant,
}

impl ProgressLine {
    fn new(enabled: bool) -> Self {
        Self {
            enabled,
            shown: false,
            last: Instant::now(),
        }
    }

    fn show(&mut self, p: &DrillProgress) {
        if !self.enabled || self.last.elapsed() < Duration::from_millis(250) {
            return;
        }
        self.last = Instant::now();
        self.shown = true;
        let percent = (p.bytes_read * 100)
            .checked_div(p.input_bytes)
            .unwrap_or(0)
            .min(100);
        output::err_part(&format!(
            "\rdrill: {} lines done ({percent}% read), {} re-encrypted, {} failed ",
            p.lines_done, p.re_encrypted, p.failed
        ));
    }

    fn finish(&self) {
        if self.shown {
            output::err("");
        }
    }
}
