//! The HTTP side of `serve` under slow, hostile and many clients (product §13): size limits,
//! header and body timeouts, the connection limit, any bytes without a panic, and the drain of
//! in-flight requests at shutdown. Driven at library level with short limits; timings are
//! bounds with wide margins, never measurements.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kms_console::serve::{Handler, Limits, WireRequest, WireResponse, serve};
use tokio::sync::oneshot;

/// Answers an empty 200 after `delay`.
struct Slow {
    delay: Duration,
}

impl Handler for Slow {
    fn handle(&self, _req: &WireRequest) -> WireResponse {
        std::thread::sleep(self.delay);
        WireResponse {
            status: 200,
            refused: false,
            content_type: "application/json;charset=utf-8",
            body: "{}".into(),
        }
    }
}

/// A server on a free loopback port in its own runtime thread; stops when `stop` is sent.
struct Running {
    port: u16,
    stop: Option<oneshot::Sender<()>>,
    done: std::sync::mpsc::Receiver<()>,
}

fn start(limits: Limits, delay: Duration) -> Running {
    let (port_tx, port_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            port_tx.send(listener.local_addr().unwrap().port()).unwrap();
            serve(listener, Arc::new(Slow { delay }), limits, async {
                let _ = stop_rx.await;
            })
            .await;
        });
        let _ = done_tx.send(());
    });
    Running {
        port: port_rx.recv().unwrap(),
        stop: Some(stop_tx),
        done: done_rx,
    }
}

fn short_limits() -> Limits {
    Limits {
        max_connections: 4,
        max_header_bytes: 8192,
        max_body_bytes: 1024,
        header_timeout: Duration::from_millis(300),
        body_timeout: Duration::from_millis(300),
        drain_timeout: Duration::from_secs(5),
    }
}

fn connect(port: u16) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s
}

/// Sends `request` and reads until the server closes or a response head has arrived.
fn exchange(port: u16, request: &[u8]) -> String {
    let mut s = connect(port);
    let _ = s.write_all(request);
    read_some(&mut s)
}

fn read_some(s: &mut TcpStream) -> String {
    let mut buf = vec![0; 4096];
    let n = s.read(&mut buf).unwrap_or(0);
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

const GET: &[u8] = b"GET /?Action=ListKeys HTTP/1.1\r\nHost: x\r\n\r\n";

#[test]
fn a_body_over_the_limit_is_refused_with_413() {
    let server = start(short_limits(), Duration::ZERO);
    let declared = exchange(
        server.port,
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n",
    );
    assert!(declared.starts_with("HTTP/1.1 413"), "{declared}");
    let chunked = format!(
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n{}\r\n800\r\n{}\r\n0\r\n\r\n",
        "a".repeat(0x800),
        "b".repeat(0x800)
    );
    let streamed = exchange(server.port, chunked.as_bytes());
    assert!(streamed.starts_with("HTTP/1.1 413"), "{streamed}");
    assert!(streamed.contains("RequestEntityTooLarge"), "{streamed}");
}

#[test]
fn headers_over_the_limit_are_refused() {
    let server = start(short_limits(), Duration::ZERO);
    let big = format!(
        "GET / HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "a".repeat(20_000)
    );
    let answer = exchange(server.port, big.as_bytes());
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 431"),
        "{answer}"
    );
    assert!(
        exchange(server.port, GET).starts_with("HTTP/1.1 200"),
        "still serving"
    );
}

#[test]
fn a_client_that_stalls_its_headers_or_body_is_cut_off() {
    let server = start(short_limits(), Duration::ZERO);
    let started = Instant::now();
    let mut stalled = connect(server.port);
    stalled.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
    let _ = read_some(&mut stalled);
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "closed by the 300 ms header timeout"
    );

    let mut slow_body = connect(server.port);
    slow_body
        .write_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nab")
        .unwrap();
    let answer = read_some(&mut slow_body);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}

/// Whether the server closed `s` (a read gives end of file or a reset) within 5 s.
fn closed(s: &mut TcpStream) -> bool {
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut buf = [0u8; 64];
    match s.read(&mut buf) {
        Ok(n) => n == 0,
        Err(e) => !matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
    }
}

#[test]
fn at_the_connection_limit_a_connection_without_a_request_makes_room() {
    let server = start(
        Limits {
            max_connections: 2,
            ..short_limits()
        },
        Duration::ZERO,
    );
    // One that never sends a request, then one that has had an answer and waits, idle.
    let mut silent = connect(server.port);
    let mut idle = connect(server.port);
    idle.write_all(GET).unwrap();
    assert!(read_some(&mut idle).starts_with("HTTP/1.1 200"));
    // A third is answered at once: the silent one made room, the idle one stays.
    let mut third = connect(server.port);
    third.write_all(GET).unwrap();
    assert!(read_some(&mut third).starts_with("HTTP/1.1 200"));
    assert!(closed(&mut silent), "the silent connection was closed");
    idle.write_all(GET).unwrap();
    assert!(read_some(&mut idle).starts_with("HTTP/1.1 200"), "kept");
    // Now both are idle: a fourth closes the one unused the longest (third).
    let mut fourth = connect(server.port);
    fourth.write_all(GET).unwrap();
    assert!(read_some(&mut fourth).starts_with("HTTP/1.1 200"));
    assert!(closed(&mut third), "the longest idle connection was closed");
    idle.write_all(GET).unwrap();
    assert!(read_some(&mut idle).starts_with("HTTP/1.1 200"), "kept");
}

#[test]
fn at_the_connection_limit_busy_connections_are_kept_and_a_newcomer_is_closed() {
    let server = start(
        Limits {
            max_connections: 2,
            ..short_limits()
        },
        Duration::from_secs(3),
    );
    let mut busy: Vec<TcpStream> = (0..2).map(|_| connect(server.port)).collect();
    for s in &mut busy {
        s.write_all(GET).unwrap();
    }
    std::thread::sleep(Duration::from_millis(300));
    let mut third = connect(server.port);
    let _ = third.write_all(GET);
    assert!(closed(&mut third), "closed: both are answering");
    // Closed while they still were (neither has its answer yet), not after.
    busy[0].set_nonblocking(true).unwrap();
    let mut buf = [0u8; 8];
    let pending = busy[0].peek(&mut buf);
    assert!(
        matches!(&pending, Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "{pending:?}"
    );
    busy[0].set_nonblocking(false).unwrap();
    for s in &mut busy {
        assert!(read_some(s).starts_with("HTTP/1.1 200"), "answered");
    }
}

#[test]
fn any_bytes_get_a_refusal_or_a_close_and_the_server_goes_on() {
    let server = start(short_limits(), Duration::ZERO);
    let junk: [&[u8]; 6] = [
        b"\x00\xff\xfe\r\n\r\n",
        b"GET\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
        b"GET /\xff\xfe?\xe0\x80=%zz HTTP/1.1\r\nHost: \xff\r\n\r\n",
        b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ];
    for bytes in junk {
        let answer = exchange(server.port, bytes);
        assert!(
            answer.is_empty()
                || answer.starts_with("HTTP/1.1 4")
                || answer.starts_with("HTTP/1.1 200"),
            "{answer}"
        );
    }
    assert!(
        exchange(server.port, GET).starts_with("HTTP/1.1 200"),
        "still serving"
    );
}

#[test]
fn shutdown_drains_in_flight_requests() {
    let mut server = start(short_limits(), Duration::from_millis(500));
    let mut in_flight = connect(server.port);
    in_flight.write_all(GET).unwrap();
    std::thread::sleep(Duration::from_millis(100));
    server.stop.take().unwrap().send(()).unwrap();
    let answer = read_some(&mut in_flight);
    assert!(
        answer.starts_with("HTTP/1.1 200"),
        "the in-flight request is answered: {answer}"
    );
    server
        .done
        .recv_timeout(Duration::from_secs(10))
        .expect("serve returns after the drain");
    assert!(
        TcpStream::connect(("127.0.0.1", server.port)).is_err(),
        "no longer listening"
    );
}

#[test]
fn an_idle_keep_alive_connection_is_closed() {
    let server = start(short_limits(), Duration::ZERO);
    let mut idle = connect(server.port);
    idle.write_all(GET).unwrap();
    assert!(read_some(&mut idle).starts_with("HTTP/1.1 200"));
    let started = Instant::now();
    let mut buf = [0u8; 64];
    let n = idle.read(&mut buf);
    assert!(matches!(n, Ok(0)), "closed: {n:?}");
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "by the 300 ms header timeout"
    );
}
