//! `kms-console serve [--listen ADDR:PORT] [--allow-remote]`: opens the vault once (asking for a
//! sealed vault's passphrase at start), then answers the KMS API over HTTP until Ctrl-C or
//! SIGTERM, draining in-flight requests before it exits 0 (product §13).

use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;

use super::{Global, session};
use crate::core::clock::{Clock, SystemClock, format_date};
use crate::serve::{Endpoint, Limits, NonceCache, Observer, RequestEvent, Verifier, serve};

/// The default address. Port 20160 echoes the API version 2016-01-20, is above 1024 (no root
/// needed), and lies below Linux's ephemeral range (32768–60999), so an outgoing connection
/// never holds it.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:20160";

/// The warning printed before listening on a non-loopback address.
pub const REMOTE_WARNING: &str = "warning: listening beyond this machine. RSA decryption \
(AsymmetricDecrypt, ReEncrypt from an RSA key) uses the `rsa` crate, whose private-key operations \
have a timing side channel (RUSTSEC-2023-0071, no patched version): over a network it is \
observable. Anyone who can reach this port and holds an AccessKey can use the vault.";

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address and port to listen on (port 0 picks a free one; the line printed at start
    /// shows the address in use)
    #[arg(long, value_name = "ADDR:PORT", default_value = DEFAULT_LISTEN)]
    pub listen: SocketAddr,
    /// Allow a non-loopback --listen address (other machines can then connect)
    #[arg(long)]
    pub allow_remote: bool,
    /// Print no line per request on stderr
    #[arg(long)]
    pub quiet: bool,
    /// First create the vault from this seed file (as `init --no-passphrase --seed FILE`; the
    /// vault must not exist yet), for test suites that want the same keys every run
    #[arg(long, value_name = "FILE")]
    pub seed: Option<std::path::PathBuf>,
}

/// Runs the endpoint; returns when it has stopped.
pub fn run(global: &Global, args: &ServeArgs) -> ExitCode {
    if !args.listen.ip().is_loopback() {
        if !args.allow_remote {
            eprintln!(
                "kms-console: {} is not a loopback address; pass --allow-remote to accept \
                 connections from other machines",
                args.listen
            );
            return ExitCode::from(2);
        }
        eprintln!("{REMOTE_WARNING}");
    }
    if let Some(seed) = &args.seed
        && let Err(f) = super::console::seed_for_serve(global, seed)
    {
        return super::reply::fail(session::format(global), &f);
    }
    let vault = match session::open(global) {
        Ok(v) => v,
        Err(message) => return session::fail(&message),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return session::fail(&format!("cannot start the runtime: {e}")),
    };
    runtime.block_on(async move {
        let listener = match tokio::net::TcpListener::bind(args.listen).await {
            Ok(l) => l,
            Err(e) => return session::fail(&format!("cannot listen on {}: {e}", args.listen)),
        };
        let address = listener.local_addr().map_or(args.listen, |a| a);
        let observer: Option<Observer> = (!args.quiet).then(|| Arc::new(log_line) as Observer);
        let verifier = Verifier::new(Arc::new(SystemClock), NonceCache::default());
        let endpoint = Arc::new(Endpoint::new(vault, verifier, observer));
        let shutdown = match shutdown_signal() {
            Ok(s) => s,
            Err(e) => return session::fail(&format!("cannot watch for Ctrl-C/SIGTERM: {e}")),
        };
        let mut out = std::io::stdout();
        let _ = writeln!(out, "kms-console serve: listening on http://{address}");
        let _ = out.flush();
        serve(listener, endpoint, Limits::default(), shutdown).await;
        eprintln!("kms-console serve: stopped");
        ExitCode::SUCCESS
    })
}

/// One access-log line on stderr: time, principal, action, key, code, status, latency. Never
/// a parameter value.
fn log_line(event: &RequestEvent) {
    eprintln!(
        "{} {} {} {} {} {} {}us",
        format_date(SystemClock.now()),
        event.principal.as_deref().unwrap_or("-"),
        if event.action.is_empty() {
            "-"
        } else {
            &event.action
        },
        event.key_id.as_deref().unwrap_or("-"),
        event.code,
        event.status,
        event.micros
    );
}

/// Completes on Ctrl-C or SIGTERM. The handlers are installed at once (before the listening
/// line is printed), so a signal sent right after it is never lost to the default action.
#[cfg(unix)]
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
    })
}

#[cfg(not(unix))]
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}
