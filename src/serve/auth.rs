//! Who signed a request: the scheme chosen by the `Authorization` header (`sdk-wire.md` §2.1),
//! the signature checked against the AccessKey's secret, then the 15-minute timestamp window and
//! the nonce replay cache (product §13). The clock and the nonce cache are injected, so tests and
//! fuzz targets drive it at a fixed time.

use std::sync::{Arc, Mutex};

use super::nonce::NonceCache;
use super::sign::{self, ACS3_SCHEME};
use super::wire::WireRequest;
use crate::core::clock::{Clock, UnixTime};
use crate::core::secret::SecretString;

// The replay window is the nonce cache's (it keeps nonces for twice the window).
pub use super::nonce::TIMESTAMP_WINDOW;

/// The signature scheme a request used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// HMAC-SHA1, `Signature` among the parameters (§7.1).
    V1,
    /// ACS3-HMAC-SHA256 in the `Authorization` header (§7.2).
    Acs3,
}

/// The principal that signed a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub principal: String,
    pub access_key_id: String,
    pub scheme: Scheme,
}

/// Why a request was refused before dispatch; each maps to Alibaba's code and status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("The parameter {0} is missing or empty.")]
    Missing(&'static str),
    #[error("The request signature is incomplete: {0}")]
    Incomplete(String),
    #[error("The value of {0} is not supported.")]
    Unsupported(&'static str),
    #[error("Specified access key is not found.")]
    UnknownAccessKey,
    /// Carries the server's StringToSign, which follows the `:` in the message (`sdk-wire.md` §2.7).
    #[error(
        "Specified signature is not matched with our calculation. server string to sign is:{0}"
    )]
    SignatureMismatch(String),
    #[error("Specified time stamp or date value is not well formatted.")]
    BadTimestamp,
    #[error("Specified time stamp or date value is expired.")]
    Expired,
    #[error("Specified signature nonce was used already.")]
    NonceUsed,
}

impl AuthError {
    /// Alibaba's error code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Missing(_) => "MissingParameter",
            Self::Incomplete(_) => "IncompleteSignature",
            Self::Unsupported(_) => "InvalidParameter",
            Self::UnknownAccessKey => "InvalidAccessKeyId.NotFound",
            Self::SignatureMismatch(_) => "SignatureDoesNotMatch",
            Self::BadTimestamp => "InvalidTimeStamp.Format",
            Self::Expired => "InvalidTimeStamp.Expired",
            Self::NonceUsed => "SignatureNonceUsed",
        }
    }

    /// The HTTP status.
    pub fn http_status(&self) -> u16 {
        match self {
            Self::UnknownAccessKey => 404,
            _ => 400,
        }
    }
}

/// Checks signatures, timestamps and nonces. Shared by every connection.
pub struct Verifier {
    clock: Arc<dyn Clock>,
    nonces: Mutex<NonceCache>,
}

impl Verifier {
    pub fn new(clock: Arc<dyn Clock>, nonces: NonceCache) -> Self {
        Self {
            clock,
            nonces: Mutex::new(nonces),
        }
    }

    /// Verifies `req`. `secret_of` finds the principal and secret of an AccessKeyId.
    pub fn verify(
        &self,
        req: &WireRequest,
        secret_of: impl FnOnce(&str) -> Option<(String, SecretString)>,
    ) -> Result<Caller, AuthError> {
        let acs3 = req
            .header("authorization")
            .is_some_and(|a| a.trim_start().starts_with(ACS3_SCHEME));
        let checked = if acs3 {
            verify_acs3(req, secret_of)?
        } else {
            verify_v1(req, secret_of)?
        };
        let now = self.clock.now();
        let at = parse_api_date(&checked.timestamp).ok_or(AuthError::BadTimestamp)?;
        if (at - now).abs() > TIMESTAMP_WINDOW {
            return Err(AuthError::Expired);
        }
        let fresh = self.nonces.lock().is_ok_and(|mut cache| {
            cache.insert(&checked.caller.access_key_id, &checked.nonce, now)
        });
        if !fresh {
            return Err(AuthError::NonceUsed);
        }
        Ok(checked.caller)
    }
}

/// A request whose signature matched, with what the replay checks still need.
struct Checked {
    caller: Caller,
    timestamp: String,
    nonce: String,
}

fn verify_v1(
    req: &WireRequest,
    secret_of: impl FnOnce(&str) -> Option<(String, SecretString)>,
) -> Result<Checked, AuthError> {
    let signature = req
        .param("Signature")
        .ok_or(AuthError::Missing("Signature"))?;
    let access_key_id = req
        .param("AccessKeyId")
        .ok_or(AuthError::Missing("AccessKeyId"))?;
    let timestamp = req
        .param("Timestamp")
        .ok_or(AuthError::Missing("Timestamp"))?;
    let nonce = req
        .param("SignatureNonce")
        .ok_or(AuthError::Missing("SignatureNonce"))?;
    match req.param("SignatureMethod") {
        None => return Err(AuthError::Missing("SignatureMethod")),
        Some(m) if m != "HMAC-SHA1" => return Err(AuthError::Unsupported("SignatureMethod")),
        Some(_) => {}
    }
    if req.param("SignatureVersion").is_some_and(|v| v != "1.0") {
        return Err(AuthError::Unsupported("SignatureVersion"));
    }
    let (principal, secret) = secret_of(access_key_id).ok_or(AuthError::UnknownAccessKey)?;
    let string_to_sign = sign::v1_string_to_sign(&req.method, req.params());
    if !sign::v1_verify(secret.expose(), &string_to_sign, signature) {
        return Err(AuthError::SignatureMismatch(string_to_sign));
    }
    Ok(Checked {
        caller: Caller {
            principal,
            access_key_id: access_key_id.to_owned(),
            scheme: Scheme::V1,
        },
        timestamp: timestamp.to_owned(),
        nonce: nonce.to_owned(),
    })
}

/// Headers an ACS3 signature must cover, or the replay checks (and the action) could be
/// changed in flight.
const ACS3_REQUIRED_SIGNED: [&str; 2] = ["x-acs-date", "x-acs-signature-nonce"];

fn verify_acs3(
    req: &WireRequest,
    secret_of: impl FnOnce(&str) -> Option<(String, SecretString)>,
) -> Result<Checked, AuthError> {
    let auth = req
        .header("authorization")
        .and_then(sign::parse_acs3_authorization)
        .ok_or_else(|| {
            AuthError::Incomplete(
                "Authorization needs Credential, SignedHeaders and Signature.".into(),
            )
        })?;
    let action_header = req.header("x-acs-action").is_some() && req.param("Action").is_none();
    let required = ACS3_REQUIRED_SIGNED
        .iter()
        .chain(action_header.then_some(&"x-acs-action"));
    for name in required {
        if !auth.signed_headers.iter().any(|h| h == name) {
            return Err(AuthError::Incomplete(format!(
                "SignedHeaders must include {name}."
            )));
        }
    }
    let timestamp = req
        .header("x-acs-date")
        .ok_or(AuthError::Missing("x-acs-date"))?;
    let nonce = req
        .header("x-acs-signature-nonce")
        .ok_or(AuthError::Missing("x-acs-signature-nonce"))?;
    let (principal, secret) = secret_of(&auth.access_key_id).ok_or(AuthError::UnknownAccessKey)?;
    let canonical = sign::acs3_canonical_request(
        &req.method,
        &req.path,
        req.query_params(),
        &auth.signed_headers,
        |name| req.header(name),
        &sign::sha256_hex(&req.body),
    );
    let string_to_sign = sign::acs3_string_to_sign(&canonical);
    if !sign::acs3_verify(secret.expose(), &string_to_sign, &auth.signature) {
        return Err(AuthError::SignatureMismatch(string_to_sign));
    }
    Ok(Checked {
        caller: Caller {
            principal,
            access_key_id: auth.access_key_id,
            scheme: Scheme::Acs3,
        },
        timestamp: timestamp.to_owned(),
        nonce: nonce.to_owned(),
    })
}

/// Parses the API's UTC date `yyyy-MM-ddTHH:mm:ssZ` (`sdk-wire.md` §2.9), strictly.
pub fn parse_api_date(text: &str) -> Option<UnixTime> {
    let b = text.as_bytes();
    if b.len() != 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' {
        return None;
    }
    if b[16] != b':' || b[19] != b'Z' {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = text.get(range)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hh, mm, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    Some(days_from_civil(y, m, d) * 86_400 + hh * 3600 + mm * 60 + ss)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}
