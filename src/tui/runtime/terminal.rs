//! The one terminal guard: raw mode, the alternate screen, mouse capture and bracketed paste on
//! entry; all of it undone when the guard drops, and also when the program panics (the panic
//! hook restores the screen before the message is printed).

use std::io::{self, Write};
use std::sync::Once;

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};

/// Holds the terminal in console mode while it lives.
pub struct TerminalGuard(());

static HOOK: Once = Once::new();

impl TerminalGuard {
    /// Puts the terminal in console mode. On failure whatever was done is undone.
    pub fn enter() -> io::Result<Self> {
        HOOK.call_once(|| {
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                restore();
                previous(info);
            }));
        });
        // Built first, so an error below still restores through Drop.
        let guard = Self(());
        enable_raw_mode()?;
        execute!(
            io::stdout(),
            EnterAlternateScreen,
            EnableMouseCapture,
            EnableBracketedPaste,
            cursor::Hide
        )?;
        Ok(guard)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Leaves console mode; harmless if the terminal is not in it.
fn restore() {
    let mut out = io::stdout();
    let _ = execute!(
        out,
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = disable_raw_mode();
    let _ = out.flush();
}
