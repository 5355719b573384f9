//! The replay cache: which `SignatureNonce`s were seen in the timestamp window. Bounded in
//! memory: at most `capacity` entries, each a 64-bit keyed hash of (AccessKeyId, nonce) and the
//! time it was seen; entries leave after twice the window (a request's timestamp may lie up to
//! one window ahead of the clock), or, when the cache is full, oldest first.

use std::collections::{HashMap, VecDeque};
use std::hash::BuildHasher;

use foldhash::fast::FixedState;

use crate::core::clock::UnixTime;

/// How far a request's timestamp may be from the server's clock, in seconds (Alibaba: 15 min).
pub const TIMESTAMP_WINDOW: i64 = 15 * 60;

/// The default bound: 2^19 entries, about 42 MiB at most (a map of 2^21 slots and a queue of
/// 2^19), reached once the cache is full.
pub const DEFAULT_CAPACITY: usize = 1 << 19;

/// Seen nonces, oldest first.
pub struct NonceCache {
    capacity: usize,
    seen: HashMap<u64, UnixTime, FixedState>,
    order: VecDeque<(UnixTime, u64)>,
    hasher: foldhash::quality::RandomState,
}

impl NonceCache {
    /// The tables are sized for the bound at once (the map at twice it): under steady churn a
    /// full map of removed-and-inserted keys then rehashes in place instead of doubling, so the
    /// memory reached when the cache first fills is all it ever takes.
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Self {
            capacity,
            seen: HashMap::with_capacity_and_hasher(2 * capacity, FixedState::default()),
            order: VecDeque::with_capacity(capacity),
            hasher: foldhash::quality::RandomState::default(),
        }
    }

    /// Records a nonce seen at `now`; `false` if it was seen before (a replay).
    pub fn insert(&mut self, access_key_id: &str, nonce: &str, now: UnixTime) -> bool {
        self.expire(now);
        let key = self.hasher.hash_one((access_key_id, nonce));
        if self.seen.contains_key(&key) {
            return false;
        }
        while self.order.len() >= self.capacity {
            if let Some((_, old)) = self.order.pop_front() {
                self.seen.remove(&old);
            }
        }
        self.seen.insert(key, now);
        self.order.push_back((now, key));
        true
    }

    /// How many nonces are remembered.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    fn expire(&mut self, now: UnixTime) {
        while let Some(&(at, key)) = self.order.front() {
            if now - at <= 2 * TIMESTAMP_WINDOW {
                break;
            }
            self.order.pop_front();
            self.seen.remove(&key);
        }
    }
}

impl Default for NonceCache {
    fn default() -> Self {
        Self::new(DEFAULT_CAPACITY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nonce_is_accepted_once_per_access_key() {
        let mut cache = NonceCache::new(8);
        assert!(cache.insert("ak1", "n1", 100));
        assert!(!cache.insert("ak1", "n1", 101));
        assert!(cache.insert("ak2", "n1", 101));
    }

    #[test]
    fn nonces_expire_after_twice_the_window() {
        let mut cache = NonceCache::new(8);
        assert!(cache.insert("ak", "n", 0));
        assert!(!cache.insert("ak", "n", 2 * TIMESTAMP_WINDOW));
        assert!(cache.insert("ak", "n", 2 * TIMESTAMP_WINDOW + 1));
    }

    #[test]
    fn churn_never_grows_the_tables() {
        let mut cache = NonceCache::new(1024);
        let (map, queue) = (cache.seen.capacity(), cache.order.capacity());
        for i in 0..50_000 {
            assert!(cache.insert("ak", &i.to_string(), 0));
        }
        // (The map's capacity counts the slots its removed keys still hold: it may read lower.)
        assert!(
            cache.seen.capacity() <= map,
            "{} > {map}",
            cache.seen.capacity()
        );
        assert_eq!(cache.order.capacity(), queue);
    }

    #[test]
    fn the_cache_stays_within_its_bound() {
        let mut cache = NonceCache::new(4);
        for i in 0..100 {
            assert!(cache.insert("ak", &i.to_string(), 0));
        }
        assert_eq!(cache.len(), 4);
        assert!(!cache.insert("ak", "99", 0));
    }
}
