//! The audit screen's search: a filter sent to the worker a chunk at a time (each chunk a job,
//! so the UI never waits on the file), matches joining the list as they come, a cancelled
//! search's late chunks dropped by generation, and the jump to one RequestId's entry.

use crate::core::audit::pages::{AuditFilter, LogLine};

use crate::tui::job::{AuditFound, Job, PendingKind};
use crate::tui::modals::Modal;
use crate::tui::modals::error::ErrorModal;
use crate::tui::screens::Out;
use crate::tui::screens::audit::{AuditScreen, Detail, MAX_MATCHES};

/// A filter and its matches, newest first.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Search {
    pub filter: AuditFilter,
    pub matches: Vec<LogLine>,
    /// Lines looked at so far.
    pub scanned: u64,
    /// Still searching (chunks go to the worker one after the other).
    pub running: bool,
    /// Every line was looked at (or the match limit was reached).
    pub done: bool,
    /// Open the first match's detail (a jump to a RequestId from an error).
    pub open_first: bool,
    /// The page's selection and scroll before the search, put back when it is cleared.
    pub back: (usize, usize),
}

impl AuditScreen {
    /// Jumps to the entry of this RequestId: searches for it and opens its detail when found.
    pub fn find_request(&mut self, request_id: &str) -> Vec<Out> {
        self.prompt = None;
        self.detail = None;
        let filter = AuditFilter {
            request_id: Some(request_id.to_owned()),
            ..AuditFilter::default()
        };
        self.start_search(filter, true)
    }

    pub(super) fn start_search(&mut self, filter: AuditFilter, open_first: bool) -> Vec<Out> {
        self.generation += 1;
        let back = match &self.search {
            Some(s) => s.back,
            None => (self.selected, self.scroll),
        };
        self.selected = 0;
        self.scroll = 0;
        let job = search_job(&filter, None, 0, first_only(&filter));
        self.search = Some(Search {
            filter,
            running: true,
            open_first,
            back,
            ..Search::default()
        });
        vec![Out::Run(
            job,
            PendingKind::AuditSearch {
                generation: self.generation,
            },
        )]
    }

    /// A chunk of the search came back: its matches join the list, and the next chunk is asked
    /// for until the start of the file (unless the search was cancelled meanwhile).
    pub fn found(&mut self, generation: u64, found: Result<AuditFound, String>) -> Vec<Out> {
        let current = generation == self.generation;
        let Some(search) = self.search.as_mut().filter(|s| current && s.running) else {
            return Vec::new();
        };
        let found = match found {
            Ok(found) => found,
            Err(e) => {
                search.running = false;
                return vec![Out::Modal(Modal::Error(ErrorModal::plain(
                    "Audit log unreadable",
                    &e,
                )))];
            }
        };
        search.scanned += found.progress.scanned;
        search.matches.extend(found.lines);
        let room = MAX_MATCHES.saturating_sub(search.matches.len());
        let stop = first_only(&search.filter) && !search.matches.is_empty();
        if found.progress.done || room == 0 || stop {
            search.running = false;
            search.done = true;
            if search.open_first
                && let Some(line) = search.matches.first()
            {
                self.detail = Some(Detail {
                    line: line.clone(),
                    scroll: 0,
                });
            }
            return Vec::new();
        }
        let job = search_job(
            &search.filter,
            Some(found.progress.resume_before),
            search.matches.len(),
            first_only(&search.filter),
        );
        vec![Out::Run(job, PendingKind::AuditSearch { generation })]
    }
}

/// A RequestId names one request: its search ends at the first match.
fn first_only(filter: &AuditFilter) -> bool {
    filter.request_id.is_some()
}

/// The next chunk of a search that has `found` matches so far.
fn search_job(filter: &AuditFilter, before: Option<u64>, found: usize, first: bool) -> Job {
    let limit = if first { 1 } else { MAX_MATCHES };
    Job::SearchAudit {
        filter: filter.clone(),
        before,
        room: limit.saturating_sub(found).max(1),
    }
}
