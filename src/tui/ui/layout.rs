//! Layout helpers shared by the rooms: a centred popup area, the busy spinner, a titled panel
//! and a form field's label.

use std::borrow::Cow;

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders};

use crate::tui::ui::theme::Theme;

/// A centred rectangle of at most `width` × `height` inside `area`.
pub fn popup_area(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// The spinner's frame at this tick.
pub fn spinner(tick: u64) -> &'static str {
    let i = usize::try_from(tick % 10).unwrap_or(0);
    SPINNER.get(i).copied().unwrap_or("*")
}

/// A bordered panel with its title.
pub fn panel(title: String, theme: Theme) -> Block<'static> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border())
        .title(Span::styled(title, theme.title()))
}

/// A form field's label: led by `▸` and in the focus colour when the field has the focus.
pub fn field_label<'a>(name: impl Into<Cow<'a, str>>, focused: bool, theme: Theme) -> Line<'a> {
    let (marker, style) = if focused {
        ("▸", theme.focus())
    } else {
        (" ", theme.text())
    };
    Line::from(vec![
        Span::styled(marker, theme.focus()),
        Span::styled(name, style),
    ])
}
