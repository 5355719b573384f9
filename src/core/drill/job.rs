//! A drill as one operation on an open vault, the same for every front end: check the files and
//! the destination, rotate first if asked (each rotation audited as its own CreateKeyVersion:
//! the destination, or in place every key with lines under an old version), run the drill file
//! to file, and append one `Drill` record with the counts to the audit log plus one `DrillKey`
//! record per key the drill touched, so that a search of the log by KeyId finds the drill.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use super::files::{DrillFiles, check_output, run_files};
use super::plan::{Plan, Target};
use super::report::Rotation;
use super::scan::{CensusInput, CensusOptions, count_inputs};
use super::{DrillControl, DrillError, DrillOptions, DrillProgress, DrillReport, is_same_file};
use crate::core::audit::AuditRecord;
use crate::core::clock::format_date;
use crate::core::error::KmsError;
use crate::core::ops::resolve;
use crate::core::paths;
use crate::core::vault::Vault;

/// A drill to run with [`run_job`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrillJob {
    /// One ciphertext line per line; only ever read.
    pub input: PathBuf,
    /// Where the lines go, in the same order; `None` only for a dry run.
    pub output: Option<PathBuf>,
    /// Replace an existing output file.
    pub force: bool,
    /// Make a new version of the destination key first (CreateKeyVersion), so that every line
    /// moves to it; in place, of every key with lines under a version other than its primary
    /// (each once). Not allowed together with a dry run, which changes nothing.
    pub rotate: bool,
    pub options: DrillOptions,
}

/// What [`run_job`] gives back: the RequestId of its audit record and report, and the report.
#[derive(Debug, Clone, PartialEq)]
pub struct DrillOutcome {
    pub request_id: String,
    pub result: Result<DrillReport, DrillError>,
}

impl DrillOutcome {
    /// The report document (`Input`, `Output`, the report's fields, `RequestId`), if the drill
    /// completed.
    pub fn document(&self, job: &DrillJob) -> Option<Value> {
        let report = self.result.as_ref().ok()?;
        let path = |p: &Path| Value::String(p.display().to_string());
        let mut doc = Map::new();
        doc.insert("Input".into(), path(&job.input));
        let output = job.output.as_deref().filter(|_| !report.dry_run);
        doc.insert("Output".into(), output.map_or(Value::Null, path));
        if let Ok(Value::Object(fields)) = serde_json::to_value(report) {
            doc.extend(fields);
        }
        doc.insert("RequestId".into(), Value::String(self.request_id.clone()));
        Some(Value::Object(doc))
    }
}

/// Runs `job` as `principal` on `vault` and audits it as one `Drill` record (plus a
/// `CreateKeyVersion` record if it rotated). Nothing is rotated or read if the files or the
/// destination are refused.
pub fn run_job(
    vault: &mut Vault,
    principal: &str,
    job: &DrillJob,
    control: &DrillControl,
    observer: &mut dyn FnMut(&DrillProgress),
) -> DrillOutcome {
    let request_id = vault.sources().ids.uuid();
    // A drill that completes writes its lines itself, before its output is put in place; a
    // failure (an unwritable log included) is audited here. Should the output fail to be put in
    // place after the `Success` lines were written, this adds a second `Drill` line with the
    // same RequestId and the error code, so the log never claims an output that is not there.
    let result = steps(vault, principal, job, control, observer, &request_id).map_err(|e| {
        let record = audit_record(vault, principal, job, &request_id, Err(&e));
        match vault.append_audit(&record) {
            Ok(()) => e,
            // Fail closed: not even the failure could be recorded.
            Err(audit) => DrillError::from(audit),
        }
    });
    DrillOutcome { request_id, result }
}

fn steps(
    vault: &mut Vault,
    principal: &str,
    job: &DrillJob,
    control: &DrillControl,
    observer: &mut dyn FnMut(&DrillProgress),
    request_id: &str,
) -> Result<DrillReport, DrillError> {
    if job.rotate && job.options.dry_run {
        return Err(KmsError::invalid(
            "Rotate",
            "A dry run changes nothing, so it cannot rotate; drop one of the two.",
        )
        .into());
    }
    if vault.changed_on_disk() {
        vault.refresh()?;
    }
    check_output(
        &job.input,
        job.output.as_deref(),
        job.force,
        job.options.dry_run,
    )?;
    if let (Some(vault_path), Some(output)) = (vault.path(), job.output.as_deref()) {
        let protected = [
            vault_path.to_path_buf(),
            paths::audit_path(vault_path),
            paths::backup_path(vault_path),
            paths::lock_path(vault_path),
            paths::temp_path(vault_path),
        ];
        if protected.iter().any(|p| is_same_file(p, output)) {
            return Err(DrillError::SameFile(output.display().to_string()));
        }
    }
    // Refuse a destination the drill cannot use before rotating it.
    Plan::new(vault.state(), vault.ctx(principal), &job.options)?;
    // A drill cancelled before it started must not have rotated the key.
    if control.is_cancelled() {
        return Err(DrillError::Cancelled);
    }
    // Its lines are written with a shared borrow of the vault while the drill holds one too,
    // which needs the audit key: a vault an older version wrote gets it now.
    if vault.audit_log().is_some() && vault.state().audit_anchor().is_none() {
        vault.update(|_, _| Ok(()), principal)?;
    }
    let rotations = if job.rotate {
        let keys = match job.options.destination() {
            Some(destination) => vec![destination.to_owned()],
            None => keys_to_rotate(vault, principal, job)?,
        };
        let mut done = Vec::new();
        for key in keys {
            done.push(rotate(vault, principal, &key, request_id)?);
        }
        done
    } else {
        Vec::new()
    };
    let files = DrillFiles {
        input: &job.input,
        output: job.output.as_deref(),
        force: job.force,
    };
    let vault: &Vault = vault;
    // Fail closed: the output is put in place (or the dry run's report returned) only once the
    // drill's lines are written, all in one append.
    let mut finish = |report: &mut DrillReport| {
        report.rotated = !rotations.is_empty();
        report.rotations.clone_from(&rotations);
        let mut records = vec![audit_record(vault, principal, job, request_id, Ok(report))];
        records.extend(key_records(vault, principal, request_id, report));
        vault.append_anchored(&records).map_err(DrillError::from)
    };
    run_files(
        vault.state(),
        &vault.ctx(principal),
        &files,
        &job.options,
        control,
        observer,
        &mut finish,
    )
}

/// In place: the keys with lines under a version other than their primary that this drill can
/// move lines to (others fail line by line), in KeyId order.
fn keys_to_rotate(
    vault: &Vault,
    principal: &str,
    job: &DrillJob,
) -> Result<Vec<String>, DrillError> {
    let options = CensusOptions {
        threads: job.options.worker_threads(),
        locations: 0,
    };
    let found = count_inputs(
        vault.state(),
        vec![CensusInput::File(job.input.clone())],
        &options,
    )?;
    let ctx = vault.ctx(principal);
    let mut keys: Vec<String> = found
        .versions
        .iter()
        .filter(|v| v.in_vault && !v.primary && v.kind == "Symmetric")
        .filter_map(|v| v.key_id.clone())
        .filter(|k| Target::check(vault.state(), &ctx, k).is_ok())
        .collect();
    keys.dedup();
    Ok(keys)
}

/// CreateKeyVersion on one key, audited as its own operation.
fn rotate(
    vault: &mut Vault,
    principal: &str,
    key_ref: &str,
    drill_request_id: &str,
) -> Result<Rotation, KmsError> {
    let before = resolve(vault.state(), key_ref)
        .map(|k| k.primary_version_id().to_owned())
        .unwrap_or_default();
    let record = AuditRecord {
        time: format_date(vault.sources().clock.now()),
        principal: principal.to_owned(),
        action: "CreateKeyVersion".to_owned(),
        key_ref: Some(key_ref.to_owned()),
        result: "Success".to_owned(),
        request_id: vault.sources().ids.uuid(),
        details: Some(json!({ "Drill": drill_request_id })),
        ..AuditRecord::default()
    };
    // A success is audited in the vault write that adds the version; a failure after it.
    let success = record.clone();
    let result = vault.create_key_version(principal, key_ref, |info| {
        vec![AuditRecord {
            key_id: Some(info.key_id.clone()),
            key_version_id: Some(info.key_version_id.clone()),
            ..success
        }]
    });
    if let Err(e) = &result {
        let key_id = resolve(vault.state(), key_ref)
            .ok()
            .map(|k| k.key_id.clone());
        vault.append_audit(&AuditRecord {
            key_id,
            result: e.code().to_owned(),
            ..record
        })?;
    }
    result.map(|info| Rotation {
        key_id: info.key_id,
        from_key_version_id: before,
        to_key_version_id: info.key_version_id,
    })
}

/// One `DrillKey` record per key with lines in the drill: its counts, its versions before and
/// after, and the rotation if there was one.
fn key_records(
    vault: &Vault,
    principal: &str,
    request_id: &str,
    report: &DrillReport,
) -> Vec<AuditRecord> {
    let time = format_date(vault.sources().clock.now());
    report
        .keys
        .iter()
        .map(|key| {
            let versions: Vec<Value> = report
                .versions
                .iter()
                .filter(|v| v.key_id == key.key_id)
                .map(|v| json!({"KeyVersionId": v.key_version_id, "Before": v.before, "After": v.after}))
                .collect();
            let rotation = report.rotations.iter().find(|r| r.key_id == key.key_id);
            AuditRecord {
                time: time.clone(),
                principal: principal.to_owned(),
                action: "DrillKey".to_owned(),
                key_id: Some(key.key_id.clone()),
                key_version_id: Some(key.primary_key_version_id.clone()),
                result: "Success".to_owned(),
                request_id: vault.sources().ids.uuid(),
                details: Some(json!({
                    "Drill": request_id,
                    "DryRun": report.dry_run,
                    "Before": key.before,
                    "After": key.after,
                    "Versions": versions,
                    "Rotation": rotation,
                })),
                ..AuditRecord::default()
            }
        })
        .collect()
}

/// The one `Drill` record: where from and to, and the counts — never a line's content.
fn audit_record(
    vault: &Vault,
    principal: &str,
    job: &DrillJob,
    request_id: &str,
    result: Result<&DrillReport, &DrillError>,
) -> AuditRecord {
    let mut details = json!({
        "Input": job.input.display().to_string(),
        "Output": job.output.as_ref().map(|p| p.display().to_string()),
        "DryRun": job.options.dry_run,
        "Rotate": job.rotate,
        "Threads": job.options.worker_threads(),
    });
    let destination = &job.options.destination_key_id;
    let (key_id, version, code) = match result {
        Ok(report) if report.in_place => {
            if let (Value::Object(d), Value::Object(counts)) =
                (&mut details, report.audit_details())
            {
                d.extend(counts);
            }
            (None, None, "Success")
        }
        Ok(report) => {
            if let (Value::Object(d), Value::Object(counts)) =
                (&mut details, report.audit_details())
            {
                d.extend(counts);
            }
            (
                Some(report.destination_key_id.clone()),
                Some(report.destination_key_version_id.clone()),
                "Success",
            )
        }
        Err(e) => {
            let key = resolve(vault.state(), destination).ok();
            (key.map(|k| k.key_id.clone()), None, e.code())
        }
    };
    AuditRecord {
        time: format_date(vault.sources().clock.now()),
        principal: principal.to_owned(),
        action: "Drill".to_owned(),
        key_ref: job.options.destination().map(str::to_owned),
        key_id,
        key_version_id: version,
        result: code.to_owned(),
        request_id: request_id.to_owned(),
        details: Some(details),
        ..AuditRecord::default()
    }
}
