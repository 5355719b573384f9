//! Rotation drills (product §11): stream a file of ciphertext lines through ReEncrypt to the
//! primary version of a destination key — or, in place, each line to the primary version of its
//! own key — verify that every result decrypts to the plaintext it
//! came from, and write the lines back in input order while counting what sits under each key
//! version before and after.
//!
//! The engine is [`run`]: a `BufRead` in, a `Write` out, worker threads in between (std threads
//! only), a bounded number of line batches in flight, and a [`DrillControl`] through which a
//! screen reads progress and asks for cancellation. [`run_to_file`] adds the atomic output file;
//! [`run_job`] adds rotation first and the audit record, and is what the front ends call.
//!
//! Line format (one per line, in any mix):
//! - a bare base64 `CiphertextBlob` (bound to no encryption context);
//! - a JSON object with `CiphertextBlob` and optional `EncryptionContext` and
//!   `DestinationEncryptionContext` (each an object of strings, or its JSON text). Without
//!   `DestinationEncryptionContext` the result keeps the source context: rotation does not
//!   change what the data is bound to.
//! - a JSON object for RSA / SM2 ciphertext: `CiphertextBlob` (the raw ciphertext, base64) with
//!   `SourceKeyId`, `SourceKeyVersionId` and `SourceEncryptionAlgorithm`, as ReEncrypt takes
//!   them. Such a line has no symmetric key of its own, so it needs a destination key; in place
//!   it fails with `Drill.DestinationRequired`.
//! - a blank line, kept as it is.
//!
//! A re-encrypted line keeps its kind: a bare blob becomes the new bare blob; a JSON line keeps
//! its other members and their order, with `CiphertextBlob` replaced and — when a
//! `DestinationEncryptionContext` was given — that context moved into `EncryptionContext`, so
//! the output file is itself a valid drill input (an RSA / SM2 line loses its source fields).
//! Lines already under the primary version they would go to (with an unchanged context) and
//! failed lines are written back byte for byte, so a drill of a drill's output changes nothing.
//!
//! [`census`] reads the same lines with the same parser and counts them per key version without
//! decrypting anything.

mod files;
mod job;
mod line;
pub mod outlook;
mod pipeline;
mod plan;
mod report;
mod scan;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

pub use files::{is_same_file, run_to_file};
pub use job::{DrillJob, DrillOutcome, run_job};
pub use line::{LineSource, line_source};
pub use pipeline::run;
pub use report::{DrillReport, DrillTotals, KeyCount, LineFailure, Rotation, VersionCount};
pub use scan::{
    CensusInput, CensusLocation, CensusOptions, CensusReport, CensusTotals, CensusVersion,
    DEFAULT_LOCATIONS, census, expand_paths,
};

use super::error::KmsError;

/// A batch closes at this many lines …
pub const BATCH_LINES: usize = 256;
/// … or once it holds this many bytes, so that memory stays bounded whatever the line lengths.
pub const BATCH_BYTES: usize = 256 * 1024;
/// The longest line accepted. A longer one means the file is not a file of ciphertext lines (a
/// blob of the largest plaintext is about 8 KiB, a context at most 8,192 characters), and the
/// drill stops rather than hold it in memory.
pub const MAX_LINE_BYTES: usize = 1 << 20;
/// Failures listed in a report by default; the rest are only counted.
pub const DEFAULT_MAX_FAILURES: usize = 10_000;
/// The most worker threads a drill starts.
pub const MAX_THREADS: usize = 256;

/// What to drill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrillOptions {
    /// KeyId, `alias/…` or ARN of the symmetric key whose primary version everything moves to;
    /// empty (or blank) for a drill in place, where each symmetric line moves to the primary
    /// version of its own key.
    pub destination_key_id: String,
    /// Worker threads (clamped to 1..=[`MAX_THREADS`]).
    pub threads: usize,
    /// Check every line (permissions, key states, that it decrypts) but seal nothing and write
    /// nothing. Counts "after" are what a real run would give.
    pub dry_run: bool,
    /// How many failures the report lists; further ones are counted in `FailuresOmitted`.
    pub max_failures: usize,
}

impl DrillOptions {
    /// Options for `destination_key_id` with one worker per available core.
    pub fn new(destination_key_id: impl Into<String>) -> Self {
        Self {
            destination_key_id: destination_key_id.into(),
            threads: std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
            dry_run: false,
            max_failures: DEFAULT_MAX_FAILURES,
        }
    }

    /// Options for a drill in place, with one worker per available core.
    pub fn in_place() -> Self {
        Self::new(String::new())
    }

    /// The destination key as given, or `None` in place.
    pub fn destination(&self) -> Option<&str> {
        Some(self.destination_key_id.trim()).filter(|d| !d.is_empty())
    }

    /// The worker count actually used.
    pub fn worker_threads(&self) -> usize {
        self.threads.clamp(1, MAX_THREADS)
    }
}

/// Shared between the drill and whoever watches it (a screen, a progress line): live counters
/// and the cancel flag. Put it in an `Arc` to hand it to another thread.
#[derive(Debug, Default)]
pub struct DrillControl {
    cancel: AtomicBool,
    input_bytes: AtomicU64,
    bytes_read: AtomicU64,
    lines_read: AtomicU64,
    lines_done: AtomicU64,
    re_encrypted: AtomicU64,
    already_current: AtomicU64,
    failed: AtomicU64,
    empty: AtomicU64,
}

/// A snapshot of a drill's progress.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DrillProgress {
    /// Size of the input file, when known (0 otherwise): with `bytes_read`, a percentage.
    pub input_bytes: u64,
    pub bytes_read: u64,
    pub lines_read: u64,
    /// Lines finished and written, in order.
    pub lines_done: u64,
    pub re_encrypted: u64,
    pub already_current: u64,
    pub failed: u64,
    pub empty: u64,
}

impl DrillControl {
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the drill to stop: it stops reading, lets the workers finish the batch in hand,
    /// and returns [`DrillError::Cancelled`]; [`run_to_file`] then removes its temporary file.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    pub fn progress(&self) -> DrillProgress {
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        DrillProgress {
            input_bytes: get(&self.input_bytes),
            bytes_read: get(&self.bytes_read),
            lines_read: get(&self.lines_read),
            lines_done: get(&self.lines_done),
            re_encrypted: get(&self.re_encrypted),
            already_current: get(&self.already_current),
            failed: get(&self.failed),
            empty: get(&self.empty),
        }
    }

    pub(crate) fn set_input_bytes(&self, n: u64) {
        self.input_bytes.store(n, Ordering::Relaxed);
    }

    fn add_read(&self, lines: u64, bytes: u64) {
        self.lines_read.fetch_add(lines, Ordering::Relaxed);
        self.bytes_read.fetch_add(bytes, Ordering::Relaxed);
    }

    fn add_done(&self, totals: &DrillTotals) {
        self.lines_done.fetch_add(totals.lines, Ordering::Relaxed);
        self.re_encrypted
            .fetch_add(totals.re_encrypted, Ordering::Relaxed);
        self.already_current
            .fetch_add(totals.already_current, Ordering::Relaxed);
        self.failed.fetch_add(totals.failed, Ordering::Relaxed);
        self.empty.fetch_add(totals.empty, Ordering::Relaxed);
    }
}

/// Why a drill as a whole did not complete. (A bad line is not one of these: it is listed in
/// the report and the drill goes on.)
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DrillError {
    /// The destination key cannot be used (not found, no permission, disabled, not symmetric),
    /// the rotation failed, or a worker failed.
    #[error(transparent)]
    Kms(#[from] KmsError),
    /// Reading the input, writing the output or the report.
    #[error("{0}")]
    Io(String),
    /// A line longer than [`MAX_LINE_BYTES`].
    #[error("line {0} is longer than 1 MiB: this is not a file of ciphertext lines")]
    LineTooLong(u64),
    /// Output and input are the same file; the input is never written over.
    #[error(
        "the output {0} is the input file (or the vault or its audit log); the input is never written over"
    )]
    SameFile(String),
    /// The output exists and overwriting was not asked for (`force` in the job; `--force` on
    /// the command line).
    #[error("the output {0} already exists; choose another file or ask to replace it")]
    OutputExists(String),
    /// No output path for a drill that is not a dry run.
    #[error("an output file is needed unless the drill is a dry run")]
    NoOutput,
    /// [`DrillControl::cancel`] was called; nothing was written.
    #[error("the drill was cancelled; no output was written")]
    Cancelled,
}

impl DrillError {
    /// The API code of a key or permission error; a `Drill.*` code for the console's own
    /// failures (the audit record's `result`).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Kms(e) => e.code(),
            Self::Io(_) => "Drill.IoError",
            Self::LineTooLong(_) => "Drill.LineTooLong",
            Self::SameFile(_) | Self::OutputExists(_) | Self::NoOutput => "Drill.OutputRefused",
            Self::Cancelled => "Drill.Cancelled",
        }
    }

    pub(crate) fn io(what: &str, path: &std::path::Path, e: &std::io::Error) -> Self {
        Self::Io(format!("cannot {what} {}: {e}", path.display()))
    }
}
