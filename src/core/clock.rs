//! Time and identifiers come through these injectable sources so tests and snapshots are stable.
//! (Key material and IVs never do: they always come from the OS random source.)

use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

/// Seconds since the Unix epoch, UTC.
pub type UnixTime = i64;

/// The current time.
pub trait Clock: Send + Sync {
    fn now(&self) -> UnixTime;
}

/// Fresh identifiers: KeyIds, KeyVersionIds and RequestIds are UUIDs.
pub trait IdSource: Send + Sync {
    fn uuid(&self) -> String;
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> UnixTime {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        i64::try_from(now).unwrap_or(i64::MAX)
    }
}

/// Random (v4) UUIDs. Ids are not secrets, so they come from the thread-local CSPRNG (seeded from
/// the OS) rather than a system call per id: a RequestId is drawn for every request.
#[derive(Debug, Default, Clone, Copy)]
pub struct RandomIds;

impl IdSource for RandomIds {
    fn uuid(&self) -> String {
        use rand::RngExt;
        let bytes: [u8; 16] = rand::rng().random();
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .hyphenated()
            .to_string()
    }
}

/// A clock that stands still until moved; for tests, snapshots and drills of rotation.
#[derive(Debug)]
pub struct FixedClock(AtomicI64);

impl FixedClock {
    pub fn new(at: UnixTime) -> Self {
        Self(AtomicI64::new(at))
    }

    /// Moves the clock forward by `seconds`.
    pub fn advance(&self, seconds: i64) {
        self.0.fetch_add(seconds, Ordering::SeqCst);
    }

    pub fn set(&self, at: UnixTime) {
        self.0.store(at, Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> UnixTime {
        self.0.load(Ordering::SeqCst)
    }
}

/// Counting UUIDs (`00000000-0000-4000-8000-000000000001`, …) with an optional prefix byte, so
/// snapshots do not change from run to run.
#[derive(Debug, Default)]
pub struct SequentialIds {
    next: AtomicU64,
    prefix: Mutex<u32>,
}

impl SequentialIds {
    pub fn new() -> Self {
        Self::default()
    }

    /// Ids with `prefix` as their first eight hex digits.
    pub fn with_prefix(prefix: u32) -> Self {
        Self {
            next: AtomicU64::new(0),
            prefix: Mutex::new(prefix),
        }
    }
}

impl IdSource for SequentialIds {
    fn uuid(&self) -> String {
        let n = self.next.fetch_add(1, Ordering::SeqCst) + 1;
        let prefix = self.prefix.lock().map_or(0, |p| *p);
        format!("{prefix:08x}-0000-4000-8000-{n:012x}")
    }
}

/// Formats a Unix time as the API's UTC date, `yyyy-MM-ddTHH:mm:ssZ`.
pub fn format_date(t: UnixTime) -> String {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day); H. Hinnant's algorithm.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_api_dates() {
        assert_eq!(format_date(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_date(1_459_134_788), "2016-03-28T03:13:08Z");
        assert_eq!(format_date(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn sequential_ids_are_uuids() {
        let ids = SequentialIds::new();
        let a = ids.uuid();
        assert_eq!(a.len(), 36);
        assert!(uuid::Uuid::parse_str(&a).is_ok());
        assert_ne!(a, ids.uuid());
    }
}
