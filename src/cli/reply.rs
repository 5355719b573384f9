//! What a command prints (product §8, §9): its document on stdout — JSON, XML, or the one field
//! `--query` names — and, when it fails, an error document on stderr with the fields of an API
//! error (`RequestId`, `HostId`, `Code`, `Message`, `Recommend`, `HttpStatus`), whatever the
//! command. Every write goes through [`super::output`].

use std::process::ExitCode;

use serde_json::Value;

use super::output;
use crate::api::{ApiError, Format, render_document, unfit_char};
use crate::core::clock::{IdSource, RandomIds};
use crate::core::error::KmsError;

/// Why a console command could not finish, as its error document names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    code: &'static str,
    http_status: u16,
    message: String,
    recommend: &'static str,
    exit: u8,
}

impl From<KmsError> for Failure {
    fn from(e: KmsError) -> Self {
        Self {
            code: e.code(),
            http_status: e.http_status(),
            message: e.to_string(),
            recommend: e.recommend(),
            exit: 1,
        }
    }
}

impl Failure {
    /// The vault cannot be opened or read: missing, sealed without its passphrase, a wrong
    /// passphrase, damaged, or no place to keep it. `VaultUnavailable`, 503: the service has no
    /// vault to serve from, which no change to the request fixes.
    pub fn vault(message: impl Into<String>) -> Self {
        Self {
            code: "VaultUnavailable",
            http_status: 503,
            message: message.into(),
            recommend: "Check --vault (or KMS_CONSOLE_VAULT) and the passphrase \
                        (--passphrase-file or KMS_CONSOLE_PASSPHRASE); `kms-console init` creates a vault.",
            exit: 1,
        }
    }

    /// A bad option or argument of a console command: `InvalidParameter` naming it.
    pub fn option(name: &str, reason: impl std::fmt::Display) -> Self {
        KmsError::invalid(name, reason).into()
    }

    /// Something that exists already and was left alone: `Rejected.ResourceExist`.
    pub fn exists(message: impl Into<String>) -> Self {
        KmsError::ResourceConflict(message.into()).into()
    }

    /// A real fault of the machine (a file that cannot be written): `InternalFailure`.
    pub fn internal(message: impl std::fmt::Display) -> Self {
        KmsError::InternalFailure(message.to_string()).into()
    }

    /// A drill that ran to the end with some lines failed (its report is on stdout).
    pub fn lines_failed(message: impl Into<String>) -> Self {
        Self {
            code: "DrillLinesFailed",
            http_status: 422,
            message: message.into(),
            recommend: "See Failures in the report; the failed lines were kept as they were, so a \
                        second drill on the output finds them again.",
            exit: 1,
        }
    }

    /// A drill cancelled with Ctrl-C (exit status 130, as for any program ended by SIGINT).
    pub fn cancelled(message: impl Into<String>) -> Self {
        Self {
            code: "Cancelled",
            http_status: 499,
            message: message.into(),
            recommend: "Run the drill again when you are ready; nothing was written.",
            exit: 130,
        }
    }

    /// The error document, with a fresh RequestId.
    pub fn to_api_error(&self) -> ApiError {
        ApiError {
            request_id: RandomIds.uuid(),
            host_id: crate::api::HOST_ID.to_owned(),
            code: self.code.to_owned(),
            message: self.message.clone(),
            recommend: self.recommend.to_owned(),
            http_status: self.http_status,
        }
    }
}

/// Prints `failure` as an error document on stderr; returns its exit status.
pub fn fail(format: Format, failure: &Failure) -> ExitCode {
    output::err(&failure.to_api_error().render(format));
    ExitCode::from(failure.exit)
}

/// Prints an API error document on stderr; exit status 1.
pub fn fail_api(format: Format, error: &ApiError) -> ExitCode {
    output::err(&error.render(format));
    ExitCode::FAILURE
}

/// With `--Format XML`, refuses before a command changes anything when one of its arguments holds
/// a character XML 1.0 cannot carry (its document may echo it): `InvalidParameter` on `Format`.
pub fn check_args_for_xml(format: Format, args: &[(&str, &str)]) -> Result<(), Failure> {
    if format != Format::Xml {
        return Ok(());
    }
    match args
        .iter()
        .find_map(|(name, value)| unfit_char(value).map(|c| (name, c)))
    {
        None => Ok(()),
        Some((name, c)) => Err(Failure::option(
            "Format",
            format!(
                "The argument {name} holds the character U+{:04X}, which an XML 1.0 document \
                 cannot carry; nothing was done. Use --Format JSON.",
                u32::from(c)
            ),
        )),
    }
}

/// What ran before a document was printed, for an honest message when it cannot be printed.
#[derive(Debug, Clone, Copy)]
pub enum Done<'a> {
    /// Nothing changed (a listing, a check).
    Nothing,
    /// The command changed something, named here ("the vault was created at …").
    Changed(&'a str),
}

impl Done<'_> {
    fn note(self) -> String {
        match self {
            Self::Nothing => "The command itself ran and changed nothing.".to_owned(),
            Self::Changed(what) => format!("The command itself succeeded: {what}."),
        }
    }
}

/// Prints a command's document on stdout: whole (JSON or XML under `root`), or the field
/// `--query` names. A document XML cannot carry, or a field it does not have, is an error
/// document on stderr that says what already happened.
pub fn document(
    format: Format,
    query: Option<&str>,
    doc: &Value,
    root: &str,
    done: Done<'_>,
) -> ExitCode {
    if let Some(path) = query {
        return match field(doc, path) {
            Some(Value::String(s)) => {
                output::out(s);
                ExitCode::SUCCESS
            }
            Some(other) => {
                output::out(&crate::api::render_json(other));
                ExitCode::SUCCESS
            }
            None => fail(
                format,
                &Failure::option(
                    "query",
                    format!("The document has no field {path:?}. {}", done.note()),
                ),
            ),
        };
    }
    match render_document(doc, root, format) {
        Ok(text) => {
            output::out(&text);
            ExitCode::SUCCESS
        }
        Err(unfit) => fail(
            format,
            &Failure::option(
                "Format",
                format!(
                    "{unfit}, so the document cannot be written as XML; nothing was dropped or \
                     altered. {} Use --Format JSON, which carries every character.",
                    done.note()
                ),
            ),
        ),
    }
}

/// Prints a log's entries: one compact JSON line each (JSON), one `<KMS>` document with an
/// `<Entry>` per entry (XML), or with `--query` that field of each entry, one line per entry (empty
/// where an entry has no such field). Stops early once the reader of stdout has gone.
pub fn entries(format: Format, query: Option<&str>, entries: &[Value]) -> ExitCode {
    if query.is_none() && format == Format::Xml {
        let doc = serde_json::json!({ "Entry": entries });
        return document(format, None, &doc, "KMS", Done::Nothing);
    }
    for entry in entries {
        if output::stdout_gone() {
            break;
        }
        let line = match query {
            None => entry.to_string(),
            Some(path) => match field(entry, path) {
                Some(Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None => String::new(),
            },
        };
        output::out(&line);
    }
    ExitCode::SUCCESS
}

/// The field at `path`: `A.B` walks into objects, a number picks an array element (`0.Name`).
pub fn field<'v>(doc: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(doc, |v, name| match v {
        Value::Array(items) => name.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => v.get(name),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_walk_objects_and_arrays() {
        let doc = serde_json::json!({"A": {"B": "x"}, "L": [{"Name": "n0"}, {"Name": "n1"}]});
        assert_eq!(field(&doc, "A.B"), Some(&Value::from("x")));
        assert_eq!(field(&doc, "L.1.Name"), Some(&Value::from("n1")));
        assert_eq!(field(&doc, "L.2.Name"), None);
        assert_eq!(field(&doc, "A.C"), None);
    }

    #[test]
    fn xml_arguments_are_checked_only_for_xml() {
        let args = [("name", "ok"), ("policy", "a\u{1}b")];
        assert!(check_args_for_xml(Format::Json, &args).is_ok());
        let refused = check_args_for_xml(Format::Xml, &args).unwrap_err();
        assert_eq!(refused.code, "InvalidParameter");
        assert!(refused.message.contains("policy") && refused.message.contains("U+0001"));
        assert!(check_args_for_xml(Format::Xml, &[("name", "tab\there")]).is_ok());
    }
}
