//! The messages of the model–update–view loop: an [`Action`] goes into `App::update`, which
//! changes the model and returns [`Effect`]s for the event loop to carry out (the update itself
//! does no I/O).

use std::path::PathBuf;
use std::sync::Arc;

use crossterm::event::KeyEvent;

use crate::core::drill::DrillControl;

use crate::tui::job::{Job, JobId, WorkerEvent};
use crate::tui::keymap::{Cmd, Layer};

/// Something that happened, for the model to take in.
#[derive(Debug, Clone)]
pub enum Action {
    /// A bound key's command, with the layer that bound it.
    Cmd(Layer, Cmd),
    /// A key for the text field that has the focus.
    Input(KeyEvent),
    /// Pasted text (bracketed paste) for the text field that has the focus.
    Paste(String),
    /// A left click at a screen cell.
    Click {
        column: u16,
        row: u16,
    },
    /// The mouse wheel at a screen cell.
    Scroll {
        down: bool,
        column: u16,
        row: u16,
    },
    Resize(u16, u16),
    /// About ten a second, while something animates or fades.
    Tick,
    Worker(WorkerEvent),
    /// A save to a file finished: the path, or why not.
    Saved(Result<String, String>),
}

/// What the event loop does for the model.
#[derive(Debug)]
pub enum Effect {
    /// Hand a job to the worker.
    Run(JobId, Job),
    /// Put text on the clipboard (OSC 52).
    Copy(String),
    /// Write a new file (never over an existing one).
    Save {
        path: PathBuf,
        contents: String,
    },
    /// Ask the running drill to stop (it writes no output).
    Cancel(Arc<DrillControl>),
    Quit,
}
