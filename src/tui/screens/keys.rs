//! The keys screen: the key list (alias, KeyId, spec, state, versions, rotation, description)
//! with its `/` filter and its order (`o`), beside the selected key's details and versions,
//! the primary one marked.

pub mod columns;
pub mod sort;

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::tui::context::Cx;
use crate::tui::keymap::Cmd;
use crate::tui::modals::Modal;
use crate::tui::modals::picker::Picker;
use crate::tui::screens::Out;
use crate::tui::screens::keys::columns::{header_line, row_line};
use crate::tui::screens::keys::sort::KeySort;
use crate::tui::ui::text::edit_filter;
use crate::tui::ui::theme::Theme;
use crate::tui::vault_view::{KeyRow, VaultView};

/// The key list's filter, selection and scroll.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeysScreen {
    pub query: String,
    /// The filter line has the keys.
    pub filtering: bool,
    /// Indexes into the view's keys that match the filter.
    pub shown: Vec<usize>,
    /// Index into `shown`.
    pub selected: usize,
    /// First row shown.
    pub offset: usize,
    /// The selected key's id, to keep it selected when the view changes.
    pub selected_id: Option<String>,
    /// The column the list is sorted by.
    pub sort: KeySort,
}

impl KeysScreen {
    /// Applies the filter to a (new) view, keeping `keep` selected if it still shows.
    pub fn refilter(&mut self, view: &VaultView, keep: Option<&str>) {
        self.shown = view.filter(&self.query);
        if self.sort != KeySort::Vault {
            let sort = self.sort;
            self.shown
                .sort_by(|&a, &b| match (view.keys.get(a), view.keys.get(b)) {
                    (Some(x), Some(y)) => sort.compare(x, y),
                    _ => std::cmp::Ordering::Equal,
                });
        }
        let found = keep
            .and_then(|id| view.key_index(id))
            .and_then(|k| self.shown.iter().position(|&i| i == k));
        self.selected = found.unwrap_or(0).min(self.shown.len().saturating_sub(1));
        self.remember(view);
    }

    pub fn selected_key<'a>(&self, view: &'a VaultView) -> Option<&'a KeyRow> {
        self.shown
            .get(self.selected)
            .and_then(|&i| view.keys.get(i))
    }

    fn remember(&mut self, view: &VaultView) {
        self.selected_id = self.selected_key(view).map(|k| k.key_id.clone());
    }

    /// Selects row `index` of the shown keys (clamped).
    pub fn select(&mut self, index: usize, view: &VaultView, rows: usize) {
        self.selected = index.min(self.shown.len().saturating_sub(1));
        self.remember(view);
        self.ensure_visible(rows);
    }

    pub fn move_by(&mut self, delta: isize, view: &VaultView, rows: usize) {
        self.select(self.selected.saturating_add_signed(delta), view, rows);
    }

    /// Scrolls so the selection is among the `rows` rows shown.
    pub fn ensure_visible(&mut self, rows: usize) {
        let rows = rows.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + rows {
            self.offset = self.selected + 1 - rows;
        }
        let max_offset = self.shown.len().saturating_sub(rows);
        self.offset = self.offset.min(max_offset);
    }

    /// A key for the filter line.
    pub fn filter_input(&mut self, key: KeyEvent, view: &VaultView) {
        if !edit_filter(&mut self.query, key) {
            return;
        }
        let keep = self.selected_id.clone();
        self.refilter(view, keep.as_deref());
    }
}

impl KeysScreen {
    /// A key of the keys screen (or of its filter line).
    pub fn update(&mut self, cmd: Cmd, cx: &Cx<'_>) -> Vec<Out> {
        let rows = Self::rows(cx.body);
        let page = isize::try_from(rows).unwrap_or(1);
        let view = cx.view;
        match cmd {
            Cmd::Up => self.move_by(-1, view, rows),
            Cmd::Down => self.move_by(1, view, rows),
            Cmd::PageUp => self.move_by(-page, view, rows),
            Cmd::PageDown => self.move_by(page, view, rows),
            Cmd::Top => self.select(0, view, rows),
            Cmd::Bottom => self.select(usize::MAX, view, rows),
            Cmd::Filter => self.filtering = true,
            Cmd::FilterDone => self.filtering = false,
            Cmd::ClearFilter => {
                self.filtering = false;
                self.query.clear();
                let keep = self.selected_id.clone();
                self.refilter(view, keep.as_deref());
                self.ensure_visible(rows);
            }
            Cmd::Sort => {
                self.sort = self.sort.next();
                let keep = self.selected_id.clone();
                self.refilter(view, keep.as_deref());
                self.ensure_visible(rows);
            }
            Cmd::Actions => return vec![Out::Modal(Modal::Picker(Picker::actions()))],
            Cmd::Open(action) => return vec![Out::OpenForm(action)],
            _ => {}
        }
        if matches!(
            cmd,
            Cmd::Up | Cmd::Down | Cmd::PageUp | Cmd::PageDown | Cmd::Top | Cmd::Bottom
        ) {
            return vec![Out::SelectionMoved];
        }
        Vec::new()
    }

    /// A click in the body: a row of the list selects its key.
    pub fn click(&mut self, at: Position, cx: &Cx<'_>) -> Vec<Out> {
        let rows = list_rows_area(areas(cx.body).0);
        if !rows.contains(at) {
            return Vec::new();
        }
        let index = self.offset + usize::from(at.y - rows.y);
        if index >= self.shown.len() {
            return Vec::new();
        }
        self.select(index, cx.view, usize::from(rows.height));
        vec![Out::SelectionMoved]
    }

    /// Rows of keys the list shows in `body`.
    pub fn rows(body: Rect) -> usize {
        usize::from(list_rows_area(areas(body).0).height)
    }

    /// Draws the screen into `body`.
    pub fn render(&self, frame: &mut Frame<'_>, body: Rect, cx: &Cx<'_>) {
        let (list, details) = areas(body);
        self.render_list(frame, list, cx);
        render_details(frame, details, self.selected_key(cx.view), cx.theme);
    }

    fn list_block(&self, total: usize, theme: Theme) -> Block<'static> {
        let mut title = if self.filtering || !self.query.is_empty() {
            format!(" Keys {}/{total} · /{} ", self.shown.len(), self.query)
        } else {
            format!(" Keys ({total}) ")
        };
        if let Some(column) = self.sort.label() {
            title = format!("{title}· by {column} ");
        }
        let border = if self.filtering {
            theme.border_focus()
        } else {
            theme.border()
        };
        Block::default()
            .borders(Borders::ALL)
            .border_style(border)
            .title(Span::styled(title, theme.title()))
    }

    /// Draws only the rows in view, so a frame costs the same for ten keys or ten thousand.
    fn render_list(&self, frame: &mut Frame<'_>, area: Rect, cx: &Cx<'_>) {
        let (theme, view) = (cx.theme, cx.view);
        let block = self.list_block(view.keys.len(), theme);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let width = usize::from(inner.width);
        let header = Rect {
            height: inner.height.min(1),
            ..inner
        };
        frame.render_widget(Paragraph::new(header_line(width, self.sort, theme)), header);
        let rows = list_rows_area(area);
        let lines: Vec<Line<'_>> = self
            .shown
            .iter()
            .enumerate()
            .skip(self.offset)
            .take(usize::from(rows.height))
            .filter_map(|(n, &i)| {
                let key = view.keys.get(i)?;
                let selected = n == self.selected;
                let style = if selected {
                    theme.selected()
                } else {
                    theme.text()
                };
                Some(row_line(key, width, style, theme))
            })
            .collect();
        let text = match (lines.is_empty(), view.keys.is_empty()) {
            (false, _) => None,
            (true, true) => Some("No keys yet. Press n to create one."),
            (true, false) => Some("No key matches the filter (esc clears it)."),
        };
        frame.render_widget(Paragraph::new(lines), rows);
        if let Some(text) = text {
            let message = Paragraph::new(Span::styled(text, theme.dim())).wrap(Wrap { trim: true });
            frame.render_widget(message, rows);
        }
    }
}

/// The list and detail panes of the screen.
pub fn areas(body: Rect) -> (Rect, Rect) {
    if body.width >= 60 {
        let percent = if body.width < 100 { 60 } else { 52 };
        let [list, details] =
            Layout::horizontal([Constraint::Percentage(percent), Constraint::Min(0)]).areas(body);
        (list, details)
    } else {
        let [list, details] =
            Layout::vertical([Constraint::Percentage(55), Constraint::Min(0)]).areas(body);
        (list, details)
    }
}

/// The rows of the list pane that hold keys (inside the border, below the header).
pub fn list_rows_area(list: Rect) -> Rect {
    let inner = Block::default().borders(Borders::ALL).inner(list);
    Rect {
        y: inner.y.saturating_add(1),
        height: inner.height.saturating_sub(1),
        ..inner
    }
}

fn render_details(frame: &mut Frame<'_>, area: Rect, key: Option<&KeyRow>, theme: Theme) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border())
        .title(Span::styled(" Details ", theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(key) = key else {
        return;
    };
    let details = crate::tui::screens::key_details::about(key, theme);
    let about_rows = crate::tui::screens::key_details::height(&details, inner.width);
    let versions = crate::tui::screens::key_details::versions(key, usize::from(inner.width), theme);
    // The versions keep room for the primary one and its whole id; the details' last lines
    // give way first.
    let needed = crate::tui::screens::key_details::versions_needed(&versions)
        .max(3)
        .min(inner.height / 2 + 1);
    let [top, rest] = Layout::vertical([
        Constraint::Length(about_rows.min(inner.height.saturating_sub(needed))),
        Constraint::Min(0),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(details).wrap(Wrap { trim: false }), top);
    frame.render_widget(Paragraph::new(versions), rest);
}
