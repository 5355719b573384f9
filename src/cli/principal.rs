//! `principal …` and `principal access-key …` (product §7): the arguments read (`@FILE`
//! policies) and handed to the core's one path for principal calls
//! ([`crate::core::vault::PrincipalCall`]: permissioned by the `--as` principal's `ram:`
//! policies, audited with RAM's action names), which the console's principals screen uses too.

use std::process::ExitCode;

use super::reply::{self, Done, Failure};
use super::session;
use super::{AccessKeyCommand, Global, PrincipalCommand};
use crate::api::ApiError;
use crate::core::error::KmsError;
use crate::core::vault::PrincipalCall;

pub fn principal(global: &Global, cmd: PrincipalCommand) -> ExitCode {
    let format = session::format(global);
    if let Err(f) = reply::check_args_for_xml(format, &principal_args(&cmd)) {
        return reply::fail(format, &f);
    }
    let mut vault = match session::open(global) {
        Ok(v) => v,
        Err(m) => return reply::fail(format, &Failure::vault(m)),
    };
    let done = match &cmd {
        PrincipalCommand::List | PrincipalCommand::AccessKey(AccessKeyCommand::List { .. }) => {
            Done::Nothing
        }
        _ => Done::Changed("the principal change was saved"),
    };
    let called = vault.principal_call(&global.principal, principal_call(cmd));
    match called.result {
        Ok(value) => reply::document(format, global.query.as_deref(), &value, "KMS", done),
        Err(e) => reply::fail_api(format, &ApiError::from_kms(&e, called.request_id)),
    }
}

/// The core's call for a command (policy arguments read: JSON text, or `@FILE`).
fn principal_call(cmd: PrincipalCommand) -> PrincipalCall {
    match cmd {
        PrincipalCommand::List => PrincipalCall::List,
        PrincipalCommand::Create { name, policy } => PrincipalCall::Create {
            name,
            policies: policy.iter().map(|p| policy_text(p)).collect(),
        },
        PrincipalCommand::Delete { name } => PrincipalCall::Delete { name },
        PrincipalCommand::AttachPolicy { name, policy } => PrincipalCall::AttachPolicy {
            name,
            policy: policy_text(&policy),
        },
        PrincipalCommand::DetachPolicy { name, index } => {
            PrincipalCall::DetachPolicy { name, index }
        }
        PrincipalCommand::AccessKey(AccessKeyCommand::Create { name }) => {
            PrincipalCall::CreateAccessKey { name }
        }
        PrincipalCommand::AccessKey(AccessKeyCommand::List { name }) => {
            PrincipalCall::ListAccessKeys { name }
        }
        PrincipalCommand::AccessKey(AccessKeyCommand::Delete {
            name,
            access_key_id,
        }) => PrincipalCall::DeleteAccessKey {
            name,
            access_key_id,
        },
    }
}

/// The free-text arguments of a principal command, checked before it runs.
fn principal_args(cmd: &PrincipalCommand) -> Vec<(&'static str, &str)> {
    match cmd {
        PrincipalCommand::List => Vec::new(),
        PrincipalCommand::Create { name, policy } => std::iter::once(("name", name.as_str()))
            .chain(policy.iter().map(|p| ("--policy", p.as_str())))
            .collect(),
        PrincipalCommand::Delete { name } | PrincipalCommand::DetachPolicy { name, .. } => {
            vec![("name", name.as_str())]
        }
        PrincipalCommand::AttachPolicy { name, policy } => {
            vec![("name", name.as_str()), ("--policy", policy.as_str())]
        }
        PrincipalCommand::AccessKey(
            AccessKeyCommand::Create { name } | AccessKeyCommand::List { name },
        ) => vec![("name", name.as_str())],
        PrincipalCommand::AccessKey(AccessKeyCommand::Delete {
            name,
            access_key_id,
        }) => vec![
            ("name", name.as_str()),
            ("access_key_id", access_key_id.as_str()),
        ],
    }
}

/// Reads a policy argument: JSON text, or `@FILE`.
fn policy_text(arg: &str) -> Result<String, KmsError> {
    match arg.strip_prefix('@') {
        Some(file) => std::fs::read_to_string(file)
            .map_err(|e| KmsError::invalid("PolicyDocument", format!("cannot read {file}: {e}"))),
        None => Ok(arg.to_owned()),
    }
}
