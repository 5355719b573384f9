//! The event loop: a tokio runtime that waits on terminal events (read on their own thread),
//! worker events and a tick, turns each into an action for `App::update`, carries out the
//! effects it returns, and draws. Nothing in it blocks on the vault.

use std::io::{self, Write};
use std::path::Path;
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

use super::action::{Action, Effect};
use super::app::{App, Startup};
use super::keymap::{Cmd, Layer};
use super::terminal::TerminalGuard;
use super::view;
use super::worker::{Executor, Worker};

/// How often the spinner turns and toasts fade.
const TICK: Duration = Duration::from_millis(100);

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
    let input = spawn_input(input_tx, Arc::clone(&stop)).map_err(fail)?;
    let (worker_tx, mut worker_rx) = unbounded_channel();
    let worker = Worker::spawn(Executor::new(sources), worker_tx).map_err(fail)?;
    let size = terminal.size().map_err(fail)?;
    app.update(Action::Resize(size.width, size.height));
    let effects = app.start(startup);
    let mut quit = carry_out(effects, &mut app, &worker);
    let mut ticker = tokio::time::interval(TICK);
    // A terminal closed (SIGHUP) or a polite kill (SIGTERM) quits as `q` does: a running drill is
    // cancelled, the screen restored and a demo copy removed.
    let mut hangup = signal(SignalKind::hangup()).map_err(fail)?;
    let mut terminate = signal(SignalKind::terminate()).map_err(fail)?;
    let mut dirty = true;
    while !quit {
        if dirty {
            terminal.draw(|f| view::render(f, &app)).map_err(fail)?;
        }
        let action = tokio::select! {
            Some(event) = input_rx.recv() => app.on_event(&event),
            Some(event) = worker_rx.recv() => Some(Action::Worker(event)),
            _ = ticker.tick() => app.wants_tick().then_some(Action::Tick),
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
    worker.stop();
    let _ = input.join();
    drop(terminal);
    drop(guard);
    Ok(())
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
                let saved = save_new(&path, &contents);
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

/// Writes a new file; never replaces one.
fn save_new(path: &Path, contents: &str) -> Result<String, String> {
    let shown = path.display().to_string();
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| format!("cannot save to {shown}: {e}"))?;
    file.write_all(contents.as_bytes())
        .and_then(|()| file.write_all(b"\n"))
        .map_err(|e| format!("cannot save to {shown}: {e}"))?;
    Ok(shown)
}

/// Reads terminal events on a thread of their own until `stop` is set.
fn spawn_input(
    tx: UnboundedSender<Event>,
    stop: Arc<AtomicBool>,
) -> io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("kms-console-input".into())
        .spawn(move || {
            while !stop.load(Ordering::SeqCst) {
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
