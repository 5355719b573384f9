//! Peers whose requests were refused before dispatch lately (issue 15: the endpoint under
//! abuse). A connection from one of them starts [`Standing::Suspect`], so a client sending forged
//! requests cannot win back the valid clients' queue by opening a new connection for each; one
//! accepted signature on a connection makes that connection good again. Peers are IP addresses,
//! so clients behind one address share a standing for the first request of a connection only.
//!
//! [`Standing::Suspect`]: super::pool::Standing::Suspect

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a refusal is remembered.
const MEMORY: Duration = Duration::from_secs(10);
/// Most peers remembered: past it, those not refused within [`MEMORY`] are forgotten, and if
/// every one was, all are (a flood from many addresses then costs at most this map).
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
        last.insert(peer, now);
        if last.len() > MAX_PEERS {
            last.retain(|_, at| now.saturating_duration_since(*at) < MEMORY);
            if last.len() > MAX_PEERS {
                last.clear();
            }
        }
    }

    /// Whether a request from `peer` was refused within [`MEMORY`] before `now`.
    pub(crate) fn recently(&self, peer: IpAddr, now: Instant) -> bool {
        self.last.lock().is_ok_and(|last| {
            last.get(&peer)
                .is_some_and(|at| now.saturating_duration_since(*at) < MEMORY)
        })
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
        // Old refusals are forgotten first.
        let later = t0 + MEMORY + Duration::from_secs(1);
        peers.note(ip(7), later);
        peers.note(ip(8), later);
        assert!(peers.recently(ip(7), later) && peers.recently(ip(8), later));
    }
}
