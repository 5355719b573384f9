//! Drives the console without a terminal or threads, for tests and benchmarks: keys and
//! actions go in, jobs run at once on an [`Executor`] (or are held, to look at a drill while it
//! "runs"), and the model, the effects and the drawn screen come out.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::tui::action::{Action, Effect};
use crate::tui::app::App;
use crate::tui::app::view;
use crate::tui::job::{Job, JobId, WorkerEvent};
use crate::tui::runtime::worker::Executor;

/// A console and the executor that answers its jobs.
pub struct Harness {
    pub app: App,
    pub executor: Executor,
    /// Effects other than jobs (copy, save, cancel, quit), in order.
    pub effects: Vec<Effect>,
    /// Keep jobs in `held` instead of running them (to look at a drill while it "runs").
    pub hold: bool,
    pub held: Vec<(JobId, Job)>,
}

impl Harness {
    pub fn new(app: App, executor: Executor) -> Self {
        Self {
            app,
            executor,
            effects: Vec::new(),
            hold: false,
            held: Vec::new(),
        }
    }

    /// Runs a job as the worker thread would: the new view (if any), then the reply.
    fn run(&mut self, id: JobId, job: Job) -> Vec<WorkerEvent> {
        let (reply, view) = self.executor.run(job);
        let mut events = Vec::new();
        if let Some(view) = view {
            events.push(WorkerEvent::Snapshot(Box::new(view)));
        }
        events.push(WorkerEvent::Done(id, reply));
        events
    }

    /// Runs the held jobs now, in order, and delivers their replies.
    pub fn release(&mut self) {
        self.hold = false;
        for (id, job) in std::mem::take(&mut self.held) {
            for event in self.run(id, job) {
                self.act(Action::Worker(event));
            }
        }
    }

    /// Applies an action and runs the jobs it starts (and the jobs those start), answering
    /// each as the worker thread would.
    pub fn act(&mut self, action: Action) {
        let mut queue = vec![action];
        while let Some(action) = queue.pop() {
            for effect in self.app.update(action) {
                match effect {
                    Effect::Run(id, job) if self.hold => self.held.push((id, job)),
                    Effect::Run(id, job) => {
                        let events = self.run(id, job);
                        queue.extend(events.into_iter().rev().map(Action::Worker));
                    }
                    Effect::Cancel(control) => {
                        control.cancel();
                        self.effects.push(Effect::Cancel(control));
                    }
                    other => self.effects.push(other),
                }
            }
        }
    }

    /// A key press, routed as the terminal's would be.
    pub fn press(&mut self, key: KeyEvent) {
        if let Some(action) = self.app.on_key(&key) {
            self.act(action);
        }
    }

    pub fn key(&mut self, code: KeyCode) {
        self.press(KeyEvent::new(code, KeyModifiers::NONE));
    }

    pub fn ctrl(&mut self, c: char) {
        self.press(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
    }

    /// Types each character as a key press.
    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            let mods = if c.is_ascii_uppercase() {
                KeyModifiers::SHIFT
            } else {
                KeyModifiers::NONE
            };
            self.press(KeyEvent::new(KeyCode::Char(c), mods));
        }
    }

    /// Pastes text (bracketed paste).
    pub fn paste(&mut self, text: &str) {
        self.act(Action::Paste(text.to_owned()));
    }

    /// Looks for outside changes, as the worker does every half second.
    pub fn poll(&mut self) {
        for event in self.executor.poll() {
            self.act(Action::Worker(event));
        }
    }

    /// The screen drawn at `width` × `height`, as text.
    pub fn screen(&mut self, width: u16, height: u16) -> String {
        self.app.update(Action::Resize(width, height));
        draw(&self.app, width, height)
    }
}

/// Draws `app` on a test terminal of `width` × `height` and returns the text.
pub fn draw(app: &App, width: u16, height: u16) -> String {
    let mut terminal = match Terminal::new(TestBackend::new(width, height)) {
        Ok(t) => t,
        Err(e) => match e {},
    };
    if let Err(e) = terminal.draw(|f| view::render(f, app)) {
        match e {}
    }
    if width == 0 || height == 0 {
        // The test backend cannot print an empty buffer.
        return String::new();
    }
    terminal.backend().to_string()
}
