//! A vault file damaged on disk: the banner that says so (the console keeps the last good state
//! and refuses changes), and restoring the previous generation (`.bak`) from it after a
//! confirmation ([`RestoreModal`]). The work is the core's ([`crate::core::vault::Vault::restore_backup`]).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use crate::tui::action::Effect;
use crate::tui::app::{App, PendingKind};
use crate::tui::job::Job;
use crate::tui::keymap::Cmd;
use crate::tui::modals::Modal;
use crate::tui::modals::restore::RestoreModal;
use crate::tui::modals::toast::Level;
use crate::tui::ui::theme::Theme;

/// Lines the banner takes at the top of the body.
pub const BANNER_HEIGHT: u16 = 3;

/// The banner: what is wrong, the key that restores, and why (cut to the width with `…`).
pub fn render_banner(frame: &mut Frame<'_>, area: Rect, why: &str, theme: Theme) {
    let room = usize::from(area.width).saturating_sub(2);
    let why = if why.chars().count() > room {
        let kept: String = why.chars().take(room.saturating_sub(1)).collect();
        format!("{kept}…")
    } else {
        why.to_owned()
    };
    let lines = vec![
        Line::from(Span::styled(
            "⚠ Vault file damaged or altered on disk: changes refused.",
            theme.error(),
        )),
        Line::from(vec![
            Span::styled("  The last good state is shown.  ", theme.dim()),
            Span::styled("B", theme.key()),
            Span::styled(" restore from .bak", theme.dim()),
        ]),
        Line::from(Span::styled(format!("  {why}"), theme.error())),
    ];
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines), area);
}

impl App {
    pub(in crate::tui) fn damage_command(&mut self, cmd: Cmd) -> Vec<Effect> {
        if cmd == Cmd::RestoreBackup && self.damage.is_some() {
            self.modals.push(Modal::Restore(RestoreModal));
        }
        Vec::new()
    }

    /// "Yes" in the restore modal.
    pub(in crate::tui) fn restore_confirmed(&mut self) -> Vec<Effect> {
        let job = Job::RestoreBackup {
            principal: self.principal.clone(),
        };
        vec![self.begin(job, PendingKind::Restore)]
    }

    pub(in crate::tui) fn restore_done(&mut self, result: Result<String, String>) -> Vec<Effect> {
        match result {
            Ok(text) => {
                self.damage = None;
                self.audit.stale = true;
                self.toast(Level::Success, text)
            }
            Err(e) => self.toast(Level::Error, format!("Not restored: {e}")),
        }
    }
}
