//! The key list's columns: which fit a width (alias, KeyId, spec, state, versions, rotation,
//! and the description where the list is wide), a row per key (its first alias with `+N` for
//! the others) and the header, marking the column the list is sorted by.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::core::spec::{KeySpec, KeyState};

use crate::tui::screens::keys::sort::KeySort;
use crate::tui::ui::text::{fit, visible};
use crate::tui::ui::theme::Theme;
use crate::tui::vault_view::KeyRow;

/// The marker after the label of the column the list is sorted by.
pub const SORTED: char = '▾';

fn spec_short(spec: KeySpec) -> &'static str {
    match spec {
        KeySpec::AliyunAes256 => "AES-256",
        KeySpec::AliyunAes128 => "AES-128",
        KeySpec::AliyunSm4 => "SM4",
        KeySpec::Rsa2048 => "RSA-2048",
        KeySpec::Rsa3072 => "RSA-3072",
        KeySpec::EcSm2 => "SM2",
        KeySpec::EcP256 => "P-256",
        KeySpec::EcP256K => "P-256K",
    }
}

fn state_short(state: KeyState) -> &'static str {
    match state {
        KeyState::Enabled => "Enabled",
        KeyState::Disabled => "Disabled",
        KeyState::PendingDeletion => "PendDel",
        KeyState::PendingImport => "PendImp",
    }
}

/// The columns shown at a width, and the widths of the two that stretch.
#[derive(Debug, Clone, Copy)]
#[allow(clippy::struct_excessive_bools)] // one flag per optional column, read by name
struct Columns {
    id: bool,
    spec: bool,
    versions: bool,
    rotation: bool,
    alias: usize,
    /// 0 when the description does not fit.
    description: usize,
}

/// The alias column takes up to this much before a description column is given the rest.
const ALIAS_MAX: usize = 22;
/// A description column narrower than this is not worth showing.
const DESCRIPTION_MIN: usize = 12;

fn columns(width: usize) -> Columns {
    let (id, spec, versions, rotation) = (width >= 44, width >= 26, width >= 32, width >= 38);
    let fixed = 9
        + usize::from(id) * 9
        + usize::from(spec) * 9
        + usize::from(versions) * 3
        + usize::from(rotation) * 6;
    let rest = width.saturating_sub(fixed);
    let (alias, description) = if rest >= ALIAS_MAX + 1 + DESCRIPTION_MIN {
        (ALIAS_MAX, rest - ALIAS_MAX - 1)
    } else {
        (rest.max(4), 0)
    };
    Columns {
        id,
        spec,
        versions,
        rotation,
        alias,
        description,
    }
}

/// The alias cell: the first alias without `alias/`, and `+N` for the others (kept when cut).
fn alias_cell(key: &KeyRow, width: usize) -> String {
    let first = key.aliases.first().map_or_else(
        || "—".to_owned(),
        |a| visible(a.strip_prefix("alias/").unwrap_or(a)),
    );
    let more = key.aliases.len().saturating_sub(1);
    if more == 0 {
        return fit(&first, width);
    }
    let suffix = format!(" +{more}");
    let room = width.saturating_sub(suffix.chars().count());
    let name = fit(&first, room);
    fit(&format!("{}{suffix}", name.trim_end()), width)
}

pub fn row_line(key: &KeyRow, width: usize, style: Style, theme: Theme) -> Line<'_> {
    let c = columns(width);
    let mut spans = vec![Span::styled(alias_cell(key, c.alias), style)];
    if c.id {
        spans.push(Span::styled(format!(" {}", fit(&key.key_id, 8)), style));
    }
    if c.spec {
        spans.push(Span::styled(format!(" {:<8}", spec_short(key.spec)), style));
    }
    let state_style = if style == theme.text() {
        theme.state(key.state)
    } else {
        style
    };
    spans.push(Span::styled(
        format!(" {:<8}", state_short(key.state)),
        state_style,
    ));
    if c.versions {
        spans.push(Span::styled(format!(" {:>2}", key.versions.len()), style));
    }
    if c.rotation {
        spans.push(Span::styled(
            format!(" {}", fit(&key.rotation_label(), 5)),
            style,
        ));
    }
    if c.description > 0 {
        let text = fit(&visible(&key.description), c.description);
        spans.push(Span::styled(format!(" {text}"), style));
    }
    Line::from(spans)
}

/// A header cell: the label, marked if the list is sorted by it, in `width`.
fn cell(label: &str, marked: bool, width: usize) -> String {
    if marked {
        fit(&format!("{label}{SORTED}"), width)
    } else {
        fit(label, width)
    }
}

pub fn header_line(width: usize, sort: KeySort, theme: Theme) -> Line<'static> {
    let c = columns(width);
    let mut text = cell("Alias", sort == KeySort::Alias, c.alias);
    if c.id {
        text.push(' ');
        text.push_str(&cell("KeyId", false, 8));
    }
    if c.spec {
        text.push(' ');
        text.push_str(&cell("Spec", sort == KeySort::Spec, 8));
    }
    text.push(' ');
    text.push_str(&cell("State", sort == KeySort::State, 8));
    if c.versions {
        let versions = if sort == KeySort::Versions {
            format!("#{SORTED}")
        } else {
            " #".to_owned()
        };
        text.push(' ');
        text.push_str(&versions);
    }
    if c.rotation {
        text.push(' ');
        text.push_str(&cell("Rot.", sort == KeySort::Rotation, 5));
    }
    if c.description > 0 {
        text.push(' ');
        text.push_str(&cell(
            "Description",
            sort == KeySort::Description,
            c.description,
        ));
    }
    Line::from(Span::styled(text, theme.dim()))
}
