//! The picker modal: a filterable list to choose a key, a key version, an alias or an action
//! from, so that no one has to type a KeyId.

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::api::{ACTIONS, ParamKind};

use crate::tui::form::Form;
use crate::tui::form::rules::{self as form_rules, KeyKind};
use crate::tui::ui::text::{edit_filter, fit, short_id, visible};
use crate::tui::ui::theme::Theme;
use crate::tui::vault_view::{KeyRow, VaultView};

/// What a chosen item does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickTarget {
    /// Fill this parameter of the open form.
    Field(&'static str),
    /// Open the form of the chosen action.
    Action,
    /// Fill the drill screen's destination key.
    DrillKey,
    /// The principal whose AccessKey the Endpoint screen's snippets use.
    EndpointPrincipal,
}

/// One choice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickItem {
    pub label: String,
    pub detail: String,
    /// What choosing it puts in the field (or the action name).
    pub value: String,
}

/// An open picker.
#[derive(Debug, Clone)]
pub struct Picker {
    pub title: String,
    pub items: Vec<PickItem>,
    pub query: String,
    /// Indexes of the items matching `query`.
    pub shown: Vec<usize>,
    /// Index into `shown`.
    pub selected: usize,
    pub target: PickTarget,
}

impl Picker {
    pub fn new(title: String, items: Vec<PickItem>, target: PickTarget) -> Self {
        let shown = (0..items.len()).collect();
        Self {
            title,
            items,
            query: String::new(),
            shown,
            selected: 0,
            target,
        }
    }

    /// Every action of the action table, ReEncrypt first.
    pub fn actions() -> Self {
        let items = ACTIONS
            .iter()
            .map(|a| PickItem {
                label: a.name.to_owned(),
                detail: format!("{}: {}", a.group.title(), a.summary),
                value: a.name.to_owned(),
            })
            .collect();
        Self::new("Actions".to_owned(), items, PickTarget::Action)
    }

    /// The picker for the focused field of `form`, if it has one; `Err` says why not.
    pub fn for_field(form: &Form, view: &VaultView) -> Result<Self, String> {
        let field = form.focused().ok_or("no field")?;
        let name = field.name();
        match field.param.kind {
            ParamKind::KeyRef => {
                let kind = form_rules::key_kind(form.spec.action, name);
                Ok(Self::keys(view, kind, name))
            }
            ParamKind::KeyVersionId => {
                let key_param = form_rules::key_param_of(name);
                let key = view
                    .resolve(&form.value(key_param))
                    .ok_or_else(|| format!("choose {key_param} first"))?;
                Ok(Self::versions(key, name))
            }
            ParamKind::AliasName => Ok(Self::aliases(view, name)),
            _ => Err(format!("{name} has no picker")),
        }
    }

    /// A key's versions, newest (primary) first.
    fn versions(key: &KeyRow, param: &'static str) -> Self {
        let last = key.versions.len();
        let items = key
            .versions
            .iter()
            .enumerate()
            .rev()
            .map(|(i, v)| {
                let primary = if i + 1 == last { " · primary" } else { "" };
                PickItem {
                    label: v.id.clone(),
                    detail: format!("v{} · {}{primary}", i + 1, v.created),
                    value: v.id.clone(),
                }
            })
            .collect();
        let title = format!("Versions of {}", key.reference());
        Self::new(title, items, PickTarget::Field(param))
    }

    fn aliases(view: &VaultView, param: &'static str) -> Self {
        let items = view
            .aliases
            .iter()
            .map(|(alias, id)| PickItem {
                label: alias.clone(),
                detail: format!("→ {}", short_id(id)),
                value: alias.clone(),
            })
            .collect();
        Self::new("Aliases".to_owned(), items, PickTarget::Field(param))
    }

    /// The symmetric keys, for `target`.
    pub fn symmetric_keys(view: &VaultView, target: PickTarget) -> Self {
        let mut picker = Self::keys(view, KeyKind::Symmetric, "DestinationKeyId");
        picker.target = target;
        picker
    }

    fn keys(view: &VaultView, kind: KeyKind, param: &'static str) -> Self {
        let items = view
            .keys
            .iter()
            .filter(|k| kind.admits(k))
            .map(|k| PickItem {
                label: k.reference().to_owned(),
                detail: format!(
                    "{} · {} · {} · {} version{}",
                    short_id(&k.key_id),
                    k.spec.as_str(),
                    k.state.as_str(),
                    k.versions.len(),
                    if k.versions.len() == 1 { "" } else { "s" }
                ),
                value: k.reference().to_owned(),
            })
            .collect();
        Self::new(format!("Choose {param}"), items, PickTarget::Field(param))
    }

    pub fn chosen(&self) -> Option<&PickItem> {
        self.shown
            .get(self.selected)
            .and_then(|&i| self.items.get(i))
    }

    pub fn move_by(&mut self, delta: isize) {
        let last = self.shown.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    /// Typing filters the list.
    pub fn input(&mut self, key: KeyEvent) {
        if edit_filter(&mut self.query, key) {
            self.refilter();
        }
    }

    pub fn paste(&mut self, text: &str) {
        self.query.push_str(text.trim());
        self.refilter();
    }

    /// Keeps the items that contain the query, best first: an exact label, then a label that
    /// starts with it, then a label that contains it, then a detail that does.
    fn refilter(&mut self) {
        let q = self.query.trim().to_lowercase();
        let mut ranked: Vec<(u8, usize)> = self
            .items
            .iter()
            .enumerate()
            .filter_map(|(i, it)| {
                let label = it.label.to_lowercase();
                let rank = if label == q {
                    0
                } else if label.starts_with(&q) {
                    1
                } else if label.contains(&q) {
                    2
                } else if it.detail.to_lowercase().contains(&q) {
                    3
                } else {
                    return None;
                };
                Some((rank, i))
            })
            .collect();
        ranked.sort_unstable();
        self.shown = ranked.into_iter().map(|(_, i)| i).collect();
        self.selected = 0;
    }

    /// Rows of items that fit in a list of `height` rows, starting where the selection shows.
    fn window(&self, height: usize) -> usize {
        if height == 0 {
            return 0;
        }
        self.selected.saturating_sub(height - 1)
    }

    /// The rows of items in view in `list`, the selection highlighted.
    fn item_lines(&self, list: Rect, theme: Theme) -> Vec<Line<'_>> {
        let height = usize::from(list.height);
        let longest = self.items.iter().map(|i| i.label.chars().count()).max();
        let label_width = longest.unwrap_or(8).min(usize::from(list.width) / 2).max(4);
        self.shown
            .iter()
            .enumerate()
            .skip(self.window(height))
            .take(height)
            .filter_map(|(row, &i)| {
                let item = self.items.get(i)?;
                let style = if row == self.selected {
                    theme.selected()
                } else {
                    theme.text()
                };
                let label = fit(&visible(&item.label), label_width);
                Some(Line::from(vec![
                    Span::styled(format!("{label} "), style),
                    Span::styled(visible(&item.detail), theme.dim()),
                ]))
            })
            .collect()
    }

    pub fn render(&self, frame: &mut Frame<'_>, area: Rect, theme: Theme) {
        frame.render_widget(Clear, area);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border_focus())
            .title(Span::styled(format!(" {} ", self.title), theme.title()));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let [query, list] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
        let prompt = Line::from(vec![
            Span::styled("filter: ", theme.dim()),
            Span::styled(visible(&self.query), theme.text()),
            Span::styled(" ", theme.cursor()),
            Span::styled(
                format!("  {} of {}", self.shown.len(), self.items.len()),
                theme.dim(),
            ),
        ]);
        frame.render_widget(Paragraph::new(prompt), query);
        let lines = self.item_lines(list, theme);
        frame.render_widget(Paragraph::new(lines), list);
    }
}
