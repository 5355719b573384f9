//! Requests refused before dispatch — a wrong, missing or incomplete signature, an unknown
//! AccessKeyId, a replayed nonce, a stale timestamp — are calls too, so they go to the audit log
//! (product §12) beside the stderr access log: under [`REFUSED_PRINCIPAL`], which no principal
//! can be named, with the AccessKeyId they claimed. What the client sent is cut to a bounded
//! length, so a hostile request cannot make a long line; values of parameters never appear.

use serde_json::json;

use super::sign::parse_acs3_authorization;
use super::wire::WireRequest;
use crate::api::{ApiError, find_action};
use crate::core::audit::AuditRecord;

/// The principal of a refused request's audit line: not a valid principal name (those have only
/// letters, digits, `.`, `_` and `-`), so never mistaken for one.
pub const REFUSED_PRINCIPAL: &str = "(unauthenticated)";

/// The longest claimed AccessKeyId or unknown action name kept, in bytes.
const MAX_CLAIMED: usize = 64;

/// The audit record of `req`, refused with `error` at `time`.
pub fn record(
    req: &WireRequest,
    action: Option<&str>,
    error: &ApiError,
    time: String,
) -> AuditRecord {
    let action = action.map_or_else(String::new, |a| {
        find_action(a).map_or_else(|| cut(a), |spec| spec.name.to_owned())
    });
    AuditRecord {
        time,
        principal: REFUSED_PRINCIPAL.to_owned(),
        action,
        result: error.code.clone(),
        request_id: error.request_id.clone(),
        details: claimed_access_key(req).map(|id| json!({ "AccessKeyId": cut(&id) })),
        ..AuditRecord::default()
    }
}

/// The AccessKeyId a request names: in its ACS3 `Authorization` header, else its parameters.
fn claimed_access_key(req: &WireRequest) -> Option<String> {
    req.header("authorization")
        .and_then(parse_acs3_authorization)
        .map(|a| a.access_key_id)
        .or_else(|| req.param("AccessKeyId").map(str::to_owned))
}

/// `text` cut to [`MAX_CLAIMED`] bytes on a character boundary.
fn cut(text: &str) -> String {
    let mut end = text.len().min(MAX_CLAIMED);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claimed_values_are_bounded() {
        assert_eq!(cut("ak"), "ak");
        assert_eq!(cut(&"é".repeat(40)).len(), 64);
        assert_eq!(cut(&"x".repeat(1000)).len(), MAX_CLAIMED);
    }
}
