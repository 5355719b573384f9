//! The drill's round trips with the worker: scanning the input when it changes, starting the
//! drill, taking its progress, and its end — the report, the cancellation (the core leaves no
//! output file), or the error in a modal titled with its code.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::api::ApiError;
use crate::core::drill::{DrillControl, DrillError, DrillProgress};

use crate::tui::context::Cx;
use crate::tui::drill_scan::InputScan;
use crate::tui::job::{Job, JobId, PendingKind, Reply};
use crate::tui::modals::Modal;
use crate::tui::modals::error::ErrorModal;
use crate::tui::modals::toast::Level;
use crate::tui::screens::Out;
use crate::tui::screens::drill::form::DrillField;
use crate::tui::screens::drill::report::DrillReportView;
use crate::tui::screens::drill::{
    CANCELLED, DrillPhase, DrillScreen, ROTATED_STAYS, RunningDrill, ScanState,
};
use crate::tui::vault_view::VaultView;

impl DrillScreen {
    /// Scans the input again if it changed since the last scan (or if `force`d), unless it is
    /// still being typed or a drill keeps the worker busy.
    pub fn rescan(&mut self, force: bool) -> Vec<Out> {
        let d = &*self;
        let typing = d.is_editing() && d.form.focus == DrillField::Input;
        if (typing && !force) || d.running().is_some() {
            return Vec::new();
        }
        let path = d.form.value(DrillField::Input);
        if path.is_empty() {
            self.scan = ScanState::None;
            return Vec::new();
        }
        if !force && d.scan.path() == Some(path.as_str()) {
            return Vec::new();
        }
        self.scan = ScanState::Scanning(path.clone());
        let job = Job::ScanDrillInput { path: path.clone() };
        vec![Out::Run(job, PendingKind::DrillScan { path })]
    }

    /// A scan came back; kept if it is of the input still named.
    pub fn scanned(&mut self, path: String, result: Result<InputScan, String>) {
        if self.scan != ScanState::Scanning(path.clone()) {
            return;
        }
        self.scan = match result {
            Ok(scan) => {
                if let DrillPhase::Running(r) = &mut self.phase
                    && r.job.input == Path::new(&scan.path)
                {
                    r.total_lines = Some(scan.lines);
                }
                ScanState::Ready(scan)
            }
            Err(error) => ScanState::Failed { path, error },
        };
    }

    /// Checks the form and hands the drill to the worker.
    pub fn start(&mut self, cx: &Cx<'_>) -> Vec<Out> {
        if self.running().is_some() {
            return vec![Out::toast(
                Level::Info,
                "A drill is running; esc cancels it",
            )];
        }
        let Some(job) = self.form.job() else {
            self.editing = true;
            return Vec::new();
        };
        let total_lines = match &self.scan {
            ScanState::Ready(s) if job.input == Path::new(&s.path) && s.too_long.is_none() => {
                Some(s.lines)
            }
            _ => None,
        };
        let control = Arc::new(DrillControl::new());
        let versions_before = if job.rotate {
            let keys = cx.view.keys.iter();
            keys.map(|k| (k.key_id.clone(), k.versions.len())).collect()
        } else {
            Vec::new()
        };
        let run = Job::Drill {
            principal: cx.principal.to_owned(),
            job: Box::new(job.clone()),
            control: Arc::clone(&control),
        };
        self.editing = false;
        self.banner = None;
        // The job's id comes when the app hands it to the worker ([`Self::began`]).
        self.phase = DrillPhase::Running(Box::new(RunningDrill {
            id: 0,
            job,
            control,
            progress: DrillProgress::default(),
            elapsed: Duration::ZERO,
            total_lines,
            cancelling: false,
            versions_before,
        }));
        vec![Out::Run(run, PendingKind::Drill)]
    }

    /// The drill just started went to the worker as job `id`.
    pub fn began(&mut self, id: JobId) {
        if let DrillPhase::Running(r) = &mut self.phase {
            r.id = id;
        }
    }

    /// The worker's progress report of drill `id`.
    pub fn progress(&mut self, id: JobId, progress: DrillProgress, elapsed: Duration) {
        if let DrillPhase::Running(r) = &mut self.phase
            && r.id == id
        {
            r.progress = progress;
            r.elapsed = elapsed;
        }
    }

    /// The drill ended: the report, the cancellation, or the error.
    /// `view` is the vault after it (the worker sends it before the reply).
    pub fn done(&mut self, reply: Reply, view: &VaultView) -> Vec<Out> {
        let cancelling = self.running().is_some_and(|r| r.cancelling);
        let rotated = self
            .running()
            .map(|r| rotated_keys(r, view))
            .unwrap_or_default();
        self.phase = DrillPhase::Form;
        let done = match reply {
            Reply::Drill(done) => *done,
            Reply::OpenFailed { message, .. } => {
                let modal = ErrorModal::plain("The drill did not run", &message);
                return vec![Out::Modal(Modal::Error(modal))];
            }
            _ => return Vec::new(),
        };
        let document = done.outcome.document(&done.job);
        let request_id = done.outcome.request_id;
        let mut outs = Vec::new();
        match done.outcome.result {
            Ok(report) => {
                let (level, text) = done_toast(&report);
                outs.push(Out::Toast(level, text));
                if cancelling {
                    outs.push(Out::toast(
                        Level::Info,
                        "It finished before it could be cancelled",
                    ));
                }
                let view = DrillReportView::new(done.job, report, request_id, document.as_ref());
                self.phase = DrillPhase::Report(Box::new(view));
            }
            Err(DrillError::Cancelled) => self.banner = Some(cancelled_banner(&rotated)),
            Err(e) => {
                let modal = drill_error(&e, &request_id);
                outs.push(Out::Modal(Modal::Error(modal)));
            }
        }
        outs
    }
}

/// The keys a rotate-first drill rotated, as `alias/orders v4`: those with more versions in
/// `view` than when it started.
fn rotated_keys(run: &RunningDrill, view: &VaultView) -> Vec<String> {
    run.versions_before
        .iter()
        .filter_map(|(id, before)| {
            let key = view.keys.iter().find(|k| &k.key_id == id)?;
            (key.versions.len() > *before)
                .then(|| format!("{} v{}", key.reference(), key.versions.len()))
        })
        .collect()
}

/// The banner of a cancelled drill; one that rotated first names the new versions that stay.
pub fn cancelled_banner(rotated: &[String]) -> String {
    match rotated {
        [] => CANCELLED.to_owned(),
        [one] => format!("{CANCELLED} Rotated first: {one} was made and stays ({ROTATED_STAYS})."),
        many => format!(
            "{CANCELLED} Rotated first: {} were made and stay ({ROTATED_STAYS}).",
            many.join(", ")
        ),
    }
}

/// The toast of a finished drill: a warning if lines failed.
fn done_toast(report: &crate::core::drill::DrillReport) -> (Level, String) {
    let t = report.totals;
    let (what, verb) = if report.dry_run {
        ("Dry run", "would be re-encrypted")
    } else {
        ("Drill", "re-encrypted")
    };
    let text = format!(
        "{what} done: {} {verb}, {} failed",
        t.re_encrypted, t.failed
    );
    let level = if t.failed > 0 {
        Level::Warn
    } else {
        Level::Success
    };
    (level, text)
}

/// The error modal of a drill that could not run or stopped: titled with its code.
fn drill_error(e: &DrillError, request_id: &str) -> ErrorModal {
    let (title, mut lines) = match e {
        DrillError::Kms(k) => {
            let api = ApiError::from_kms(k, request_id.to_owned());
            let mut lines = vec![api.message];
            if !api.recommend.is_empty() {
                lines.push(api.recommend);
            }
            (format!("{} ({})", api.code, api.http_status), lines)
        }
        DrillError::OutputExists(path) => (
            e.code().to_owned(),
            vec![format!(
                "The output {path} already exists; choose another file (the console never writes over one)."
            )],
        ),
        other => (other.code().to_owned(), vec![other.to_string()]),
    };
    lines.push(format!("No output was written. RequestId {request_id}"));
    ErrorModal {
        title,
        lines,
        document: None,
        request_id: Some(request_id.to_owned()),
    }
}
