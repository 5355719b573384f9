//! The audit log (product §12): `<vault>.audit.jsonl`, one JSON line per operation — who, when,
//! action, the key reference as given, the resolved key and version ids it touched (source and
//! destination for ReEncrypt), alias names, result code and RequestId — each carrying an
//! HMAC-SHA256 chained over the line before it, keyed by a secret held in the vault.
//!
//! The vault also holds the anchor (last seq and MAC at its last write), so `verify` finds lines
//! cut from the end, an emptied or deleted log, as well as an edited, removed, reordered or
//! forged line. Lines from before the chain was keyed (unkeyed SHA-256) verify up to the upgrade.

mod anchor;
mod durable;
mod kept;
mod line;
pub mod pages;
mod tail;
mod verify;

use std::fs::File;
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::paths;
use super::vault_file::VaultError;
use super::vault_file::{lock_exclusive, lock_shared, private_options};

pub use self::anchor::{AuditAnchor, AuditHead, AuditKey};
pub use self::verify::AuditVerifyReport;

/// One operation, as the caller reports it. Never put plaintext, encryption-context values or
/// key material in any field, `details` included.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct AuditRecord {
    /// When, as an API date (`2026-11-28T10:00:00Z`).
    pub time: String,
    pub principal: String,
    /// The API action name (`ReEncrypt`).
    pub action: String,
    /// The key reference as the request gave it (`KeyId`, or `DestinationKeyId` of ReEncrypt):
    /// a KeyId, an ARN or an alias.
    #[serde(default)]
    pub key_ref: Option<String>,
    /// The resolved KeyId of the key the call touched (the destination of ReEncrypt), where
    /// resolution succeeded.
    pub key_id: Option<String>,
    pub key_version_id: Option<String>,
    /// ReEncrypt: the key and version the ciphertext came from.
    #[serde(default)]
    pub source_key_id: Option<String>,
    #[serde(default)]
    pub source_key_version_id: Option<String>,
    /// Alias actions: the alias name (`alias/orders`).
    #[serde(default)]
    pub alias_name: Option<String>,
    /// `Success` or the error `Code`.
    pub result: String,
    pub request_id: String,
    /// Extra facts such as drill counts or principal names; never secrets.
    pub details: Option<serde_json::Value>,
}

/// What closes a line: a MAC keyed by the vault's audit key, or, on lines written before the
/// chain was keyed, a plain SHA-256 hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Seal {
    Mac(String),
    Hash(String),
}

impl Seal {
    /// The hex value the next line's `prev` repeats.
    pub fn value(&self) -> &str {
        match self {
            Self::Mac(v) | Self::Hash(v) => v,
        }
    }
}

/// One line of the log. Serializes as the line does (the record's fields inline, then `prev`
/// and `mac` — or `hash` on an unkeyed line).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// The line number, from 1.
    pub seq: u64,
    #[serde(flatten)]
    pub record: AuditRecord,
    /// The chain value of the line before (64 zeros on the first line).
    pub prev: String,
    #[serde(flatten)]
    pub seal: Seal,
}

impl AuditEntry {
    /// This line's chain value (its MAC, or its hash if unkeyed).
    pub fn chain(&self) -> &str {
        self.seal.value()
    }
}

/// The audit log of one vault. Its clones share one open file and what is known of its last
/// line (see `kept`), so a long-lived writer appends without reading the log back each time.
#[derive(Debug, Clone)]
pub struct AuditLog {
    path: PathBuf,
    kept: kept::Shared,
}

/// Lines being appended: the log stays locked (so no other process appends in between) until
/// [`PendingAppend::commit`] writes them, or the value is dropped, which writes nothing.
#[derive(Debug)]
pub struct PendingAppend {
    /// `Some` until committed or dropped, when it is unlocked and given back to be kept.
    file: Option<File>,
    path: PathBuf,
    kept: kept::Shared,
    out: Vec<u8>,
    head: AuditHead,
    pushed: usize,
    /// Where `out` starts: the log's length when it was locked, moved on past lines already
    /// written and synced ([`PendingAppend::write_synced`]).
    start: u64,
    /// The log's length when it was locked: what [`PendingAppend::undo`] cuts back to.
    locked_len: u64,
    /// Which file it is, and its last line as found when it was locked (`None` if that line
    /// was damaged or cut short: nothing is then remembered of it).
    id: Option<kept::FileId>,
    found: Option<AuditHead>,
}

impl PendingAppend {
    /// The last line, counting the lines pushed so far.
    pub fn head(&self) -> &AuditHead {
        &self.head
    }

    /// Adds the line of `record`, chained to the last one.
    pub fn push(&mut self, key: &AuditKey, record: &AuditRecord) -> Result<(), VaultError> {
        let seq = self.head.seq.saturating_add(1);
        let prev = self.head.mac.as_deref().unwrap_or(line::ZERO_HASH);
        let (bytes, mac) = line::encode(seq, record, prev, key)?;
        self.out.extend_from_slice(&bytes);
        self.pushed += 1;
        self.head = AuditHead {
            seq,
            mac: Some(mac),
            offset: self
                .start
                .saturating_add(u64::try_from(self.out.len()).unwrap_or(u64::MAX)),
        };
        Ok(())
    }

    /// Whether the line ending at byte `offset` of the log is still line `seq` with chain value
    /// `mac` — one read, to check an anchor before moving it on.
    pub fn still_holds(&mut self, seq: u64, mac: Option<&str>, offset: u64) -> bool {
        if seq == 0 {
            return true;
        }
        let Some(file) = self.file.as_mut() else {
            return false;
        };
        if offset > self.start {
            return false;
        }
        matches!(
            tail::last_line(file, offset),
            Ok(Some(t)) if t.complete
                && line::parse(&t.line).is_ok_and(|e| e.seq == seq && Some(e.chain()) == mac)
        )
    }

    /// Writes the lines pushed, in one write, and unlocks the log. With no line pushed the log
    /// is left as it was.
    pub fn commit(mut self) -> Result<(), VaultError> {
        let Some(file) = self.file.take() else {
            return Ok(());
        };
        let written = if self.pushed > 0 {
            let len = u64::try_from(self.out.len()).unwrap_or(u64::MAX);
            let written = (&file).write_all(&self.out);
            if written.is_err() {
                // A full disk may take part of the lines: cut them off, so no half line stays.
                let _ = file.set_len(self.start);
            }
            written.map(|()| Some(self.head.clone()).zip(self.start.checked_add(len)))
        } else {
            Ok(self.found.clone().map(|head| (head, self.start)))
        };
        // A failed write may have left part of a line: nothing is remembered then.
        let known = written.as_ref().ok().and_then(Option::clone);
        let unlocked = self.give_back(file, known);
        written.map_err(|e| VaultError::io("append to", &self.path, &e))?;
        unlocked
    }

    /// Unlocks `file` and keeps it open for the next append, with its last line if known.
    fn give_back(&self, file: File, known: Option<(AuditHead, u64)>) -> Result<(), VaultError> {
        let unlocked = file
            .unlock()
            .map_err(|e| VaultError::io("unlock", &self.path, &e));
        if unlocked.is_ok() {
            let known = self
                .id
                .zip(known)
                .map(|(id, (head, len))| kept::Known { id, len, head });
            kept::give_back(&self.kept, file, known);
        }
        unlocked
    }
}

impl Drop for PendingAppend {
    /// Nothing pushed is written; the log is unlocked (closing the file would unlock it too).
    fn drop(&mut self) {
        if let Some(file) = self.file.take() {
            let found = self.found.clone().map(|head| (head, self.start));
            let _ = self.give_back(file, found);
        }
    }
}

impl AuditLog {
    /// The log beside the vault at `vault_path`: `<vault>.audit.jsonl`.
    pub fn for_vault(vault_path: &Path) -> Self {
        Self::at(paths::audit_path(vault_path))
    }

    /// A log at an explicit path.
    pub fn at(path: PathBuf) -> Self {
        Self {
            path,
            kept: Arc::default(),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one keyed line (see [`AuditLog::begin`]) and gives the new head.
    pub fn append(&self, key: &AuditKey, record: &AuditRecord) -> Result<AuditHead, VaultError> {
        let mut pending = self.begin()?;
        pending.push(key, record)?;
        let head = pending.head().clone();
        pending.commit()?;
        Ok(head)
    }

    /// Locks the log (exclusively: several processes can append at once) and finds its last
    /// line, to append after it. If the log ends in a damaged line, the new lines follow it on
    /// lines of their own and `audit verify` reports the damage; a sound last line that only
    /// lost its newline gets it back.
    pub fn begin(&self) -> Result<PendingAppend, VaultError> {
        let io_err = |what: &str, e: &io::Error| VaultError::io(what, &self.path, e);
        let (mut file, known) = match kept::take(&self.kept, &self.path) {
            Some(k) => (k.file, k.known),
            None => (self.open()?, None),
        };
        lock_exclusive(&file, &self.path).map_err(|e| io_err("lock", &e))?;
        let meta = file
            .metadata()
            .map_err(|e| io_err("read the size of", &e))?;
        let (len, id) = (meta.len(), kept::FileId::of(&meta));
        let mut pending = PendingAppend {
            file: None,
            path: self.path.clone(),
            kept: Arc::clone(&self.kept),
            head: AuditHead::default(),
            pushed: 0,
            start: len,
            locked_len: len,
            out: Vec::new(),
            id,
            found: None,
        };
        // Unchanged since this process last wrote or read it: its last line is known.
        if let Some(head) = id.and_then(|id| kept::still_valid(known, id, len)) {
            pending.found = Some(head.clone());
            pending.head = head;
            pending.file = Some(file);
            return Ok(pending);
        }
        let found = tail::find_head(&mut file, len).map_err(|e| io_err("read", &e));
        pending.file = Some(file);
        let (head, ending) = found?;
        if ending == tail::Ending::Cut {
            pending.out.push(b'\n');
        }
        pending.found = (ending == tail::Ending::Sound).then(|| head.clone());
        pending.head = head;
        Ok(pending)
    }

    fn open(&self) -> Result<File, VaultError> {
        private_options()
            .read(true)
            .append(true)
            .create(true)
            .open(&self.path)
            .map_err(|e| VaultError::io("open", &self.path, &e))
    }

    /// Holds off appends and anchored vault writes (which lock the log from before the vault
    /// write until their lines are written) while the guard lives: read the vault's anchor and
    /// then verify under it, so a change caught between its vault write and its lines is never
    /// mistaken for a cut log. `None` if there is no log. Take it after any slow key derivation.
    pub fn read_lock(&self) -> Result<Option<File>, VaultError> {
        let file = match File::open(&self.path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(VaultError::io("open", &self.path, &e)),
        };
        lock_shared(&file, &self.path).map_err(|e| VaultError::io("lock", &self.path, &e))?;
        Ok(Some(file))
    }

    /// The last line of the log (seq 0 if it is empty or missing). Creates nothing.
    pub fn head(&self) -> Result<AuditHead, VaultError> {
        if !self.path.exists() {
            return Ok(AuditHead::default());
        }
        Ok(self.begin()?.head().clone())
    }

    /// Every line, in order, checked for shape (a keyed line's MAC needs the vault's key: see
    /// [`AuditLog::verify`]). A missing log is empty; a damaged line is an error.
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

    /// Calls `f(line number, line without newline, had a newline)` for each line until it
    /// returns `false`. Streams, so a long log is never held in memory. `Ok(false)` if the log
    /// does not exist.
    fn for_each_line(
        &self,
        mut f: impl FnMut(usize, &[u8], bool) -> Result<bool, VaultError>,
    ) -> Result<bool, VaultError> {
        let file = match File::open(&self.path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
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
        Ok(true)
    }
}
