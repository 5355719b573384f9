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
        Ok(response) => {
            println!("{}", response.render(format));
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("{}", error.render(format));
            ExitCode::FAILURE
        }
    }
}
