//! Quitting: at once, except while a drill runs — quitting cancels it, so `q` or ^C asks first
//! and a second ^C (or `y`) quits.

use crate::tui::action::Effect;
use crate::tui::app::App;
use crate::tui::modals::Modal;
use crate::tui::modals::quit::QuitModal;

impl App {
    /// `q` or ^C: the question while a drill runs (unless it is already asked), else quit.
    pub(in crate::tui) fn quit_command(&mut self) -> Vec<Effect> {
        let asked = matches!(self.modals.last(), Some(Modal::Quit(_)));
        match self.drill.running() {
            Some(run) if !asked => {
                let modal = QuitModal {
                    rotated_first: run.rotated(),
                };
                self.modals.push(Modal::Quit(modal));
                Vec::new()
            }
            _ => self.quit_now(),
        }
    }

    /// Quits: a running drill stops first (writing nothing), so the worker can end; the
    /// endpoint stops too, finishing the requests it is answering.
    pub(in crate::tui) fn quit_now(&mut self) -> Vec<Effect> {
        self.modals.retain(|m| !matches!(m, Modal::Quit(_)));
        let outs = self.drill.cancel();
        let mut effects = self.carry_out(outs);
        let outs = self.endpoint.stop();
        effects.extend(self.carry_out(outs));
        self.quit = true;
        effects.push(Effect::Quit);
        effects
    }
}
