//! The threads that run the handler: a fixed number, started with the server, so that the
//! memory and threads the endpoint holds stay flat whatever the load (tokio's blocking pool grows
//! a thread whenever none is idle at the instant of a call, up to 512, and under steady load
//! ratchets up to hundreds). Requests wait in a queue when every thread is busy; a call whose
//! client has gone (its connection closed) is dropped unrun when its turn comes.
//!
//! Requests on a connection whose last request was refused for the client's fault (a wrong
//! signature, an unknown AccessKeyId, a replay: see [`Standing`]) wait in a second queue, taken
//! only when the first is empty, by one thread at a time, and busy at most one time in
//! [`SUSPECT_SHARE`]: after a suspect call that took `t`, the next starts no sooner than
//! `(SUSPECT_SHARE - 1) × t` later (at most [`MAX_REST`]). That queue holds at most a given
//! number of calls (the connection limit); past it a call is refused at once with `Full`. So a
//! valid request never waits behind a flood of forged ones, and the flood gets a bounded share of
//! one core — its clients, waiting for their answers, send less — leaving the cores to valid
//! clients (issue 15: the endpoint under abuse). A client that signs wrongly by mistake is only
//! answered more slowly while a flood lasts.

use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

/// The suspect queue's thread is busy at most one time in this many.
pub(crate) const SUSPECT_SHARE: u32 = 4;
/// The longest pause after a suspect call: one that waited long (on a lock held by `audit
/// verify`, say) does not stall the queue for three times as long.
const MAX_REST: Duration = Duration::from_secs(1);

/// How a connection's requests are queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Standing {
    /// New, or its last request was not refused for its own fault.
    Good,
    /// Its last request was refused for its own fault, or it is new from a peer refused lately.
    Suspect,
}

/// Why [`Pool::run`] gave no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NotRun {
    /// The suspect queue is full: refuse the request at once.
    Full,
    /// The call panicked, or the pool is gone.
    Failed,
}

/// A call waiting for a thread.
trait Task: Send {
    fn run(self: Box<Self>);
    /// Whether nobody waits for the answer any more.
    fn abandoned(&self) -> bool;
}

struct Call<F, T> {
    f: F,
    answer: oneshot::Sender<T>,
}

impl<F: FnOnce() -> T + Send, T: Send> Task for Call<F, T> {
    fn run(self: Box<Self>) {
        let Self { f, answer } = *self;
        let _ = answer.send(f());
    }

    fn abandoned(&self) -> bool {
        self.answer.is_closed()
    }
}

type Job = Box<dyn Task>;

/// Hands calls to the pool's threads; the threads end when every clone is dropped.
#[derive(Clone)]
pub(crate) struct Pool {
    owner: Arc<Owner>,
}

/// Closes the queues when the last [`Pool`] is dropped.
struct Owner(Arc<Shared>);

impl Drop for Owner {
    fn drop(&mut self) {
        if let Ok(mut queues) = self.0.queues.lock() {
            queues.closed = true;
        }
        self.0.ready.notify_all();
    }
}

struct Shared {
    queues: Mutex<Queues>,
    ready: Condvar,
    /// The most calls the suspect queue holds.
    max_suspect: usize,
}

#[derive(Default)]
struct Queues {
    good: VecDeque<Job>,
    suspect: VecDeque<Job>,
    /// Whether a thread is running a suspect call.
    suspect_running: bool,
    /// When the next suspect call may start.
    suspect_not_before: Option<Instant>,
    closed: bool,
}

/// What a free thread does next.
enum Next {
    Run(Job, bool),
    /// Wait for a new call, or until the instant a suspect call may start.
    Wait(Option<Instant>),
}

impl Queues {
    /// The next call a free thread may take at `now`, and whether it is a suspect one; calls
    /// nobody waits for are dropped on the way.
    fn next(&mut self, now: Instant) -> Next {
        while let Some(job) = self.good.pop_front() {
            if !job.abandoned() {
                return Next::Run(job, false);
            }
        }
        if self.suspect_running {
            return Next::Wait(None);
        }
        while self.suspect.front().is_some_and(|job| job.abandoned()) {
            self.suspect.pop_front();
        }
        if self.suspect.is_empty() {
            return Next::Wait(None);
        }
        if let Some(at) = self.suspect_not_before.filter(|&at| at > now) {
            return Next::Wait(Some(at));
        }
        match self.suspect.pop_front() {
            Some(job) => {
                self.suspect_running = true;
                Next::Run(job, true)
            }
            None => Next::Wait(None),
        }
    }
}

impl Pool {
    /// Twice the cores, at least 4 and at most 16 threads (the handler waits on the vault's
    /// lock and the file system, so a few more threads than cores keep the cores busy); at most
    /// `max_suspect` calls in the suspect queue.
    pub(crate) fn start(max_suspect: usize) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        Self::with_threads((2 * cores).clamp(4, 16), max_suspect)
    }

    pub(crate) fn with_threads(threads: usize, max_suspect: usize) -> Self {
        let shared = Arc::new(Shared {
            queues: Mutex::default(),
            ready: Condvar::new(),
            max_suspect: max_suspect.max(1),
        });
        for n in 0..threads.max(1) {
            let shared = Arc::clone(&shared);
            // A thread that cannot be started leaves the others to do the work.
            let _ = std::thread::Builder::new()
                .name(format!("serve-handler-{n}"))
                .spawn(move || work(&shared));
        }
        Self {
            owner: Arc::new(Owner(shared)),
        }
    }

    /// Runs `f` on a pool thread, in the queue of `standing`. Dropping the returned future
    /// (the client went away) drops the call unrun if it has not started.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        standing: Standing,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, NotRun> {
        let (answer, rx) = oneshot::channel();
        let job: Job = Box::new(Call { f, answer });
        {
            let shared = &self.owner.0;
            let mut queues = shared.queues.lock().map_err(|_| NotRun::Failed)?;
            match standing {
                Standing::Good => queues.good.push_back(job),
                Standing::Suspect => {
                    if queues.suspect.len() >= shared.max_suspect {
                        queues.suspect.retain(|job| !job.abandoned());
                    }
                    if queues.suspect.len() >= shared.max_suspect {
                        return Err(NotRun::Full);
                    }
                    queues.suspect.push_back(job);
                }
            }
            drop(queues);
            shared.ready.notify_one();
        }
        rx.await.map_err(|_| NotRun::Failed)
    }
}

fn work(shared: &Shared) {
    loop {
        let Ok(mut queues) = shared.queues.lock() else {
            return;
        };
        let (job, suspect) = loop {
            let now = Instant::now();
            let until = match queues.next(now) {
                Next::Run(job, suspect) => break (job, suspect),
                Next::Wait(until) => until,
            };
            if queues.closed {
                return;
            }
            let waited = match until {
                None => shared.ready.wait(queues).ok(),
                Some(at) => shared
                    .ready
                    .wait_timeout(queues, at - now)
                    .ok()
                    .map(|(q, _)| q),
            };
            let Some(waited) = waited else { return };
            queues = waited;
        };
        drop(queues);
        let started = Instant::now();
        // A panic drops the call's answer channel (the caller answers 500); the thread goes on.
        let _ = catch_unwind(AssertUnwindSafe(|| job.run()));
        if suspect {
            let rest = (started.elapsed() * (SUSPECT_SHARE - 1)).min(MAX_REST);
            if let Ok(mut queues) = shared.queues.lock() {
                queues.suspect_running = false;
                queues.suspect_not_before = Some(Instant::now() + rest);
            }
            // This thread comes back for the next suspect call itself (after any good one);
            // one more may time it meanwhile.
            shared.ready.notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn jobs_run_and_a_panic_leaves_the_pool_working() {
        let pool = Pool::with_threads(1, 8);
        assert_eq!(pool.run(Standing::Good, || 2 + 2).await, Ok(4));
        #[allow(clippy::panic)]
        let panicked = pool
            .run(Standing::Suspect, || panic!("a handler bug"))
            .await;
        assert_eq!(panicked, Err::<(), _>(NotRun::Failed));
        assert_eq!(
            pool.run(Standing::Suspect, || "still here").await,
            Ok("still here")
        );
        assert_eq!(
            pool.run(Standing::Good, || "and here").await,
            Ok("and here")
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn suspect_jobs_run_one_at_a_time_and_never_hold_up_good_ones() {
        let pool = Pool::with_threads(4, 8);
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        // Suspect jobs wait for a gate that only the good job's caller opens: were the good job
        // queued behind them, the first would time out.
        let gate = Arc::new((Mutex::new(false), Condvar::new()));
        let suspects: Vec<_> = (0..8)
            .map(|_| {
                let (pool, running, most, gate) =
                    (pool.clone(), running.clone(), most.clone(), gate.clone());
                tokio::spawn(async move {
                    pool.run(Standing::Suspect, move || {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        let (open, opened) = &*gate;
                        let open = open.lock().unwrap();
                        let (open, _) = opened
                            .wait_timeout_while(open, Duration::from_secs(10), |o| !*o)
                            .unwrap();
                        running.fetch_sub(1, Ordering::SeqCst);
                        *open
                    })
                    .await
                })
            })
            .collect();
        while running.load(Ordering::SeqCst) == 0 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        assert_eq!(pool.run(Standing::Good, || 1).await, Ok(1));
        *gate.0.lock().unwrap() = true;
        gate.1.notify_all();
        for s in suspects {
            assert_eq!(
                s.await.ok(),
                Some(Ok(true)),
                "a suspect job waited out the gate"
            );
        }
        assert_eq!(
            most.load(Ordering::SeqCst),
            1,
            "suspect jobs ran side by side"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn suspect_jobs_get_one_share_of_one_thread() {
        let pool = Pool::with_threads(4, 8);
        let started = std::time::Instant::now();
        let jobs: Vec<_> = (0..6)
            .map(|_| {
                let pool = pool.clone();
                tokio::spawn(async move {
                    pool.run(Standing::Suspect, || {
                        std::thread::sleep(Duration::from_millis(10));
                    })
                    .await
                })
            })
            .collect();
        for job in jobs {
            assert_eq!(job.await.ok(), Some(Ok(())));
        }
        // Six jobs of 10 ms, each after the first waiting three times the last one's length.
        let least = Duration::from_millis(10) * (6 + 5 * (SUSPECT_SHARE - 1));
        assert!(
            started.elapsed() >= least,
            "{:?} < {least:?}",
            started.elapsed()
        );
        // Meanwhile a good job is never held up by the pause.
        assert_eq!(pool.run(Standing::Good, || 7).await, Ok(7));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_suspect_queue_refuses_and_calls_nobody_waits_for_are_dropped_unrun() {
        let pool = Pool::with_threads(1, 2);
        let ran = Arc::new(AtomicUsize::new(0));
        // The one thread is held by a good call until the gate opens.
        let gate = Arc::new((Mutex::new(false), Condvar::new()));
        let holder = {
            let (pool, gate) = (pool.clone(), gate.clone());
            tokio::spawn(async move {
                pool.run(Standing::Good, move || {
                    let (open, opened) = &*gate;
                    let open = open.lock().unwrap();
                    let _ = opened
                        .wait_timeout_while(open, Duration::from_secs(10), |o| !*o)
                        .unwrap();
                })
                .await
            })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        let call = |pool: &Pool, ran: &Arc<AtomicUsize>| {
            let (pool, ran) = (pool.clone(), ran.clone());
            tokio::spawn(async move {
                pool.run(Standing::Suspect, move || {
                    ran.fetch_add(1, Ordering::SeqCst)
                })
                .await
            })
        };
        let first = call(&pool, &ran);
        let second = call(&pool, &ran);
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(call(&pool, &ran).await.ok(), Some(Err(NotRun::Full)));
        // The first caller goes away: its place is freed for a newcomer, and it never runs.
        first.abort();
        let _ = first.await;
        let third = call(&pool, &ran);
        tokio::time::sleep(Duration::from_millis(20)).await;
        *gate.0.lock().unwrap() = true;
        gate.1.notify_all();
        assert!(holder.await.unwrap().is_ok());
        assert!(second.await.unwrap().is_ok());
        assert!(third.await.unwrap().is_ok());
        assert_eq!(ran.load(Ordering::SeqCst), 2, "the abandoned call ran");
    }

    #[test]
    fn threads_end_when_the_last_pool_is_dropped() {
        let shared = {
            let pool = Pool::with_threads(3, 8);
            let clone = pool.clone();
            drop(pool);
            let shared = Arc::clone(&clone.owner.0);
            drop(clone);
            shared
        };
        // Each thread holds a reference while it runs.
        for _ in 0..200 {
            if Arc::strong_count(&shared) == 1 {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("pool threads still running");
    }
}
