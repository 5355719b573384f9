//! The walkthrough's last steps (the audit log, the drill, "walkthrough complete") and its panel
//! on a short terminal: hidden by itself with a hint in the status bar, or shown because `w`
//! asked for it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crossterm::event::KeyCode;
use kms_console::tui::action::Action;
use kms_console::tui::runtime::harness::Harness;
use kms_console::tui::screens::walkthrough::{Goal, Walkthrough};

use super::states::{State, demo_samples};
use super::{drill_states, harness};

fn state(name: &str, keys: impl FnOnce(&mut Harness)) -> State {
    let mut h = harness();
    keys(&mut h);
    State {
        name: name.to_owned(),
        harness: h,
    }
}

/// The demo-like console with the walkthrough on the step whose goal matches.
fn on_step(h: &mut Harness, goal: &Goal) {
    let mut w = Walkthrough::new(demo_samples(h));
    w.current = w.steps.iter().position(|s| &s.goal == goal).unwrap();
    h.app.walkthrough = Some(w);
    h.app.info.as_mut().unwrap().demo = true;
}

pub fn all() -> Vec<State> {
    vec![
        state("walkthrough_audit", |h| on_step(h, &Goal::AuditDetail)),
        state("walkthrough_drill", |h| on_step(h, &Goal::DrillOutlook)),
        // Every step done: the panel ends on what to try next.
        state("walkthrough_complete", |h| {
            on_step(h, &Goal::Finish);
            for s in &mut h.app.walkthrough.as_mut().unwrap().steps {
                s.done = true;
            }
        }),
        // The drill's outlook with the walkthrough on: at 60×20 the panel hides itself (the
        // table keeps its rows) and the status bar says `w` shows it.
        state("walkthrough_hidden_drill", |h| {
            drill_states::filled(h);
            on_step(h, &Goal::DrillOutlook);
            h.app.update(Action::Tick);
            // The outlook completed the drill step; its toast would cover the table.
            h.app.toasts.0.clear();
        }),
        // `w` pressed on a 60×20 terminal: the panel shows even there.
        state("walkthrough_pinned_drill", |h| {
            drill_states::filled(h);
            on_step(h, &Goal::DrillOutlook);
            h.app.update(Action::Resize(60, 20));
            h.key(KeyCode::Esc);
            h.type_text("w");
            h.app.toasts.0.clear();
            assert!(h.app.walkthrough.as_ref().unwrap().pinned);
        }),
    ]
}
