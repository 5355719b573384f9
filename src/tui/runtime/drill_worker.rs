//! The drill screen's work on the worker thread: scanning an input file, its census, and running a drill
//! through [`crate::core::drill::run_job`] (which audits it) while passing its progress on a
//! few times a second.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::core::drill::{
    self, CensusInput, CensusOptions, DrillControl, DrillError, DrillJob, DrillProgress,
    expand_paths, run_job,
};
use crate::core::vault::Vault;

use crate::tui::drill_scan;
use crate::tui::job::{DrillDone, Reply};

/// How often progress goes to the screen at most.
pub const PROGRESS_INTERVAL: Duration = Duration::from_millis(100);

/// Where progress goes: the counts and the time since the drill started.
pub type ProgressSink<'a> = &'a mut dyn FnMut(DrillProgress, Duration);

/// `~/…` in the home folder; any other path as it is.
pub fn expand_home(path: &Path) -> PathBuf {
    let Ok(rest) = path.strip_prefix("~") else {
        return path.to_path_buf();
    };
    match directories::BaseDirs::new() {
        Some(dirs) => dirs.home_dir().join(rest),
        None => path.to_path_buf(),
    }
}

/// Scans the input named by `path` (as typed).
pub fn scan(path: &str) -> Reply {
    let file = expand_home(Path::new(path.trim()));
    Reply::DrillScan(drill_scan::scan_file(path, &file))
}

/// The census of the file or folder named by `path` (as typed), as `principal`.
pub fn census(vault: &Vault, principal: &str, path: &str) -> Reply {
    let target = expand_home(Path::new(path.trim()));
    let result = expand_paths(&[target])
        .and_then(|files| {
            let inputs = files.into_iter().map(CensusInput::File).collect();
            drill::census(
                vault.state(),
                &vault.ctx(principal),
                inputs,
                &CensusOptions::default(),
            )
        })
        .map(Box::new)
        .map_err(|e| match e {
            DrillError::Kms(k) => format!("{}: {k}", k.code()),
            other => other.to_string(),
        });
    Reply::Census(result)
}

/// Runs `job` as `principal`, with its paths expanded and "0 threads" made one per core.
pub fn run(
    vault: &mut Vault,
    principal: &str,
    mut job: DrillJob,
    control: &DrillControl,
    sink: ProgressSink<'_>,
) -> Reply {
    job.input = expand_home(&job.input);
    job.output = job.output.as_deref().map(expand_home);
    if job.options.threads == 0 {
        job.options.threads = std::thread::available_parallelism().map_or(1, usize::from);
    }
    let started = Instant::now();
    let mut last: Option<Instant> = None;
    let mut observer = |p: &DrillProgress| {
        if last.is_none_or(|t| t.elapsed() >= PROGRESS_INTERVAL) {
            last = Some(Instant::now());
            sink(*p, started.elapsed());
        }
    };
    let outcome = run_job(vault, principal, &job, control, &mut observer);
    Reply::Drill(Box::new(DrillDone { job, outcome }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_leading_tilde_is_the_home_folder() {
        assert_eq!(expand_home(Path::new("/tmp/x")), PathBuf::from("/tmp/x"));
        assert_eq!(expand_home(Path::new("a/~/b")), PathBuf::from("a/~/b"));
        let home = expand_home(Path::new("~/blobs.txt"));
        assert!(home.is_absolute() || home == Path::new("~/blobs.txt"));
        assert!(home.ends_with("blobs.txt"));
    }
}
