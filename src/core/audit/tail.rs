//! Finding the last line of the audit log without reading the whole log, and the head it gives.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};

use super::anchor::AuditHead;
use super::line;

const CHUNK: u64 = 4096;
/// A longer last line is damaged anyway; stop looking for its start here.
const MAX_LINE: usize = 1 << 20;

/// The last line of a file.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Tail {
    /// The line without its newline.
    pub(crate) line: Vec<u8>,
    /// Whether it ends with a newline; a line without one was cut short.
    pub(crate) complete: bool,
}

/// The last line of the first `len` bytes of `file`, reading backwards a chunk at a time.
/// `None` for an empty file.
pub(crate) fn last_line<F: Read + Seek>(file: &mut F, len: u64) -> io::Result<Option<Tail>> {
    if len == 0 {
        return Ok(None);
    }
    let mut end = len;
    let mut tail: Vec<u8> = Vec::new();
    let mut complete = None;
    loop {
        let start = end.saturating_sub(CHUNK);
        let mut chunk = vec![0u8; usize::try_from(end - start).unwrap_or(0)];
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(&mut chunk)?;
        chunk.extend_from_slice(&tail);
        tail = chunk;
        end = start;
        let ends_with_newline = *complete.get_or_insert(tail.last() == Some(&b'\n'));
        let searched = tail.len() - usize::from(ends_with_newline);
        if let Some(at) = tail[..searched].iter().rposition(|&b| b == b'\n') {
            tail.drain(..=at);
            break;
        }
        if end == 0 || tail.len() > MAX_LINE {
            break;
        }
    }
    let complete = complete.unwrap_or(false);
    if complete {
        tail.pop();
    }
    Ok(Some(Tail {
        line: tail,
        complete,
    }))
}

/// How the log ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ending {
    /// Empty, or a well-formed line and its newline.
    Sound,
    /// A line (sound or not) without its newline: the next line needs one first.
    Cut,
    /// A damaged line with its newline.
    Damaged,
}

/// The last line of the first `len` bytes of the log as a head, and how the log ends. After a
/// damaged line the line count goes on, so that only that line fails verification.
pub(crate) fn find_head(file: &mut File, len: u64) -> io::Result<(AuditHead, Ending)> {
    let Some(tail) = last_line(file, len)? else {
        return Ok((AuditHead::default(), Ending::Sound));
    };
    let ends = |sound: bool| match (tail.complete, sound) {
        (false, _) => Ending::Cut,
        (true, true) => Ending::Sound,
        (true, false) => Ending::Damaged,
    };
    if let Ok(last) = line::parse(&tail.line) {
        let head = AuditHead {
            seq: last.seq,
            mac: Some(last.chain().to_owned()),
            offset: len,
        };
        return Ok((head, ends(true)));
    }
    let head = AuditHead {
        seq: count_lines(file)?,
        mac: Some(line::hex_sha256(&tail.line)),
        offset: len,
    };
    Ok((head, ends(false)))
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn tail_of(bytes: &[u8]) -> Option<Tail> {
        last_line(&mut Cursor::new(bytes), bytes.len() as u64).unwrap()
    }

    #[test]
    fn finds_the_last_line_across_chunks() {
        assert_eq!(tail_of(b""), None);
        let t = tail_of(b"a\nbc\n").unwrap();
        assert_eq!((t.line.as_slice(), t.complete), (&b"bc"[..], true));
        let t = tail_of(b"a\nbc").unwrap();
        assert_eq!((t.line.as_slice(), t.complete), (&b"bc"[..], false));
        let t = tail_of(b"only\n").unwrap();
        assert_eq!(t.line, b"only");
        let t = tail_of(b"\n").unwrap();
        assert_eq!((t.line.as_slice(), t.complete), (&b""[..], true));
        let long = vec![b'x'; 10_000];
        let mut file = b"first\n".to_vec();
        file.extend_from_slice(&long);
        file.push(b'\n');
        assert_eq!(tail_of(&file).unwrap().line, long);
    }
}
