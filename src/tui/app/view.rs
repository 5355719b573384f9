//! The view: the screen's layout (tabs, body, walkthrough, status bar, footer) and the order
//! things are drawn in. Everything here reads `&App` and only draws; nothing panics however
//! small the terminal is.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::tui::app::{App, Gate, Screen};
use crate::tui::keymap::footer_hints;
use crate::tui::ui::layout::{popup_area, spinner};
use crate::tui::ui::text::tail;
use crate::tui::ui::theme::Theme;

/// Where each part of the screen goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub tabs: Rect,
    /// The damage banner; zero-sized unless the vault file on disk is damaged.
    pub banner: Rect,
    pub body: Rect,
    /// Zero-sized when the walkthrough does not show.
    pub walk: Rect,
    pub status: Rect,
    pub footer: Rect,
}

/// The layout at the app's last known terminal size.
pub fn areas(app: &App) -> Areas {
    areas_in(Rect::new(0, 0, app.size.0, app.size.1), app)
}

pub fn areas_in(area: Rect, app: &App) -> Areas {
    let banner = if app.damage.is_some() && app.gate.is_none() {
        crate::tui::app::damage::BANNER_HEIGHT.min(area.height.saturating_sub(3))
    } else {
        0
    };
    let walk = walk_height(area.height, banner, app);
    let [tabs, banner, body, walk, status, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(banner),
        Constraint::Min(0),
        Constraint::Length(walk),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    Areas {
        tabs,
        banner,
        body,
        walk,
        status,
        footer,
    }
}

/// The fewest rows the body keeps beside the walkthrough panel: on a shorter terminal the panel
/// hides itself (the drill table, the key list keep their rows) unless `w` asked for it.
pub const MIN_BODY_BESIDE_WALK: u16 = 16;

/// The walkthrough panel's height: 5 rows (4 under 24), none when it is hidden (`w`), when the
/// body would keep fewer than [`MIN_BODY_BESIDE_WALK`] rows (unless `w` pinned it), or under
/// 16 rows in any case.
fn walk_height(height: u16, banner: u16, app: &App) -> u16 {
    let Some(w) = &app.walkthrough else {
        return 0;
    };
    if !w.visible || app.gate.is_some() || height < 16 {
        return 0;
    }
    let panel = if height >= 24 { 5 } else { 4 };
    // The tab bar, the status bar and the footer take a row each.
    let body = height.saturating_sub(3 + banner + panel);
    if body >= MIN_BODY_BESIDE_WALK || w.pinned {
        panel
    } else {
        0
    }
}

/// The walkthrough is on but hid itself for want of rows (the status bar says so).
pub fn walk_hidden_for_room(app: &App) -> bool {
    app.walkthrough.as_ref().is_some_and(|w| w.visible)
        && app.gate.is_none()
        && areas(app).walk.height == 0
}

const BRAND: &str = " kms-console ";

/// The tabs as (screen, first column, width), from column 0 of the tab bar.
fn tab_positions() -> Vec<(Screen, u16, u16)> {
    let mut x = u16::try_from(BRAND.chars().count()).unwrap_or(0) + 1;
    Screen::ALL
        .iter()
        .map(|s| {
            let w = u16::try_from(s.title().len() + 4).unwrap_or(0);
            let at = (*s, x, w);
            x += w + 1;
            at
        })
        .collect()
}

/// The screen whose tab is at `column`.
pub fn tab_at(tabs: Rect, column: u16) -> Option<Screen> {
    let x = column.checked_sub(tabs.x)?;
    tab_positions()
        .into_iter()
        .find(|(_, at, w)| x >= *at && x < at + w)
        .map(|(s, _, _)| s)
}

pub fn render(frame: &mut Frame<'_>, app: &App) {
    let theme = app.config.theme;
    let area = frame.area();
    let a = areas_in(area, app);
    render_tabs(frame, a.tabs, app, theme);
    if let Some(gate) = &app.gate {
        render_gate(frame, a.body, gate, app);
    } else {
        let cx = app.cx(a.body);
        match app.screen {
            Screen::Keys => app.keys.render(frame, a.body, &cx),
            Screen::Principals => app.principals.render(frame, a.body, &cx),
            Screen::Audit => app.audit.render(frame, a.body, &cx),
            Screen::Drill => app.drill.render(frame, a.body, &cx),
            Screen::Endpoint => app.endpoint.render(frame, a.body, &cx),
        }
        if let Some(why) = &app.damage
            && a.banner.height > 0
        {
            crate::tui::app::damage::render_banner(frame, a.banner, why, theme);
        }
        if let Some(w) = &app.walkthrough
            && a.walk.height > 0
        {
            w.render(frame, a.walk, theme);
        }
        if let Some(form) = &app.form {
            crate::tui::form::view::render(frame, a.body, form, &cx);
        }
        if let Some(result) = &app.result {
            result.render(frame, a.body, theme);
        }
    }
    // Over a result, toasts stay within its document: its summary, chaining keys and CLI and
    // request lines stay in view (those that do not fit wait their turn).
    let toasts = app.result.as_ref().map_or(a.body, |r| {
        let document = r.document_area(a.body);
        Rect {
            y: document.y,
            height: document.height,
            ..a.body
        }
    });
    app.toasts
        .render(frame, toasts, theme, app.result.is_some());
    render_status(frame, a.status, app, theme);
    render_footer(frame, a.footer, app, theme);
    // Modals leave the status bar and the footer (their keys) in view when there is room.
    let above = modal_room_in(area);
    for modal in &app.modals {
        modal.render(frame, above, theme);
    }
}

fn render_tabs(frame: &mut Frame<'_>, area: Rect, app: &App, theme: Theme) {
    let mut spans = vec![Span::styled(BRAND, theme.title()), Span::raw(" ")];
    for (i, s) in Screen::ALL.iter().enumerate() {
        let label = format!(" {} {} ", i + 1, s.title());
        let style = if *s == app.screen && app.gate.is_none() {
            theme.selected()
        } else {
            theme.dim()
        };
        spans.push(Span::styled(label, style));
        spans.push(Span::raw(" "));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn render_gate(frame: &mut Frame<'_>, body: Rect, gate: &Gate, app: &App) {
    let theme = app.config.theme;
    let area = popup_area(body, 76, 12);
    match gate {
        Gate::FirstRun(f) => f.render(frame, area, theme),
        Gate::Unlock(u) => u.render(frame, area, theme),
        Gate::Loading(what) => {
            let text = format!("{} {what}…", spinner(app.tick));
            let block = Block::default()
                .borders(Borders::ALL)
                .border_style(theme.border());
            frame.render_widget(
                Paragraph::new(text).block(block).wrap(Wrap { trim: true }),
                area,
            );
        }
        Gate::Failed(message) => {
            let block = Block::default()
                .borders(Borders::ALL)
                .border_style(theme.error())
                .title(Span::styled(" Cannot open the vault ", theme.error()));
            let lines = vec![
                Line::from(message.as_str()),
                Line::default(),
                Line::from(Span::styled("q quit", theme.dim())),
            ];
            frame.render_widget(Clear, area);
            frame.render_widget(
                Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
                area,
            );
        }
    }
}

fn render_status(frame: &mut Frame<'_>, area: Rect, app: &App, theme: Theme) {
    let width = usize::from(area.width);
    let right = match app.busy() {
        Some(label) => format!(" {} {label}… ", spinner(app.tick)),
        None if walk_hidden_for_room(app) => " walkthrough hidden: w shows ".to_owned(),
        None => String::new(),
    };
    let (path, protection) = match &app.info {
        Some(info) => {
            let demo = if info.demo { " (demo copy)" } else { "" };
            (format!("{}{demo}", info.path), info.protection_label())
        }
        None => (app.vault_path.display().to_string(), ""),
    };
    // Acting as a principal the vault does not have is flagged for as long as it lasts.
    let unknown = app.info.is_some() && !app.principal_known();
    let who = if unknown {
        format!("{} (unknown principal)", app.principal)
    } else {
        app.principal.clone()
    };
    let fixed = if protection.is_empty() {
        format!(" │ as {who} ")
    } else {
        format!(" │ {protection} │ as {who} ")
    };
    let room = width.saturating_sub(fixed.chars().count() + right.chars().count() + 1);
    let left = format!(" {}{fixed}", tail(&path, room));
    let pad = width.saturating_sub(left.chars().count() + right.chars().count());
    let warn = protection == "UNPROTECTED" || unknown;
    let spans = vec![
        Span::styled(
            left,
            if warn {
                theme.status().patch(theme.warn())
            } else {
                theme.status()
            },
        ),
        Span::styled(" ".repeat(pad), theme.status()),
        Span::styled(right, theme.status().patch(theme.focus())),
    ];
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn render_footer(frame: &mut Frame<'_>, area: Rect, app: &App, theme: Theme) {
    let (layers, _) = app.route();
    let mut spans = Vec::new();
    let mut used = 0usize;
    for (label, desc) in footer_hints(&layers) {
        let len = label.chars().count() + desc.chars().count() + 3;
        if used + len > usize::from(area.width) {
            break;
        }
        used += len;
        spans.push(Span::styled(format!(" {label}"), theme.key()));
        spans.push(Span::styled(format!(" {desc} "), theme.dim()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// Where modals are drawn on a terminal of `size`: all of it but the status bar and the
/// footer (their keys), when there is room.
pub fn modal_room(size: (u16, u16)) -> Rect {
    modal_room_in(Rect::new(0, 0, size.0, size.1))
}

fn modal_room_in(area: Rect) -> Rect {
    if area.height >= 12 {
        Rect {
            height: area.height - 2,
            ..area
        }
    } else {
        area
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::action::Action;
    use crate::tui::app::AppConfig;
    use crate::tui::keymap::{Cmd, Layer};
    use crate::tui::screens::walkthrough::Walkthrough;

    fn app(height: u16) -> App {
        let mut app = App::new(AppConfig::default());
        app.gate = None;
        app.walkthrough = Some(Walkthrough::new(Vec::new()));
        drop(app.update(Action::Resize(60, height)));
        app
    }

    #[test]
    fn the_panel_shows_only_while_the_body_keeps_its_rows() {
        for (height, panel) in [(40, 5), (24, 5), (23, 4), (22, 0), (20, 0), (15, 0)] {
            let app = app(height);
            let a = areas(&app);
            assert_eq!(a.walk.height, panel, "at height {height}");
            assert!(panel == 0 || a.body.height >= MIN_BODY_BESIDE_WALK);
            assert_eq!(walk_hidden_for_room(&app), panel == 0, "at height {height}");
        }
    }

    #[test]
    fn w_shows_the_hidden_panel_on_a_short_terminal_and_hides_it_again() {
        let mut app = app(20);
        let toggle =
            |app: &mut App| drop(app.update(Action::Cmd(Layer::Global, Cmd::ToggleWalkthrough)));
        toggle(&mut app);
        assert_eq!(areas(&app).walk.height, 4);
        assert!(!walk_hidden_for_room(&app));
        toggle(&mut app);
        assert_eq!(areas(&app).walk.height, 0);
        assert!(!walk_hidden_for_room(&app), "hidden by the user: no hint");
        // On a tall terminal `w` hides and shows it as before.
        let mut app = self::app(30);
        toggle(&mut app);
        assert_eq!(areas(&app).walk.height, 0);
        toggle(&mut app);
        assert_eq!(areas(&app).walk.height, 5);
    }
}
