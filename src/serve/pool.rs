//! The threads that run the handler: a fixed number, started with the server, so that the
//! memory and threads the endpoint holds stay flat whatever the load (tokio's blocking pool grows
//! a thread whenever none is idle at the instant of a call, up to 512, and under steady load
//! ratchets up to hundreds). Requests wait in a queue when every thread is busy; a connection
//! has at most one request in flight, so the queue holds at most one per open connection.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

type Job = Box<dyn FnOnce() + Send>;

/// Hands jobs to the pool's threads; the threads end when every clone is dropped.
#[derive(Clone)]
pub(crate) struct Pool {
    jobs: Sender<Job>,
}

impl Pool {
    /// Twice the cores, at least 4 and at most 16: the handler waits on the vault's lock and
    /// the file system, so a few more threads than cores keep the cores busy.
    pub(crate) fn start() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        Self::with_threads((2 * cores).clamp(4, 16))
    }

    pub(crate) fn with_threads(threads: usize) -> Self {
        let (jobs, queue) = channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..threads.max(1) {
            let queue = Arc::clone(&queue);
            // A thread that cannot be started leaves the others to do the work.
            let _ = std::thread::Builder::new()
                .name(format!("serve-handler-{n}"))
                .spawn(move || work(&queue));
        }
        Self { jobs }
    }

    /// Runs `f` on a pool thread; `None` if it panicked or the pool is gone.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Option<T> {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = tx.send(f());
        });
        self.jobs.send(job).ok()?;
        rx.await.ok()
    }
}

fn work(queue: &Mutex<Receiver<Job>>) {
    loop {
        let job = match queue.lock() {
            Ok(q) => q.recv(),
            Err(_) => return,
        };
        let Ok(job) = job else { return };
        // A panic drops the job's answer channel (the caller answers 500); the thread goes on.
        let _ = catch_unwind(AssertUnwindSafe(job));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn jobs_run_and_a_panic_leaves_the_pool_working() {
        let pool = Pool::with_threads(1);
        assert_eq!(pool.run(|| 2 + 2).await, Some(4));
        #[allow(clippy::panic)]
        let panicked = pool.run(|| panic!("a handler bug")).await;
        assert_eq!(panicked, None::<()>);
        assert_eq!(pool.run(|| "still here").await, Some("still here"));
    }
}
