//! The modal stack: whatever is on top gets every key first and is drawn last.

pub mod confirm;
pub mod error;
pub mod help;
pub mod picker;
pub mod principal_prompt;
pub mod quit;
pub mod restore;
pub mod result;
pub mod save_prompt;
pub mod secret_once;
pub mod simulator;
pub mod toast;

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::tui::keymap::Layer;
use crate::tui::keymap::Sink;
use crate::tui::modals::confirm::ConfirmModal;
use crate::tui::modals::error::ErrorModal;
use crate::tui::modals::help::HelpModal;
use crate::tui::modals::picker::Picker;
use crate::tui::modals::principal_prompt::PrincipalPrompt;
use crate::tui::modals::quit::QuitModal;
use crate::tui::modals::restore::RestoreModal;
use crate::tui::modals::save_prompt::SavePrompt;
use crate::tui::modals::secret_once::SecretOnce;
use crate::tui::modals::simulator::SimulatorModal;
use crate::tui::ui::layout::popup_area;
use crate::tui::ui::theme::Theme;

/// One modal.
#[derive(Debug, Clone)]
pub enum Modal {
    Help(HelpModal),
    Confirm(ConfirmModal),
    Error(ErrorModal),
    Picker(Picker),
    Save(SavePrompt),
    /// Restore the vault file from its `.bak`?
    Restore(RestoreModal),
    /// The policy simulator.
    Simulator(Box<SimulatorModal>),
    /// A principal change, asked before it runs.
    Principal(Box<PrincipalPrompt>),
    /// A new AccessKey's secret, shown once.
    SecretOnce(Box<SecretOnce>),
    /// Quit while a drill runs?
    Quit(QuitModal),
}

impl Modal {
    /// Its key layer, and where the keys it does not bind go.
    pub fn layer(&self) -> (Layer, Sink) {
        match self {
            Self::Help(_) => (Layer::Help, Sink::None),
            Self::Principal(p) if p.has_field() => (Layer::Ask, Sink::Prompt),
            // A principal's deletion asks yes or no.
            Self::Confirm(_) | Self::Restore(_) | Self::Principal(_) | Self::Quit(_) => {
                (Layer::Confirm, Sink::None)
            }
            Self::Error(_) => (Layer::Error, Sink::None),
            Self::Picker(_) => (Layer::Picker, Sink::Picker),
            Self::Save(_) => (Layer::Prompt, Sink::Prompt),
            Self::Simulator(_) => (Layer::Simulator, Sink::None),
            Self::SecretOnce(_) => (Layer::SecretOnce, Sink::None),
        }
    }

    /// Where it is drawn within `area`: centred, as large as it wants up to `area`.
    pub fn area(&self, area: Rect) -> Rect {
        match self {
            Self::Help(_) => popup_area(area, 80, 40),
            Self::Picker(_) => popup_area(area, 96, 30),
            Self::Confirm(_) | Self::Error(_) | Self::Restore(_) | Self::Quit(_) => {
                popup_area(area, 70, 12)
            }
            Self::Save(_) => popup_area(area, 72, 4),
            Self::Simulator(_) => popup_area(area, 76, 14),
            Self::Principal(_) => popup_area(area, 76, 5),
            Self::SecretOnce(_) => popup_area(area, 76, 8),
        }
    }

    pub fn render(&self, frame: &mut Frame<'_>, area: Rect, theme: Theme) {
        let area = self.area(area);
        match self {
            Self::Help(m) => m.render(frame, area, theme),
            Self::Confirm(m) => m.render(frame, area, theme),
            Self::Error(m) => m.render(frame, area, theme),
            Self::Picker(m) => m.render(frame, area, theme),
            Self::Save(m) => m.render(frame, area, theme),
            Self::Restore(m) => m.render(frame, area, theme),
            Self::Simulator(m) => m.render(frame, area, theme),
            Self::Principal(m) => m.render(frame, area, theme),
            Self::SecretOnce(m) => m.render(frame, area, theme),
            Self::Quit(m) => m.render(frame, area, theme),
        }
    }
}
