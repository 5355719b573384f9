//! The HTTP side: hyper 1 HTTP/1.1 connections on a tokio listener, with the limits a slow or
//! hostile client meets (connection count, header and body size, header and body timeouts),
//! each request handed to a [`Handler`] on a fixed pool of threads, and a graceful drain on
//! shutdown.

use std::convert::Infallible;
use std::future::Future;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};

use super::conns::{Admit, Conn, Registry};
use super::endpoint::{Endpoint, WireResponse, refusal};
use super::peers::RefusedPeers;
use super::pool::{NotRun, Pool, Standing};
use super::wire::WireRequest;

/// Answers requests; runs on the server's own threads, so it may take locks and do file I/O.
pub trait Handler: Send + Sync + 'static {
    fn handle(&self, req: &WireRequest) -> WireResponse;
}

impl Handler for Endpoint {
    fn handle(&self, req: &WireRequest) -> WireResponse {
        Endpoint::handle(self, req)
    }
}

/// Bounds on what one client can hold or send.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Open connections at once; a further one makes room by closing one without a request in
    /// progress (the oldest that never sent one, else the one idle longest), or is closed.
    pub max_connections: usize,
    /// The request line and headers (hyper's read buffer; at least 8 KiB).
    pub max_header_bytes: usize,
    /// The body.
    pub max_body_bytes: usize,
    /// Time to send the request line and headers.
    pub header_timeout: Duration,
    /// Time to send the body once the headers are in.
    pub body_timeout: Duration,
    /// How long in-flight requests may take to finish at shutdown.
    pub drain_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: 256,
            max_header_bytes: 64 * 1024,
            max_body_bytes: 256 * 1024,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            drain_timeout: Duration::from_secs(10),
        }
    }
}

/// Serves `listener` until `shutdown` completes, then stops accepting, lets in-flight requests
/// finish (up to `drain_timeout`) and returns. At `max_connections`, a new connection makes room
/// by closing one that has no request in progress, or is itself closed at once (see `conns`).
/// A connection whose last request was refused for its own fault, or a new one from a peer
/// refused lately, waits in the pool's suspect queue (see `pool`, `peers`).
pub async fn serve<H: Handler>(
    listener: TcpListener,
    handler: Arc<H>,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) {
    let registry = Arc::new(Registry::default());
    let refused_peers = Arc::new(RefusedPeers::default());
    let pool = Pool::start(limits.max_connections.max(1));
    let (stopping, stop_seen) = watch::channel(false);
    // Every connection task holds a clone; `recv` returns `None` once all have finished.
    let (alive, mut all_gone) = mpsc::channel::<()>(1);
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_buf_size(limits.max_header_bytes.max(8192));
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        let Ok((stream, peer)) = accepted else {
            // Out of descriptors, or a connection reset before accept: wait a little, go on.
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        let Admit::Serve { id, conn } = registry.admit(limits.max_connections.max(1)) else {
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let peer = peer.ip();
        if refused_peers.recently(peer, Instant::now()) {
            conn.distrust();
        }
        let client = Client {
            conn: conn.clone(),
            peer,
            refused_peers: refused_peers.clone(),
        };
        let service = {
            let (handler, registry, pool) = (handler.clone(), registry.clone(), pool.clone());
            service_fn(move |req| {
                let standing = client.conn.busy();
                let answered = respond(
                    handler.clone(),
                    pool.clone(),
                    standing,
                    client.clone(),
                    limits,
                    req,
                );
                let (registry, conn) = (registry.clone(), client.conn.clone());
                async move {
                    let response = answered.await;
                    conn.idle(registry.tick());
                    Ok::<_, Infallible>(response)
                }
            })
        };
        let http = builder.serve_connection(TokioIo::new(stream), service);
        let (registry, mut stop_seen, alive) = (registry.clone(), stop_seen.clone(), alive.clone());
        tokio::spawn(async move {
            watch_connection(http, &conn, &mut stop_seen).await;
            registry.close(id);
            drop(alive);
        });
    }
    drop(listener);
    drop(alive);
    let _ = stopping.send(true);
    let _ = tokio::time::timeout(limits.drain_timeout, all_gone.recv()).await;
}

/// Drives one connection until it closes. Told to make room or to stop, a connection that never
/// had a request, or whose request still waits in the suspect queue, is dropped at once (that
/// call is then dropped unrun); any other finishes the request in progress, then closes.
async fn watch_connection<C>(http: C, conn: &Conn, stop_seen: &mut watch::Receiver<bool>)
where
    C: Future + GracefulConnection,
{
    tokio::pin!(http);
    let mut closing = false;
    loop {
        tokio::select! {
            _ = http.as_mut() => return,
            () = conn.evict.notified(), if !closing => {}
            changed = stop_seen.changed(), if !closing => {
                // Stopping, or the server is gone (its drain time is over).
                if changed.is_ok() && !*stop_seen.borrow() {
                    continue;
                }
            }
        }
        if conn.droppable() {
            return;
        }
        http.as_mut().graceful_shutdown();
        closing = true;
    }
}

/// A connection that can be asked to close once its request in progress is answered.
trait GracefulConnection {
    fn graceful_shutdown(self: std::pin::Pin<&mut Self>);
}

impl<I, S> GracefulConnection for http1::Connection<I, S>
where
    S: hyper::service::HttpService<Incoming, ResBody = Full<Bytes>>,
    I: hyper::rt::Read + hyper::rt::Write + Unpin,
{
    fn graceful_shutdown(self: std::pin::Pin<&mut Self>) {
        http1::Connection::graceful_shutdown(self);
    }
}

/// The connection a request came on, and where its refusals are noted.
#[derive(Clone)]
struct Client {
    conn: Arc<Conn>,
    peer: IpAddr,
    refused_peers: Arc<RefusedPeers>,
}

impl Client {
    /// Its request was answered; `refused` if for its own fault. Called where the answer is
    /// made (on the handler thread), so a client that closes without reading is noted too.
    fn answered(&self, refused: bool) {
        self.conn.answered(refused);
        if refused {
            self.refused_peers.note(self.peer, Instant::now());
        }
    }

    /// An answer refusing the request for its own fault, made before the handler.
    fn refuse(&self, answer: WireResponse) -> Response<Full<Bytes>> {
        self.answered(true);
        to_http(answer)
    }
}

async fn respond<H: Handler>(
    handler: Arc<H>,
    pool: Pool,
    standing: Standing,
    client: Client,
    limits: Limits,
    req: Request<Incoming>,
) -> Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let declared = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limits.max_body_bytes as u64) {
        return client.refuse(too_large());
    }
    let collected = tokio::time::timeout(
        limits.body_timeout,
        Limited::new(body, limits.max_body_bytes).collect(),
    )
    .await;
    let body = match collected {
        Ok(Ok(c)) => c.to_bytes().to_vec(),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => {
            return client.refuse(too_large());
        }
        Ok(Err(_)) => {
            let answer = refusal(
                "InvalidParameter",
                "The request body could not be read.",
                400,
            );
            return client.refuse(answer);
        }
        Err(_) => {
            let answer = refusal(
                "RequestTimeout",
                "The request body took too long to arrive.",
                408,
            );
            return client.refuse(answer);
        }
    };
    let headers = parts
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let wire = WireRequest::new(
        parts.method.as_str(),
        parts.uri.path(),
        parts.uri.query(),
        headers,
        body,
    );
    let on_thread = client.clone();
    let answered = pool
        .run(standing, move || {
            on_thread.conn.started();
            let answer = handler.handle(&wire);
            on_thread.answered(answer.refused);
            answer
        })
        .await;
    match answered {
        Ok(answer) => to_http(answer),
        Err(NotRun::Full) => client.refuse(refusal(
            "Rejected.Throttling",
            "QPS Limit Exceeded: too many requests whose signature was refused are waiting.",
            429,
        )),
        Err(NotRun::Failed) => to_http(refusal(
            "InternalFailure",
            "The request could not be answered.",
            500,
        )),
    }
}

fn too_large() -> WireResponse {
    refusal(
        "RequestEntityTooLarge",
        "The request body is too large.",
        413,
    )
}

fn to_http(answer: WireResponse) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(answer.body)));
    *response.status_mut() = hyper::StatusCode::from_u16(answer.status)
        .unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    if !answer.content_type.is_empty()
        && let Ok(value) = hyper::header::HeaderValue::from_str(answer.content_type)
    {
        response.headers_mut().insert(CONTENT_TYPE, value);
    }
    response
}
