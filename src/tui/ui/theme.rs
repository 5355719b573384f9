//! Colours and emphasis. With `NO_COLOR` set (to anything but the empty string) the console
//! uses no colour at all, only bold, reverse and dim (<https://no-color.org>).

use ratatui::style::{Color, Modifier, Style};

/// The styles every screen draws with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Default for Theme {
    fn default() -> Self {
        Self { color: true }
    }
}

impl Theme {
    /// Colour unless `NO_COLOR` is set and not empty.
    pub fn from_env() -> Self {
        Self::for_no_color(std::env::var_os("NO_COLOR").as_deref())
    }

    /// The theme for a given `NO_COLOR` value.
    pub fn for_no_color(value: Option<&std::ffi::OsStr>) -> Self {
        Self {
            color: value.is_none_or(std::ffi::OsStr::is_empty),
        }
    }

    fn fg(self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    pub fn text(self) -> Style {
        Style::new()
    }

    pub fn title(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn dim(self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    }

    pub fn selected(self) -> Style {
        if self.color {
            Style::new()
                .bg(Color::Blue)
                .fg(Color::White)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }

    pub fn focus(self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    pub fn ok(self) -> Style {
        self.fg(Color::Green)
    }

    pub fn warn(self) -> Style {
        self.fg(Color::Yellow)
    }

    pub fn error(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn key(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn border(self) -> Style {
        self.fg(Color::DarkGray)
    }

    pub fn border_focus(self) -> Style {
        self.fg(Color::Cyan)
    }

    pub fn status(self) -> Style {
        if self.color {
            Style::new().bg(Color::DarkGray).fg(Color::White)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }

    /// How a key state is shown.
    pub fn state(self, state: crate::core::spec::KeyState) -> Style {
        use crate::core::spec::KeyState;
        match state {
            KeyState::Enabled => self.ok(),
            KeyState::Disabled | KeyState::PendingImport => self.warn(),
            KeyState::PendingDeletion => self.error(),
        }
    }

    /// The cursor of a text field.
    pub fn cursor(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_means_no_colour() {
        assert!(Theme::for_no_color(None).color);
        assert!(Theme::for_no_color(Some("".as_ref())).color);
        let plain = Theme::for_no_color(Some("1".as_ref()));
        assert!(!plain.color);
        for style in [
            plain.title(),
            plain.selected(),
            plain.error(),
            plain.status(),
        ] {
            assert_eq!(style.fg, None);
            assert_eq!(style.bg, None);
        }
    }
}
