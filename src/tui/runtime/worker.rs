//! The worker: one thread that owns the vault. It runs jobs one at a time through
//! [`crate::api::dispatch`] (and opens, creates and audits the vault, scans drill inputs and runs
//! drills), answers each with `Done(id, Reply)`, sends a new view after every change, and every
//! half second looks for changes other processes made and for due automatic rotations. While a
//! drill runs, other jobs wait for it; its progress goes out as it runs.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;

use crate::api::{dispatch, find_action};
use crate::core::ops::maintenance::MaintenanceEvent;
use crate::core::vault::{Sources, Vault, new_vault_state};
use crate::core::vault_file::{NewProtection, VaultError};
use crate::demo;

use crate::core::audit::pages::{self, AuditFilter, Page};
use crate::tui::job::{AuditAt, AuditFound, Job, JobId, Opened, Reply, VaultInfo, WorkerEvent};
use crate::tui::runtime::drill_worker::{self, ProgressSink};
use crate::tui::runtime::endpoint_worker::{self, EndpointHost};
use crate::tui::runtime::principal_worker;
use crate::tui::vault_view::VaultView;

/// How often the worker looks at the vault file for outside changes.
pub const POLL_INTERVAL: Duration = Duration::from_millis(500);
/// How many lines of the audit log one page holds.
pub const AUDIT_PAGE: usize = 200;
/// How many bytes of the audit log one search job reads (a few milliseconds), so that other
/// jobs are not held up long while a search runs.
pub const AUDIT_SEARCH_BUDGET: u64 = 4 << 20;
/// How often the worker looks for new endpoint requests while the endpoint runs.
const ENDPOINT_POLL: Duration = Duration::from_millis(100);

/// Runs jobs against the vault it owns. The thread of [`Worker`] drives one; tests drive one
/// directly, without threads.
pub struct Executor {
    vault: Option<Vault>,
    sources: Sources,
    /// The temporary folder of a demo copy, removed when the executor drops.
    demo_dir: Option<PathBuf>,
    /// Why the vault file on disk does not open, while it does not.
    damage: Option<String>,
    /// The HTTP endpoint started from the console.
    endpoint: EndpointHost,
}

impl Executor {
    pub fn new(sources: Sources) -> Self {
        Self {
            vault: None,
            sources,
            demo_dir: None,
            damage: None,
            endpoint: EndpointHost::default(),
        }
    }

    /// An executor that already holds an open vault (tests, benchmarks).
    pub fn with_vault(vault: Vault) -> Self {
        let sources = vault.sources().clone();
        Self {
            vault: Some(vault),
            sources,
            demo_dir: None,
            damage: None,
            endpoint: EndpointHost::default(),
        }
    }

    pub fn vault(&self) -> Option<&Vault> {
        self.vault.as_ref()
    }

    /// Runs one job; returns its reply and, if the vault changed, the new view.
    pub fn run(&mut self, job: Job) -> (Reply, Option<VaultView>) {
        self.run_observed(job, &mut |_, _| {})
    }

    /// [`Self::run`], passing a drill's progress to `progress` as it goes.
    pub fn run_observed(
        &mut self,
        job: Job,
        progress: ProgressSink<'_>,
    ) -> (Reply, Option<VaultView>) {
        match job {
            Job::Api { principal, request } => {
                let Some(vault) = self.vault.as_mut() else {
                    return (failed("no vault is open"), None);
                };
                let result = dispatch(vault, &principal, &request);
                let changed =
                    result.is_ok() && find_action(&request.action).is_some_and(|a| a.mutates);
                let view = changed.then(|| VaultView::from_state(vault.state()));
                (Reply::Api(result), view)
            }
            Job::Open { path, passphrase } => {
                self.endpoint.passphrase.clone_from(&passphrase);
                let opened = Vault::open(&path, passphrase, self.sources.clone());
                (self.adopt(opened, false), None)
            }
            Job::Create {
                path,
                passphrase,
                kdf,
            } => {
                self.endpoint.passphrase = Some(passphrase.clone());
                let protection = NewProtection::Passphrase(passphrase, kdf);
                (self.create(&path, protection), None)
            }
            Job::OpenDemo => (self.open_demo(), None),
            Job::ReadAudit(at) => (Reply::Audit(self.read_audit(at)), None),
            Job::SearchAudit {
                filter,
                before,
                room,
            } => (
                Reply::AuditFound(self.search_audit(&filter, before, room)),
                None,
            ),
            Job::VerifyAudit => (Reply::Verified(self.verify_audit()), None),
            Job::RestoreBackup { principal } => self.restore_backup(&principal),
            Job::ScanDrillInput { path } => (drill_worker::scan(&path), None),
            Job::Census { principal, path } => {
                let Some(vault) = self.vault.as_ref() else {
                    return (failed("no vault is open"), None);
                };
                (drill_worker::census(vault, &principal, &path), None)
            }
            Job::Drill {
                principal,
                job,
                control,
            } => {
                let Some(vault) = self.vault.as_mut() else {
                    return (failed("no vault is open"), None);
                };
                let reply = drill_worker::run(vault, &principal, *job, &control, progress);
                // A drill may rotate its destination, or read a vault changed on disk.
                (reply, Some(VaultView::from_state(vault.state())))
            }
            Job::StartEndpoint { listen } => {
                (self.endpoint.start(self.vault.as_ref(), listen), None)
            }
            Job::StopEndpoint => (self.endpoint.stop(), None),
            Job::Principal { principal, call } => {
                let Some(vault) = self.vault.as_mut() else {
                    return (failed("no vault is open"), None);
                };
                let changes = call.changes();
                let done = principal_worker::run(vault, &principal, call);
                let view =
                    (changes && done.result.is_ok()).then(|| VaultView::from_state(vault.state()));
                (Reply::Principal(Box::new(done)), view)
            }
            Job::Simulate { principal, ask } => {
                let Some(vault) = self.vault.as_ref() else {
                    return (failed("no vault is open"), None);
                };
                let ctx = vault.ctx(&principal);
                let answer = crate::core::ops::simulate::simulate(
                    vault.state(),
                    &ctx,
                    &ask.principal,
                    &ask.action,
                    ask.key.as_deref(),
                )
                .map_err(|e| format!("{}: {}", e.code(), e));
                (Reply::Simulated(answer), None)
            }
            Job::EndpointSnippet {
                snippet,
                address,
                access_key_id,
            } => (
                endpoint_worker::snippet(self.vault.as_ref(), snippet, &address, &access_key_id),
                None,
            ),
        }
    }

    /// Whether the endpoint runs (the worker then looks for its requests more often).
    pub fn serving(&self) -> bool {
        self.endpoint.serving()
    }

    /// Looks for outside changes and due maintenance; what the UI should hear about.
    pub fn poll(&mut self) -> Vec<WorkerEvent> {
        let mut out = Vec::new();
        if let Some(log) = self.endpoint.log_changed() {
            out.push(WorkerEvent::EndpointLog(log));
        }
        let Some(vault) = self.vault.as_mut() else {
            return out;
        };
        if vault.changed_on_disk() {
            match vault.reload_file() {
                Ok(reloaded) => {
                    if self.damage.take().is_some() {
                        out.push(WorkerEvent::Damage(None));
                    }
                    if reloaded {
                        out.push(WorkerEvent::Reloaded(Box::new(VaultView::from_state(
                            vault.state(),
                        ))));
                    }
                }
                // Told once per distinct problem, not every half second.
                Err(e) => {
                    let why = e.to_string();
                    if self.damage.as_ref() != Some(&why) {
                        self.damage = Some(why.clone());
                        out.push(WorkerEvent::Damage(Some(why)));
                    }
                }
            }
        }
        if let Ok(events) = vault.maintain()
            && !events.is_empty()
        {
            out.extend(events.iter().map(|e| WorkerEvent::Notice(describe(e))));
            out.push(WorkerEvent::Snapshot(Box::new(VaultView::from_state(
                vault.state(),
            ))));
        }
        out
    }

    fn restore_backup(&mut self, principal: &str) -> (Reply, Option<VaultView>) {
        let Some(vault) = self.vault.as_mut() else {
            return (failed("no vault is open"), None);
        };
        match vault.restore_backup(principal) {
            Ok(restored) => {
                self.damage = None;
                let kept = restored.kept_as.map_or_else(
                    || "there was no file to keep".to_owned(),
                    |p| format!("the replaced file is kept as {}", p.display()),
                );
                let text = format!(
                    "Restored generation {} from the backup; {kept}",
                    restored.generation
                );
                let view = VaultView::from_state(vault.state());
                (Reply::Restored(Ok(text)), Some(view))
            }
            Err(e) => (Reply::Restored(Err(e.to_string())), None),
        }
    }

    fn adopt(
        &mut self,
        opened: Result<(Vault, Vec<MaintenanceEvent>), VaultError>,
        demo: bool,
    ) -> Reply {
        match opened {
            Ok((vault, events)) => {
                let info = VaultInfo {
                    path: vault
                        .path()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default(),
                    protection: vault.protection(),
                    demo,
                };
                let view = VaultView::from_state(vault.state());
                self.vault = Some(vault);
                Reply::Opened(Box::new(Opened {
                    info,
                    view,
                    notes: events.iter().map(describe).collect(),
                }))
            }
            Err(e) => Reply::OpenFailed {
                wrong_passphrase: matches!(e, VaultError::WrongPassphrase),
                message: e.to_string(),
            },
        }
    }

    fn create(&mut self, path: &Path, protection: NewProtection) -> Reply {
        let state = match new_vault_state(&self.sources) {
            Ok(s) => s,
            Err(e) => return failed(&e.to_string()),
        };
        let created = Vault::create(path, state, protection, self.sources.clone());
        self.adopt(created.map(|v| (v, Vec::new())), false)
    }

    fn open_demo(&mut self) -> Reply {
        let dir = demo_folder();
        if let Err(e) = std::fs::create_dir_all(&dir) {
            return failed(&format!("cannot create {}: {e}", dir.display()));
        }
        self.demo_dir = Some(dir.clone());
        let path = dir.join("vault.json");
        if let Err(e) = demo::write_demo_vault(&path, self.sources.clock.as_ref()) {
            return failed(&e.to_string());
        }
        // The walkthrough's drill step reads the samples from beside the copy.
        let samples = demo::samples().map(|s| demo::samples_jsonl(&s.samples));
        if let Ok(lines) = samples
            && let Err(e) = std::fs::write(dir.join("samples.jsonl"), lines)
        {
            return failed(&format!("cannot write the demo's samples: {e}"));
        }
        let opened = Vault::open(&path, None, self.sources.clone());
        self.adopt(opened, true)
    }

    fn audit_path(&self) -> Result<&Path, String> {
        self.vault
            .as_ref()
            .and_then(Vault::audit_log)
            .map(crate::core::audit::AuditLog::path)
            .ok_or_else(|| "this vault has no audit log".to_owned())
    }

    /// One page of the log, read from the end it is near (never the whole file).
    fn read_audit(&self, at: AuditAt) -> Result<Page, String> {
        let path = self.audit_path()?;
        match at {
            AuditAt::Newest => pages::page_before(path, None, AUDIT_PAGE),
            AuditAt::Before(end) => pages::page_before(path, Some(end), AUDIT_PAGE),
            AuditAt::After(start) => pages::page_after(path, start, AUDIT_PAGE),
        }
        .map_err(|e| e.to_string())
    }

    /// One budget of a backward search, keeping at most `room` matches.
    fn search_audit(
        &self,
        filter: &AuditFilter,
        before: Option<u64>,
        room: usize,
    ) -> Result<AuditFound, String> {
        let path = self.audit_path()?;
        let mut lines = Vec::new();
        let progress = pages::search_backward(path, filter, before, AUDIT_SEARCH_BUDGET, |line| {
            lines.push(line);
            lines.len() < room
        })
        .map_err(|e| e.to_string())?;
        Ok(AuditFound { lines, progress })
    }

    /// Verifies against the anchor on disk now (another process may have written since).
    fn verify_audit(&mut self) -> Result<crate::core::audit::AuditVerifyReport, String> {
        let vault = self.vault.as_mut().ok_or("this vault has no audit log")?;
        let log = vault
            .audit_log()
            .ok_or("this vault has no audit log")?
            .clone();
        // The anchor is read under the log's lock (see `AuditLog::read_lock`).
        let _held = log.read_lock().map_err(|e| e.to_string())?;
        if vault.changed_on_disk() {
            vault.refresh().map_err(|e| e.to_string())?;
        }
        log.verify(vault.state().audit_anchor())
            .map_err(|e| e.to_string())
    }
}

impl Drop for Executor {
    fn drop(&mut self) {
        // The endpoint drains and closes its handle first.
        self.endpoint.stop();
        // Close the vault before its demo folder goes.
        self.vault = None;
        if let Some(dir) = self.demo_dir.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

fn failed(message: &str) -> Reply {
    Reply::OpenFailed {
        message: message.to_owned(),
        wrong_passphrase: false,
    }
}

fn describe(event: &MaintenanceEvent) -> String {
    match event {
        MaintenanceEvent::KeyDeleted { key_id } => {
            format!("Key {key_id} passed its deletion date and was deleted")
        }
        MaintenanceEvent::KeyRotated {
            key_id,
            key_version_id,
        } => format!("Automatic rotation: key {key_id} has a new primary version {key_version_id}"),
        MaintenanceEvent::MaterialExpired { key_id } => {
            format!("The imported material of key {key_id} expired; the key is PendingImport")
        }
    }
}

/// A fresh folder for a demo copy: `<tmp>/kms-console-demo-<pid>-<nanos>`.
fn demo_folder() -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    std::env::temp_dir().join(format!("kms-console-demo-{}-{nanos}", std::process::id()))
}

enum Msg {
    Job(JobId, Job),
    Stop,
}

/// The worker thread and the channel that feeds it.
pub struct Worker {
    tx: mpsc::Sender<Msg>,
    handle: Option<JoinHandle<()>>,
}

impl Worker {
    /// Starts the thread; its events go to `events`.
    pub fn spawn(
        executor: Executor,
        events: UnboundedSender<WorkerEvent>,
    ) -> std::io::Result<Self> {
        let (tx, rx) = mpsc::channel();
        let handle = std::thread::Builder::new()
            .name("kms-console-worker".into())
            .spawn(move || work(executor, &rx, &events))?;
        Ok(Self {
            tx,
            handle: Some(handle),
        })
    }

    pub fn send(&self, id: JobId, job: Job) {
        let _ = self.tx.send(Msg::Job(id, job));
    }

    /// Stops the thread once its current job is done, and waits for it.
    pub fn stop(mut self) {
        let _ = self.tx.send(Msg::Stop);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }

    /// [`Self::stop`], waiting at most `grace`; `false` if the thread was still busy then (it is
    /// left to end with the process). Quitting stays prompt whatever job is running.
    pub fn stop_within(mut self, grace: Duration) -> bool {
        let _ = self.tx.send(Msg::Stop);
        let Some(h) = self.handle.take() else {
            return true;
        };
        let deadline = std::time::Instant::now() + grace;
        while !h.is_finished() {
            if std::time::Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let _ = h.join();
        true
    }
}

fn work(mut executor: Executor, rx: &mpsc::Receiver<Msg>, events: &UnboundedSender<WorkerEvent>) {
    loop {
        let wait = if executor.serving() {
            ENDPOINT_POLL
        } else {
            POLL_INTERVAL
        };
        match rx.recv_timeout(wait) {
            Ok(Msg::Job(id, job)) => {
                // Show an outside change before the job's own result.
                for event in executor.poll() {
                    let _ = events.send(event);
                }
                let mut progress = |progress, elapsed| {
                    let _ = events.send(WorkerEvent::DrillProgress {
                        id,
                        progress,
                        elapsed,
                    });
                };
                let (reply, view) = executor.run_observed(job, &mut progress);
                // The new view first, so the result is read against it.
                if let Some(view) = view {
                    let _ = events.send(WorkerEvent::Snapshot(Box::new(view)));
                }
                let _ = events.send(WorkerEvent::Done(id, reply));
            }
            Ok(Msg::Stop) | Err(RecvTimeoutError::Disconnected) => break,
            Err(RecvTimeoutError::Timeout) => {
                for event in executor.poll() {
                    if events.send(event).is_err() {
                        return;
                    }
                }
            }
        }
    }
}
