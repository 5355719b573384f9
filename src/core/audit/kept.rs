//! The log kept open between appends of one process, with its last line remembered, so that a
//! long-lived writer (`serve`) appends without reopening the file and reading back its tail.
//!
//! What is remembered is only trusted under the log's lock, and only while the file is the one
//! the path names (same device and inode) and has the length it had when its last line was
//! `head`. Any append by another process (CLI, console) changes the length, so the tail is read
//! again; a log replaced, moved away or deleted no longer matches the path, so it is reopened.

use std::fs::{File, Metadata};
use std::path::Path;
use std::sync::{Arc, Mutex};

use super::anchor::AuditHead;

/// The open log shared by the clones of one `AuditLog`.
pub(crate) type Shared = Arc<Mutex<Option<Kept>>>;

/// An open log file and, when known, its last line.
#[derive(Debug)]
pub(crate) struct Kept {
    pub(crate) file: File,
    pub(crate) known: Option<Known>,
}

/// The log's last line as of a moment when it was `len` bytes long and `id` was its identity.
#[derive(Debug, Clone)]
pub(crate) struct Known {
    pub(crate) id: FileId,
    pub(crate) len: u64,
    pub(crate) head: AuditHead,
}

/// Device and inode: which file an open handle or a path refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FileId {
    dev: u64,
    ino: u64,
}

impl FileId {
    /// `None` where the platform gives no inode: nothing is then remembered between appends.
    #[allow(clippy::unnecessary_wraps)] // `Some` on unix only
    pub(crate) fn of(meta: &Metadata) -> Option<Self> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Some(Self {
                dev: meta.dev(),
                ino: meta.ino(),
            })
        }
        #[cfg(not(unix))]
        {
            let _ = meta;
            None
        }
    }
}

/// Takes the kept file out (so no other thread of this process uses it meanwhile), if the path
/// still names it. A file that no longer does is closed.
pub(crate) fn take(shared: &Shared, path: &Path) -> Option<Kept> {
    let kept = shared.lock().ok()?.take()?;
    let at_path = std::fs::metadata(path).ok().and_then(|m| FileId::of(&m));
    let open = kept.file.metadata().ok().and_then(|m| FileId::of(&m));
    (at_path.is_some() && at_path == open).then_some(kept)
}

/// Gives a file back to be kept, unlocked, with what is known of it. Another thread's file,
/// given back meanwhile, is replaced (and closed): either is fine, since what is known is
/// checked again before use.
pub(crate) fn give_back(shared: &Shared, file: File, known: Option<Known>) {
    if let Ok(mut slot) = shared.lock() {
        *slot = Some(Kept { file, known });
    }
}

/// `known`'s head, if it still describes the file: the same file at the same length.
pub(crate) fn still_valid(known: Option<Known>, id: FileId, len: u64) -> Option<AuditHead> {
    known.filter(|k| k.id == id && k.len == len).map(|k| k.head)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::sync::mpsc;
    use std::time::Duration;

    use super::super::{AuditAnchor, AuditHead, AuditKey, AuditLog, AuditRecord};

    fn record(n: usize) -> AuditRecord {
        AuditRecord {
            time: "2026-11-28T10:00:00Z".into(),
            principal: "admin".into(),
            action: "Encrypt".into(),
            result: "Success".into(),
            request_id: format!("req-{n}"),
            ..AuditRecord::default()
        }
    }

    fn anchor() -> AuditAnchor {
        AuditAnchor::new(AuditKey::generate().unwrap(), &AuditHead::default())
    }

    /// The seqs of the log, and whether its chain verifies.
    fn seqs(log: &AuditLog, anchor: &AuditAnchor) -> (Vec<u64>, bool) {
        let seqs = log.read().unwrap().iter().map(|e| e.seq).collect();
        (seqs, log.verify(Some(anchor)).unwrap().ok)
    }

    #[test]
    fn a_kept_log_sees_what_other_writers_appended() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vault.audit.jsonl");
        let (kept, a) = (AuditLog::at(path.clone()), anchor());
        // Another process: its own handle, nothing shared.
        let other = AuditLog::at(path);
        let shared = kept.clone();
        for n in 0..6 {
            match n % 3 {
                0 => kept.append(&a.key, &record(n)).unwrap(),
                1 => other.append(&a.key, &record(n)).unwrap(),
                _ => shared.append(&a.key, &record(n)).unwrap(),
            };
        }
        assert_eq!(seqs(&kept, &a), ((1..=6).collect(), true));
        assert_eq!(kept.head().unwrap().seq, 6);
    }

    #[test]
    fn a_kept_log_follows_a_log_deleted_or_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vault.audit.jsonl");
        let (log, a) = (AuditLog::at(path.clone()), anchor());
        log.append(&a.key, &record(1)).unwrap();
        log.append(&a.key, &record(2)).unwrap();
        // Deleted: the next line starts a new log (verify then reports the cut, via the anchor).
        std::fs::remove_file(&path).unwrap();
        assert_eq!(log.append(&a.key, &record(3)).unwrap().seq, 1);
        assert_eq!(seqs(&log, &a), (vec![1], true));
        // Replaced by another file of three lines: the next line follows them.
        let elsewhere = dir.path().join("other.jsonl");
        let other = AuditLog::at(elsewhere.clone());
        for n in 0..3 {
            other.append(&a.key, &record(n)).unwrap();
        }
        std::fs::rename(&elsewhere, &path).unwrap();
        assert_eq!(log.append(&a.key, &record(4)).unwrap().seq, 4);
        assert_eq!(seqs(&log, &a), ((1..=4).collect(), true));
    }

    #[test]
    fn a_dropped_append_leaves_the_log_unlocked_and_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vault.audit.jsonl");
        let (log, a) = (AuditLog::at(path.clone()), anchor());
        log.append(&a.key, &record(1)).unwrap();
        let mut pending = log.begin().unwrap();
        pending.push(&a.key, &record(2)).unwrap();
        drop(pending);
        // The file stays open here; a lock left on it would block another writer for ever.
        let (tx, rx) = mpsc::channel();
        let key = a.key.clone();
        std::thread::spawn(move || {
            let _ = tx.send(AuditLog::at(path).append(&key, &record(3)).map(|h| h.seq));
        });
        let seq = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("not locked");
        assert_eq!(seq.unwrap(), 2);
        assert_eq!(log.append(&a.key, &record(4)).unwrap().seq, 3);
        assert_eq!(seqs(&log, &a), ((1..=3).collect(), true));
    }
}
