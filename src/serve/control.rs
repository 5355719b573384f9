//! The endpoint as something to start and stop from inside another program (the console): it
//! runs on its own thread and runtime, keeps the latest requests for a live view, and stops
//! (draining in-flight requests) on `stop` or drop.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use super::auth::Verifier;
use super::endpoint::{Endpoint, Observer, RequestEvent};
use super::nonce::NonceCache;
use super::server::{Limits, serve};
use crate::core::clock::{Clock, UnixTime};
use crate::core::vault::Vault;

/// A request as the live view lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    pub time: UnixTime,
    pub event: RequestEvent,
}

/// How many requests the live view keeps.
pub const LOG_CAPACITY: usize = 200;

/// A running endpoint.
pub struct RunningEndpoint {
    address: SocketAddr,
    log: Arc<Mutex<VecDeque<LoggedRequest>>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl RunningEndpoint {
    /// Binds `listen` (errors come back here) and serves `vault` until stopped.
    pub fn start(vault: Vault, listen: SocketAddr, clock: Arc<dyn Clock>) -> std::io::Result<Self> {
        let std_listener = std::net::TcpListener::bind(listen)?;
        std_listener.set_nonblocking(true)?;
        let address = std_listener.local_addr()?;
        let log: Arc<Mutex<VecDeque<LoggedRequest>>> = Arc::default();
        let sink = log.clone();
        let time = clock.clone();
        let observer: Observer = Arc::new(move |event: &RequestEvent| {
            if let Ok(mut log) = sink.lock() {
                if log.len() >= LOG_CAPACITY {
                    log.pop_front();
                }
                log.push_back(LoggedRequest {
                    time: time.now(),
                    event: event.clone(),
                });
            }
        });
        let endpoint = Arc::new(Endpoint::new(
            vault,
            Verifier::new(clock, NonceCache::default()),
            Some(observer),
        ));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("kms-serve".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let Ok(listener) = tokio::net::TcpListener::from_std(std_listener) else {
                        return;
                    };
                    serve(listener, endpoint, Limits::default(), async {
                        let _ = stopped.await;
                    })
                    .await;
                });
            })?;
        Ok(Self {
            address,
            log,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// Where it listens.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The latest requests, oldest first.
    pub fn recent(&self) -> Vec<LoggedRequest> {
        self.log
            .lock()
            .map(|l| l.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Stops accepting, lets in-flight requests finish, and returns when it has stopped.
    pub fn stop(mut self) {
        self.shut_down();
    }

    fn shut_down(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for RunningEndpoint {
    fn drop(&mut self) {
        self.shut_down();
    }
}
