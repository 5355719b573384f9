//! The signature schemes against the requests captured from the real SDKs (`sdk-wire.md` §3–4)
//! and the corrected V1 vector (`alibaba-kms.md` §7.1); and the refusals (`fail_*`).

use std::sync::Arc;

use super::auth::{AuthError, Scheme, Verifier, parse_api_date};
use super::nonce::NonceCache;
use super::sign;
use super::wire::WireRequest;
use crate::core::clock::FixedClock;
use crate::core::secret::SecretString;

/// The time of the captures, 2026-11-30T09:34:42Z.
const CAPTURED_AT: i64 = 1_796_031_282;
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const ACS3_SIGNED: &str = "accept;host;user-agent;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-signature-nonce;x-acs-version";
const TEA_UA: &str = "AlibabaCloud (Linux; x86_64) Python/3.11.7 Core/0.4.3 TeaDSL/2";

/// §4: aliyun-python-sdk-kms Encrypt and DescribeKey, Tea v2 Encrypt and DescribeKey, pop-core GET.
const V1_QUERIES: [(&str, &str); 5] = [
    (
        "POST",
        "KeyId=alias%2Forders&Plaintext=a%20b%2Bc%2A~%27%21%28%29%2F%26%3D%25%C3%BC&EncryptionContext=%7B%22app%22%3A%20%22x%20y%22%2C%20%22n%22%3A%20%221%22%7D&Version=2016-01-20&Action=Encrypt&Format=JSON&RegionId=cn-hangzhou&Timestamp=2026-11-30T09%3A34%3A42Z&SignatureMethod=HMAC-SHA1&SignatureType=&SignatureVersion=1.0&SignatureNonce=c8f30b02a30a92d60590f171bddfbb69&AccessKeyId=testid&Signature=XcWa9%2BV%2B2viWMkQT3y8NTpy6GsM%3D",
    ),
    (
        "POST",
        "KeyId=alias%2Forders&Version=2016-01-20&Action=DescribeKey&Format=JSON&RegionId=cn-hangzhou&Timestamp=2026-11-30T09%3A34%3A42Z&SignatureMethod=HMAC-SHA1&SignatureType=&SignatureVersion=1.0&SignatureNonce=c31c039d00da9351d8f9af6ccbf342ce&AccessKeyId=testid&Signature=%2F4lKiRdr%2BG8JwISfTZDZYRsYUvc%3D",
    ),
    (
        "POST",
        "Action=Encrypt&Format=json&Version=2016-01-20&Timestamp=2026-11-30T09%3A34%3A42Z&SignatureNonce=3c311dcb2a7a6b0f326552604124dac9&EncryptionContext=%7B%22app%22%3A%22x+y%22%2C%22n%22%3A%221%22%7D&KeyId=alias%2Forders&Plaintext=a+b%2Bc%2A~%27%21%28%29%2F%26%3D%25%C3%BC&SignatureMethod=HMAC-SHA1&SignatureVersion=1.0&AccessKeyId=testid&Signature=Gux4SeLJlH2FpORuzJFbUKW82tM%3D",
    ),
    (
        "POST",
        "Action=DescribeKey&Format=json&Version=2016-01-20&Timestamp=2026-11-30T09%3A34%3A42Z&SignatureNonce=a34f7cb0e7d519cdadfdcfd545af8a96&KeyId=alias%2Forders&SignatureMethod=HMAC-SHA1&SignatureVersion=1.0&AccessKeyId=testid&Signature=OKZ2Vio40U1yOhJjAi3xJN8DQrM%3D",
    ),
    (
        "GET",
        "AccessKeyId=testid&Action=DescribeKey&Format=JSON&KeyId=alias%2Forders&SignatureMethod=HMAC-SHA1&SignatureNonce=f61c13ac080c008984a2da079830d88f&SignatureVersion=1.0&Timestamp=2026-11-30T09%3A34%3A42Z&Version=2016-01-20&Signature=31L4BuuuPx0HnU6Xe6vFyioCCzk%3D",
    ),
];

/// §4: pop-core POST, every parameter in a form body.
const POP_CORE_FORM: &str = "AccessKeyId=testid&Action=Encrypt&EncryptionContext=%7B%22app%22%3A%22x%20y%22%2C%22n%22%3A%221%22%7D&Format=JSON&KeyId=alias%2Forders&Plaintext=a%20b%2Bc%2A~%27%21%28%29%2F%26%3D%25%C3%BC&SignatureMethod=HMAC-SHA1&SignatureNonce=5993b7321a89ac52be81ac656015fa23&SignatureVersion=1.0&Timestamp=2026-11-30T09%3A34%3A42Z&Version=2016-01-20&Signature=AstMphsphpjaSDqzLpq12QE%2FOCk%3D";

const ACS3_ENCRYPT_QUERY: &str = "EncryptionContext=%7B%22app%22%3A%22x+y%22%2C%22n%22%3A%221%22%7D&KeyId=alias%2Forders&Plaintext=a+b%2Bc%2A~%27%21%28%29%2F%26%3D%25%C3%BC";

fn h(name: &str, value: &str) -> (String, String) {
    (name.to_owned(), value.to_owned())
}

/// §4: the Tea SDK's default ACS3 request (Encrypt or DescribeKey).
fn acs3(query: &str, action: &str, nonce: &str, signature: &str) -> WireRequest {
    let headers = vec![
        h("Accept-Encoding", "identity"),
        h("host", "127.0.0.1:53247"),
        h("x-acs-version", "2016-01-20"),
        h("x-acs-action", action),
        h("user-agent", TEA_UA),
        h("x-acs-date", "2026-11-30T09:34:42Z"),
        h("x-acs-signature-nonce", nonce),
        h("accept", "application/json"),
        h("x-acs-content-sha256", EMPTY_SHA256),
        h("x-acs-credentials-provider", "static_ak"),
        h(
            "Authorization",
            &format!(
                "ACS3-HMAC-SHA256 Credential=testid,SignedHeaders={ACS3_SIGNED},Signature={signature}"
            ),
        ),
        h("Content-Length", "0"),
    ];
    WireRequest::new("POST", "/", Some(query), headers, Vec::new())
}

fn acs3_encrypt() -> WireRequest {
    acs3(
        ACS3_ENCRYPT_QUERY,
        "Encrypt",
        "3a42fdfab7d8624f2d43bdd1627cfe39",
        "b68d59403e9f72a091489b6bbf3f0aca1c339d7b5356aaeddb397a6be57989d1",
    )
}

fn acs3_describe() -> WireRequest {
    acs3(
        "KeyId=alias%2Forders",
        "DescribeKey",
        "b4ad97430653306e9bf4c0470435b2af",
        "7dca3a0dfa101b256f13cbe1d900a9bbcd9a8a6be07c03aa826033058f3b38cf",
    )
}

fn pop_core_post(form: &str) -> WireRequest {
    let headers = vec![
        h("x-acs-action", "Encrypt"),
        h("content-type", "application/x-www-form-urlencoded"),
        h("Host", "127.0.0.1:53247"),
    ];
    WireRequest::new("POST", "/", None, headers, form.as_bytes().to_vec())
}

fn v1(method: &str, query: &str) -> WireRequest {
    WireRequest::new(
        method,
        "/",
        Some(query),
        vec![h("x-acs-action", "Encrypt")],
        Vec::new(),
    )
}

fn verifier_at(now: i64) -> Verifier {
    Verifier::new(Arc::new(FixedClock::new(now)), NonceCache::new(64))
}

fn test_key(id: &str) -> Option<(String, SecretString)> {
    (id == "testid").then(|| ("tester".to_owned(), SecretString::from("testsecret")))
}

#[test]
fn the_corrected_v1_vector() {
    let params = [
        ("AccessKeyId", "testid"),
        ("Action", "CreateKey"),
        ("Format", "json"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"),
        ("Timestamp", "2016-03-28T03:13:08Z"),
        ("Version", "2016-01-20"),
    ];
    let sts = sign::v1_string_to_sign("GET", params);
    assert_eq!(
        sign::v1_sign("testsecret", &sts),
        "41wk2SSX1GJh7fwnc5eqOfiJPFg="
    );
    assert!(sign::v1_verify(
        "testsecret",
        &sts,
        "41wk2SSX1GJh7fwnc5eqOfiJPFg="
    ));
    // The misprinted value of the documentation's walk-through must not verify.
    assert!(!sign::v1_verify(
        "testsecret",
        &sts,
        "s/OdVWMTmNGagvWlljdAJ7Itsew="
    ));
}

#[test]
fn every_captured_v1_request_verifies() {
    let verifier = verifier_at(CAPTURED_AT);
    for (method, query) in V1_QUERIES {
        let caller = verifier.verify(&v1(method, query), test_key);
        let caller = caller.unwrap_or_else(|e| panic!("{method} {query}: {e}"));
        assert_eq!(
            (caller.principal.as_str(), caller.scheme),
            ("tester", Scheme::V1)
        );
    }
    let caller = verifier.verify(&pop_core_post(POP_CORE_FORM), test_key);
    assert_eq!(caller.map(|c| c.scheme), Ok(Scheme::V1));
}

#[test]
fn every_captured_acs3_request_verifies() {
    let verifier = verifier_at(CAPTURED_AT);
    for req in [acs3_encrypt(), acs3_describe()] {
        let caller = verifier.verify(&req, test_key);
        assert_eq!(
            caller.map(|c| (c.principal, c.scheme)),
            Ok(("tester".into(), Scheme::Acs3))
        );
    }
}

#[test]
fn the_worked_acs3_canonical_request() {
    let req = acs3_encrypt();
    let signed: Vec<String> = ACS3_SIGNED.split(';').map(str::to_owned).collect();
    let canonical = sign::acs3_canonical_request(
        "POST",
        "/",
        req.query_params(),
        &signed,
        |n| req.header(n),
        EMPTY_SHA256,
    );
    let expected = format!(
        "POST\n/\nEncryptionContext=%7B%22app%22%3A%22x%20y%22%2C%22n%22%3A%221%22%7D&KeyId=alias%2Forders&Plaintext=a%20b%2Bc%2A~%27%21%28%29%2F%26%3D%25%C3%BC\naccept:application/json\nhost:127.0.0.1:53247\nuser-agent:{TEA_UA}\nx-acs-action:Encrypt\nx-acs-content-sha256:{EMPTY_SHA256}\nx-acs-credentials-provider:static_ak\nx-acs-date:2026-11-30T09:34:42Z\nx-acs-signature-nonce:3a42fdfab7d8624f2d43bdd1627cfe39\nx-acs-version:2016-01-20\n\n{ACS3_SIGNED}\n{EMPTY_SHA256}"
    );
    assert_eq!(canonical, expected);
    let sts = sign::acs3_string_to_sign(&canonical);
    assert_eq!(
        sts,
        "ACS3-HMAC-SHA256\n60ddf977da8ce6d6bbcf07b081b81e76daf3baa6e83fdef54785ac74b5d28d9a"
    );
    assert_eq!(
        sign::acs3_sign("testsecret", &sts),
        "b68d59403e9f72a091489b6bbf3f0aca1c339d7b5356aaeddb397a6be57989d1"
    );
}

#[test]
fn the_worked_tea_v2_string_to_sign() {
    let req = v1("POST", V1_QUERIES[2].1);
    let sts = sign::v1_string_to_sign("POST", req.params());
    assert_eq!(
        sts,
        "POST&%2F&AccessKeyId%3Dtestid%26Action%3DEncrypt%26EncryptionContext%3D%257B%2522app%2522%253A%2522x%2520y%2522%252C%2522n%2522%253A%25221%2522%257D%26Format%3Djson%26KeyId%3Dalias%252Forders%26Plaintext%3Da%2520b%252Bc%252A~%2527%2521%2528%2529%252F%2526%253D%2525%25C3%25BC%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3c311dcb2a7a6b0f326552604124dac9%26SignatureVersion%3D1.0%26Timestamp%3D2026-11-30T09%253A34%253A42Z%26Version%3D2016-01-20"
    );
    assert_eq!(
        sign::v1_sign("testsecret", &sts),
        "Gux4SeLJlH2FpORuzJFbUKW82tM="
    );
}

#[test]
fn fail_a_tampered_parameter_with_the_servers_string_to_sign() {
    let verifier = verifier_at(CAPTURED_AT);
    let tampered = V1_QUERIES[4]
        .1
        .replace("KeyId=alias%2Forders", "KeyId=alias%2Fpayments");
    let Err(AuthError::SignatureMismatch(sts)) = verifier.verify(&v1("GET", &tampered), test_key)
    else {
        panic!("a tampered request must not verify");
    };
    assert!(
        sts.starts_with("GET&%2F&") && sts.contains("alias%252Fpayments") && !sts.contains(':')
    );
    let error = AuthError::SignatureMismatch(sts.clone());
    assert_eq!(
        error.to_string().split_once(':').map(|(_, s)| s),
        Some(sts.as_str())
    );
    assert_eq!(
        (error.code(), error.http_status()),
        ("SignatureDoesNotMatch", 400)
    );
    // The same request signed with GET must not verify as POST.
    let as_post = verifier.verify(&v1("POST", V1_QUERIES[4].1), test_key);
    assert!(matches!(as_post, Err(AuthError::SignatureMismatch(_))));
    let body = POP_CORE_FORM.replace("Plaintext=a", "Plaintext=b");
    let tampered_body = verifier.verify(&pop_core_post(&body), test_key);
    assert!(matches!(
        tampered_body,
        Err(AuthError::SignatureMismatch(_))
    ));
}

#[test]
fn fail_an_acs3_request_with_a_changed_header_or_query() {
    let verifier = verifier_at(CAPTURED_AT);
    let query_changed = acs3(
        &ACS3_ENCRYPT_QUERY.replace("orders", "other"),
        "Encrypt",
        "3a42fdfab7d8624f2d43bdd1627cfe39",
        "b68d59403e9f72a091489b6bbf3f0aca1c339d7b5356aaeddb397a6be57989d1",
    );
    assert!(matches!(
        verifier.verify(&query_changed, test_key),
        Err(AuthError::SignatureMismatch(_))
    ));
    let changed_action = acs3(
        ACS3_ENCRYPT_QUERY,
        "Decrypt",
        "3a42fdfab7d8624f2d43bdd1627cfe39",
        "b68d59403e9f72a091489b6bbf3f0aca1c339d7b5356aaeddb397a6be57989d1",
    );
    assert!(matches!(
        verifier.verify(&changed_action, test_key),
        Err(AuthError::SignatureMismatch(_))
    ));
}

#[test]
fn fail_a_wrong_secret_and_an_unknown_access_key() {
    let verifier = verifier_at(CAPTURED_AT);
    let wrong = |_: &str| Some(("tester".to_owned(), SecretString::from("othersecret")));
    assert!(matches!(
        verifier.verify(&v1("GET", V1_QUERIES[4].1), wrong),
        Err(AuthError::SignatureMismatch(_))
    ));
    assert!(matches!(
        verifier.verify(&acs3_describe(), wrong),
        Err(AuthError::SignatureMismatch(_))
    ));
    let nobody = |_: &str| None;
    let e = verifier.verify(&acs3_describe(), nobody);
    assert_eq!(e, Err(AuthError::UnknownAccessKey));
    assert_eq!(AuthError::UnknownAccessKey.http_status(), 404);
    assert_eq!(
        verifier.verify(&v1("GET", V1_QUERIES[4].1), nobody),
        Err(AuthError::UnknownAccessKey)
    );
}

#[test]
fn fail_a_replayed_nonce() {
    let verifier = verifier_at(CAPTURED_AT);
    assert!(verifier.verify(&acs3_describe(), test_key).is_ok());
    assert_eq!(
        verifier.verify(&acs3_describe(), test_key),
        Err(AuthError::NonceUsed)
    );
    assert!(
        verifier
            .verify(&v1("GET", V1_QUERIES[4].1), test_key)
            .is_ok()
    );
    assert_eq!(
        verifier.verify(&v1("GET", V1_QUERIES[4].1), test_key),
        Err(AuthError::NonceUsed)
    );
}

#[test]
fn fail_a_timestamp_outside_fifteen_minutes() {
    for now in [CAPTURED_AT + 15 * 60 + 1, CAPTURED_AT - 15 * 60 - 1] {
        let verifier = verifier_at(now);
        assert_eq!(
            verifier.verify(&acs3_describe(), test_key),
            Err(AuthError::Expired)
        );
        assert_eq!(
            verifier.verify(&v1("GET", V1_QUERIES[4].1), test_key),
            Err(AuthError::Expired)
        );
    }
    for now in [CAPTURED_AT + 15 * 60, CAPTURED_AT - 15 * 60] {
        assert!(verifier_at(now).verify(&acs3_describe(), test_key).is_ok());
    }
}

#[test]
fn fail_unsigned_and_incomplete_requests() {
    let verifier = verifier_at(CAPTURED_AT);
    let unsigned = v1("GET", "Action=ListKeys&Format=JSON");
    assert_eq!(
        verifier.verify(&unsigned, test_key),
        Err(AuthError::Missing("Signature"))
    );
    let no_nonce = V1_QUERIES[4]
        .1
        .replace("SignatureNonce=f61c13ac080c008984a2da079830d88f&", "");
    assert_eq!(
        verifier.verify(&v1("GET", &no_nonce), test_key),
        Err(AuthError::Missing("SignatureNonce"))
    );
    let bare = WireRequest::new(
        "POST",
        "/",
        None,
        vec![h("Authorization", "ACS3-HMAC-SHA256 Credential=testid")],
        Vec::new(),
    );
    assert!(matches!(
        verifier.verify(&bare, test_key),
        Err(AuthError::Incomplete(_))
    ));
    // The replay headers must be signed.
    let unsigned_date = WireRequest::new(
        "POST",
        "/",
        None,
        vec![
            h("x-acs-date", "2026-11-30T09:34:42Z"),
            h("x-acs-signature-nonce", "n"),
            h(
                "Authorization",
                "ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=host,Signature=00",
            ),
        ],
        Vec::new(),
    );
    assert!(matches!(
        verifier.verify(&unsigned_date, test_key),
        Err(AuthError::Incomplete(_))
    ));
}

#[test]
fn api_dates_parse_strictly() {
    assert_eq!(parse_api_date("2026-11-30T09:34:42Z"), Some(CAPTURED_AT));
    assert_eq!(parse_api_date("2016-03-28T03:13:08Z"), Some(1_459_134_788));
    assert_eq!(parse_api_date("1970-01-01T00:00:00Z"), Some(0));
    for bad in [
        "2026-11-30 09:34:42Z",
        "2026-11-30T09:34:42",
        "2026-13-30T09:34:42Z",
        "+026-11-30T09:34:42Z",
        "2026-11-30T09:34:42.000Z",
        "",
        "2026-11-30T0９:34:42Z",
    ] {
        assert_eq!(parse_api_date(bad), None, "{bad}");
    }
}
