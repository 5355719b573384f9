//! The endpoint's request path from raw bytes: an HTTP/1.1 request (request line, headers, a
//! blank line, the body) → `WireRequest` → signature, timestamp and nonce checks →
//! `api::dispatch` → the response document, on the demo vault with a fixed clock and a fresh
//! nonce cache per input. No input panics or gets a 5xx; a JSON answer is JSON; an accepted
//! request replayed is refused as `SignatureNonceUsed`.
//!
//! So that the fuzzer can get past the signature, placeholders in the input are filled in
//! before the request is handed over: `{AK}` becomes the AccessKeyId of `admin`, `{NOW}` the
//! current time in the API's format, and `{SIG}` the right signature — ACS3 when it is in the
//! `Authorization` header, else V1 (over the parameters, in the query or the form body).

use std::sync::Arc;

use kms_console::api::percent_encode;
use kms_console::core::clock::{FixedClock, format_date};
use kms_console::serve::sign;
use kms_console::serve::{Endpoint, NonceCache, Verifier, WireRequest};

use crate::fixture;

const SIG: &str = "{SIG}";

pub fn check(data: &[u8]) {
    let _ = answer_status(data);
}

/// Runs the checks; the status of the first answer, or `None` when the bytes are no request.
pub fn answer_status(data: &[u8]) -> Option<u16> {
    let base = fixture::base();
    let data = replace(data, b"{AK}", base.access_key_id.as_bytes());
    let data = replace(&data, b"{NOW}", format_date(fixture::NOW).as_bytes());
    let raw = RawRequest::parse(&data)?;
    let raw = raw.signed(&base.secret);
    let clock = Arc::new(FixedClock::new(fixture::NOW));
    let endpoint = Endpoint::new(
        fixture::vault(),
        Verifier::new(clock, NonceCache::new(64)),
        None,
    );
    let first = endpoint.handle(&raw.wire());
    assert!(
        (200..500).contains(&first.status),
        "status {}: {}",
        first.status,
        first.body
    );
    if first.content_type.starts_with("application/json") {
        assert!(
            serde_json::from_str::<serde_json::Value>(&first.body).is_ok(),
            "a JSON answer is JSON: {}",
            first.body
        );
    }
    if first.status == 200 {
        let again = endpoint.handle(&raw.wire());
        assert_eq!(again.status, 400, "a replay is refused: {}", again.body);
        assert!(again.body.contains("SignatureNonceUsed"), "{}", again.body);
    }
    Some(first.status)
}

/// A request as read off the wire, before `WireRequest` decodes it.
#[derive(Clone)]
struct RawRequest {
    method: String,
    path: String,
    query: Option<String>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl RawRequest {
    /// Request line, `Name: value` headers up to a blank line, then the body (as hyper hands
    /// them over, but more lenient: this reaches more of the endpoint than hyper lets through).
    fn parse(bytes: &[u8]) -> Option<Self> {
        let (head, body) = match find(bytes, b"\r\n\r\n") {
            Some(i) => (&bytes[..i], &bytes[i + 4..]),
            None => match find(bytes, b"\n\n") {
                Some(i) => (&bytes[..i], &bytes[i + 2..]),
                None => (bytes, &[][..]),
            },
        };
        let head = String::from_utf8_lossy(head);
        let mut lines = head.split('\n').map(|l| l.trim_end_matches('\r'));
        let mut start = lines.next()?.split_whitespace();
        let method = start.next()?.to_owned();
        let target = start.next()?;
        let (path, query) = match target.split_once('?') {
            Some((p, q)) => (p.to_owned(), Some(q.to_owned())),
            None => (target.to_owned(), None),
        };
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
            .collect();
        Some(Self {
            method,
            path,
            query,
            headers,
            body: body.to_vec(),
        })
    }

    fn wire(&self) -> WireRequest {
        WireRequest::new(
            &self.method,
            &self.path,
            self.query.as_deref(),
            self.headers.clone(),
            self.body.clone(),
        )
    }

    /// Fills in `{SIG}`: the ACS3 signature in `Authorization`, else the V1 one.
    fn signed(mut self, secret: &str) -> Self {
        let acs3 = self
            .headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("authorization") && v.contains(SIG));
        if acs3 {
            let wire = self.wire();
            let Some(auth) = wire
                .header("authorization")
                .and_then(sign::parse_acs3_authorization)
            else {
                return self;
            };
            let canonical = sign::acs3_canonical_request(
                &wire.method,
                &wire.path,
                wire.query_params(),
                &auth.signed_headers,
                |name| wire.header(name),
                &sign::sha256_hex(&wire.body),
            );
            let signature = sign::acs3_sign(secret, &sign::acs3_string_to_sign(&canonical));
            for (_, v) in &mut self.headers {
                *v = v.replace(SIG, &signature);
            }
        } else {
            let in_query = self.query.as_deref().is_some_and(|q| q.contains(SIG));
            if !in_query && find(&self.body, SIG.as_bytes()).is_none() {
                return self;
            }
            let wire = self.wire();
            let signature = sign::v1_sign(
                secret,
                &sign::v1_string_to_sign(&wire.method, wire.params()),
            );
            let encoded = percent_encode(&signature);
            self.query = self.query.map(|q| q.replace(SIG, &encoded));
            self.body = replace(&self.body, SIG.as_bytes(), encoded.as_bytes());
        }
        self
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn replace(haystack: &[u8], needle: &[u8], with: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut rest = haystack;
    while let Some(i) = find(rest, needle) {
        out.extend_from_slice(&rest[..i]);
        out.extend_from_slice(with);
        rest = &rest[i + needle.len()..];
    }
    out.extend_from_slice(rest);
    out
}
