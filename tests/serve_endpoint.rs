//! The endpoint's request path without HTTP (product §13): a signed request reaches
//! `api::dispatch` as the signing principal and comes back as the right document and status;
//! refusals are Alibaba's; no bytes at all make it panic or answer 5xx. Fixed clock, in-memory
//! vault.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::{Arc, Mutex};

use kms_console::api::percent_encode;
use kms_console::core::clock::format_date;
use kms_console::core::ops::principals;
use kms_console::serve::{
    Endpoint, NonceCache, RequestEvent, Verifier, WireRequest, access_key, sign,
};
use proptest::prelude::*;

struct Fixture {
    endpoint: Endpoint,
    id: String,
    secret: String,
    events: Arc<Mutex<Vec<RequestEvent>>>,
}

fn fixture() -> Fixture {
    let (mut vault, clock) = common::memory_vault();
    let id = vault
        .update(
            |state, ctx| principals::create_access_key(state, ctx, "admin"),
            "admin",
        )
        .unwrap()
        .access_key_id;
    let secret = access_key(vault.state(), &id)
        .unwrap()
        .1
        .expose()
        .to_owned();
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let observer = Arc::new(move |e: &RequestEvent| sink.lock().unwrap().push(e.clone()));
    let verifier = Verifier::new(clock, NonceCache::new(1024));
    Fixture {
        endpoint: Endpoint::new(vault, verifier, Some(observer)),
        id,
        secret,
        events,
    }
}

/// A V1-signed GET with `params` (common parameters added unless given).
fn signed(f: &Fixture, params: &[(&str, &str)], nonce: &str) -> WireRequest {
    let now = format_date(common::T0);
    let mut all: Vec<(&str, &str)> = vec![
        ("AccessKeyId", &f.id),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureNonce", nonce),
        ("SignatureVersion", "1.0"),
        ("Timestamp", &now),
        ("Version", "2016-01-20"),
    ];
    all.extend_from_slice(params);
    let signature = sign::v1_sign(
        &f.secret,
        &sign::v1_string_to_sign("GET", all.iter().copied()),
    );
    let mut query: Vec<String> = all
        .iter()
        .map(|(k, v)| format!("{k}={}", percent_encode(v)))
        .collect();
    query.push(format!("Signature={}", percent_encode(&signature)));
    WireRequest::new("GET", "/", Some(&query.join("&")), Vec::new(), Vec::new())
}

/// A V1 request whose action is only in the (unsigned) `x-acs-action` header.
fn v1_with_header_action(f: &Fixture) -> WireRequest {
    let unsigned_action = signed(f, &[], "h1");
    let query: Vec<String> = unsigned_action
        .params()
        .map(|(k, v)| format!("{k}={}", percent_encode(v)))
        .collect();
    let headers = vec![("x-acs-action".to_owned(), "ListKeys".to_owned())];
    WireRequest::new("GET", "/", Some(&query.join("&")), headers, Vec::new())
}

#[test]
fn a_signed_request_is_dispatched_as_its_principal() {
    let f = fixture();
    let r = f.endpoint.handle(&signed(
        &f,
        &[("Action", "CreateKey"), ("Description", "d")],
        "n1",
    ));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.content_type, "application/json;charset=utf-8");
    let doc: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert!(doc.get("Code").is_none());
    let key = doc["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned();
    let events = f.events.lock().unwrap().clone();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].principal.as_deref(), Some("admin"));
    assert_eq!(
        (
            events[0].action.as_str(),
            events[0].code.as_str(),
            events[0].status
        ),
        ("CreateKey", "Success", 200)
    );

    let xml = f.endpoint.handle(&signed(
        &f,
        &[
            ("Action", "DescribeKey"),
            ("KeyId", &key),
            ("Format", "xml"),
        ],
        "n2",
    ));
    assert_eq!(
        (xml.status, xml.content_type),
        (200, "text/xml;charset=utf-8")
    );
    assert!(
        xml.body.contains("<KMS>") && xml.body.contains(&key),
        "{}",
        xml.body
    );
}

#[test]
fn refusals_carry_alibabas_codes_and_statuses() {
    let f = fixture();
    let enc = f
        .endpoint
        .handle(&signed(&f, &[("Action", "CreateKey")], "k"));
    let key: serde_json::Value = serde_json::from_str(&enc.body).unwrap();
    let key = key["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned();
    let enc = f.endpoint.handle(&signed(
        &f,
        &[
            ("Action", "Encrypt"),
            ("KeyId", &key),
            ("Plaintext", "p"),
            ("EncryptionContext", r#"{"a":"1"}"#),
        ],
        "e",
    ));
    let blob: serde_json::Value = serde_json::from_str(&enc.body).unwrap();
    let blob = blob["CiphertextBlob"].as_str().unwrap().to_owned();
    let cases: Vec<(WireRequest, &str, u16)> = vec![
        (
            signed(
                &f,
                &[
                    ("Action", "Decrypt"),
                    ("CiphertextBlob", &blob),
                    ("EncryptionContext", r#"{"a":"2"}"#),
                ],
                "c1",
            ),
            "InvalidParameter",
            400,
        ),
        (
            signed(
                &f,
                &[
                    ("Action", "Decrypt"),
                    ("CiphertextBlob", &blob),
                    ("EncryptionContext", "{not json"),
                ],
                "c2",
            ),
            "InvalidParameter",
            400,
        ),
        (
            signed(
                &f,
                &[
                    ("Action", "DescribeKey"),
                    ("KeyId", "00000000-0000-4000-8000-00000000ffff"),
                ],
                "c3",
            ),
            "Forbidden.KeyNotFound",
            404,
        ),
        (
            signed(&f, &[("KeyId", &key)], "c4"),
            "MissingParameter",
            400,
        ),
        (
            signed(&f, &[("Action", "NoSuchAction")], "c5"),
            "InvalidAction.NotFound",
            404,
        ),
        (
            signed(
                &f,
                &[("Action", "ListKeys"), ("PageSize", "1"), ("PageSize", "2")],
                "c6",
            ),
            "InvalidParameter",
            400,
        ),
        (
            WireRequest::new("GET", "/", Some("Action=ListKeys"), Vec::new(), Vec::new()),
            "MissingParameter",
            400,
        ),
        (v1_with_header_action(&f), "MissingParameter", 400),
    ];
    for (req, code, status) in cases {
        let r = f.endpoint.handle(&req);
        let doc: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(
            (doc["Code"].as_str(), r.status),
            (Some(code), status),
            "{}",
            r.body
        );
        assert!(doc["RequestId"].as_str().is_some_and(|s| !s.is_empty()));
    }
}

#[test]
fn acs3_takes_the_action_from_its_signed_header() {
    let f = fixture();
    let now = format_date(common::T0);
    let headers = [
        ("host", "127.0.0.1:1"),
        ("x-acs-action", "ListKeys"),
        ("x-acs-date", now.as_str()),
        ("x-acs-signature-nonce", "acs3-1"),
        ("x-acs-version", "2016-01-20"),
    ];
    let signed_names: Vec<String> = headers.iter().map(|(k, _)| (*k).to_owned()).collect();
    let canonical = sign::acs3_canonical_request(
        "POST",
        "/",
        [("PageSize", "5")],
        &signed_names,
        |n| headers.iter().find(|(k, _)| *k == n).map(|(_, v)| *v),
        &sign::sha256_hex(b""),
    );
    let signature = sign::acs3_sign(&f.secret, &sign::acs3_string_to_sign(&canonical));
    let mut all: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    all.push((
        "Authorization".into(),
        format!(
            "ACS3-HMAC-SHA256 Credential={},SignedHeaders={},Signature={signature}",
            f.id,
            signed_names.join(";")
        ),
    ));
    let r = f.endpoint.handle(&WireRequest::new(
        "POST",
        "/",
        Some("PageSize=5"),
        all,
        Vec::new(),
    ));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("\"Keys\""), "{}", r.body);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn no_bytes_panic_or_answer_5xx(
        method in "[A-Z]{0,8}",
        query in proptest::collection::vec(any::<u8>(), 0..300),
        body in proptest::collection::vec(any::<u8>(), 0..300),
        auth in "(ACS3-HMAC-SHA256 )?[ -~]{0,80}",
        form in any::<bool>(),
    ) {
        let f = fixture();
        let query = String::from_utf8_lossy(&query).into_owned();
        let mut headers = vec![("Authorization".to_owned(), auth), ("x-acs-date".to_owned(), format_date(common::T0))];
        if form {
            headers.push(("content-type".to_owned(), "application/x-www-form-urlencoded".to_owned()));
        }
        let r = f.endpoint.handle(&WireRequest::new(&method, "/", Some(&query), headers, body));
        prop_assert!((400..500).contains(&r.status), "{} {}", r.status, r.body);
        prop_assert!(serde_json::from_str::<serde_json::Value>(&r.body).is_ok());
    }
}

/// `Format=XML` on the endpoint keeps the CLI's promise: a change whose answer XML 1.0 cannot
/// carry is refused before it runs (400 naming the field), and a read that ran says so in a 400
/// rather than a 200 with an error inside or a silently altered value.
#[test]
fn xml_that_cannot_carry_a_value_is_a_400_naming_it() {
    let f = fixture();
    let created = f.endpoint.handle(&signed(
        &f,
        &[
            ("Action", "CreateKey"),
            ("Description", "bell\u{7}"),
            ("Format", "XML"),
        ],
        "x1",
    ));
    assert_eq!(created.status, 400, "{}", created.body);
    assert_eq!(created.content_type, "text/xml;charset=utf-8");
    assert!(
        created.body.contains("<Code>InvalidParameter</Code>"),
        "{}",
        created.body
    );
    assert!(created.body.contains("Description"), "{}", created.body);
    let listed = f
        .endpoint
        .handle(&signed(&f, &[("Action", "ListKeys")], "x2"));
    let listed: serde_json::Value = serde_json::from_str(&listed.body).unwrap();
    assert_eq!(listed["TotalCount"], 0, "nothing was created");

    let key = f
        .endpoint
        .handle(&signed(&f, &[("Action", "CreateKey")], "x3"));
    let key: serde_json::Value = serde_json::from_str(&key.body).unwrap();
    let key = key["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned();
    let enc = f.endpoint.handle(&signed(
        &f,
        &[
            ("Action", "Encrypt"),
            ("KeyId", &key),
            ("Plaintext", "a\u{1}b"),
        ],
        "x4",
    ));
    let enc: serde_json::Value = serde_json::from_str(&enc.body).unwrap();
    let blob = enc["CiphertextBlob"].as_str().unwrap().to_owned();
    let dec = f.endpoint.handle(&signed(
        &f,
        &[
            ("Action", "Decrypt"),
            ("CiphertextBlob", &blob),
            ("Format", "XML"),
        ],
        "x5",
    ));
    assert_eq!(dec.status, 400, "{}", dec.body);
    assert!(dec.body.contains("Plaintext"), "{}", dec.body);
    assert!(dec.body.contains("Format=JSON"), "{}", dec.body);
}

#[test]
fn refused_signatures_are_audited_under_the_access_key_they_claim() {
    use kms_console::core::audit::AuditLog;
    use kms_console::core::vault::{Vault, new_vault_state};
    use kms_console::core::vault_file::NewProtection;
    use kms_console::serve::refused::REFUSED_PRINCIPAL;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.json");
    let clock = Arc::new(kms_console::core::clock::FixedClock::new(common::T0));
    let sources = common::sources(clock.clone());
    let state = new_vault_state(&sources).unwrap();
    let mut vault = Vault::create(&path, state, NewProtection::None, sources).unwrap();
    let id = vault
        .update(
            |state, ctx| principals::create_access_key(state, ctx, "admin"),
            "admin",
        )
        .unwrap()
        .access_key_id;
    let secret = access_key(vault.state(), &id)
        .unwrap()
        .1
        .expose()
        .to_owned();
    let verifier = Verifier::new(clock.clone(), NonceCache::new(64));
    let f = Fixture {
        endpoint: Endpoint::new(vault, verifier, None),
        id,
        secret,
        events: Arc::default(),
    };
    let list = [("Action", "ListKeys")];
    assert_eq!(f.endpoint.handle(&signed(&f, &list, "n1")).status, 200);
    let replay = f.endpoint.handle(&signed(&f, &list, "n1"));
    let wrong = Fixture {
        secret: "not-the-secret".into(),
        endpoint: Endpoint::new(
            Vault::in_memory(
                new_vault_state(&common::sources(clock.clone())).unwrap(),
                common::sources(clock.clone()),
            ),
            Verifier::new(clock.clone(), NonceCache::new(64)),
            None,
        ),
        id: f.id.clone(),
        events: Arc::default(),
    };
    let mismatch = f.endpoint.handle(&signed(&wrong, &list, "n2"));
    let stranger = Fixture {
        id: "LTAI-no-such-key".into(),
        ..wrong
    };
    let unknown = f.endpoint.handle(&signed(&stranger, &list, "n3"));
    let codes: Vec<u16> = [&replay, &mismatch, &unknown]
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(codes, [400, 400, 404]);
    drop(f.endpoint);

    let (vault, _) = Vault::open(&path, None, common::sources(clock)).unwrap();
    let log = AuditLog::for_vault(&path);
    let lines = log.read().unwrap();
    let refused: Vec<(String, String, String)> = lines
        .iter()
        .filter(|e| e.record.principal == REFUSED_PRINCIPAL)
        .map(|e| {
            let claimed = e.record.details.as_ref().unwrap()["AccessKeyId"]
                .as_str()
                .unwrap();
            (
                e.record.action.clone(),
                e.record.result.clone(),
                claimed.to_owned(),
            )
        })
        .collect();
    let line = |code: &str, id: &str| ("ListKeys".to_owned(), code.to_owned(), id.to_owned());
    assert_eq!(
        refused,
        [
            line("SignatureNonceUsed", &f.id),
            line("SignatureDoesNotMatch", &f.id),
            line("InvalidAccessKeyId.NotFound", "LTAI-no-such-key"),
        ]
    );
    let report = log.verify(vault.state().audit_anchor()).unwrap();
    assert!(report.ok, "{report:?}");
}
