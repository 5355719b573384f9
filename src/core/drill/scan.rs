//! The census: which key versions a set of files of drill lines is still encrypted under,
//! without decrypting anything. The same line parser as the drill ([`super::line`]) reads each
//! line's header or source fields; batches go to worker threads over a bounded channel, each
//! worker keeps its own counts, and the counts are merged at the end — so memory stays flat
//! whatever the size of the input (it grows only with the number of distinct versions found).

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::Instant;

use serde::Serialize;

use super::line::{Found, classify, not_utf8, text_of};
use super::pipeline::{Batch, read_batch, split_line_end};
use super::{DrillError, MAX_THREADS};
use crate::core::error::KmsError;
use crate::core::model::VaultState;
use crate::core::ops::{Ctx, account_resource, authorize, resolve};

/// Locations listed per version by default (`--locations`).
pub const DEFAULT_LOCATIONS: usize = 10;
/// Distinct versions a worker lists one by one; lines under further ones are only counted (in
/// `OtherVersions`), so that a file of random headers cannot make the census hold a row per line.
pub const MAX_VERSIONS: usize = 10_000;
const READ_BUFFER: usize = 256 * 1024;

/// How to count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CensusOptions {
    /// Worker threads (clamped to 1..=[`MAX_THREADS`]).
    pub threads: usize,
    /// How many lines (file and line number, first ones first) each non-primary version lists.
    pub locations: usize,
}

impl Default for CensusOptions {
    fn default() -> Self {
        Self {
            threads: std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
            locations: DEFAULT_LOCATIONS,
        }
    }
}

/// One input of a census: a file, or an already open stream (stdin) and the name it is listed as.
pub enum CensusInput {
    File(PathBuf),
    Reader(String, Box<dyn BufRead>),
}

/// A line of an input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CensusLocation {
    pub file: String,
    pub line: u64,
    /// For a bad line: the API code of why it is not a ciphertext line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// The lines under one key version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CensusVersion {
    /// The key that holds the version; for a version this vault does not hold, the SourceKeyId
    /// an RSA / SM2 line gave, or none.
    pub key_id: Option<String>,
    pub key_version_id: String,
    /// `Symmetric` (a blob header) or `Asymmetric` (a JSON line's source fields).
    pub kind: &'static str,
    pub count: u64,
    pub in_vault: bool,
    /// The key's primary version: nothing to rotate.
    pub primary: bool,
    /// `Enabled`, `Disabled` or `PendingDeletion`; none when the vault does not hold the key.
    pub key_state: Option<&'static str>,
    /// The first lines under this version (non-primary versions only), in input order.
    pub locations: Vec<CensusLocation>,
    pub locations_omitted: u64,
}

/// Line counts. `lines` = `ciphertexts + empty + bad`; `ciphertexts` = `primary +
/// non_primary + not_in_vault + other_versions`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CensusTotals {
    pub files: u64,
    pub lines: u64,
    pub ciphertexts: u64,
    pub primary: u64,
    pub non_primary: u64,
    pub not_in_vault: u64,
    /// Lines under versions past the first [`MAX_VERSIONS`] distinct ones (not listed).
    pub other_versions: u64,
    pub empty: u64,
    pub bad: u64,
}

/// What a census found.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CensusReport {
    pub threads: usize,
    pub totals: CensusTotals,
    /// By KeyId (unknown keys last), oldest version first.
    pub versions: Vec<CensusVersion>,
    /// The first bad lines, in input order.
    pub bad_lines: Vec<CensusLocation>,
    pub bad_lines_omitted: u64,
    pub elapsed_seconds: f64,
    pub lines_per_second: f64,
}

/// The files of `paths`: a file as it is, a folder's regular files recursively (sorted by path;
/// symbolic links inside folders are not followed, so a loop cannot trap the walk).
pub fn expand_paths(paths: &[PathBuf]) -> Result<Vec<PathBuf>, DrillError> {
    let mut files = Vec::new();
    for path in paths {
        let meta = fs::metadata(path).map_err(|e| DrillError::io("read", path, &e))?;
        if meta.is_dir() {
            walk(path, &mut files)?;
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), DrillError> {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .map_err(|e| DrillError::io("read the folder", dir, &e))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        let Ok(meta) = path.symlink_metadata() else {
            continue;
        };
        if meta.is_dir() {
            walk(&path, files)?;
        } else if meta.is_file() {
            files.push(path);
        }
    }
    Ok(())
}

/// Counts the lines of `inputs` per key version as `ctx.principal`, who needs kms:ListKeys
/// (the census shows every key's versions and states, as ListKeys + DescribeKey would, and
/// decrypts nothing).
pub fn census(
    state: &VaultState,
    ctx: &Ctx<'_>,
    inputs: Vec<CensusInput>,
    options: &CensusOptions,
) -> Result<CensusReport, DrillError> {
    authorize(state, ctx, "ListKeys", &account_resource(state))?;
    count_inputs(state, inputs, options)
}

/// [`census`] without the permission check: the drill's own look at its input before it
/// rotates (the drill is authorized line by line as ReEncrypt).
pub(super) fn count_inputs(
    state: &VaultState,
    inputs: Vec<CensusInput>,
    options: &CensusOptions,
) -> Result<CensusReport, DrillError> {
    let started = Instant::now();
    let threads = options.threads.clamp(1, MAX_THREADS);
    let names: Vec<String> = inputs
        .iter()
        .map(|i| match i {
            CensusInput::File(p) => p.display().to_string(),
            CensusInput::Reader(name, _) => name.clone(),
        })
        .collect();
    let (tx, rx) = mpsc::sync_channel::<(u32, Batch)>(threads * 4);
    let rx = Mutex::new(rx);
    let cap = options.locations;
    let tally = thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| scope.spawn(|| count(&rx, cap)))
            .collect();
        let fed = feed(inputs, tx);
        let mut all = Tally::default();
        for worker in workers {
            let part = worker
                .join()
                .map_err(|_| KmsError::InternalFailure("a census worker failed".into()))?;
            all.merge(part, cap);
        }
        fed.map(|()| all)
    })?;
    let elapsed = started.elapsed().as_secs_f64();
    Ok(tally.report(state, &names, threads, cap, elapsed))
}

/// Reads every input in order and hands out its batches; blocks while the workers are behind.
fn feed(inputs: Vec<CensusInput>, tx: mpsc::SyncSender<(u32, Batch)>) -> Result<(), DrillError> {
    for (index, input) in (0u32..).zip(inputs) {
        let mut reader: Box<dyn BufRead> = match input {
            CensusInput::File(path) => {
                let file = File::open(&path).map_err(|e| DrillError::io("open", &path, &e))?;
                Box::new(BufReader::with_capacity(READ_BUFFER, file))
            }
            CensusInput::Reader(_, reader) => reader,
        };
        let (mut seq, mut next_line) = (0u64, 1u64);
        while let Some((batch, lines)) = read_batch(&mut reader, seq, next_line)? {
            next_line += lines;
            seq += 1;
            tx.send((index, batch))
                .map_err(|_| KmsError::InternalFailure("the census workers stopped".into()))?;
        }
    }
    // Closing the channel is what lets the workers finish.
    drop(tx);
    Ok(())
}

/// A worker: classifies the lines of every batch it gets into its own counts.
fn count(rx: &Mutex<Receiver<(u32, Batch)>>, cap: usize) -> Tally {
    let mut tally = Tally::default();
    loop {
        let next = match rx.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => break,
        };
        let Ok((file, batch)) = next else { break };
        for (line, raw) in (batch.first_line..).zip(batch.data.split_inclusive(|&b| b == b'\n')) {
            tally.line(file, line, split_line_end(raw).0, cap);
        }
    }
    tally
}

/// (file index, line number): input order.
type At = (u32, u64);

#[derive(Default)]
struct Entry {
    /// SourceKeyId as an RSA / SM2 line gave it.
    key_ref: Option<String>,
    count: u64,
    /// The smallest locations seen, at most `2 × cap` between trims.
    locations: Vec<At>,
}

#[derive(Default)]
struct Tally {
    lines: u64,
    empty: u64,
    bad: u64,
    other_versions: u64,
    versions: HashMap<String, Entry>,
    bad_lines: Vec<(At, &'static str)>,
}

impl Tally {
    fn line(&mut self, file: u32, line: u64, content: &[u8], cap: usize) {
        self.lines += 1;
        let found = match text_of(content) {
            None => Err(not_utf8()),
            Some("") => {
                self.empty += 1;
                return;
            }
            Some(text) => classify(text),
        };
        let (version, key_ref) = match found {
            Ok(Found::Symmetric(version)) => (version, None),
            Ok(Found::Asymmetric {
                key_ref,
                key_version_id,
            }) => (key_version_id.to_owned(), Some(key_ref)),
            Err(e) => {
                self.bad += 1;
                push_first(&mut self.bad_lines, ((file, line), e.code()), cap);
                return;
            }
        };
        if self.versions.len() >= MAX_VERSIONS && !self.versions.contains_key(&version) {
            self.other_versions += 1;
            return;
        }
        let entry = self.versions.entry(version).or_default();
        if entry.key_ref.is_none() {
            entry.key_ref = key_ref.map(str::to_owned);
        }
        entry.count += 1;
        push_first(&mut entry.locations, (file, line), cap);
    }

    fn merge(&mut self, other: Tally, cap: usize) {
        self.lines += other.lines;
        self.empty += other.empty;
        self.bad += other.bad;
        self.other_versions += other.other_versions;
        for (version, entry) in other.versions {
            let mine = self.versions.entry(version).or_default();
            mine.count += entry.count;
            if mine.key_ref.is_none() {
                mine.key_ref = entry.key_ref;
            }
            mine.locations.extend(entry.locations);
            trim(&mut mine.locations, cap);
        }
        self.bad_lines.extend(other.bad_lines);
        trim(&mut self.bad_lines, cap);
    }

    fn report(
        mut self,
        state: &VaultState,
        names: &[String],
        threads: usize,
        cap: usize,
        elapsed: f64,
    ) -> CensusReport {
        let at = |(file, line): At, code: Option<&str>| CensusLocation {
            file: names.get(file as usize).cloned().unwrap_or_default(),
            line,
            code: code.map(str::to_owned),
        };
        let mut totals = CensusTotals {
            files: names.len() as u64,
            lines: self.lines,
            empty: self.empty,
            bad: self.bad,
            other_versions: self.other_versions,
            ciphertexts: self.other_versions,
            ..CensusTotals::default()
        };
        let mut rows: Vec<((bool, String, usize), CensusVersion)> = Vec::new();
        for (version, mut entry) in self.versions {
            trim(&mut entry.locations, cap);
            let key = match &entry.key_ref {
                Some(key_ref) => resolve(state, key_ref).ok(),
                None => state.version(&version).map(|(k, _)| k),
            };
            let order =
                key.and_then(|k| k.versions.iter().position(|v| v.key_version_id == version));
            let primary = key.is_some_and(|k| k.primary_version_id() == version);
            totals.ciphertexts += entry.count;
            match (order, primary) {
                (None, _) => totals.not_in_vault += entry.count,
                (Some(_), true) => totals.primary += entry.count,
                (Some(_), false) => totals.non_primary += entry.count,
            }
            let listed = if primary { 0 } else { entry.locations.len() };
            let key_id = key.map(|k| k.key_id.clone()).or(entry.key_ref.clone());
            let row = CensusVersion {
                key_id: key_id.clone(),
                kind: if entry.key_ref.is_some() {
                    "Asymmetric"
                } else {
                    "Symmetric"
                },
                count: entry.count,
                in_vault: order.is_some(),
                primary,
                key_state: key.map(|k| k.key_state.as_str()),
                locations: entry.locations[..listed]
                    .iter()
                    .map(|&l| at(l, None))
                    .collect(),
                locations_omitted: if primary {
                    0
                } else {
                    entry.count - listed as u64
                },
                key_version_id: version,
            };
            let sort = (
                key_id.is_none(),
                key_id.unwrap_or_default(),
                order.unwrap_or(usize::MAX),
            );
            rows.push((sort, row));
        }
        rows.sort_by(|(a, ra), (b, rb)| a.cmp(b).then(ra.key_version_id.cmp(&rb.key_version_id)));
        self.bad_lines.sort_unstable();
        // Precision loss past 2^52 lines is irrelevant to a rate.
        #[allow(clippy::cast_precision_loss)]
        let rate = if elapsed > 0.0 {
            self.lines as f64 / elapsed
        } else {
            0.0
        };
        CensusReport {
            threads,
            totals,
            versions: rows.into_iter().map(|(_, r)| r).collect(),
            bad_lines: self
                .bad_lines
                .iter()
                .map(|&(l, code)| at(l, Some(code)))
                .collect(),
            bad_lines_omitted: self.bad - self.bad_lines.len() as u64,
            elapsed_seconds: elapsed,
            lines_per_second: rate,
        }
    }
}

/// Keeps the `cap` smallest items, trimming only now and then so that a push stays cheap.
fn push_first<T: Ord>(list: &mut Vec<T>, item: T, cap: usize) {
    if cap == 0 {
        return;
    }
    list.push(item);
    if list.len() >= cap * 2 {
        trim(list, cap);
    }
}

fn trim<T: Ord>(list: &mut Vec<T>, cap: usize) {
    list.sort_unstable();
    list.truncate(cap);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blob(i: usize) -> String {
        let mut bytes = format!("{i:08x}-2222-4333-8444-555555555555").into_bytes();
        bytes.extend([7u8; 12 + 32 + 16]);
        crate::core::blob::CiphertextBlob::encode(&bytes)
    }

    #[test]
    fn versions_past_the_cap_are_only_counted() {
        let mut tally = Tally::default();
        for i in 0..MAX_VERSIONS + 5 {
            tally.line(0, 1, blob(i).as_bytes(), 2);
        }
        tally.line(0, 2, blob(0).as_bytes(), 2);
        assert_eq!(tally.versions.len(), MAX_VERSIONS);
        assert_eq!(tally.other_versions, 5);
        assert_eq!(
            tally.versions[&format!("{:08x}-2222-4333-8444-555555555555", 0)].count,
            2
        );
    }

    #[test]
    fn the_first_locations_are_kept_whatever_the_order_they_come_in() {
        let mut list = Vec::new();
        for at in [9u64, 3, 7, 1, 8, 2, 6] {
            push_first(&mut list, (0u32, at), 2);
        }
        trim(&mut list, 2);
        assert_eq!(list, [(0, 1), (0, 2)]);
    }
}
