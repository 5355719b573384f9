//! The modal stack: whatever is on top gets every key first and is drawn last.

use ratatui::Frame;
use ratatui::layout::Rect;

use super::confirm::ConfirmModal;
use super::error_modal::ErrorModal;
use super::help::HelpModal;
use super::input::Sink;
use super::keymap::Layer;
use super::picker::Picker;
use super::restore::RestoreModal;
use super::save_prompt::SavePrompt;
use super::theme::Theme;
use super::view::popup_area;

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
}

impl Modal {
    /// Its key layer, and where the keys it does not bind go.
    pub fn layer(&self) -> (Layer, Sink) {
        match self {
            Self::Help(_) => (Layer::Help, Sink::None),
            Self::Confirm(_) | Self::Restore(_) => (Layer::Confirm, Sink::None),
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
            Self::Confirm(_) | Self::Error(_) | Self::Restore(_) => popup_area(area, 70, 12),
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
        }
    }
}
