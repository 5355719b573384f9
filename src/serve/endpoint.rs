//! The endpoint's one request path: a [`WireRequest`] → its signature checked → an
//! [`ApiRequest`] of the API parameters → [`dispatch`] as the signing principal → the response
//! or error document with its real HTTP status (product §13, `sdk-wire.md` §2.5–2.8).

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::auth::{AuthError, Caller, Scheme, Verifier};
use super::refused;
use super::wire::WireRequest;
use crate::api::{ApiError, ApiRequest, ApiResponse, Format, check_for_xml, dispatch, find_action};
use crate::core::clock::{IdSource, RandomIds, format_date};
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
    /// Refused for the client's own fault before dispatch — a bad or missing signature, an
    /// unknown AccessKeyId, a replay, a stale timestamp, a malformed or oversized request —
    /// never for a failure of the server: the server queues the connection's next request
    /// behind valid callers' (see `pool`).
    pub refused: bool,
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
///
/// The vault's lock is held only for what needs the vault: finding the caller's secret (after
/// seeing other processes' changes) and the dispatch itself. Parsing, the signature check and
/// the rendering of the answer run outside it, in parallel across connections.
pub struct Endpoint {
    vault: Mutex<Vault>,
    verifier: Verifier,
    observer: Option<Observer>,
    /// The vault's id source, for the RequestIds of requests refused before dispatch.
    ids: Arc<dyn IdSource>,
    /// The second maintenance (due rotations and deletions) last ran in.
    maintained: AtomicI64,
}

impl Endpoint {
    pub fn new(vault: Vault, verifier: Verifier, observer: Option<Observer>) -> Self {
        Self {
            ids: Arc::clone(&vault.sources().ids),
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
        let (principal, outcome) = self.answer(req, format);
        let refused = principal.is_none();
        // A read whose answer XML cannot carry ran, and says so in a 400 naming the field.
        let outcome = outcome.and_then(|ok| ok.try_render(format));
        let (status, code) = match &outcome {
            Ok(_) => (200, None),
            Err(e) => (e.http_status, Some(&e.code)),
        };
        if let Some(observe) = &self.observer {
            observe(&RequestEvent {
                principal,
                action: action_of(req).unwrap_or_default().to_owned(),
                key_id: ["KeyId", "DestinationKeyId", "SourceKeyId"]
                    .iter()
                    .find_map(|n| req.param(n))
                    .map(str::to_owned),
                code: code.map_or_else(|| "Success".to_owned(), Clone::clone),
                status,
                micros: u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
            });
        }
        WireResponse {
            status,
            refused: refused && status < 500,
            content_type: content_type(format),
            body: match outcome {
                Ok(body) => body,
                Err(e) => e.render(format),
            },
        }
    }

    /// Authenticates and dispatches; the principal is `None` when the signature was refused.
    fn answer(
        &self,
        req: &WireRequest,
        format: Format,
    ) -> (Option<String>, Result<ApiResponse, ApiError>) {
        if let Some(name) = req.duplicate_param() {
            let message = format!("The parameter {name} is given more than once.");
            return (None, Err(self.error("InvalidParameter", &message, 400)));
        }
        let caller = match self.authenticate(req) {
            Ok(caller) => caller,
            Err(e) => return (None, Err(e)),
        };
        // Under V1 only the parameters are signed: the action must be one of them.
        let action = match caller.scheme {
            Scheme::V1 => req.param("Action"),
            Scheme::Acs3 => action_of(req),
        };
        let Some(action) = action else {
            let e = AuthError::Missing("Action");
            let error = self.error(e.code(), &e.to_string(), e.http_status());
            return (Some(caller.principal), Err(error));
        };
        let mut api = ApiRequest::new(action);
        for (name, value) in req.params() {
            if !PROTOCOL_PARAMS.contains(&name) {
                api.params.insert(name.to_owned(), value.to_owned());
            }
        }
        // A change whose answer XML could not carry is refused before it runs (as on the CLI).
        if let Some(spec) = find_action(action)
            && let Err(e) = check_for_xml(&api, spec.mutates, format)
        {
            let error = ApiError::from_kms(&e, self.ids.uuid());
            return (Some(caller.principal), Err(error));
        }
        let Ok(mut vault) = self.vault.lock() else {
            let error = self.error("InternalFailure", OUT_OF_ORDER, 500);
            return (Some(caller.principal), Err(error));
        };
        // Rotations and deletions fall due while the endpoint runs: check once a second.
        let now = vault.sources().clock.now();
        if self.maintained.swap(now, Ordering::Relaxed) != now {
            let _ = vault.maintain();
        }
        let result = dispatch(&mut vault, &caller.principal, &api);
        drop(vault);
        (Some(caller.principal), result)
    }

    /// Checks the signature. Only the look-up of the caller's secret holds the vault's lock (a
    /// principal or AccessKey made by another process since the last request is seen first);
    /// the signature itself is computed outside it.
    fn authenticate(&self, req: &WireRequest) -> Result<Caller, ApiError> {
        let mut unreadable = false;
        let secret_of = |id: &str| {
            let mut vault = self.vault.lock().ok()?;
            if vault.changed_on_disk() && vault.refresh().is_err() {
                unreadable = true;
                return None;
            }
            access_key(vault.state(), id)
        };
        let verified = self.verifier.verify(req, secret_of);
        if unreadable {
            let message = "The vault file could not be read.";
            return Err(self.error("InternalFailure", message, 500));
        }
        verified.map_err(|e| {
            let error = self.error(e.code(), &e.to_string(), e.http_status());
            self.audit_refusal(req, &error);
            error
        })
    }

    /// Writes the audit line of a request refused before dispatch (see `refused`).
    fn audit_refusal(&self, req: &WireRequest, error: &ApiError) {
        if let Ok(mut vault) = self.vault.lock() {
            let time = format_date(vault.sources().clock.now());
            // The request is refused either way and did nothing: a line that cannot be written
            // loses no record of a change or of a result given out.
            let _ = vault.append_audit(&refused::record(req, action_of(req), error, time));
        }
    }

    fn error(&self, code: &str, message: &str, http_status: u16) -> ApiError {
        ApiError {
            request_id: self.ids.uuid(),
            host_id: crate::api::HOST_ID.to_owned(),
            code: code.to_owned(),
            message: message.to_owned(),
            recommend: String::new(),
            http_status,
        }
    }
}

const OUT_OF_ORDER: &str = "The endpoint is out of order.";

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
        refused: http_status < 500,
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
