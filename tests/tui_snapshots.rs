//! Every screen, form and modal of the console as `insta` snapshots at 80×24 and 60×20, drawn
//! from a vault built with a fixed clock and counting ids (no colour, so the text is the test).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod tui_support;

use tui_support::drill_states;
use tui_support::states::{self, State};

fn snap(states: Vec<State>) {
    for mut s in states {
        for (w, h) in [(80, 24), (60, 20)] {
            let screen = s.harness.screen(w, h);
            insta::assert_snapshot!(format!("{}_{w}x{h}", s.name), screen);
        }
    }
}

#[test]
fn screens() {
    snap(states::screens());
}

#[test]
fn forms() {
    snap(states::forms());
}

#[test]
fn modals_results_and_form_states() {
    snap(states::details());
}

#[test]
fn policy_simulator() {
    snap(tui_support::results_states::all());
}

#[test]
fn drill_screen() {
    snap(drill_states::all());
}

/// With `NO_COLOR` no cell has a colour; without it some do.
#[test]
fn no_color_means_no_colour_anywhere() {
    use kms_console::tui::ui::theme::Theme;
    use ratatui::style::Color;
    for color in [false, true] {
        for mut s in states::all() {
            s.harness.app.config.theme = Theme { color };
            let mut terminal =
                ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
            terminal
                .draw(|f| kms_console::tui::app::view::render(f, &s.harness.app))
                .unwrap();
            let coloured = terminal
                .backend()
                .buffer()
                .content()
                .iter()
                .any(|c| c.fg != Color::Reset || c.bg != Color::Reset);
            assert_eq!(coloured, color, "{} with color={color}", s.name);
        }
    }
}
