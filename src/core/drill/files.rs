//! The drill's files: the input is only ever read; the output is written to a temporary file in
//! the output's folder, fsynced and renamed into place only when every line is done — so a
//! failed or cancelled drill leaves no output file and no reader ever sees half of one.

use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::{DrillControl, DrillError, DrillOptions, DrillProgress, DrillReport, run};
use crate::core::model::VaultState;
use crate::core::ops::Ctx;
use crate::core::paths;
use crate::core::vault_file::private_options;

/// Read and write buffer size.
const BUFFER_BYTES: usize = 256 * 1024;

/// Runs a drill from the file `input` to the file `output` (see [`run`]).
///
/// Refuses, before reading anything, an output that is the input (by canonical path or, on
/// Unix, by inode) and an existing output unless `force`. A dry run writes no file (`output`
/// may be `None`, and if given is only checked). The output is created readable by its owner
/// only, since JSON lines carry encryption contexts.
#[allow(clippy::too_many_arguments)] // the engine's arguments plus the two paths and `force`
pub fn run_to_file(
    state: &VaultState,
    ctx: &Ctx<'_>,
    input: &Path,
    output: Option<&Path>,
    force: bool,
    options: &DrillOptions,
    control: &DrillControl,
    observer: &mut dyn FnMut(&DrillProgress),
) -> Result<DrillReport, DrillError> {
    let files = DrillFiles {
        input,
        output,
        force,
    };
    run_files(state, ctx, &files, options, control, observer, &mut |_| {
        Ok(())
    })
}

/// The paths of a drill run from file to file.
pub(super) struct DrillFiles<'a> {
    pub(super) input: &'a Path,
    pub(super) output: Option<&'a Path>,
    pub(super) force: bool,
}

/// [`run_to_file`], calling `finish` with the report once every line is done and before the
/// output is put in place (or, for a dry run, the report returned): the drill's job writes its
/// audit lines there, so that an output exists only if they were written (fail closed). If
/// `finish` fails, no output is left.
pub(super) fn run_files(
    state: &VaultState,
    ctx: &Ctx<'_>,
    files: &DrillFiles<'_>,
    options: &DrillOptions,
    control: &DrillControl,
    observer: &mut dyn FnMut(&DrillProgress),
    finish: &mut dyn FnMut(&mut DrillReport) -> Result<(), DrillError>,
) -> Result<DrillReport, DrillError> {
    let DrillFiles {
        input,
        output,
        force,
    } = *files;
    check_output(input, output, force, options.dry_run)?;
    let file = File::open(input).map_err(|e| DrillError::io("open", input, &e))?;
    let meta = file
        .metadata()
        .map_err(|e| DrillError::io("read the metadata of", input, &e))?;
    if !meta.is_file() {
        return Err(DrillError::Io(format!(
            "{} is not a regular file",
            input.display()
        )));
    }
    control.set_input_bytes(meta.len());
    let reader = BufReader::with_capacity(BUFFER_BYTES, file);
    match output.filter(|_| !options.dry_run) {
        None => {
            let mut report = run(state, ctx, reader, io::sink(), options, control, observer)?;
            finish(&mut report)?;
            Ok(report)
        }
        Some(target) => {
            let mut temp = TempOutput::create(target)?;
            let mut report = run(
                state,
                ctx,
                reader,
                temp.writer()?,
                options,
                control,
                observer,
            )?;
            temp.finish()?;
            finish(&mut report)?;
            temp.persist(target, force)?;
            Ok(report)
        }
    }
}

/// The checks made before anything is read (and before a key is rotated).
pub(super) fn check_output(
    input: &Path,
    output: Option<&Path>,
    force: bool,
    dry_run: bool,
) -> Result<(), DrillError> {
    let Some(output) = output else {
        return if dry_run {
            Ok(())
        } else {
            Err(DrillError::NoOutput)
        };
    };
    if is_same_file(input, output) {
        return Err(DrillError::SameFile(output.display().to_string()));
    }
    if output.is_dir() {
        return Err(DrillError::Io(format!("{} is a folder", output.display())));
    }
    if !force && output.symlink_metadata().is_ok() {
        return Err(DrillError::OutputExists(output.display().to_string()));
    }
    Ok(())
}

/// Whether two paths name the same file: the same canonical path (for a path that does not
/// exist yet, its canonical folder and name), or on Unix the same device and inode (hard links).
pub fn is_same_file(a: &Path, b: &Path) -> bool {
    if let (Some(x), Some(y)) = (canonical_target(a), canonical_target(b))
        && x == y
    {
        return true;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(x), Ok(y)) = (fs::metadata(a), fs::metadata(b)) {
            return x.dev() == y.dev() && x.ino() == y.ino();
        }
    }
    false
}

fn canonical_target(path: &Path) -> Option<PathBuf> {
    if let Ok(p) = fs::canonicalize(path) {
        return Some(p);
    }
    let name = path.file_name()?;
    fs::canonicalize(paths::parent_dir(path))
        .ok()
        .map(|dir| dir.join(name))
}

/// `.<name>.<random>.drill-tmp` beside the output; removed on drop unless persisted.
struct TempOutput {
    path: PathBuf,
    writer: Option<BufWriter<File>>,
    persisted: bool,
}

impl TempOutput {
    fn create(target: &Path) -> Result<Self, DrillError> {
        let name = target
            .file_name()
            .ok_or_else(|| DrillError::Io(format!("{} does not name a file", target.display())))?;
        let mut temp_name = OsString::from(".");
        temp_name.push(name);
        temp_name.push(format!(".{}.drill-tmp", uuid::Uuid::new_v4().simple()));
        let path = paths::parent_dir(target).join(temp_name);
        let file = private_options()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| DrillError::io("create", &path, &e))?;
        Ok(Self {
            path,
            writer: Some(BufWriter::with_capacity(BUFFER_BYTES, file)),
            persisted: false,
        })
    }

    fn writer(&mut self) -> Result<&mut BufWriter<File>, DrillError> {
        self.writer
            .as_mut()
            .ok_or_else(|| DrillError::Io("the output was already closed".into()))
    }

    /// Flushes and fsyncs the file, so that a full disk shows here, before anything is audited.
    fn finish(&mut self) -> Result<(), DrillError> {
        let mut writer = self
            .writer
            .take()
            .ok_or_else(|| DrillError::Io("the output was already closed".into()))?;
        writer
            .flush()
            .and_then(|()| writer.get_ref().sync_all())
            .map_err(|e| DrillError::io("write", &self.path, &e))
    }

    /// Renames the finished file over `target`.
    fn persist(mut self, target: &Path, force: bool) -> Result<(), DrillError> {
        if self.writer.is_some() {
            self.finish()?;
        }
        // Something may have appeared at the target while the drill ran.
        if !force && target.symlink_metadata().is_ok() {
            return Err(DrillError::OutputExists(target.display().to_string()));
        }
        fs::rename(&self.path, target)
            .map_err(|e| DrillError::io("rename the finished output to", target, &e))?;
        self.persisted = true;
        // The output is complete and in place; a folder that cannot be synced only weakens
        // durability across a power loss, which is not worth failing the drill for.
        #[cfg(unix)]
        let _ = File::open(paths::parent_dir(target)).and_then(|d| d.sync_all());
        Ok(())
    }
}

impl Drop for TempOutput {
    fn drop(&mut self) {
        if !self.persisted {
            drop(self.writer.take());
            let _ = fs::remove_file(&self.path);
        }
    }
}
