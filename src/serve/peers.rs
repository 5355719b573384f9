//! Peers whose requests were refused before dispatch lately (issue 15: the endpoint under
//! abuse). A connection from one of them starts [`Standing::Suspect`], so a client sending forged
//! requests cannot win back the valid clients' queue by opening a new connection for each; one
//! accepted signature on a connection makes that connection good again. Peers are IPv4 addresses
//! and IPv6 /64 networks (a host holds a whole /64), so clients behind one address share a
//! standing for the first request of a connection only.
//!
//! [`Standing::Suspect`]: super::pool::Standing::Suspect

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a refusal is remembered.
const MEMORY: Duration = Duration::from_secs(10);
/// Most peers remembered: past it, those not refused within [`MEMORY`] are forgotten, then the
/// half refused longest ago (a flood from many addresses costs at most this map, and cannot
/// wipe the memory of the latest ones).
const MAX_PEERS: usize = 4096;

#[derive(Debug, Default)]
pub(crate) struct RefusedPeers {
    last: Mutex<HashMap<IpAddr, Instant>>,
}

impl RefusedPeers {
    /// A request from `peer` was refused before dispatch at `now`.
    pub(crate) fn note(&self, peer: IpAddr, now: Instant) {
        let Ok(mut last) = self.last.lock() else {
            return;
        };
        last.insert(key(peer), now);
        if last.len() > MAX_PEERS {
            last.retain(|_, at| now.saturating_duration_since(*at) < MEMORY);
        }
        if last.len() > MAX_PEERS {
            let mut times: Vec<Instant> = last.values().copied().collect();
            let (_, &mut median, _) = times.select_nth_unstable(MAX_PEERS / 2);
            last.retain(|_, at| *at > median);
            // Kept even when it was refused at that same instant.
            last.insert(key(peer), now);
        }
    }

    /// Whether a request from `peer` was refused within [`MEMORY`] before `now`.
    pub(crate) fn recently(&self, peer: IpAddr, now: Instant) -> bool {
        self.last.lock().is_ok_and(|last| {
            last.get(&key(peer))
                .is_some_and(|at| now.saturating_duration_since(*at) < MEMORY)
        })
    }
}

/// An IPv4 address as it is; an IPv6 address as its /64 network (an IPv4-mapped one as IPv4).
fn key(peer: IpAddr) -> IpAddr {
    match peer {
        IpAddr::V4(_) => peer,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(v6.to_bits() & !u128::from(u64::MAX))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn ip(n: u32) -> IpAddr {
        IpAddr::V4(Ipv4Addr::from(n))
    }

    #[test]
    fn a_refusal_is_remembered_for_a_while_and_the_map_stays_bounded() {
        let peers = RefusedPeers::default();
        let t0 = Instant::now();
        assert!(!peers.recently(ip(1), t0));
        peers.note(ip(1), t0);
        assert!(peers.recently(ip(1), t0 + Duration::from_secs(9)));
        assert!(!peers.recently(ip(1), t0 + MEMORY));
        assert!(!peers.recently(ip(2), t0));
        // A flood from many addresses: the map never holds more than MAX_PEERS.
        for n in 0..3 * u32::try_from(MAX_PEERS).unwrap_or(u32::MAX) {
            peers.note(ip(n), t0);
            assert!(peers.last.lock().unwrap().len() <= MAX_PEERS);
        }
        // A flood from many addresses within the memory keeps the latest ones.
        let peers = RefusedPeers::default();
        let cap = u32::try_from(MAX_PEERS).unwrap_or(u32::MAX);
        for n in 0..2 * cap {
            peers.note(ip(n), t0 + Duration::from_micros(u64::from(n)));
        }
        let end = t0 + Duration::from_micros(u64::from(2 * cap));
        assert!(peers.recently(ip(2 * cap - 1), end), "the latest stays");
        assert!(!peers.recently(ip(0), end), "the oldest went");
        // Old refusals are forgotten first.
        let later = t0 + MEMORY + Duration::from_secs(1);
        peers.note(ip(7), later);
        peers.note(ip(8), later);
        assert!(peers.recently(ip(7), later) && peers.recently(ip(8), later));
    }

    #[test]
    fn an_ipv6_host_is_its_64_network() {
        let peers = RefusedPeers::default();
        let t0 = Instant::now();
        peers.note("2001:db8:1:2:aaaa::1".parse().unwrap(), t0);
        assert!(peers.recently("2001:db8:1:2:ffff::9".parse().unwrap(), t0));
        assert!(!peers.recently("2001:db8:1:3::1".parse().unwrap(), t0));
        peers.note("::ffff:10.0.0.1".parse().unwrap(), t0);
        assert!(peers.recently("10.0.0.1".parse().unwrap(), t0));
    }
}
