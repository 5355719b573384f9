//! The drill pipeline: the calling thread reads batches of lines and hands them to a pool of
//! worker threads over a bounded channel; results come back tagged with their sequence number
//! and are written in input order. At most `window` batches are in flight (queued, in work, or
//! waiting for an earlier one), which keeps memory flat whatever the size of the file.

use std::collections::BTreeMap;
use std::io::{BufRead, Read, Write};
use std::sync::Mutex;
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::thread;
use std::time::Instant;

use super::plan::{Outcome, Plan};
use super::report::{Tally, key_counts};
use super::{
    BATCH_BYTES, BATCH_LINES, DrillControl, DrillError, DrillOptions, DrillProgress, DrillReport,
    MAX_LINE_BYTES,
};
use crate::core::error::KmsError;
use crate::core::model::VaultState;
use crate::core::ops::Ctx;

/// Runs a drill from `input` to `output` as `ctx.principal`.
///
/// Returns the report once every line is written (and `output` flushed). Fails as a whole only
/// if the destination cannot be used, on an I/O error, on a line longer than
/// [`MAX_LINE_BYTES`], or when cancelled; `output` may then hold part of the lines, so write to
/// a temporary file (as [`super::run_to_file`] does). `observer` is called on this thread
/// after each batch is written.
pub fn run<R: BufRead, W: Write>(
    state: &VaultState,
    ctx: &Ctx<'_>,
    input: R,
    output: W,
    options: &DrillOptions,
    control: &DrillControl,
    observer: &mut dyn FnMut(&DrillProgress),
) -> Result<DrillReport, DrillError> {
    let started = Instant::now();
    let plan = Plan::new(state, *ctx, options)?;
    let threads = options.worker_threads();
    // Enough batches in flight to keep every worker busy while one waits for the writer.
    let window = threads * 4 + 2;
    let (work_tx, work_rx) = mpsc::sync_channel::<Batch>(window);
    let work_rx = Mutex::new(work_rx);
    let (done_tx, done_rx) = mpsc::channel::<Done<'_>>();
    let mut collector = Collector {
        output,
        next: 0,
        pending: BTreeMap::new(),
        tally: Tally::default(),
        control,
        observer,
        max_failures: options.max_failures,
    };
    thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let (plan, work_rx, done_tx) = (&plan, &work_rx, done_tx.clone());
                scope.spawn(move || work(plan, work_rx, &done_tx, control))
            })
            .collect();
        drop(done_tx);
        let fed = feed(input, work_tx, &done_rx, &mut collector, window as u64);
        // `feed` dropped the work channel's sender, so the workers finish and return.
        let panicked = workers.into_iter().any(|w| w.join().is_err());
        fed?;
        if panicked {
            return Err(KmsError::InternalFailure("a drill worker failed".into()).into());
        }
        Ok::<_, DrillError>(())
    })?;
    collector
        .output
        .flush()
        .map_err(|e| DrillError::Io(format!("cannot write the output: {e}")))?;
    let elapsed = started.elapsed().as_secs_f64();
    let tally = collector.tally;
    // Precision loss past 2^52 lines is irrelevant to a rate.
    #[allow(clippy::cast_precision_loss)]
    let rate = if elapsed > 0.0 {
        tally.totals.lines as f64 / elapsed
    } else {
        0.0
    };
    let versions = tally.version_counts(state);
    Ok(DrillReport {
        destination_key_id: plan
            .destination
            .map(|t| t.key.key_id.clone())
            .unwrap_or_default(),
        destination_key_version_id: plan
            .destination
            .map(|t| t.primary.to_owned())
            .unwrap_or_default(),
        in_place: plan.destination.is_none(),
        rotated: false,
        rotations: Vec::new(),
        dry_run: options.dry_run,
        threads,
        totals: tally.totals,
        keys: key_counts(state, &versions),
        versions,
        failures: tally.failures,
        failures_omitted: tally.failures_omitted,
        elapsed_seconds: elapsed,
        lines_per_second: rate,
    })
}

/// Lines `first_line..first_line + lines` as read, terminators included.
pub(super) struct Batch {
    pub seq: u64,
    pub first_line: u64,
    pub data: Vec<u8>,
}

/// A worker's answer for one batch.
enum Done<'s> {
    Batch(u64, Vec<u8>, Tally<'s>),
    /// Not processed because the drill was cancelled.
    Skipped,
    /// The worker panicked on it.
    Lost(u64),
}

/// Reads batches and keeps the window bounded; then waits for the last results.
fn feed<'s, R: BufRead, W: Write>(
    mut input: R,
    work_tx: SyncSender<Batch>,
    done_rx: &Receiver<Done<'s>>,
    collector: &mut Collector<'_, 's, W>,
    window: u64,
) -> Result<(), DrillError> {
    let recv = || {
        done_rx.recv().map_err(|_| {
            DrillError::from(KmsError::InternalFailure(
                "the drill workers stopped".into(),
            ))
        })
    };
    let (mut seq, mut next_line) = (0u64, 1u64);
    loop {
        collector.check_cancel()?;
        while seq - collector.next >= window {
            collector.accept(recv()?)?;
        }
        while let Ok(done) = done_rx.try_recv() {
            collector.accept(done)?;
        }
        let Some((batch, lines)) = read_batch(&mut input, seq, next_line)? else {
            break;
        };
        collector
            .control
            .add_read(lines, u64::try_from(batch.data.len()).unwrap_or(u64::MAX));
        next_line += lines;
        // Never blocks: fewer than `window` batches are in flight, and that is the capacity.
        work_tx
            .send(batch)
            .map_err(|_| KmsError::InternalFailure("the drill workers stopped".into()))?;
        seq += 1;
    }
    drop(work_tx);
    while collector.next < seq {
        collector.check_cancel()?;
        collector.accept(recv()?)?;
    }
    Ok(())
}

/// Up to [`BATCH_LINES`] lines or about [`BATCH_BYTES`] bytes, and how many lines; `None` at
/// the end of the input.
pub(super) fn read_batch<R: BufRead>(
    input: &mut R,
    seq: u64,
    first_line: u64,
) -> Result<Option<(Batch, u64)>, DrillError> {
    let mut data = Vec::new();
    let mut lines = 0u64;
    let limit = u64::try_from(MAX_LINE_BYTES).unwrap_or(u64::MAX) + 1;
    while lines < BATCH_LINES as u64 && data.len() < BATCH_BYTES {
        let n = input
            .by_ref()
            .take(limit)
            .read_until(b'\n', &mut data)
            .map_err(|e| DrillError::Io(format!("cannot read the input: {e}")))?;
        if n == 0 {
            break;
        }
        if n > MAX_LINE_BYTES && data.last() != Some(&b'\n') {
            return Err(DrillError::LineTooLong(first_line + lines));
        }
        lines += 1;
    }
    Ok((lines > 0).then_some((
        Batch {
            seq,
            first_line,
            data,
        },
        lines,
    )))
}

/// Reports a batch as lost if the worker unwinds while working on it, so that the reader never
/// waits for it forever.
struct LostGuard<'a, 's> {
    seq: u64,
    done: &'a Sender<Done<'s>>,
    armed: bool,
}

impl Drop for LostGuard<'_, '_> {
    fn drop(&mut self) {
        if self.armed {
            let _ = self.done.send(Done::Lost(self.seq));
        }
    }
}

/// A worker: takes batches until the channel closes; answers every batch it takes.
fn work<'s>(
    plan: &Plan<'s>,
    jobs: &Mutex<Receiver<Batch>>,
    done: &Sender<Done<'s>>,
    control: &DrillControl,
) {
    loop {
        let batch = match jobs.lock() {
            Ok(rx) => match rx.recv() {
                Ok(batch) => batch,
                Err(_) => return,
            },
            Err(_) => return,
        };
        let mut guard = LostGuard {
            seq: batch.seq,
            done,
            armed: true,
        };
        let answer = if control.is_cancelled() {
            Done::Skipped
        } else {
            let (output, tally) = process_batch(plan, &batch);
            Done::Batch(batch.seq, output, tally)
        };
        guard.armed = false;
        let _ = done.send(answer);
    }
}

/// The output bytes and counts of one batch.
fn process_batch<'s>(plan: &Plan<'s>, batch: &Batch) -> (Vec<u8>, Tally<'s>) {
    let mut output = Vec::with_capacity(batch.data.len() + batch.data.len() / 4);
    let mut tally = Tally::default();
    for (line, raw) in (batch.first_line..).zip(batch.data.split_inclusive(|&b| b == b'\n')) {
        let (content, end) = split_line_end(raw);
        let start = output.len();
        let outcome = plan.process(content, &mut output);
        if !matches!(outcome, Outcome::ReEncrypted(..)) || output.len() == start {
            // Kept lines (and dry-run lines) go out exactly as they came in.
            output.truncate(start);
            output.extend_from_slice(content);
        }
        output.extend_from_slice(end);
        tally.record(line, outcome);
    }
    (output, tally)
}

/// A line and its terminator (`\r\n`, `\n`, or none on a last line).
pub(super) fn split_line_end(raw: &[u8]) -> (&[u8], &[u8]) {
    let cut = if raw.ends_with(b"\r\n") {
        2
    } else {
        usize::from(raw.ends_with(b"\n"))
    };
    raw.split_at_checked(raw.len().saturating_sub(cut))
        .unwrap_or((raw, &[]))
}

/// Puts batches back in order, writes them, and merges their counts.
struct Collector<'a, 's, W> {
    output: W,
    /// The sequence number of the next batch to write.
    next: u64,
    pending: BTreeMap<u64, (Vec<u8>, Tally<'s>)>,
    tally: Tally<'s>,
    control: &'a DrillControl,
    observer: &'a mut dyn FnMut(&DrillProgress),
    max_failures: usize,
}

impl<'s, W: Write> Collector<'_, 's, W> {
    fn check_cancel(&self) -> Result<(), DrillError> {
        if self.control.is_cancelled() {
            Err(DrillError::Cancelled)
        } else {
            Ok(())
        }
    }

    fn accept(&mut self, done: Done<'s>) -> Result<(), DrillError> {
        match done {
            Done::Batch(seq, output, tally) => {
                self.pending.insert(seq, (output, tally));
            }
            Done::Skipped => return Err(DrillError::Cancelled),
            Done::Lost(seq) => {
                return Err(KmsError::InternalFailure(format!(
                    "a drill worker failed on batch {seq}"
                ))
                .into());
            }
        }
        while let Some((output, tally)) = self.pending.remove(&self.next) {
            self.output
                .write_all(&output)
                .map_err(|e| DrillError::Io(format!("cannot write the output: {e}")))?;
            self.control.add_done(&tally.totals);
            self.tally.merge(tally, self.max_failures);
            self.next += 1;
            (self.observer)(&self.control.progress());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_ends_are_split_off_and_kept() {
        assert_eq!(split_line_end(b"ab\r\n"), (&b"ab"[..], &b"\r\n"[..]));
        assert_eq!(split_line_end(b"ab\n"), (&b"ab"[..], &b"\n"[..]));
        assert_eq!(split_line_end(b"ab"), (&b"ab"[..], &b""[..]));
        assert_eq!(split_line_end(b"\n"), (&b""[..], &b"\n"[..]));
        assert_eq!(split_line_end(b""), (&b""[..], &b""[..]));
    }

    #[test]
    fn batches_close_at_their_line_count_and_number_lines_from_one() {
        let text = "x\n".repeat(BATCH_LINES + 3);
        let mut input = text.as_bytes();
        let (first, n) = read_batch(&mut input, 0, 1).unwrap().unwrap();
        assert_eq!((first.first_line, n), (1, BATCH_LINES as u64));
        let (second, n) = read_batch(&mut input, 1, 1 + n).unwrap().unwrap();
        assert_eq!(
            (second.seq, second.first_line, n),
            (1, BATCH_LINES as u64 + 1, 3)
        );
        assert!(read_batch(&mut input, 2, 0).unwrap().is_none());
    }

    #[test]
    fn batches_close_at_their_byte_size() {
        let line = format!("{}\n", "y".repeat(100 * 1024));
        let text = line.repeat(4);
        let mut input = text.as_bytes();
        let (_, n) = read_batch(&mut input, 0, 1).unwrap().unwrap();
        assert_eq!(n, 3);
    }

    #[test]
    fn a_line_at_the_limit_passes_and_one_past_it_stops_the_drill() {
        let ok = format!("{}\n", "z".repeat(MAX_LINE_BYTES));
        assert!(read_batch(&mut ok.as_bytes(), 0, 1).unwrap().is_some());
        let last = "z".repeat(MAX_LINE_BYTES);
        assert!(read_batch(&mut last.as_bytes(), 0, 1).unwrap().is_some());
        let long = format!("a\n{}\n", "z".repeat(MAX_LINE_BYTES + 1));
        assert_eq!(
            read_batch(&mut long.as_bytes(), 0, 5).err(),
            Some(DrillError::LineTooLong(6))
        );
    }
}
