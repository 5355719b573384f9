//! What the UI asks the worker to do ([`Job`]) and what comes back ([`WorkerEvent`]): every
//! job carries an id, and its answer is `Done(id, Reply)`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::api::{ApiError, ApiRequest, ApiResponse};
use crate::core::audit::AuditVerifyReport;
use crate::core::audit::pages::{AuditFilter, LogLine, Page, SearchProgress};
use crate::core::drill::{CensusReport, DrillControl, DrillJob, DrillOutcome, DrillProgress};
use crate::core::secret::SecretString;
use crate::core::vault_file::{KdfParams, Protection};
use crate::serve::LoggedRequest;

use crate::tui::drill_scan::InputScan;
use crate::tui::vault_view::VaultView;

/// Identifies a job and its reply.
pub type JobId = u64;

/// Work for the worker, which owns the vault.
#[derive(Debug)]
pub enum Job {
    /// One API request (the one request path of product §2).
    Api {
        principal: String,
        request: ApiRequest,
    },
    /// Open the vault file (with its passphrase if sealed).
    Open {
        path: PathBuf,
        passphrase: Option<SecretString>,
    },
    /// Create a new sealed vault and open it.
    Create {
        path: PathBuf,
        passphrase: SecretString,
        kdf: KdfParams,
    },
    /// Write a fresh copy of the demo vault in a temporary folder and open it.
    OpenDemo,
    /// Read one page of the audit log.
    ReadAudit(AuditAt),
    /// Search the audit log backwards from `before` (its end if `None`) for one budget of bytes,
    /// keeping at most `room` matches: the screen asks again until the search is done.
    SearchAudit {
        filter: AuditFilter,
        before: Option<u64>,
        room: usize,
    },
    /// Check the audit log's hash chain.
    VerifyAudit,
    /// Put the previous generation of the vault file (`.bak`) back, as `principal`.
    RestoreBackup { principal: String },
    /// Count the lines of a drill input under each key version (the path as typed).
    ScanDrillInput { path: String },
    /// The census of a drill input (a file or a folder, the path as typed), as `principal`.
    Census { principal: String, path: String },
    /// A rotation drill (product §11), as `principal`. Threads 0 means one per core; a leading
    /// `~/` of either path is the home folder. `control` is shared with the screen, which
    /// watches progress through the worker's events and cancels through it.
    Drill {
        principal: String,
        job: Box<DrillJob>,
        control: Arc<DrillControl>,
    },
    /// Start the HTTP endpoint (product §13) on its own handle of the vault file.
    StartEndpoint { listen: SocketAddr },
    /// Stop the endpoint, letting in-flight requests finish.
    StopEndpoint,
    /// The policy simulator's question, asked as `principal` (asking about another principal
    /// needs `ram:ListUsers`).
    Simulate { principal: String, ask: Ask },
    /// A principal change (or read) from the principals screen, as `principal`, on the core's
    /// one path for principal calls (permissioned, audited like the CLI's).
    Principal {
        principal: String,
        call: crate::core::vault::PrincipalCall,
    },
    /// One SDK's snippet (`crate::serve::snippets::ALL[snippet]`) pointed at `address` with this
    /// AccessKey, secret written in, for the clipboard.
    EndpointSnippet {
        snippet: usize,
        address: String,
        access_key_id: String,
    },
}

impl Job {
    /// What the status bar says while the job runs.
    pub fn label(&self) -> String {
        match self {
            Self::Api { request, .. } => match request.params.get("KeySpec") {
                Some(spec)
                    if request.is(crate::api::Action::CreateKey) && spec.starts_with("RSA") =>
                {
                    format!("CreateKey: generating an {spec} key")
                }
                _ => request.action.clone(),
            },
            Self::Open { passphrase, .. } => {
                if passphrase.is_some() {
                    "Unlocking the vault".to_owned()
                } else {
                    "Opening the vault".to_owned()
                }
            }
            Self::Create { .. } => "Creating the vault".to_owned(),
            Self::OpenDemo => "Copying the demo vault".to_owned(),
            Self::ReadAudit(_) => "Reading the audit log".to_owned(),
            Self::SearchAudit { .. } => "Searching the audit log".to_owned(),
            Self::VerifyAudit => "Verifying the audit log".to_owned(),
            Self::RestoreBackup { .. } => "Restoring the previous generation".to_owned(),
            Self::ScanDrillInput { .. } => "Scanning the drill input".to_owned(),
            Self::Census { .. } => "Census of the drill input".to_owned(),
            Self::Drill { job, .. } if job.options.dry_run => "Dry-run drill".to_owned(),
            Self::Drill { .. } => "Rotation drill".to_owned(),
            Self::StartEndpoint { .. } => "Starting the endpoint".to_owned(),
            Self::StopEndpoint => "Stopping the endpoint".to_owned(),
            Self::Simulate { .. } => "Simulating the policy".to_owned(),
            Self::Principal { call, .. } => call.action().to_owned(),
            Self::EndpointSnippet { .. } => "Filling the snippet".to_owned(),
        }
    }
}

/// Which page of the audit log to read (lines are located by byte offset).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAt {
    /// The newest page, ending at the file's end.
    Newest,
    /// The page ending where a line starts.
    Before(u64),
    /// The page starting at a line's offset (0: the oldest page).
    After(u64),
}

/// What one chunk of an audit search found.
#[derive(Debug, Clone)]
pub struct AuditFound {
    /// The matches, newest first.
    pub lines: Vec<LogLine>,
    pub progress: SearchProgress,
}

/// Which vault is open, for the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VaultInfo {
    pub path: String,
    /// `None` for an in-memory vault.
    pub protection: Option<Protection>,
    /// A temporary copy of the demo vault.
    pub demo: bool,
}

impl VaultInfo {
    /// How the status bar names the protection.
    pub fn protection_label(&self) -> &'static str {
        match self.protection {
            Some(Protection::Passphrase) => "sealed",
            Some(Protection::None) => "UNPROTECTED",
            None => "in memory",
        }
    }
}

/// A vault that has just been opened.
#[derive(Debug, Clone)]
pub struct Opened {
    pub info: VaultInfo,
    pub view: VaultView,
    /// What maintenance did on opening (expired deletions, due rotations).
    pub notes: Vec<String>,
}

/// The answer to one job.
#[derive(Debug, Clone)]
pub enum Reply {
    Api(Result<ApiResponse, ApiError>),
    Opened(Box<Opened>),
    OpenFailed {
        message: String,
        wrong_passphrase: bool,
    },
    Audit(Result<Page, String>),
    AuditFound(Result<AuditFound, String>),
    Verified(Result<AuditVerifyReport, String>),
    /// A restore from `.bak`: what was done, or why not.
    Restored(Result<String, String>),
    DrillScan(Result<InputScan, String>),
    /// A census report, or why there is none (the message, with its code for an API error).
    Census(Result<Box<CensusReport>, String>),
    Drill(Box<DrillDone>),
    /// The endpoint listens at this address, or why it does not.
    EndpointStarted(Result<SocketAddr, String>),
    EndpointStopped,
    /// The policy simulator's answer, or why there is none (`Code: message`).
    Simulated(Result<crate::core::ops::simulate::Simulation, String>),
    /// A principal call's answer.
    Principal(Box<PrincipalDone>),
    /// A filled snippet (it holds an AccessKeySecret), or why not.
    Snippet(Result<SecretString, String>),
}

/// A drill that ran (to the end, or not): the job as run (paths expanded, threads counted) and
/// what came of it.
#[derive(Debug, Clone)]
pub struct DrillDone {
    pub job: DrillJob,
    pub outcome: DrillOutcome,
}

/// The policy simulator's question: may `principal` do `action` on `key`?
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ask {
    pub principal: String,
    pub action: String,
    pub key: Option<String>,
}

/// What the worker tells the UI.
#[derive(Debug, Clone)]
pub enum WorkerEvent {
    /// A job finished.
    Done(JobId, Reply),
    /// The vault changed (by this console); here is the new view.
    Snapshot(Box<VaultView>),
    /// Another process changed the vault file; it was read again.
    Reloaded(Box<VaultView>),
    /// The vault file on disk changed and does not open (`Some`, why), or is good again (`None`).
    /// The last good contents stay in memory meanwhile, and changes are refused.
    Damage(Option<String>),
    /// Something the vault did by itself (automatic rotation).
    Notice(String),
    /// How far the drill of job `id` is, `elapsed` after it started (a few times a second).
    DrillProgress {
        id: JobId,
        progress: DrillProgress,
        elapsed: Duration,
    },
    /// The endpoint's latest requests, oldest first (sent when they change).
    EndpointLog(Vec<LoggedRequest>),
}

/// What to do with a job's reply.
#[derive(Debug, Clone)]
pub enum PendingKind {
    /// A request of the open form, as which principal.
    Api {
        request: ApiRequest,
        principal: String,
    },
    Open,
    /// Creating a new vault from the first-run screen (a failure goes back to it).
    Create,
    /// A page of the audit log; `last` puts the selection on its last line (paging up).
    Audit {
        last: bool,
    },
    /// A chunk of the audit search of this generation (an older one was cancelled).
    AuditSearch {
        generation: u64,
    },
    Verify,
    /// A restore of the vault file from its `.bak`.
    Restore,
    /// A scan of the drill input at `path` (as typed).
    DrillScan {
        path: String,
    },
    /// A census of the drill input at `path` (as typed).
    Census {
        path: String,
    },
    Drill,
    EndpointStart,
    EndpointStop,
    EndpointSnippet,
    Simulate,
    Principal,
}

/// What a principal call answered: RAM's action name, the RequestId of its audit line, a short
/// note on what was done (or the error's code and message), and a new AccessKey's user, id and
/// secret (taken out of the document into a wiped-on-drop string; never in Debug).
#[derive(Clone)]
pub struct PrincipalDone {
    pub action: &'static str,
    pub request_id: String,
    pub result: Result<String, (String, String)>,
    pub secret: Option<(String, String, SecretString)>,
}

impl std::fmt::Debug for PrincipalDone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrincipalDone")
            .field("action", &self.action)
            .field("request_id", &self.request_id)
            .field("result", &self.result)
            .finish_non_exhaustive()
    }
}
