//! The endpoint under abuse (issue 15; product §13, §15), on loopback only, bounded in count and
//! time: while slow-loris clients trickle their headers, 10,000 connections are opened and left
//! idle, oversized headers and bodies arrive, requests carry invalid UTF-8 and percent-encodings,
//! and 10⁵ requests carry random signatures, a valid client keeps sending signed requests. It
//! must be answered every time, with a p99 latency compared to the idle server's (measured in
//! the same test, before); the server never answers 5xx, its memory stays bounded, and it exits
//! cleanly afterwards. The figures are printed.
//!
//! The server answers a connection whose last request was refused before dispatch from a queue
//! of its own, behind valid requests and with a bounded share of one thread (`serve::pool`), so
//! the flood is paced by the server: its 10⁵ requests take about a minute here, and a valid
//! client meanwhile sees latencies near the idle server's. One flooder in eight opens a new
//! connection for every request: a new connection from a peer refused lately starts in that
//! queue too (`serve::peers`).
//!
//! Where the machine has two cores or more, the server is pinned to the first and this test's
//! threads (the attackers and the valid client) to the others, with `taskset`: so the attack's
//! own work (making 10⁵ requests, holding 10,000 sockets) is not charged to the server, as when
//! it comes from other machines, and what is measured is what the server's handling of the attack
//! costs a valid client. `KMS_CONSOLE_ABUSE_SHARED=1` leaves everything on all cores, to show
//! the other figure; the placement used is printed.
//!
//! The latency bound asserted is generous (see [`P99_BOUND`]): this runs on shared machines
//! where other builds take the cores at random moments, and a timing assertion that flakes is
//! worse than none; the real ratio is printed for the report. Idle and under attack, the valid
//! client sends one request every 2 ms, so the two figures are measured alike.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation
)]

mod serve_support;

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use kms_console::api::percent_encode;
use kms_console::core::clock::{Clock, SystemClock, format_date};
use serve_support::{AccessKey, Server, credentials, demo_vault, kms, signed_query};

/// Idle connections opened during the attack (fewer if the descriptor limit cannot be raised).
const IDLE: usize = 10_000;
/// Requests with random signatures.
const RANDOM_SIGNATURES: usize = 100_000;
/// Connections sending them, each waiting for its answer before sending the next (so the
/// server's answers pace them; 64 at once keep its queue of refused requests full).
const FLOODERS: usize = 64;
/// One flooder in this many opens a new connection for each request.
const RECONNECTING_EVERY: u64 = 8;
/// Forged requests more, each on a connection closed at once without reading the answer, from
/// [`HIT_AND_RUNNERS`] threads.
const HIT_AND_RUN: usize = 10_000;
const HIT_AND_RUNNERS: usize = 4;
const SLOW_LORIS: usize = 100;
/// The valid client's p99 under attack may be at most this many times the idle server's. The
/// target is 5× (measured 1.6–1.8×); the assertion allows for a shared machine (see the module
/// notes) and still fails without the queue of refused requests (26–38× pinned, measured).
const P99_BOUND: f64 = 12.0;
/// The server's resident memory may grow by at most this much during the attack.
const RSS_GROWTH_BOUND_KIB: u64 = 192 * 1024;

/// A small deterministic generator (xorshift64*), so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }

    fn token(&mut self, n: usize) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        (0..n)
            .map(|_| char::from(ALPHABET[(self.next() % 64) as usize]))
            .collect()
    }
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmRSS:"))?.to_owned();
            line.split_whitespace().nth(1)?.parse().ok()
        })
        .unwrap_or(0)
}

/// Raises this process's soft descriptor limit towards `want` (up to the hard limit) with
/// `prlimit`; returns the soft limit now in force.
fn raise_fd_limit(want: u64) -> u64 {
    let soft = || -> u64 {
        std::fs::read_to_string("/proc/self/limits")
            .ok()
            .and_then(|s| {
                let line = s
                    .lines()
                    .find(|l| l.starts_with("Max open files"))?
                    .to_owned();
                line.split_whitespace().nth(3)?.parse().ok()
            })
            .unwrap_or(1024)
    };
    if soft() < want {
        let pid = std::process::id().to_string();
        let status = std::process::Command::new("prlimit")
            .args(["--pid", &pid, &format!("--nofile={want}:")])
            .status();
        if !matches!(status, Ok(s) if s.success()) {
            eprintln!("serve abuse: could not raise RLIMIT_NOFILE with prlimit: {status:?}");
        }
    }
    soft()
}

/// Reads one response on `stream`: its status, or `None` if the server closed or reset it.
fn read_status(stream: &mut BufReader<TcpStream>) -> Option<u16> {
    let mut line = String::new();
    stream.read_line(&mut line).ok().filter(|&n| n > 0)?;
    let status = line.split_whitespace().nth(1)?.parse().ok()?;
    let mut length = 0;
    loop {
        let mut header = String::new();
        stream.read_line(&mut header).ok().filter(|&n| n > 0)?;
        let header = header.trim_end().to_ascii_lowercase();
        if header.is_empty() {
            break;
        }
        if let Some(v) = header.strip_prefix("content-length:") {
            length = v.trim().parse().ok()?;
        }
    }
    let mut body = vec![0; length];
    stream.read_exact(&mut body).ok()?;
    Some(status)
}

/// Where the server and this test's threads run; printed with the figures.
fn place(server: u32) -> String {
    if std::env::var_os("KMS_CONSOLE_ABUSE_SHARED").is_some() {
        return "shared: server, attackers and valid client on all cores \
                (KMS_CONSOLE_ABUSE_SHARED)"
            .to_owned();
    }
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    if cores < 2 {
        return "shared: one core only, nothing to pin".to_owned();
    }
    let others = format!("1-{}", cores - 1);
    let pin = |cpus: &str, pid: u32| {
        std::process::Command::new("taskset")
            .args(["-a", "-p", "-c", cpus, &pid.to_string()])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if pin("0", server) && pin(&others, std::process::id()) {
        format!("pinned: server on core 0, attackers and valid client on cores {others}")
    } else {
        "shared: taskset missing or refused, nothing pinned".to_owned()
    }
}

/// The valid client's latencies: `n` requests, or (with `n` = 0) until `until` says stop, one
/// every 2 ms; `each` is called after every request.
fn measure(
    valid: &mut Valid,
    n: usize,
    until: impl Fn() -> bool,
    mut each: impl FnMut(usize),
) -> Vec<Duration> {
    let mut latencies = Vec::new();
    while if n > 0 { latencies.len() < n } else { !until() } {
        latencies.push(valid.request());
        each(latencies.len());
        std::thread::sleep(Duration::from_millis(2));
    }
    latencies
}

fn open(addr: SocketAddr) -> Option<BufReader<TcpStream>> {
    let s = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).ok()?;
    s.set_nodelay(true).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    Some(BufReader::new(s))
}

/// A client that sends valid signed requests, reconnecting (as HTTP clients do) when the server
/// closed its idle connection. Returns each request's latency; panics unless each is a 200.
struct Valid {
    addr: SocketAddr,
    key: AccessKey,
    conn: Option<BufReader<TcpStream>>,
    sent: u64,
    reconnects: u64,
}

impl Valid {
    fn request(&mut self) -> Duration {
        self.sent += 1;
        let nonce = format!("valid-{}", self.sent);
        let now = format_date(SystemClock.now());
        let params = [("KeyId", "alias/orders"), ("Plaintext", "abuse")];
        let query = signed_query(&self.key, "Encrypt", &params, &nonce, &now);
        let line = format!("GET /?{query} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        let started = Instant::now();
        for attempt in 0..3 {
            if attempt > 0 {
                self.reconnects += 1;
            }
            let conn = match self.conn.take() {
                Some(c) if attempt == 0 => Some(c),
                _ => open(self.addr),
            };
            let Some(mut conn) = conn else { continue };
            if conn.get_mut().write_all(line.as_bytes()).is_err() {
                continue;
            }
            if let Some(status) = read_status(&mut conn) {
                assert_eq!(status, 200, "a valid request was refused");
                self.conn = Some(conn);
                return started.elapsed();
            }
        }
        panic!("a valid client could not be answered in three attempts");
    }
}

fn p99(mut latencies: Vec<Duration>) -> Duration {
    latencies.sort_unstable();
    latencies[(latencies.len() * 99 / 100).min(latencies.len() - 1)]
}

/// Statuses the attackers got back, by class; a 5xx fails the test.
#[derive(Default)]
struct Tally {
    accepted: AtomicU64,
    answered_4xx: AtomicU64,
    closed: AtomicU64,
    server_errors: AtomicU64,
}

impl Tally {
    fn note(&self, status: Option<u16>) {
        let counter = match status {
            Some(s) if s >= 500 => &self.server_errors,
            Some(s) if s >= 400 => &self.answered_4xx,
            Some(_) => &self.accepted,
            None => &self.closed,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// Sends `request` on a fresh connection and notes what came back.
fn one_shot(addr: SocketAddr, request: &[u8], tally: &Tally) {
    let Some(mut conn) = open(addr) else {
        tally.note(None);
        return;
    };
    let _ = conn.get_mut().write_all(request);
    tally.note(read_status(&mut conn));
}

/// 10⁵ requests with random signatures (half under the real AccessKeyId, half under random ones),
/// over keep-alive connections.
fn flood(addr: SocketAddr, key: &AccessKey, seed: u64, count: usize, tally: &Tally) {
    let mut rng = Rng(seed);
    let mut conn = open(addr);
    // Some flooders open a new connection for every request, as if to start afresh each time.
    let reconnecting = seed.is_multiple_of(RECONNECTING_EVERY);
    for n in 0..count {
        if reconnecting && n > 0 {
            conn = open(addr);
        }
        let id = if n % 2 == 0 {
            key.id.clone()
        } else {
            rng.token(24)
        };
        let query = format!(
            "AccessKeyId={}&Action=Encrypt&KeyId=alias%2Forders&Plaintext=x&Format=JSON&SignatureMethod=HMAC-SHA1&SignatureNonce={n}-{seed}&SignatureVersion=1.0&Timestamp={}&Version=2016-01-20&Signature={}",
            percent_encode(&id),
            percent_encode(&format_date(SystemClock.now())),
            percent_encode(&rng.token(28)),
        );
        let line = format!("GET /?{query} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        let mut status = None;
        if let Some(c) = conn.as_mut()
            && c.get_mut().write_all(line.as_bytes()).is_ok()
        {
            status = read_status(c);
        }
        if status.is_none() {
            conn = open(addr);
        }
        tally.note(status);
    }
}

/// Forged requests each sent on a new connection that is closed at once, without reading.
fn hit_and_run(addr: SocketAddr, key: &AccessKey, seed: u64, count: usize) -> usize {
    let mut rng = Rng(seed);
    let mut sent = 0;
    for n in 0..count {
        let query = format!(
            "AccessKeyId={}&Action=Decrypt&CiphertextBlob=x&Format=JSON&SignatureMethod=HMAC-SHA1&SignatureNonce=hr{n}-{seed}&SignatureVersion=1.0&Timestamp={}&Version=2016-01-20&Signature={}",
            percent_encode(&key.id),
            percent_encode(&format_date(SystemClock.now())),
            percent_encode(&rng.token(28)),
        );
        if let Some(mut conn) = open(addr)
            && conn
                .get_mut()
                .write_all(format!("GET /?{query} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").as_bytes())
                .is_ok()
        {
            sent += 1;
        }
    }
    sent
}

/// Headers over 64 KiB, bodies over 256 KiB (declared and streamed), invalid UTF-8 and
/// percent-encodings in the path, query, headers and form body.
fn malformed(addr: SocketAddr, tally: &Tally) {
    let mut rng = Rng(7);
    let big_header = format!(
        "GET / HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "a".repeat(80 * 1024)
    );
    let many_headers = format!(
        "GET / HTTP/1.1\r\nHost: x\r\n{}\r\n",
        (0..500).fold(String::new(), |mut h, i| {
            let _ = write!(h, "X-H{i}: v\r\n");
            h
        })
    );
    let declared = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\n".to_vec();
    let mut streamed = b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..80 {
        streamed.extend_from_slice(format!("1000\r\n{}\r\n", "b".repeat(4096)).as_bytes());
    }
    for _ in 0..20 {
        for request in [
            big_header.as_bytes(),
            many_headers.as_bytes(),
            &declared,
            &streamed,
        ] {
            one_shot(addr, request, tally);
        }
    }
    for n in 0..500 {
        let junk = rng.bytes(1 + n % 40);
        let mut query = b"Action=Encrypt&KeyId=".to_vec();
        query.extend_from_slice(&junk);
        query.extend_from_slice(b"&Bad=%zz%e0%80%ff%c3%28&%=%%&Signature=%");
        let mut request = b"GET /?".to_vec();
        request.extend_from_slice(&query);
        request.extend_from_slice(b" HTTP/1.1\r\nHost: x\r\nX-Junk: ");
        request.extend(junk.iter().map(|b| b | 0x80));
        request.extend_from_slice(b"\r\nContent-Type: application/x-www-form-urlencoded\r\n");
        request.extend_from_slice(format!("Content-Length: {}\r\n\r\n", query.len()).as_bytes());
        request.extend_from_slice(&query);
        one_shot(addr, &request, tally);
    }
}

/// Connections that send a request head one byte at a time, slower than the header timeout
/// allows, until `stop`.
fn slow_loris(addr: SocketAddr, stop: &AtomicBool) -> usize {
    let head = b"GET /?Action=ListKeys HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
    let mut conns: Vec<TcpStream> = (0..SLOW_LORIS)
        .filter_map(|_| TcpStream::connect_timeout(&addr, Duration::from_secs(5)).ok())
        .collect();
    let mut sent = 0;
    while !stop.load(Ordering::SeqCst) {
        for c in &mut conns {
            if c.write_all(&head[sent % head.len()..=sent % head.len()])
                .is_ok()
            {
                sent += 1;
            }
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    sent
}

/// Opens up to `count` connections and leaves them idle until `stop`: how many were open at the
/// end of the opening, and how many of those the server had closed by `stop`.
fn idle_connections(addr: SocketAddr, count: usize, stop: &AtomicBool) -> (usize, usize) {
    let held: Vec<TcpStream> = (0..count)
        .filter_map(|_| TcpStream::connect_timeout(&addr, Duration::from_secs(5)).ok())
        .collect();
    let opened = held.len();
    while !stop.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let closed = held
        .iter()
        .filter(|s| {
            s.set_nonblocking(true).is_ok()
                && match s.peek(&mut [0u8; 1]) {
                    Ok(n) => n == 0,
                    Err(e) => e.kind() != std::io::ErrorKind::WouldBlock,
                }
        })
        .count();
    (opened, closed)
}

/// The attackers, each on its own thread.
struct Attack {
    stop: Arc<AtomicBool>,
    /// What the flooders got back.
    tally: Arc<Tally>,
    /// What the malformed requests got back.
    junk_tally: Arc<Tally>,
    runners: Vec<std::thread::JoinHandle<usize>>,
    floods_left: Arc<AtomicUsize>,
    floods: Vec<std::thread::JoinHandle<()>>,
    junk: std::thread::JoinHandle<()>,
    idlers: std::thread::JoinHandle<(usize, usize)>,
    loris: std::thread::JoinHandle<usize>,
}

impl Attack {
    fn start(addr: SocketAddr, key: &AccessKey, idle_count: usize) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let tally = Arc::new(Tally::default());
        let junk_tally = Arc::new(Tally::default());
        let floods_left = Arc::new(AtomicUsize::new(FLOODERS));
        let runners = (0..HIT_AND_RUNNERS)
            .map(|t| {
                let key = key.clone();
                std::thread::spawn(move || {
                    hit_and_run(addr, &key, 100 + t as u64, HIT_AND_RUN / HIT_AND_RUNNERS)
                })
            })
            .collect();
        let idlers = {
            let stop = stop.clone();
            std::thread::spawn(move || idle_connections(addr, idle_count, &stop))
        };
        let loris = {
            let stop = stop.clone();
            std::thread::spawn(move || slow_loris(addr, &stop))
        };
        let junk = {
            let tally = junk_tally.clone();
            std::thread::spawn(move || malformed(addr, &tally))
        };
        let floods = (0..FLOODERS)
            .map(|t| {
                let (key, tally, left) = (key.clone(), tally.clone(), floods_left.clone());
                std::thread::spawn(move || {
                    flood(
                        addr,
                        &key,
                        t as u64 + 1,
                        RANDOM_SIGNATURES / FLOODERS
                            + usize::from(t < RANDOM_SIGNATURES % FLOODERS),
                        &tally,
                    );
                    left.fetch_sub(1, Ordering::SeqCst);
                })
            })
            .collect();
        Self {
            stop,
            tally,
            junk_tally,
            runners,
            floods_left,
            floods,
            junk,
            idlers,
            loris,
        }
    }

    /// Whether the random signatures and malformed requests have all been sent.
    fn floods_done(&self) -> bool {
        self.floods_left.load(Ordering::SeqCst) == 0
            && self.junk.is_finished()
            && self
                .runners
                .iter()
                .all(std::thread::JoinHandle::is_finished)
    }

    /// Stops the idle and slow clients.
    fn stop(self) -> Outcome {
        self.stop.store(true, Ordering::SeqCst);
        for f in self.floods {
            f.join().unwrap();
        }
        self.junk.join().unwrap();
        let hit_and_run = self.runners.into_iter().map(|r| r.join().unwrap()).sum();
        let (opened, closed_by_server) = self.idlers.join().unwrap();
        let trickled = self.loris.join().unwrap();
        Outcome {
            tally: self.tally,
            junk_tally: self.junk_tally,
            hit_and_run,
            opened,
            closed_by_server,
            trickled,
        }
    }
}

/// What the attack saw.
struct Outcome {
    tally: Arc<Tally>,
    junk_tally: Arc<Tally>,
    /// Hit-and-run requests sent.
    hit_and_run: usize,
    /// Idle connections opened, and how many of them the server closed to make room.
    opened: usize,
    closed_by_server: usize,
    /// Bytes the slow-loris clients sent.
    trickled: usize,
}

impl Outcome {
    fn print(&self, took: Duration) {
        let t = |n: &AtomicU64| n.load(Ordering::Relaxed);
        let Self {
            tally,
            junk_tally,
            hit_and_run,
            opened,
            closed_by_server,
            trickled,
        } = self;
        eprintln!(
            "serve abuse: {:.1} s of attack: {RANDOM_SIGNATURES} random signatures from {FLOODERS} \
             flooders (one in {RECONNECTING_EVERY} on a new connection each time) got {} 4xx, {} \
             closes, {} 2xx/3xx, {} 5xx; {hit_and_run} more sent on connections closed at once; \
             {opened} idle connections opened ({closed_by_server} closed by the server to make \
             room); {SLOW_LORIS} slow-loris connections ({trickled} bytes trickled); 580 oversized \
             or malformed requests got {} 4xx, {} closes, {} 5xx",
            took.as_secs_f64(),
            t(&tally.answered_4xx),
            t(&tally.closed),
            t(&tally.accepted),
            t(&tally.server_errors),
            t(&junk_tally.answered_4xx),
            t(&junk_tally.closed),
            t(&junk_tally.server_errors),
        );
    }
}

#[test]
fn the_endpoint_keeps_answering_valid_clients_under_abuse() {
    let limit = raise_fd_limit(IDLE as u64 + 1024);
    let idle_count = IDLE.min(usize::try_from(limit).unwrap().saturating_sub(1024));
    if idle_count < IDLE {
        eprintln!(
            "serve abuse: ONLY {idle_count} idle connections: the descriptor limit is {limit} and \
             could not be raised (prlimit missing or the hard limit too low)"
        );
    }
    let (_dir, vault) = demo_vault();
    let server = Server::start(&vault, &["--quiet"]);
    let addr: SocketAddr = server.endpoint().parse().unwrap();
    let admin = credentials(&vault, "admin");
    let placement = place(server.pid());
    let mut valid = Valid {
        addr,
        key: admin.clone(),
        conn: None,
        sent: 0,
        reconnects: 0,
    };
    // The idle server's latency, after a warm-up.
    for _ in 0..50 {
        valid.request();
    }
    let idle_p99 = p99(measure(&mut valid, 2000, || true, |_| ()));
    let rss_before = rss_kib(server.pid());

    let attack = Attack::start(addr, &admin, idle_count);
    let pid = server.pid();
    let started = Instant::now();
    let mut rss_peak = rss_before;
    let attacked = measure(
        &mut valid,
        0,
        || attack.floods_done(),
        |n| {
            if n % 50 == 0 {
                rss_peak = rss_peak.max(rss_kib(pid));
            }
        },
    );
    rss_peak = rss_peak.max(rss_kib(pid));
    let took = started.elapsed();
    let outcome = attack.stop();
    let after = measure(&mut valid, 100, || true, |_| ());
    let rss_after = rss_kib(pid);
    assert!(server.stop().success(), "serve exits 0 after the attack");

    let attacked_p99 = p99(attacked.clone());
    let ratio = attacked_p99.as_secs_f64() / idle_p99.as_secs_f64();
    let t = |n: &AtomicU64| n.load(Ordering::Relaxed);
    eprintln!("serve abuse: {placement}");
    outcome.print(took);
    eprintln!(
        "serve abuse: valid client p99 {idle_p99:?} idle, {attacked_p99:?} under attack ({} \
         requests, {} reconnects) = {ratio:.1}x (target 5x, asserted <= {P99_BOUND}x), {:?} \
         after; server RSS {rss_before} KiB before, peak {rss_peak} KiB, {rss_after} KiB after",
        attacked.len(),
        valid.reconnects,
        p99(after),
    );
    let (tally, junk_tally) = (&outcome.tally, &outcome.junk_tally);
    assert_eq!(
        t(&tally.server_errors) + t(&junk_tally.server_errors),
        0,
        "no 5xx"
    );
    assert_eq!(t(&tally.accepted), 0, "a random signature was accepted");
    assert_eq!(
        t(&tally.answered_4xx) + t(&tally.closed),
        RANDOM_SIGNATURES as u64
    );
    assert!(
        t(&tally.closed) * 100 <= RANDOM_SIGNATURES as u64,
        "more than 1 % of the random signatures got no answer"
    );
    assert!(ratio <= P99_BOUND, "p99 {ratio:.1}x the idle server's");
    assert!(
        rss_peak <= rss_before + RSS_GROWTH_BOUND_KIB,
        "memory grew from {rss_before} to {rss_peak} KiB"
    );
    let verify = kms(&vault).args(["audit", "verify"]).output().unwrap();
    assert!(
        verify.status.success(),
        "audit verify: {}",
        String::from_utf8_lossy(&verify.stdout)
    );
}
