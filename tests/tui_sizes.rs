//! No panic at any terminal size from 20×5 up: every screen (the drill's states too), form and
//! modal is drawn through a range of sizes (every height from 5 at narrow widths, a coarser grid
//! beyond), and a few degenerate ones.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod tui_support;

use kms_console::tui::action::Action;
use kms_console::tui::runtime::harness::draw;
use tui_support::drill_states;
use tui_support::states::{self, State};

fn sizes() -> Vec<(u16, u16)> {
    let mut out = Vec::new();
    for w in (20..=40).step_by(4) {
        for h in 5..=14 {
            out.push((w, h));
        }
    }
    for w in (44..=160).step_by(29) {
        for h in (15..=50).step_by(7) {
            out.push((w, h));
        }
    }
    out.extend([(20, 60), (250, 5), (300, 90), (1, 1), (0, 0)]);
    out
}

fn sweep(states: Vec<State>) {
    let sizes = sizes();
    for mut s in states {
        for &(w, h) in &sizes {
            // Resized first, as the terminal would be, so scroll positions follow.
            s.harness.app.update(Action::Resize(w, h));
            let screen = draw(&s.harness.app, w, h);
            let rows = if w == 0 { 0 } else { usize::from(h) };
            assert_eq!(screen.lines().count(), rows, "{} at {w}x{h}", s.name);
        }
    }
}

#[test]
fn screens_draw_at_every_size() {
    sweep(states::screens());
}

#[test]
fn forms_draw_at_every_size() {
    sweep(states::forms());
}

#[test]
fn modals_draw_at_every_size() {
    sweep(states::details());
}

#[test]
fn policy_simulator_draws_at_every_size() {
    sweep(tui_support::results_states::all());
}

#[test]
fn drill_screen_draws_at_every_size() {
    sweep(drill_states::all());
}
