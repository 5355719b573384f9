//! The open connections and who makes room when they reach the limit (product §13: a slow or
//! hostile client cannot exhaust the endpoint). A connection is `Fresh` until its first request
//! arrives, `Waiting` while that request waits in the pool's suspect queue (see `pool`), `Busy`
//! while a request is in the handler, `Idle` between requests. At the limit a new connection
//! closes the oldest `Fresh` one (an idle or slow-loris client that never sent a request), else
//! the oldest `Waiting` one (a flooder whose forged request has not started), else the `Idle` one
//! unused the longest; a `Busy` one is never closed. If every connection is busy, the newcomer is
//! closed at once. So thousands of idle or half-open
//! connections cost one accept and one close each, and never starve a client that sends requests.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

use super::pool::Standing;

const FRESH: u8 = 0;
const BUSY: u8 = 1;
const IDLE: u8 = 2;
/// Its request waits in the pool's suspect queue, not started.
const WAITING: u8 = 3;

/// One connection as the registry sees it.
#[derive(Debug, Default)]
pub(crate) struct Conn {
    state: AtomicU8,
    /// The tick of its last request (0: none yet).
    last: AtomicU64,
    /// Told to make room (set under the registry's lock).
    leaving: AtomicBool,
    /// Its last request was refused for its own fault (see [`Standing`]).
    suspect: AtomicBool,
    /// Told when it is to make room.
    pub(crate) evict: Notify,
}

impl Conn {
    /// A request arrived: unless it waits in the suspect queue, the connection may no longer
    /// be closed until it is answered. Returns the queue it waits in.
    pub(crate) fn busy(&self) -> Standing {
        let standing = self.standing();
        let state = match standing {
            Standing::Good => BUSY,
            Standing::Suspect => WAITING,
        };
        self.state.store(state, Ordering::SeqCst);
        standing
    }

    /// Its request left the queue for a handler thread.
    pub(crate) fn started(&self) {
        self.state.store(BUSY, Ordering::SeqCst);
    }

    /// Its request was answered; `refused` if for its own fault (see [`Standing`]).
    pub(crate) fn answered(&self, refused: bool) {
        self.suspect.store(refused, Ordering::Relaxed);
    }

    /// The answer went out.
    pub(crate) fn idle(&self, tick: u64) {
        self.last.store(tick, Ordering::Relaxed);
        self.state.store(IDLE, Ordering::SeqCst);
    }

    /// Its peer was refused lately: its first request waits in the suspect queue.
    pub(crate) fn distrust(&self) {
        self.suspect.store(true, Ordering::Relaxed);
    }

    /// The queue its next request waits in.
    pub(crate) fn standing(&self) -> Standing {
        if self.suspect.load(Ordering::Relaxed) {
            Standing::Suspect
        } else {
            Standing::Good
        }
    }

    /// Whether it can be dropped at once: it never had a request, or its request still waits
    /// in the suspect queue (dropping the connection drops that call unrun).
    pub(crate) fn droppable(&self) -> bool {
        matches!(self.state.load(Ordering::SeqCst), FRESH | WAITING)
    }
}

/// The open connections, by id (ids grow, so a smaller id is an older connection).
#[derive(Debug, Default)]
pub(crate) struct Registry {
    inner: Mutex<Inner>,
    ticks: AtomicU64,
}

#[derive(Debug, Default)]
struct Inner {
    next: u64,
    open: HashMap<u64, Arc<Conn>>,
    /// How many of `open` are leaving.
    leaving: usize,
}

/// What to do with a connection just accepted.
pub(crate) enum Admit {
    /// Serve it; `id` unregisters it when it closes.
    Serve { id: u64, conn: Arc<Conn> },
    /// Close it at once: every connection is busy.
    Refuse,
}

impl Registry {
    /// A monotonic tick for [`Conn::idle`].
    pub(crate) fn tick(&self) -> u64 {
        self.ticks.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Registers a new connection under `limit`, telling another to make room if needed.
    pub(crate) fn admit(&self, limit: usize) -> Admit {
        let Ok(mut inner) = self.inner.lock() else {
            return Admit::Refuse;
        };
        let staying = inner.open.len().saturating_sub(inner.leaving);
        if staying >= limit {
            // Those told to leave are closing; more than `limit` of them means they are slow to.
            if inner.leaving >= limit {
                return Admit::Refuse;
            }
            let Some(victim) = victim(&inner.open) else {
                return Admit::Refuse;
            };
            victim.leaving.store(true, Ordering::SeqCst);
            victim.evict.notify_one();
            inner.leaving += 1;
        }
        let id = inner.next;
        inner.next += 1;
        let conn = Arc::new(Conn::default());
        inner.open.insert(id, Arc::clone(&conn));
        Admit::Serve { id, conn }
    }

    /// Unregisters a closed connection.
    pub(crate) fn close(&self, id: u64) {
        if let Ok(mut inner) = self.inner.lock()
            && let Some(conn) = inner.open.remove(&id)
            && conn.leaving.load(Ordering::SeqCst)
        {
            inner.leaving = inner.leaving.saturating_sub(1);
        }
    }

    /// Open connections.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.inner.lock().map_or(0, |i| i.open.len())
    }
}

/// The oldest fresh connection, else the oldest one whose request waits in the suspect queue,
/// else the idle one unused the longest.
fn victim(open: &HashMap<u64, Arc<Conn>>) -> Option<&Arc<Conn>> {
    let staying = || {
        open.iter()
            .filter(|(_, c)| !c.leaving.load(Ordering::SeqCst))
    };
    for state in [FRESH, WAITING] {
        let oldest = staying()
            .filter(|(_, c)| c.state.load(Ordering::SeqCst) == state)
            .min_by_key(|(id, _)| **id);
        if let Some((_, conn)) = oldest {
            return Some(conn);
        }
    }
    staying()
        .map(|(_, c)| c)
        .filter(|c| c.state.load(Ordering::SeqCst) == IDLE)
        .min_by_key(|c| c.last.load(Ordering::Relaxed))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    fn admit(r: &Registry, limit: usize) -> (u64, Arc<Conn>) {
        match r.admit(limit) {
            Admit::Serve { id, conn } => (id, conn),
            Admit::Refuse => panic!("refused"),
        }
    }

    #[test]
    fn a_connection_is_suspect_while_its_last_request_was_refused() {
        let r = Registry::default();
        let (_, conn) = admit(&r, 4);
        assert_eq!(conn.standing(), Standing::Good, "a new connection");
        assert_eq!(conn.busy(), Standing::Good);
        conn.answered(true);
        conn.idle(r.tick());
        assert_eq!(conn.standing(), Standing::Suspect);
        assert!(!conn.droppable(), "idle between requests");
        assert_eq!(conn.busy(), Standing::Suspect);
        assert!(conn.droppable(), "its request waits in the suspect queue");
        conn.started();
        assert!(!conn.droppable(), "its request is being answered");
        conn.answered(false);
        conn.idle(r.tick());
        assert_eq!(
            conn.standing(),
            Standing::Good,
            "one accepted signature clears it"
        );
    }

    #[test]
    fn a_request_waiting_in_the_suspect_queue_makes_room_before_an_idle_client() {
        let r = Registry::default();
        let (_, good) = admit(&r, 2);
        good.busy();
        good.idle(r.tick());
        let (_, flooder) = admit(&r, 2);
        flooder.distrust();
        assert_eq!(flooder.busy(), Standing::Suspect);
        let _ = admit(&r, 2);
        assert!(
            flooder.leaving.load(Ordering::SeqCst),
            "the waiting flooder goes"
        );
        assert!(
            !good.leaving.load(Ordering::SeqCst),
            "the idle client stays"
        );
    }

    #[test]
    fn at_the_limit_the_oldest_fresh_then_the_longest_idle_make_room() {
        let r = Registry::default();
        let (a, ca) = admit(&r, 3);
        let (_, cb) = admit(&r, 3);
        let (_, cc) = admit(&r, 3);
        ca.busy();
        cb.busy();
        cb.idle(r.tick());
        // c is fresh: it goes first, though b is idle and older.
        let (_, cd) = admit(&r, 3);
        assert!(
            cc.leaving.load(Ordering::SeqCst) && cc.droppable(),
            "c chosen"
        );
        assert_eq!(r.len(), 4, "c counts until it unregisters");
        cd.busy();
        cd.idle(r.tick());
        // No fresh one left: b, idle longer than d, goes next; a is busy.
        let (_, ce) = admit(&r, 3);
        assert!(cb.leaving.load(Ordering::SeqCst), "b chosen");
        assert!(!cd.leaving.load(Ordering::SeqCst));
        // Everything staying is busy: the next is refused.
        ce.busy();
        cd.busy();
        assert!(matches!(r.admit(3), Admit::Refuse));
        // One that leaves makes room (it no longer counts), and a busy one that closes too.
        r.close(a);
        assert_eq!(r.len(), 4);
        let (_, _cf) = admit(&r, 3);
    }
}
