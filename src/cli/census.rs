//! `kms-console census PATH…`: which key versions files of drill lines are still encrypted
//! under, counted from their headers and source fields without decrypting anything.

use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use serde_json::{Map, Value};

use super::Global;
use super::reply::{self, Done, Failure};
use super::session;
use crate::api::ApiError;
use crate::core::drill::{
    CensusInput, CensusOptions, DEFAULT_LOCATIONS, DrillError, census, expand_paths,
};

const AFTER_HELP: &str = "\
Reads files of drill lines (the same lines as `drill` takes: bare base64 blobs, JSON lines with
CiphertextBlob, and JSON lines of RSA / SM2 ciphertext with SourceKeyId, SourceKeyVersionId and
SourceEncryptionAlgorithm), folders recursively, and `-` for stdin. Nothing is decrypted: a
symmetric blob names its version in its header; an RSA / SM2 line names it in its fields.

The report: Totals (Files, Lines, Ciphertexts, Primary, NonPrimary, NotInVault, Empty, Bad), one
row per key version (KeyId, KeyVersionId, Kind, Count, InVault, Primary, KeyState — Disabled and
PendingDeletion keys show here), the first --locations lines (File, Line) under every version
that is not its key's primary, and the first bad lines with their code.

The principal needs kms:ListKeys (the census shows every key's versions, and decrypts nothing).
Exit status: 0 when the census ran (bad lines are counted, not fatal); 1 if it could not run.";

/// `census` options.
#[derive(Debug, Args)]
#[command(after_long_help = AFTER_HELP)]
pub struct CensusArgs {
    /// Files or folders of ciphertext lines (folders recursively; `-` for stdin)
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    /// How many lines (file and line) to list per non-primary version
    #[arg(long, value_name = "N", default_value_t = DEFAULT_LOCATIONS)]
    pub locations: usize,
    /// Worker threads [default: one per core]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: Option<u16>,
}

pub fn run(global: &Global, args: &CensusArgs) -> ExitCode {
    let format = session::format(global);
    let fail = |f: Failure| reply::fail(format, &f);
    let names: Vec<String> = args.paths.iter().map(|p| p.display().to_string()).collect();
    let xml_args: Vec<(&str, &str)> = names.iter().map(|n| ("PATH", n.as_str())).collect();
    if let Err(f) = reply::check_args_for_xml(format, &xml_args) {
        return fail(f);
    }
    let inputs = match inputs(&args.paths) {
        Ok(inputs) => inputs,
        Err(e) => return fail(Failure::option("PATH", e)),
    };
    let vault = match session::open(global) {
        Ok(v) => v,
        Err(m) => return fail(Failure::vault(m)),
    };
    let mut options = CensusOptions {
        locations: args.locations,
        ..CensusOptions::default()
    };
    if let Some(n) = args.threads {
        options.threads = usize::from(n);
    }
    let request_id = vault.sources().ids.uuid();
    let report = match census(
        vault.state(),
        &vault.ctx(&global.principal),
        inputs,
        &options,
    ) {
        Ok(report) => report,
        Err(DrillError::Kms(e)) => {
            return reply::fail_api(format, &ApiError::from_kms(&e, request_id));
        }
        Err(e) => return fail(Failure::option("PATH", e)),
    };
    let mut doc = Map::new();
    doc.insert(
        "Paths".into(),
        Value::Array(names.into_iter().map(Value::String).collect()),
    );
    if let Ok(Value::Object(fields)) = serde_json::to_value(&report) {
        doc.extend(fields);
    }
    doc.insert("RequestId".into(), Value::String(request_id));
    reply::document(
        format,
        global.query.as_deref(),
        &Value::Object(doc),
        "KMS",
        Done::Nothing,
    )
}

/// The files of the paths in order; `-` (once) is stdin.
fn inputs(paths: &[PathBuf]) -> Result<Vec<CensusInput>, DrillError> {
    let mut inputs = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            let stdin: Box<dyn BufRead> = Box::new(std::io::stdin().lock());
            inputs.push(CensusInput::Reader("-".to_owned(), stdin));
        } else {
            inputs.extend(
                expand_paths(std::slice::from_ref(path))?
                    .into_iter()
                    .map(CensusInput::File),
            );
        }
    }
    Ok(inputs)
}
