//! Layout helpers shared by the rooms: a centred popup area and the busy spinner.

use ratatui::layout::Rect;

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
