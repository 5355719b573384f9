//! The modal stack: whatever is on top gets every key first and is drawn last.

pub mod confirm;
pub mod error;
pub mod help;
pub mod picker;
pub mod quit;
pub mod restore;
pub mod result;
pub mod save_prompt;
pub mod toast;

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::tui::keymap::Layer;
use crate::tui::keymap::Sink;
use crate::tui::modals::confirm::ConfirmModal;
use crate::tui::modals::error::ErrorModal;
use crate::tui::modals::help::HelpModal;
use crate::tui::modals::picker::Picker;
use crate::tui::modals::quit::QuitModal;
use crate::tui::modals::restore::RestoreModal;
use crate::tui::modals::save_prompt::SavePrompt;
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
    /// Quit while a drill runs?
    Quit(QuitModal),
}

impl Modal {
    /// Its key layer, and where the keys it does not bind go.
    pub fn layer(&self) -> (Layer, Sink) {
        match self {
            Self::Help(_) => (Layer::Help, Sink::None),
            Self::Confirm(_) | Self::Restore(_) | Self::Quit(_) => (Layer::Confirm, Sink::None),
            Self::Error(_) => (Layer::Error, Sink::None),
            Self::Picker(_) => (Layer::Picker, Sink::Picker),
            Self::Save(_) => (Layer::Prompt, Sink::Prompt),
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
            Self::Quit(m) => m.render(frame, area, theme),
        }
    }
}
