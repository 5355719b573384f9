//! The audit log (product §12): `<vault>.audit.jsonl`, one JSON line per operation — who, when,
//! action, key and version ids, result code and RequestId — each carrying the hash of the line
//! before it, and the check that finds an edited, removed or reordered line.
//!
//! What the chain cannot show without an anchor kept elsewhere: lines removed from the end (or
//! the whole log removed), and a log rewritten with every hash recomputed. The `last_hash` of a
//! verify report is such an anchor if recorded outside the log.

mod line;
mod tail;

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::paths;
use super::vault_file::VaultError;
use super::vault_file::private_options;

/// One operation, as the caller reports it. Never put plaintext, encryption-context values or
/// key material in any field, `details` included.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct AuditRecord {
    /// When, as an API date (`2026-11-28T10:00:00Z`).
    pub time: String,
    pub principal: String,
    /// The API action name (`ReEncrypt`).
    pub action: String,
    pub key_id: Option<String>,
    pub key_version_id: Option<String>,
    /// `Success` or the error `Code`.
    pub result: String,
    pub request_id: String,
    /// Extra facts such as drill counts; never secrets.
    pub details: Option<serde_json::Value>,
}

/// One line of the log. Serializes as the line does (the record's fields inline).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// The line number, from 1.
    pub seq: u64,
    #[serde(flatten)]
    pub record: AuditRecord,
    /// `hash` of the line before (64 zeros on the first line).
    pub prev: String,
    /// SHA-256 of this line without its `hash` member.
    pub hash: String,
}

/// The outcome of [`AuditLog::verify`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditVerifyReport {
    /// Lines looked at: all of them if `ok`, else up to and including the first bad one.
    pub lines_checked: usize,
    pub ok: bool,
    /// The first bad line (from 1) and what is wrong with it.
    pub first_bad_line: Option<(usize, String)>,
    /// The hash of the last line if `ok` and the log is not empty: record it elsewhere to detect
    /// later removal of lines from the end.
    pub last_hash: Option<String>,
}

/// The audit log of one vault.
#[derive(Debug, Clone)]
pub struct AuditLog {
    path: PathBuf,
}

impl AuditLog {
    /// The log beside the vault at `vault_path`: `<vault>.audit.jsonl`.
    pub fn for_vault(vault_path: &Path) -> Self {
        Self::at(paths::audit_path(vault_path))
    }

    /// A log at an explicit path.
    pub fn at(path: PathBuf) -> Self {
        Self { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one line, under an exclusive lock on the log so that several processes can append
    /// at once; the line goes out in one write. If the log ends in a damaged line, the new line
    /// follows it on a line of its own and `audit verify` reports the damage; a sound last line
    /// that only lost its newline gets it back.
    pub fn append(&self, record: &AuditRecord) -> Result<(), VaultError> {
        let io_err = |what: &str, e: &io::Error| VaultError::io(what, &self.path, e);
        let mut file = private_options()
            .read(true)
            .append(true)
            .create(true)
            .open(&self.path)
            .map_err(|e| io_err("open", &e))?;
        file.lock().map_err(|e| io_err("lock", &e))?;
        let len = file
            .metadata()
            .map_err(|e| io_err("read the size of", &e))?
            .len();
        let tail = tail::last_line(&mut file, len).map_err(|e| io_err("read", &e))?;
        let mut out = Vec::new();
        let (seq, prev) = match tail {
            None => (1, line::ZERO_HASH.to_owned()),
            Some(tail) => {
                if !tail.complete {
                    out.push(b'\n');
                }
                if let Ok(last) = line::parse(&tail.line) {
                    (last.seq.saturating_add(1), last.hash)
                } else {
                    // Keep counting lines so that only the damaged line fails verification.
                    let lines = count_lines(&mut file).map_err(|e| io_err("read", &e))?;
                    (lines.saturating_add(1), line::hex_sha256(&tail.line))
                }
            }
        };
        out.extend_from_slice(&line::encode(seq, record, &prev)?);
        file.write_all(&out).map_err(|e| io_err("append to", &e))?;
        file.unlock().map_err(|e| io_err("unlock", &e))
    }

    /// Every line, in order. A missing log is empty; a damaged line is an error (use
    /// [`AuditLog::verify`] to find out exactly what is wrong).
    pub fn read(&self) -> Result<Vec<AuditEntry>, VaultError> {
        let mut entries = Vec::new();
        self.for_each_line(|n, bytes, complete| {
            let entry = line::parse(bytes)
                .ok()
                .filter(|_| complete)
                .ok_or_else(|| {
                    VaultError::Audit(format!("line {n} of {} is damaged", self.path.display()))
                })?;
            entries.push(entry);
            Ok(true)
        })?;
        Ok(entries)
    }

    /// Checks every line's own hash, that `seq` counts 1, 2, 3, … and that each `prev` is the
    /// hash of the line before. Stops at the first bad line. A missing log passes (empty).
    pub fn verify(&self) -> Result<AuditVerifyReport, VaultError> {
        let mut report = AuditVerifyReport {
            lines_checked: 0,
            ok: true,
            first_bad_line: None,
            last_hash: None,
        };
        let mut prev = line::ZERO_HASH.to_owned();
        self.for_each_line(|n, bytes, complete| {
            report.lines_checked = n;
            match check_line(n, bytes, complete, &prev) {
                Ok(hash) => {
                    prev = hash;
                    Ok(true)
                }
                Err(reason) => {
                    report.ok = false;
                    report.first_bad_line = Some((n, reason));
                    Ok(false)
                }
            }
        })?;
        if report.ok && report.lines_checked > 0 {
            report.last_hash = Some(prev);
        }
        Ok(report)
    }

    /// Calls `f(line number, line without newline, had a newline)` for each line until it
    /// returns `false`. Streams, so a long log is never held in memory.
    fn for_each_line(
        &self,
        mut f: impl FnMut(usize, &[u8], bool) -> Result<bool, VaultError>,
    ) -> Result<(), VaultError> {
        let file = match File::open(&self.path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(VaultError::io("open", &self.path, &e)),
        };
        let mut reader = BufReader::new(file);
        let mut buf = Vec::new();
        for n in 1.. {
            buf.clear();
            let read = reader
                .read_until(b'\n', &mut buf)
                .map_err(|e| VaultError::io("read", &self.path, &e))?;
            if read == 0 {
                break;
            }
            let complete = buf.last() == Some(&b'\n');
            if complete {
                buf.pop();
            }
            if !f(n, &buf, complete)? {
                break;
            }
        }
        Ok(())
    }
}

/// The hash of line `n` if it is sound and follows `prev`; else why not.
fn check_line(n: usize, bytes: &[u8], complete: bool, prev: &str) -> Result<String, String> {
    if !complete {
        return Err("it is incomplete (no final newline): the log was cut short".to_owned());
    }
    let entry = line::parse(bytes)?;
    if usize::try_from(entry.seq).ok() != Some(n) {
        return Err(format!(
            "its seq is {}, not {n}: a line was removed or the lines were reordered",
            entry.seq
        ));
    }
    if entry.prev != prev {
        return Err(
            "its prev does not match the hash of the line before: a line was edited, removed or moved"
                .to_owned(),
        );
    }
    Ok(entry.hash)
}

/// Lines in the whole file, counting a last line without a newline.
#[allow(clippy::naive_bytecount)] // a rare recovery path; not worth a dependency
fn count_lines(file: &mut File) -> io::Result<u64> {
    file.seek(SeekFrom::Start(0))?;
    let mut count = 0u64;
    let mut last = b'\n';
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut chunk)?;
        let read = chunk.get(..n).unwrap_or_default();
        let Some(&end) = read.last() else {
            break;
        };
        count += u64::try_from(read.iter().filter(|&&b| b == b'\n').count()).unwrap_or(u64::MAX);
        last = end;
    }
    Ok(count + u64::from(last != b'\n'))
}
