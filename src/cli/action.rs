//! `kms-console <Action> --<Param> VALUE …`: builds the ApiRequest from the action's options,
//! dispatches it, prints the response on stdout (exit 0) or the error document on stderr (exit 1).

use std::process::ExitCode;

use clap::ArgMatches;

use super::Global;
use super::reply::{self, Failure};
use super::session;
use crate::api::{ActionSpec, ApiRequest, check_for_xml, dispatch};
use crate::core::clock::{IdSource, RandomIds};

pub fn run(global: &Global, spec: &ActionSpec, matches: &ArgMatches) -> ExitCode {
    let mut req = ApiRequest::new(spec.name);
    for p in spec.params {
        if let Some(value) = matches.get_one::<String>(p.name) {
            req.params.insert(p.name.to_owned(), value.clone());
        }
    }
    let format = session::format(global);
    if let Err(e) = check_for_xml(&req, spec.mutates, format) {
        let error = crate::api::ApiError::from_kms(&e, RandomIds.uuid());
        return reply::fail_api(format, &error);
    }
    let mut vault = match session::open(global) {
        Ok(v) => v,
        Err(message) => return reply::fail(format, &Failure::vault(message)),
    };
    match dispatch(&mut vault, &global.principal, &req) {
        Ok(response) => {
            let done = if spec.mutates {
                reply::Done::Changed("the change it made stands")
            } else {
                reply::Done::Nothing
            };
            match &global.query {
                Some(path) => {
                    reply::document(format, Some(path), &response.document(), "KMS", done)
                }
                None => match response.try_render(format) {
                    Ok(text) => {
                        super::output::out(&text);
                        ExitCode::SUCCESS
                    }
                    Err(error) => reply::fail_api(format, &error),
                },
            }
        }
        Err(error) => reply::fail_api(format, &error),
    }
}
