//! The drill screen's quick look at an input file before a drill: a streaming read that counts
//! the lines under each KeyVersionId (the core's drill-line classifier: blob headers, and the
//! source fields of RSA / SM2 JSON lines), blank lines and lines that name no version. Nothing is
//! decrypted. It runs on the worker thread; [`histogram`] then places each version against the
//! vault's view, with the fate the core's drill outlook (`core::drill::outlook`) gives it, for a
//! drill to a destination key or in place.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use crate::core::drill::outlook::{self, Destination};
use crate::core::drill::{LineSource, MAX_LINE_BYTES, line_source};

use crate::tui::vault_view::VaultView;

/// Distinct versions listed one by one; the rest are counted together (so a hostile file
/// cannot make the scan hold a row per line).
pub const MAX_VERSIONS: usize = 1000;

/// What a scan of an input file found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InputScan {
    /// The path as typed (what the scan was asked for).
    pub path: String,
    pub lines: u64,
    pub bytes: u64,
    pub blank: u64,
    /// Lines naming no version: not a blob, not a JSON line with a `CiphertextBlob`.
    pub bad: u64,
    pub first_bad: Option<u64>,
    /// `(KeyVersionId, lines)`, in order of first appearance.
    pub versions: Vec<(String, u64)>,
    /// Lines under versions beyond the first [`MAX_VERSIONS`].
    pub other_versions: u64,
    /// A line longer than a drill accepts: the drill would stop there, and so did the scan.
    pub too_long: Option<u64>,
}

/// Reads `file` (the expanded `shown` path) line by line, holding one line at a time.
pub fn scan_file(shown: &str, file: &Path) -> Result<InputScan, String> {
    let opened = File::open(file).map_err(|e| format!("cannot open {shown}: {e}"))?;
    let meta = opened
        .metadata()
        .map_err(|e| format!("cannot read {shown}: {e}"))?;
    if !meta.is_file() {
        return Err(format!("{shown} is not a regular file"));
    }
    let mut scan = scan(BufReader::new(opened)).map_err(|e| format!("cannot read {shown}: {e}"))?;
    shown.clone_into(&mut scan.path);
    Ok(scan)
}

/// Counts the lines of `input` (see [`InputScan`]).
pub fn scan(mut input: impl BufRead) -> std::io::Result<InputScan> {
    let mut out = InputScan::default();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut line = Vec::new();
    let limit = u64::try_from(MAX_LINE_BYTES).unwrap_or(u64::MAX) + 1;
    loop {
        line.clear();
        let n = input.by_ref().take(limit).read_until(b'\n', &mut line)?;
        if n == 0 {
            break;
        }
        out.lines += 1;
        out.bytes += u64::try_from(n).unwrap_or(u64::MAX);
        if n > MAX_LINE_BYTES && line.last() != Some(&b'\n') {
            out.too_long = Some(out.lines);
            break;
        }
        let content = line.strip_suffix(b"\n").unwrap_or(&line);
        match line_source(content) {
            LineSource::Blank => out.blank += 1,
            LineSource::Bad => {
                out.bad += 1;
                out.first_bad.get_or_insert(out.lines);
            }
            LineSource::Version(id) => out.count(&mut index, id),
        }
    }
    Ok(out)
}

impl InputScan {
    fn count(&mut self, index: &mut HashMap<String, usize>, id: String) {
        if let Some(&i) = index.get(&id) {
            if let Some((_, n)) = self.versions.get_mut(i) {
                *n += 1;
            }
        } else if self.versions.len() < MAX_VERSIONS {
            index.insert(id.clone(), self.versions.len());
            self.versions.push((id, 1));
        } else {
            self.other_versions += 1;
        }
    }
}

/// What a drill would do with the lines of one row: the core's outlook.
pub use crate::core::drill::outlook::Fate;

/// One row of the histogram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub label: String,
    /// The KeyVersionId, for rows of one version.
    pub version: Option<String>,
    pub primary: bool,
    pub lines: u64,
    pub fate: Fate,
}

/// The scan's rows in the vault's order of keys and versions (then versions the vault does not
/// have, then other lines), each with the fate the core's drill outlook gives it if
/// `destination` is the drill's destination (an empty one: in place, each symmetric line to its
/// own key's primary version).
pub fn histogram(scan: &InputScan, view: &VaultView, destination: &str, rotate: bool) -> Vec<Row> {
    let goal = if destination.trim().is_empty() {
        Destination::InPlace
    } else {
        view.resolve(destination)
            .map_or(Destination::Unknown, |key| Destination::Key(&key.key_id))
    };
    let ids: Vec<&str> = scan.versions.iter().map(|(id, _)| id.as_str()).collect();
    let fates = outlook::fates(view, &ids, goal, rotate);
    let mut known = Vec::new();
    let mut rows = Vec::new();
    for ((id, lines), fate) in scan.versions.iter().zip(fates) {
        let Some((key, at)) = view.version(id) else {
            rows.push(Row {
                label: format!("unknown version {}", crate::tui::ui::text::short_id(id)),
                version: Some(id.clone()),
                primary: false,
                lines: *lines,
                fate,
            });
            continue;
        };
        let order = (view.key_index(&key.key_id).unwrap_or(usize::MAX), at);
        let label = format!("{} v{}", key.reference(), at + 1);
        known.push((
            order,
            Row {
                label,
                version: Some(id.clone()),
                primary: at + 1 == key.versions.len(),
                lines: *lines,
                fate,
            },
        ));
    }
    known.sort_by_key(|(order, _)| *order);
    let mut out: Vec<Row> = known.into_iter().map(|(_, r)| r).collect();
    out.append(&mut rows);
    out.extend(other_rows(scan));
    out
}

fn other_rows(scan: &InputScan) -> Vec<Row> {
    let row = |label: String, lines: u64, fate: Fate| Row {
        label,
        version: None,
        primary: false,
        lines,
        fate,
    };
    let mut out = Vec::new();
    if scan.other_versions > 0 {
        let label = format!("{MAX_VERSIONS}+ other versions");
        out.push(row(label, scan.other_versions, Fate::Fails("not listed")));
    }
    if scan.bad > 0 {
        let first = scan.first_bad.unwrap_or_default();
        let label = format!("not a blob (first: line {first})");
        out.push(row(label, scan.bad, Fate::Fails("bad line")));
    }
    if scan.blank > 0 {
        out.push(row("blank lines".to_owned(), scan.blank, Fate::Kept));
    }
    out
}

/// Lines of keys other than the destination that the drill would move to it (re-encrypted
/// under another key: the plan warns of them). None in place or to an unknown destination.
pub fn foreign_lines(rows: &[Row], view: &VaultView, destination: &str) -> u64 {
    let Some(goal) = (!destination.trim().is_empty())
        .then(|| view.resolve(destination))
        .flatten()
    else {
        return 0;
    };
    rows.iter()
        .filter(|r| r.fate == Fate::Moves)
        .filter_map(|r| {
            view.version(r.version.as_deref()?)
                .map(|(k, _)| (k, r.lines))
        })
        .filter(|(key, _)| key.key_id != goal.key_id)
        .map(|(_, lines)| lines)
        .sum()
}

/// Lines that would move, stay and fail: `(moves, current, fails)`.
pub fn outlook(rows: &[Row]) -> (u64, u64, u64) {
    rows.iter().fold((0, 0, 0), |(m, c, f), r| match r.fate {
        Fate::Moves => (m + r.lines, c, f),
        Fate::Current => (m, c + r.lines, f),
        Fate::Fails(_) => (m, c, f + r.lines),
        Fate::Kept | Fate::Unknown => (m, c, f),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const V1: &str = "11111111-2222-4333-8444-555555555555";
    const V2: &str = "aaaaaaaa-2222-4333-8444-555555555555";

    fn blob(version: &str) -> String {
        let mut bytes = version.as_bytes().to_vec();
        bytes.extend([7u8; 12 + 32 + 16]);
        crate::core::blob::CiphertextBlob::encode(&bytes)
    }

    #[test]
    fn counts_versions_blanks_and_bad_lines_of_both_kinds() {
        let text = format!(
            "{}\n\n{{\"CiphertextBlob\":\"{}\",\"EncryptionContext\":{{\"a\":\"b\"}}}}\nnot a blob\n{}\r\n{{\"CiphertextBlob\":5}}\n\u{feff}{}",
            blob(V1),
            blob(V2),
            blob(V1),
            blob(V2),
        );
        let scan = scan(text.as_bytes()).unwrap_or_default();
        assert_eq!(scan.lines, 7);
        assert_eq!(scan.blank, 1);
        assert_eq!(scan.bad, 2);
        assert_eq!(scan.first_bad, Some(4));
        assert_eq!(
            scan.versions,
            [(V1.to_owned(), 2), (V2.to_owned(), 2)].to_vec()
        );
        assert_eq!(scan.bytes, u64::try_from(text.len()).unwrap_or_default());
    }

    #[test]
    fn a_line_too_long_stops_the_scan() {
        let mut text = format!("{}\n", blob(V1)).into_bytes();
        text.extend(std::iter::repeat_n(b'A', MAX_LINE_BYTES + 10));
        text.extend(format!("\n{}\n", blob(V1)).into_bytes());
        let scan = scan(text.as_slice()).unwrap_or_default();
        assert_eq!(scan.too_long, Some(2));
        assert_eq!(scan.versions, [(V1.to_owned(), 1)].to_vec());
    }

    #[test]
    fn versions_past_the_cap_are_counted_together() {
        let mut text = String::new();
        for i in 0..MAX_VERSIONS + 5 {
            let id = format!("{i:08x}-2222-4333-8444-555555555555");
            text.push_str(&blob(&id));
            text.push('\n');
        }
        let scan = scan(text.as_bytes()).unwrap_or_default();
        assert_eq!(scan.versions.len(), MAX_VERSIONS);
        assert_eq!(scan.other_versions, 5);
        let rows = histogram(&scan, &VaultView::default(), "", false);
        assert_eq!(rows.len(), MAX_VERSIONS + 1);
        assert_eq!(
            outlook(&rows),
            (0, 0, u64::try_from(MAX_VERSIONS).unwrap_or(0) + 5)
        );
    }
}
