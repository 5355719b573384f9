//! The rotation drill screen (product §11): the model (form, input scan, phase) and the update
//! of its keys. The form names the files and the destination; leaving the input field scans the
//! file on the worker (lines per key version); starting hands the drill to the worker, which
//! owns the vault and reports progress as it goes; `esc` cancels at once. The round trips with
//! the worker are in [`flow`].

pub mod census;
pub mod flow;
pub mod form;
pub mod histogram;
pub mod report;
pub mod view;

use std::sync::Arc;
use std::time::Duration;

use ratatui::layout::Position;

use crate::core::drill::{DrillControl, DrillJob, DrillProgress};

use crate::tui::action::Effect;
use crate::tui::context::Cx;
use crate::tui::drill_scan::InputScan;
use crate::tui::job::JobId;
use crate::tui::keymap::Sink;
use crate::tui::keymap::{Cmd, Layer};
use crate::tui::modals::Modal;
use crate::tui::modals::picker::{PickTarget, Picker};
use crate::tui::screens::Out;
use crate::tui::screens::drill::form::{DrillField, DrillForm};
use crate::tui::screens::drill::report::DrillReportView;
use crate::tui::vault_view::KeyRow;

/// What the banner says after a cancelled drill.
pub const CANCELLED: &str = " Cancelled — no output written.";

pub use crate::tui::modals::quit::ROTATED_STAYS;

/// The drill screen.
#[derive(Debug, Default)]
pub struct DrillScreen {
    pub form: DrillForm,
    /// The form has the keys: typing edits its focused field.
    pub editing: bool,
    pub scan: ScanState,
    pub phase: DrillPhase,
    /// A line about the last drill (that it was cancelled), until the next one.
    pub banner: Option<String>,
    /// The census view (`c`) shows instead of the histogram.
    pub show_census: bool,
    pub census: crate::tui::screens::drill::census::CensusState,
}

/// The scan of the input file named in the form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ScanState {
    #[default]
    None,
    Scanning(String),
    Ready(InputScan),
    Failed {
        path: String,
        error: String,
    },
}

impl ScanState {
    /// The input path it is (or will be) about.
    pub fn path(&self) -> Option<&str> {
        match self {
            Self::None => None,
            Self::Scanning(p) | Self::Failed { path: p, .. } => Some(p),
            Self::Ready(s) => Some(&s.path),
        }
    }
}

/// Where the screen is.
#[derive(Debug, Default)]
pub enum DrillPhase {
    #[default]
    Form,
    Running(Box<RunningDrill>),
    Report(Box<DrillReportView>),
}

/// A drill the worker is running.
#[derive(Debug)]
pub struct RunningDrill {
    pub id: JobId,
    pub job: DrillJob,
    /// Shared with the drill: `esc` sets its cancel flag (through an effect).
    pub control: Arc<DrillControl>,
    pub progress: DrillProgress,
    pub elapsed: Duration,
    /// Lines in the input, when the scan counted them.
    pub total_lines: Option<u64>,
    pub cancelling: bool,
    /// Rotate first: each key's number of versions when the drill started, to tell after a
    /// cancel which keys it rotated (the new view comes before the reply).
    pub versions_before: Vec<(String, usize)>,
}

impl RunningDrill {
    /// How much is done, 0 to 1: lines done of the lines counted, else bytes read of the file.
    pub fn ratio(&self) -> f64 {
        let p = &self.progress;
        let (done, total) = match self.total_lines {
            Some(total) if total > 0 => (p.lines_done, total),
            _ => (p.bytes_read, p.input_bytes),
        };
        if total == 0 {
            return 0.0;
        }
        // Precision past 2^52 is irrelevant to a progress bar.
        #[allow(clippy::cast_precision_loss)]
        let ratio = done as f64 / total as f64;
        ratio.clamp(0.0, 1.0)
    }

    /// Whether the drill has rotated its keys: it did if it asked to and has read lines
    /// (rotation comes before the first line is read).
    pub fn rotated(&self) -> bool {
        self.job.rotate && self.progress.bytes_read > 0
    }

    /// Lines finished a second, once there is something to measure.
    pub fn rate(&self) -> Option<f64> {
        let seconds = self.elapsed.as_secs_f64();
        #[allow(clippy::cast_precision_loss)]
        let done = self.progress.lines_done as f64;
        (seconds >= 0.1 && done > 0.0).then(|| done / seconds)
    }

    /// Time left at the pace so far.
    pub fn eta(&self) -> Option<Duration> {
        let ratio = self.ratio();
        if ratio <= 0.0 || self.rate().is_none() {
            return None;
        }
        let left = self.elapsed.as_secs_f64() * (1.0 - ratio) / ratio;
        Duration::try_from_secs_f64(left).ok()
    }
}

impl DrillScreen {
    /// The key layer of the screen when the form does not have the keys.
    pub fn layer(&self) -> Layer {
        match self.phase {
            DrillPhase::Form => Layer::Drill,
            DrillPhase::Running(_) => Layer::DrillRun,
            DrillPhase::Report(_) => Layer::DrillReport,
        }
    }

    /// Whether the form has the keys.
    pub fn is_editing(&self) -> bool {
        self.editing && matches!(self.phase, DrillPhase::Form)
    }

    /// The layers while editing: the focused field's own keys first.
    pub fn form_layers(&self) -> (Vec<Layer>, Sink) {
        let focus = self.form.focus;
        let mut layers = Vec::new();
        if focus == DrillField::Destination {
            layers.push(Layer::Pickable);
        }
        if !focus.is_text() {
            layers.push(Layer::Choice);
        }
        layers.push(Layer::DrillForm);
        let sink = if focus.is_text() {
            Sink::DrillField
        } else {
            Sink::None
        };
        (layers, sink)
    }

    pub fn running(&self) -> Option<&RunningDrill> {
        match &self.phase {
            DrillPhase::Running(r) => Some(r),
            _ => None,
        }
    }
}

impl DrillScreen {
    /// The screen shows: the destination follows the selected key until it is chosen (and
    /// stays as it was while a drill runs or its report shows).
    pub fn shown(&mut self, selected: Option<&KeyRow>) -> Vec<Out> {
        if !self.form.chosen.destination
            && matches!(self.phase, DrillPhase::Form)
            && let Some(key) = selected.filter(|k| k.spec.is_symmetric())
        {
            let reference = key.reference().to_owned();
            self.form.destination.set(&reference);
        }
        self.rescan(false)
    }

    /// A key of the drill screen, by the layer that bound it.
    pub fn update(&mut self, layer: Layer, cmd: Cmd, cx: &Cx<'_>) -> Vec<Out> {
        match layer {
            Layer::DrillRun => match cmd {
                Cmd::Cancel => self.cancel(),
                _ => Vec::new(),
            },
            Layer::DrillReport => self.report_update(cmd, cx),
            Layer::Drill => match cmd {
                Cmd::Edit => {
                    self.editing = true;
                    Vec::new()
                }
                Cmd::Submit => self.start(cx),
                Cmd::Reload if self.show_census => self.census(true, cx),
                Cmd::Reload => self.rescan(true),
                Cmd::Census => {
                    self.show_census = !self.show_census;
                    self.census(true, cx)
                }
                _ => Vec::new(),
            },
            _ => self.form_update(cmd, cx),
        }
    }

    /// A key of the form while editing (its own layer, the picker or a check box).
    pub fn form_update(&mut self, cmd: Cmd, cx: &Cx<'_>) -> Vec<Out> {
        let form = &mut self.form;
        match cmd {
            Cmd::Submit => return self.start(cx),
            Cmd::Pick => {
                let picker = Picker::symmetric_keys(cx.view, PickTarget::DrillKey);
                return vec![Out::Modal(Modal::Picker(picker))];
            }
            Cmd::NextField => form.move_focus(true),
            Cmd::PrevField => form.move_focus(false),
            Cmd::CycleNext | Cmd::CyclePrev => form.toggle(),
            Cmd::Close => self.editing = false,
            _ => {}
        }
        let mut outs = self.rescan(false);
        outs.extend(self.census(false, cx));
        outs
    }

    /// Asks the running drill to stop, once; nothing to ask if none runs.
    pub fn cancel(&mut self) -> Vec<Out> {
        match &mut self.phase {
            DrillPhase::Running(r) if !r.cancelling => {
                r.cancelling = true;
                vec![Out::Effect(Effect::Cancel(Arc::clone(&r.control)))]
            }
            _ => Vec::new(),
        }
    }

    /// A key for the focused text field of the form.
    pub fn input(&mut self, key: crossterm::event::KeyEvent) {
        self.form.input(key);
    }

    /// Pasted text for the focused text field of the form.
    pub fn paste(&mut self, text: &str) {
        self.form.paste(text);
    }

    /// A chosen destination key.
    pub fn picked(&mut self, reference: &str) {
        self.form.set(DrillField::Destination, reference);
    }

    /// A click on a field focuses it (and flips a check box).
    pub fn click(&mut self, at: Position, cx: &Cx<'_>) -> Vec<Out> {
        if !matches!(self.phase, DrillPhase::Form) {
            return Vec::new();
        }
        let Some(field) = crate::tui::screens::drill::view::field_at(cx.body, at) else {
            return Vec::new();
        };
        self.editing = true;
        self.form.focus = field;
        self.form.toggle();
        self.rescan(false)
    }
}
