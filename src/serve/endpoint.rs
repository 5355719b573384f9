//! The endpoint's one request path: a [`WireRequest`] → its signature checked → an
//! [`ApiRequest`] of the API parameters → [`dispatch`] as the signing principal → the response
//! or error document with its real HTTP status (product §13, `sdk-wire.md` §2.5–2.8).

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::auth::{AuthError, Scheme, Verifier};
use super::wire::WireRequest;
use crate::api::{ApiError, ApiRequest, ApiResponse, Format, check_for_xml, dispatch, find_action};
use crate::core::clock::{IdSource, RandomIds};
use crate::core::model::VaultState;
use crate::core::secret::SecretString;
use crate::core::vault::Vault;

/// The protocol's own parameters (`alibaba-kms.md` §7.1): read here, never passed to dispatch.
const PROTOCOL_PARAMS: [&str; 11] = [
    "Action",
    "AccessKeyId",
    "Format",
    "Version",
    "Signature",
    "SignatureMethod",
    "SignatureVersion",
    "SignatureNonce",
    "SignatureType",
    "Timestamp",
    "RegionId",
];

/// `Content-Type` of a JSON document.
pub const JSON_CONTENT_TYPE: &str = "application/json;charset=utf-8";
/// `Content-Type` of an XML document: exactly what the Tea SDK reads (`sdk-wire.md` §2.6).
pub const XML_CONTENT_TYPE: &str = "text/xml;charset=utf-8";

/// An HTTP response, free of the HTTP crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireResponse {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
}

/// What the console's live view (and the access log) shows of one request. No values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestEvent {
    pub principal: Option<String>,
    pub action: String,
    pub key_id: Option<String>,
    pub code: String,
    pub status: u16,
    pub micros: u64,
}

/// Receives a [`RequestEvent`] after each request.
pub type Observer = Arc<dyn Fn(&RequestEvent) + Send + Sync>;

/// The vault behind the endpoint, and how it checks callers.
pub struct Endpoint {
    vault: Mutex<Vault>,
    verifier: Verifier,
    observer: Option<Observer>,
    /// The second maintenance (due rotations and deletions) last ran in.
    maintained: AtomicI64,
}

impl Endpoint {
    pub fn new(vault: Vault, verifier: Verifier, observer: Option<Observer>) -> Self {
        Self {
            vault: Mutex::new(vault),
            verifier,
            observer,
            maintained: AtomicI64::new(i64::MIN),
        }
    }

    /// Answers one request. Never panics on any input.
    pub fn handle(&self, req: &WireRequest) -> WireResponse {
        let started = Instant::now();
        let format = req
            .param("Format")
            .and_then(Format::parse)
            .unwrap_or_default();
        let Ok(mut vault) = self.vault.lock() else {
            return internal_failure();
        };
        // Rotations and deletions fall due while the endpoint runs: check once a second.
        let now = vault.sources().clock.now();
        if self.maintained.swap(now, Ordering::Relaxed) != now {
            let _ = vault.maintain();
        }
        let (principal, outcome) = answer(&mut vault, &self.verifier, req);
        drop(vault);
        // A read whose answer XML cannot carry ran, and says so in a 400 naming the field.
        let outcome = outcome.and_then(|ok| ok.try_render(format));
        let response = match &outcome {
            Ok(body) => WireResponse {
                status: 200,
                content_type: content_type(format),
                body: body.clone(),
            },
            Err(e) => WireResponse {
                status: e.http_status,
                content_type: content_type(format),
                body: e.render(format),
            },
        };
        if let Some(observe) = &self.observer {
            observe(&RequestEvent {
                principal,
                action: action_of(req).unwrap_or_default().to_owned(),
                key_id: ["KeyId", "DestinationKeyId", "SourceKeyId"]
                    .iter()
                    .find_map(|n| req.param(n))
                    .map(str::to_owned),
                code: outcome
                    .as_ref()
                    .map_or_else(|e| e.code.clone(), |_| "Success".to_owned()),
                status: response.status,
                micros: u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
            });
        }
        response
    }
}

/// Authenticates and dispatches; the principal is `None` when the signature was refused.
fn answer(
    vault: &mut Vault,
    verifier: &Verifier,
    req: &WireRequest,
) -> (Option<String>, Result<ApiResponse, ApiError>) {
    let refuse = |vault: &Vault, e: &AuthError| {
        serve_error(vault, e.code(), &e.to_string(), e.http_status())
    };
    if let Some(name) = req.duplicate_param() {
        let message = format!("The parameter {name} is given more than once.");
        return (
            None,
            Err(serve_error(vault, "InvalidParameter", &message, 400)),
        );
    }
    // A principal or AccessKey made by another process since the last request.
    if vault.changed_on_disk() && vault.refresh().is_err() {
        let message = "The vault file could not be read.";
        return (
            None,
            Err(serve_error(vault, "InternalFailure", message, 500)),
        );
    }
    let caller = match verifier.verify(req, |id| access_key(vault.state(), id)) {
        Ok(caller) => caller,
        Err(e) => return (None, Err(refuse(vault, &e))),
    };
    // Under V1 only the parameters are signed: the action must be one of them.
    let action = match caller.scheme {
        Scheme::V1 => req.param("Action"),
        Scheme::Acs3 => action_of(req),
    };
    let Some(action) = action else {
        return (
            Some(caller.principal),
            Err(refuse(vault, &AuthError::Missing("Action"))),
        );
    };
    let mut api = ApiRequest::new(action);
    for (name, value) in req.params() {
        if !PROTOCOL_PARAMS.contains(&name) {
            api.params.insert(name.to_owned(), value.to_owned());
        }
    }
    // A change whose answer XML could not carry is refused before it runs (as on the CLI).
    let format = req
        .param("Format")
        .and_then(Format::parse)
        .unwrap_or_default();
    if let Some(spec) = find_action(action)
        && let Err(e) = check_for_xml(&api, spec.mutates, format)
    {
        let error = ApiError::from_kms(&e, vault.sources().ids.uuid());
        return (Some(caller.principal), Err(error));
    }
    let result = dispatch(vault, &caller.principal, &api);
    (Some(caller.principal), result)
}

/// The action: `Action` from the query or form body, else the `x-acs-action` header (which an
/// ACS3 signature must then cover; see `auth`).
fn action_of(req: &WireRequest) -> Option<&str> {
    req.param("Action")
        .or_else(|| req.header("x-acs-action").filter(|a| !a.is_empty()))
}

/// The principal and secret of an AccessKeyId: the one place the endpoint looks AccessKeys up.
pub fn access_key(state: &VaultState, access_key_id: &str) -> Option<(String, SecretString)> {
    state
        .access_key(access_key_id)
        .map(|(p, k)| (p.name.clone(), k.access_key_secret.clone()))
}

fn serve_error(vault: &Vault, code: &str, message: &str, http_status: u16) -> ApiError {
    ApiError {
        request_id: vault.sources().ids.uuid(),
        host_id: crate::api::HOST_ID.to_owned(),
        code: code.to_owned(),
        message: message.to_owned(),
        recommend: String::new(),
        http_status,
    }
}

fn internal_failure() -> WireResponse {
    refusal("InternalFailure", "The endpoint is out of order.", 500)
}

/// A JSON error document for a request refused before its parameters were read (too large,
/// too slow, or the endpoint out of order).
pub fn refusal(code: &str, message: &str, http_status: u16) -> WireResponse {
    let error = ApiError {
        request_id: RandomIds.uuid(),
        host_id: crate::api::HOST_ID.to_owned(),
        code: code.to_owned(),
        message: message.to_owned(),
        recommend: String::new(),
        http_status,
    };
    WireResponse {
        status: http_status,
        content_type: JSON_CONTENT_TYPE,
        body: error.render(Format::Json),
    }
}

/// The `Content-Type` of a document in `format`.
pub fn content_type(format: Format) -> &'static str {
    match format {
        Format::Json => JSON_CONTENT_TYPE,
        Format::Xml => XML_CONTENT_TYPE,
    }
}
