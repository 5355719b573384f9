//! `kms-console <Action> --<Param> VALUE …`: builds the ApiRequest from the action's options,
//! dispatches it, prints the response on stdout (exit 0) or the error document on stderr (exit 1).

use std::process::ExitCode;

use clap::ArgMatches;

use super::Global;
use super::session;
use crate::api::{ActionSpec, ApiRequest, dispatch};

pub fn run(global: &Global, spec: &ActionSpec, matches: &ArgMatches) -> ExitCode {
    let mut req = ApiRequest::new(spec.name);
    for p in spec.params {
        if let Some(value) = matches.get_one::<String>(p.name) {
            req.params.insert(p.name.to_owned(), value.clone());
        }
    }
    let mut vault = match session::open(global) {
        Ok(v) => v,
        Err(message) => return session::fail(&message),
    };
    let format = session::format(global);
    match dispatch(&mut vault, &global.principal, &req) {
        Ok(response) => match &global.query {
            None => {
                println!("{}", response.render(format));
                ExitCode::SUCCESS
            }
            Some(path) => print_field(&response.document(), path),
        },
        Err(error) => {
            eprintln!("{}", error.render(format));
            ExitCode::FAILURE
        }
    }
}

/// Prints one field of a response (`A.B` walks into objects): a string raw, anything else as JSON.
fn print_field(doc: &serde_json::Value, path: &str) -> ExitCode {
    let found = path.split('.').try_fold(doc, |v, name| v.get(name));
    match found {
        Some(serde_json::Value::String(s)) => println!("{s}"),
        Some(other) => println!(
            "{}",
            serde_json::to_string_pretty(other).unwrap_or_default()
        ),
        None => return session::fail(&format!("the response has no field {path:?}")),
    }
    ExitCode::SUCCESS
}
