//! The event loop: a tokio runtime that waits on terminal events (read on their own thread),
//! worker events and a tick, turns each into an action for `App::update`, carries out the
//! effects it returns, and draws. Nothing in it blocks on the vault.
//!
//! When the terminal goes away (SSH drops, the tmux pane or server is killed) the console quits
//! as `q` does. The input thread cannot be relied on for that: on a hung-up terminal crossterm
//! 0.29's reader (`UnixInternalEventSource::try_read`) loops forever on `read` returning 0, never
//! giving the thread back (crossterm-rs/crossterm#793; a fix is proposed in #1067). So every
//! tick the loop checks that stdin and stdout are still terminals (a hung-up tty fails `isatty`
//! with EIO), a failed draw quits too, and on the way out the input thread is never waited for,
//! and the worker only for a bounded time: the process ends (taking a stuck input thread with
//! it) and keeps answering SIGTERM until then.

pub mod drill_worker;
pub(in crate::tui) mod endpoint_worker;
pub mod harness;
pub mod principal_worker;
pub mod save_file;
pub mod terminal;
pub mod worker;

use std::io::{self, IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use crossterm::event::{self, Event};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

use crate::core::vault::Sources;

use crate::tui::action::{Action, Effect};
use crate::tui::app::view;
use crate::tui::app::{App, Startup};
use crate::tui::keymap::{Cmd, Layer};
use crate::tui::runtime::terminal::TerminalGuard;
use crate::tui::runtime::worker::{Executor, Worker};

/// How often the spinner turns, toasts fade and the terminal is checked.
const TICK: Duration = Duration::from_millis(100);
/// How long quitting waits for the worker to finish its current job (a drill is cancelled
/// first). Past it the process ends anyway: every vault write is crash-safe (product §3).
const WORKER_GRACE: Duration = Duration::from_millis(600);

/// Runs the console until the user quits.
pub fn run_console(app: App, startup: Startup, sources: Sources) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the console: {e}"))?;
    runtime.block_on(event_loop(app, startup, sources))
}

async fn event_loop(mut app: App, startup: Startup, sources: Sources) -> Result<(), String> {
    let fail = |e: io::Error| format!("terminal: {e}");
    let guard = TerminalGuard::enter().map_err(fail)?;
    let mut terminal = Terminal::new(CrosstermBackend::new(io::stdout())).map_err(fail)?;
    let (input_tx, mut input_rx) = unbounded_channel();
    let stop = Arc::new(AtomicBool::new(false));
    // Never joined: on a dead terminal it may be stuck inside crossterm (see the module doc).
    let _input = spawn_input(input_tx, Arc::clone(&stop)).map_err(fail)?;
    let (worker_tx, mut worker_rx) = unbounded_channel();
    let worker = Worker::spawn(Executor::new(sources), worker_tx).map_err(fail)?;
    // A terminal closed (SIGHUP) or a polite kill (SIGTERM) quits as `q` does: a running drill is
    // cancelled, the screen restored and a demo copy removed.
    let mut hangup = signal(SignalKind::hangup()).map_err(fail)?;
    let mut terminate = signal(SignalKind::terminate()).map_err(fail)?;
    let mut outcome = Ok(());
    match terminal.size() {
        Ok(size) => {
            app.update(Action::Resize(size.width, size.height));
        }
        Err(e) => outcome = Err(fail(e)),
    }
    let effects = app.start(startup);
    let mut quit = carry_out(effects, &mut app, &worker) || outcome.is_err();
    let mut ticker = tokio::time::interval(TICK);
    let mut dirty = true;
    while !quit {
        if dirty && let Err(e) = terminal.draw(|f| view::render(f, &app)) {
            // A terminal that went away is a quit like any other; any other failure is reported.
            if !terminal_gone() {
                outcome = Err(fail(e));
            }
            carry_out(
                app.update(Action::Cmd(Layer::Always, Cmd::Quit)),
                &mut app,
                &worker,
            );
            break;
        }
        let action = tokio::select! {
            Some(event) = input_rx.recv() => app.on_event(&event),
            Some(event) = worker_rx.recv() => Some(Action::Worker(event)),
            _ = ticker.tick() => if terminal_gone() {
                Some(Action::Cmd(Layer::Always, Cmd::Quit))
            } else {
                app.wants_tick().then_some(Action::Tick)
            },
            _ = hangup.recv() => Some(Action::Cmd(Layer::Always, Cmd::Quit)),
            _ = terminate.recv() => Some(Action::Cmd(Layer::Always, Cmd::Quit)),
        };
        dirty = action.is_some();
        if let Some(action) = action {
            let effects = app.update(action);
            quit = carry_out(effects, &mut app, &worker);
        }
    }
    stop.store(true, Ordering::SeqCst);
    worker.stop_within(WORKER_GRACE);
    drop(terminal);
    drop(guard);
    match app.take_failure() {
        Some(why) if outcome.is_ok() => Err(why),
        _ => outcome,
    }
}

/// Whether the console's terminal is gone: a hung-up tty fails `isatty` (EIO).
fn terminal_gone() -> bool {
    !io::stdin().is_terminal() || !io::stdout().is_terminal()
}

/// Does what the model asked; `true` to quit.
fn carry_out(effects: Vec<Effect>, app: &mut App, worker: &Worker) -> bool {
    let mut quit = false;
    for effect in effects {
        match effect {
            Effect::Run(id, job) => worker.send(id, job),
            Effect::Cancel(control) => control.cancel(),
            Effect::Copy(text) => copy_osc52(&text),
            Effect::Save { path, contents } => {
                let saved = crate::tui::runtime::save_file::save_new(&path, &contents);
                quit |= carry_out(app.update(Action::Saved(saved)), app, worker);
            }
            Effect::Quit => quit = true,
        }
    }
    quit
}

/// Asks the terminal to put `text` on the clipboard (OSC 52).
fn copy_osc52(text: &str) {
    let mut out = io::stdout();
    let _ = write!(out, "\x1b]52;c;{}\x07", STANDARD.encode(text));
    let _ = out.flush();
}

/// Reads terminal events on a thread of their own until `stop` is set.
fn spawn_input(
    tx: UnboundedSender<Event>,
    stop: Arc<AtomicBool>,
) -> io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("kms-console-input".into())
        .spawn(move || {
            // A dead terminal is left alone: reading it may never return.
            while !stop.load(Ordering::SeqCst) && !terminal_gone() {
                match event::poll(Duration::from_millis(50)) {
                    Ok(true) => {
                        let Ok(ev) = event::read() else { break };
                        if tx.send(ev).is_err() {
                            break;
                        }
                    }
                    Ok(false) => {}
                    Err(_) => break,
                }
            }
        })
}
