//! The one request path of every front end (product §2): an [`ApiRequest`] of action and
//! parameter strings goes through [`dispatch`], which parses each parameter in one place, runs
//! the typed core operation, audits it, and returns a response or error document.

mod actions;
mod check;
mod document;
mod handlers;
mod params;
mod request;

pub use actions::{ACTIONS, Action, ActionSpec, Group, ParamKind, ParamSpec, find_action};
pub use check::Checked;
pub use document::{
    ApiError, ApiResponse, Format, HOST_ID, XmlProblem, XmlUnfit, check_for_xml,
    render as render_document, render_json, unfit_char,
};
pub use handlers::dispatch;
pub use params::Params;
pub use request::{ApiRequest, percent_encode, shell_quote};
