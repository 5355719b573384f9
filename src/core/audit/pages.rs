//! Reading the audit log a page at a time from either end, and searching it a chunk at a time,
//! so that a reader shows the newest page of a 10⁶-line log without reading the whole file and
//! filters it off its UI task, reporting matches as it finds them (product §12). Lines are
//! located by byte offset, which stays valid while the log only grows.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

use super::{AuditEntry, line};
use crate::core::vault_file::VaultError;

/// How much one backward read takes.
const CHUNK: usize = 64 * 1024;
/// A line longer than this is damaged anyway; it is cut into pieces rather than held whole.
const MAX_LINE: usize = 1 << 20;

/// One line of the log and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct LogLine {
    /// Byte offset of the line's first byte.
    pub offset: u64,
    /// Byte offset just past the line (its newline included).
    pub end: u64,
    /// The parsed entry; `None` for a damaged or cut-short line.
    pub entry: Option<AuditEntry>,
}

/// A run of consecutive lines, oldest first.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page {
    pub lines: Vec<LogLine>,
    /// No line before the first one.
    pub at_start: bool,
    /// No line after the last one (as the file stood when read).
    pub at_end: bool,
}

impl Page {
    /// Where the page before this one ends.
    pub fn start(&self) -> u64 {
        self.lines.first().map_or(0, |l| l.offset)
    }

    /// Where the page after this one starts.
    pub fn end(&self) -> u64 {
        self.lines.last().map_or(0, |l| l.end)
    }
}

fn open(path: &Path) -> Result<Option<(File, u64)>, VaultError> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(VaultError::io("open", path, &e)),
    };
    let len = file
        .metadata()
        .map_err(|e| VaultError::io("read the size of", path, &e))?
        .len();
    Ok(Some((file, len)))
}

fn to_line(offset: u64, bytes: &[u8], complete: bool) -> LogLine {
    let end = offset + bytes.len() as u64 + u64::from(complete);
    let entry = if complete {
        line::parse(bytes).ok()
    } else {
        None
    };
    LogLine { offset, end, entry }
}

/// Reads backwards from `end`, calling `f(offset, line, complete)` for each line, newest first,
/// until `f` returns `false` or the start of the file. A line longer than [`MAX_LINE`] is given
/// in pieces (each damaged).
fn each_line_backwards(
    file: &mut File,
    path: &Path,
    end: u64,
    len: u64,
    mut f: impl FnMut(u64, &[u8], bool) -> bool,
) -> Result<(), VaultError> {
    let io_err = |e: &io::Error| VaultError::io("read", path, e);
    if end == 0 {
        return Ok(());
    }
    // `end` is the file's end or a line's start (so the byte before it is a newline).
    let mut complete = end < len || {
        let mut b = [0u8; 1];
        file.seek(SeekFrom::Start(end - 1))
            .map_err(|e| io_err(&e))?;
        file.read_exact(&mut b).map_err(|e| io_err(&e))?;
        b[0] == b'\n'
    };
    // Read up to the newest line's newline, not past it.
    let mut pos = end - u64::from(complete);
    // Bytes from `pos` to the end of the line being assembled, which started before `pos`.
    let mut carry: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; CHUNK];
    loop {
        let start = pos.saturating_sub(CHUNK as u64);
        let n = usize::try_from(pos - start).unwrap_or(0);
        let buf = chunk.get_mut(..n).unwrap_or_default();
        file.seek(SeekFrom::Start(start)).map_err(|e| io_err(&e))?;
        file.read_exact(buf).map_err(|e| io_err(&e))?;
        let mut cut = n;
        while let Some(at) = buf
            .get(..cut)
            .and_then(|b| b.iter().rposition(|&c| c == b'\n'))
        {
            let piece = buf.get(at + 1..cut).unwrap_or_default();
            let offset = start + at as u64 + 1;
            let keep_going = if carry.is_empty() {
                f(offset, piece, complete)
            } else {
                let mut whole = piece.to_vec();
                whole.append(&mut carry);
                f(offset, &whole, complete)
            };
            if !keep_going {
                return Ok(());
            }
            complete = true;
            cut = at;
        }
        let rest = buf.get(..cut).unwrap_or_default();
        let mut joined = rest.to_vec();
        joined.append(&mut carry);
        carry = joined;
        pos = start;
        if pos == 0 {
            f(0, &carry, complete);
            return Ok(());
        }
        if carry.len() > MAX_LINE {
            let offset = pos;
            let piece = std::mem::take(&mut carry);
            if !f(offset, &piece, false) {
                return Ok(());
            }
            complete = false;
        }
    }
}

/// Up to `n` lines ending at `end` (the file's end if `None`), oldest first.
pub fn page_before(path: &Path, end: Option<u64>, n: usize) -> Result<Page, VaultError> {
    let Some((mut file, len)) = open(path)? else {
        return Ok(Page {
            lines: Vec::new(),
            at_start: true,
            at_end: true,
        });
    };
    let end = end.unwrap_or(len).min(len);
    let mut lines = Vec::with_capacity(n);
    if n > 0 && end > 0 {
        each_line_backwards(&mut file, path, end, len, |offset, bytes, complete| {
            lines.push(to_line(offset, bytes, complete));
            lines.len() < n
        })?;
    }
    lines.reverse();
    let at_start = lines.first().is_none_or(|l| l.offset == 0);
    Ok(Page {
        at_end: end >= len,
        at_start,
        lines,
    })
}

/// Up to `n` lines starting at `start` (a line's offset), oldest first.
pub fn page_after(path: &Path, start: u64, n: usize) -> Result<Page, VaultError> {
    let Some((mut file, len)) = open(path)? else {
        return Ok(Page {
            lines: Vec::new(),
            at_start: true,
            at_end: true,
        });
    };
    let io_err = |e: &io::Error| VaultError::io("read", path, e);
    let mut lines = Vec::with_capacity(n);
    let mut pos = start.min(len);
    file.seek(SeekFrom::Start(pos)).map_err(|e| io_err(&e))?;
    let mut reader = io::BufReader::with_capacity(CHUNK, file);
    let mut buf = Vec::new();
    while lines.len() < n && pos < len {
        buf.clear();
        let read = io::BufRead::read_until(&mut reader, b'\n', &mut buf).map_err(|e| io_err(&e))?;
        if read == 0 {
            break;
        }
        let complete = buf.last() == Some(&b'\n');
        let bytes = buf
            .get(..buf.len() - usize::from(complete))
            .unwrap_or_default();
        lines.push(to_line(pos, bytes, complete));
        pos += read as u64;
    }
    Ok(Page {
        at_start: start == 0,
        at_end: pos >= len,
        lines,
    })
}

/// What an audit search looks for; every field given must match (text fields match exactly,
/// `key` any of the key fields, times compare as API dates).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub principal: Option<String>,
    pub action: Option<String>,
    /// A KeyId, alias or reference: matches `key_ref`, `key_id`, `source_key_id` or `alias_name`.
    pub key: Option<String>,
    /// `Success` or an error code.
    pub result: Option<String>,
    /// Inclusive bounds, as API dates (`2026-11-28T10:00:00Z`).
    pub since: Option<String>,
    pub until: Option<String>,
    pub request_id: Option<String>,
}

impl AuditFilter {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Whether the entry matches.
    pub fn matches(&self, entry: &AuditEntry) -> bool {
        let r = &entry.record;
        let eq = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
        let key_matches = self.key.as_deref().is_none_or(|k| {
            [&r.key_ref, &r.key_id, &r.source_key_id, &r.alias_name]
                .iter()
                .any(|f| f.as_deref() == Some(k))
        });
        eq(&self.principal, &r.principal)
            && eq(&self.action, &r.action)
            && eq(&self.result, &r.result)
            && eq(&self.request_id, &r.request_id)
            && key_matches
            && self.since.as_deref().is_none_or(|s| r.time.as_str() >= s)
            && self.until.as_deref().is_none_or(|u| r.time.as_str() <= u)
    }

    /// A cheap test on the raw line: `false` only if it cannot match (a wanted text is absent).
    fn may_match(&self, bytes: &[u8]) -> bool {
        [
            &self.request_id,
            &self.principal,
            &self.action,
            &self.key,
            &self.result,
        ]
        .iter()
        .filter_map(|f| f.as_deref())
        .all(|needle| contains(bytes, needle.as_bytes()))
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}

/// How far a search got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchProgress {
    /// Where to resume: the search has looked at every line from here to where it started.
    pub resume_before: u64,
    /// Lines looked at in this call.
    pub scanned: u64,
    /// The start of the file was reached (or the callback asked to stop).
    pub done: bool,
}

/// Searches backwards from `before` (the file's end if `None`), newest first, looking at lines
/// up to `budget` bytes in all, and calls `on_match` with each match (stop by returning
/// `false`). Call again from `resume_before` until `done`: a reader runs it off its UI task and
/// shows matches as they come.
pub fn search_backward(
    path: &Path,
    filter: &AuditFilter,
    before: Option<u64>,
    budget: u64,
    mut on_match: impl FnMut(LogLine) -> bool,
) -> Result<SearchProgress, VaultError> {
    let Some((mut file, len)) = open(path)? else {
        return Ok(SearchProgress {
            resume_before: 0,
            scanned: 0,
            done: true,
        });
    };
    let end = before.unwrap_or(len).min(len);
    let mut resume = end;
    let mut scanned = 0;
    let mut stopped = false;
    each_line_backwards(&mut file, path, end, len, |offset, bytes, complete| {
        scanned += 1;
        resume = offset;
        if filter.may_match(bytes) {
            let line = to_line(offset, bytes, complete);
            let hit = line.entry.as_ref().is_some_and(|e| filter.matches(e));
            if hit && !on_match(line) {
                stopped = true;
                return false;
            }
        }
        end - offset < budget
    })?;
    Ok(SearchProgress {
        resume_before: resume,
        scanned,
        done: stopped || resume == 0,
    })
}
