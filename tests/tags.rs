//! Deletion protection and tags through the API (`spec/alibaba-kms.md` §11.4, §11.5): the
//! protected key refuses ScheduleKeyDeletion, tags obey their limits, and the batch actions
//! read the flat RPC parameters (`ResourceId.1`, `Tag.1.Key`, `TagKey.1`) the SDKs send.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]

mod common;

use common::{code, create_key, memory_vault, ok, s};
use serde_json::Value;

fn tags_of(vault: &mut kms_console::core::vault::Vault, key: &str) -> Vec<(String, String)> {
    let doc = ok(vault, "ListResourceTags", &[("KeyId", key)]);
    doc["Tags"]["Tag"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            assert_eq!(s(&t["KeyId"]), key);
            (s(&t["TagKey"]), s(&t["TagValue"]))
        })
        .collect()
}

fn pair(k: &str, v: &str) -> (String, String) {
    (k.to_owned(), v.to_owned())
}

#[test]
fn a_protected_key_cannot_be_scheduled_for_deletion() {
    let (mut vault, _) = memory_vault();
    let key = create_key(&mut vault, "Aliyun_AES_256");
    ok(
        &mut vault,
        "SetDeletionProtection",
        &[
            ("KeyId", &key),
            ("EnableDeletionProtection", "True"),
            ("DeletionProtectionDescription", "billing data"),
        ],
    );
    let meta = ok(&mut vault, "DescribeKey", &[("KeyId", &key)]);
    assert_eq!(s(&meta["KeyMetadata"]["DeletionProtection"]), "Enabled");
    assert_eq!(
        s(&meta["KeyMetadata"]["DeletionProtectionDescription"]),
        "billing data"
    );
    let schedule = [("KeyId", key.as_str()), ("PendingWindowInDays", "7")];
    assert_eq!(
        code(&mut vault, "ScheduleKeyDeletion", &schedule),
        "Rejected.StateModifiedFailed"
    );
    // The older form names the key by ARN.
    let arn = s(&meta["KeyMetadata"]["Arn"]);
    ok(
        &mut vault,
        "SetDeletionProtection",
        &[
            ("ProtectedResourceArn", &arn),
            ("EnableDeletionProtection", "false"),
        ],
    );
    let meta = ok(&mut vault, "DescribeKey", &[("KeyId", &key)]);
    assert_eq!(s(&meta["KeyMetadata"]["DeletionProtection"]), "Disabled");
    assert_eq!(s(&meta["KeyMetadata"]["DeletionProtectionDescription"]), "");
    ok(&mut vault, "ScheduleKeyDeletion", &schedule);
    let enable = [
        ("KeyId", key.as_str()),
        ("EnableDeletionProtection", "true"),
    ];
    assert_eq!(
        code(&mut vault, "SetDeletionProtection", &enable),
        "Rejected.PendingDeletion"
    );
    assert_eq!(
        code(
            &mut vault,
            "SetDeletionProtection",
            &[("EnableDeletionProtection", "true")]
        ),
        "MissingParameter"
    );
    assert_eq!(
        code(
            &mut vault,
            "SetDeletionProtection",
            &[("KeyId", &key), ("EnableDeletionProtection", "maybe")]
        ),
        "InvalidParameter"
    );
}

#[test]
fn tags_are_set_overwritten_removed_and_listed() {
    let (mut vault, _) = memory_vault();
    let doc = ok(
        &mut vault,
        "CreateKey",
        &[("Tags", r#"[{"TagKey":"team","TagValue":"payments"}]"#)],
    );
    let key = s(&doc["KeyMetadata"]["KeyId"]);
    assert_eq!(tags_of(&mut vault, &key), vec![pair("team", "payments")]);
    ok(
        &mut vault,
        "TagResource",
        &[
            ("KeyId", &key),
            (
                "Tags",
                r#"[{"TagKey":"team","TagValue":"ledger"},{"TagKey":"env","TagValue":"test"}]"#,
            ),
        ],
    );
    assert_eq!(
        tags_of(&mut vault, &key),
        vec![pair("env", "test"), pair("team", "ledger")]
    );
    ok(
        &mut vault,
        "UntagResource",
        &[("KeyId", &key), ("TagKeys", r#"["env","absent"]"#)],
    );
    assert_eq!(tags_of(&mut vault, &key), vec![pair("team", "ledger")]);
    ok(
        &mut vault,
        "UntagResource",
        &[("KeyId", &key), ("TagKeys", "team")],
    );
    assert_eq!(tags_of(&mut vault, &key), Vec::<(String, String)>::new());
}

#[test]
fn tag_limits_and_bad_tags_are_refused() {
    let (mut vault, _) = memory_vault();
    let key = create_key(&mut vault, "Aliyun_AES_256");
    let ten: Vec<String> = (0..10)
        .map(|i| format!(r#"{{"TagKey":"k{i}","TagValue":"v"}}"#))
        .collect();
    let ten = format!("[{}]", ten.join(","));
    ok(
        &mut vault,
        "TagResource",
        &[("KeyId", &key), ("Tags", &ten)],
    );
    // Overwriting an existing tag stays within the limit; an eleventh does not.
    ok(
        &mut vault,
        "TagResource",
        &[
            ("KeyId", &key),
            ("Tags", r#"[{"TagKey":"k3","TagValue":"w"}]"#),
        ],
    );
    let eleventh = [
        ("KeyId", key.as_str()),
        ("Tags", r#"[{"TagKey":"k10","TagValue":"v"}]"#),
    ];
    assert_eq!(
        code(&mut vault, "TagResource", &eleventh),
        "Rejected.LimitExceeded"
    );
    assert_eq!(tags_of(&mut vault, &key).len(), 10);

    let other = create_key(&mut vault, "Aliyun_AES_256");
    let long_key = "k".repeat(129);
    let too_long = format!(r#"[{{"TagKey":"{long_key}","TagValue":"v"}}]"#);
    let long_value = format!(r#"[{{"TagKey":"k","TagValue":"{}"}}]"#, "v".repeat(129));
    for bad in [
        r#"[{"TagKey":"aliyun:x","TagValue":"v"}]"#,
        r#"[{"TagKey":"acs:x","TagValue":"v"}]"#,
        r#"[{"TagKey":"","TagValue":"v"}]"#,
        r#"[{"TagKey":"a<b","TagValue":"v"}]"#,
        r#"[{"TagKey":"a b","TagValue":"v"}]"#,
        r#"{"TagKey":"k"}"#,
        too_long.as_str(),
        long_value.as_str(),
    ] {
        assert_eq!(
            code(
                &mut vault,
                "TagResource",
                &[("KeyId", &other), ("Tags", bad)]
            ),
            "InvalidParameter",
            "{bad}"
        );
    }
    let twenty_one: Vec<String> = (0..21)
        .map(|i| format!(r#"{{"TagKey":"k{i}","TagValue":"v"}}"#))
        .collect();
    let twenty_one = format!("[{}]", twenty_one.join(","));
    assert_eq!(
        code(&mut vault, "CreateKey", &[("Tags", &twenty_one)]),
        "Rejected.LimitExceeded"
    );
    assert_eq!(
        code(
            &mut vault,
            "TagResource",
            &[("KeyId", &other), ("SecretName", "s"), ("Tags", &ten)]
        ),
        "InvalidParameter"
    );
    assert_eq!(
        code(
            &mut vault,
            "TagResource",
            &[("KeyId", "no-such-key"), ("Tags", &ten)]
        ),
        "Forbidden.KeyNotFound"
    );
}

#[test]
fn batch_actions_read_the_flat_wire_form() {
    let (mut vault, _) = memory_vault();
    let a = create_key(&mut vault, "Aliyun_AES_256");
    let b = create_key(&mut vault, "Aliyun_SM4");
    ok(
        &mut vault,
        "TagResources",
        &[
            ("RegionId", "cn-hangzhou"),
            ("ResourceType", "key"),
            ("ResourceId.1", &a),
            ("ResourceId.2", &b),
            ("Tag.1.Key", "team"),
            ("Tag.1.Value", "payments"),
            ("Tag.2.Key", "env"),
            ("Tag.2.Value", "test"),
        ],
    );
    assert_eq!(
        tags_of(&mut vault, &b),
        vec![pair("env", "test"), pair("team", "payments")]
    );
    let list = ok(
        &mut vault,
        "ListTagResources",
        &[
            ("ResourceType", "key"),
            ("ResourceId.1", &a),
            ("ResourceId.2", &b),
            ("Tag.1.Key", "team"),
        ],
    );
    let rows = list["TagResources"]["TagResource"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert!(
        rows.iter()
            .all(|r| r["ResourceType"] == "key" && r["TagKey"] == "team")
    );
    assert_eq!(list["NextToken"], Value::String(String::new()));

    ok(
        &mut vault,
        "UntagResources",
        &[
            ("ResourceType", "key"),
            ("ResourceId.1", &a),
            ("TagKey.1", "team"),
        ],
    );
    assert_eq!(tags_of(&mut vault, &a), vec![pair("env", "test")]);
    ok(
        &mut vault,
        "UntagResources",
        &[
            ("ResourceType", "key"),
            ("ResourceId.1", &b),
            ("All", "true"),
        ],
    );
    assert!(tags_of(&mut vault, &b).is_empty());

    let region = [
        ("RegionId", "eu-central-1"),
        ("ResourceType", "key"),
        ("ResourceId.1", a.as_str()),
        ("Tag.1.Key", "k"),
    ];
    assert_eq!(
        code(&mut vault, "TagResources", &region),
        "InvalidParameter"
    );
    let secret = [
        ("ResourceType", "secret"),
        ("ResourceId.1", a.as_str()),
        ("Tag.1.Key", "k"),
    ];
    assert_eq!(
        code(&mut vault, "TagResources", &secret),
        "InvalidParameter"
    );
    let ids: Vec<(String, String)> = (1..=51)
        .map(|i| (format!("ResourceId.{i}"), a.clone()))
        .collect();
    let mut many: Vec<(&str, &str)> = ids.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    many.extend([("ResourceType", "key"), ("Tag.1.Key", "k")]);
    assert_eq!(
        code(&mut vault, "TagResources", &many),
        "Rejected.LimitExceeded"
    );
    let both = [
        ("ResourceType", "key"),
        ("ResourceId.1", a.as_str()),
        ("TagKey.1", "env"),
        ("All", "true"),
    ];
    assert_eq!(
        code(&mut vault, "UntagResources", &both),
        "InvalidParameter"
    );
    assert_eq!(
        code(
            &mut vault,
            "TagResources",
            &[("ResourceType", "key"), ("Tag.1.Key", "k")]
        ),
        "MissingParameter"
    );
}

#[test]
fn list_tag_resources_pages_by_200_rows() {
    let (mut vault, _) = memory_vault();
    let tags: Vec<String> = (0..10)
        .map(|i| format!(r#"{{"TagKey":"k{i}","TagValue":"v"}}"#))
        .collect();
    let tags = format!("[{}]", tags.join(","));
    for _ in 0..21 {
        ok(&mut vault, "CreateKey", &[("Tags", &tags)]);
    }
    let first = ok(&mut vault, "ListTagResources", &[("ResourceType", "key")]);
    assert_eq!(
        first["TagResources"]["TagResource"]
            .as_array()
            .unwrap()
            .len(),
        200
    );
    let token = s(&first["NextToken"]);
    assert!(!token.is_empty());
    let second = ok(
        &mut vault,
        "ListTagResources",
        &[("ResourceType", "key"), ("NextToken", &token)],
    );
    assert_eq!(
        second["TagResources"]["TagResource"]
            .as_array()
            .unwrap()
            .len(),
        10
    );
    assert_eq!(s(&second["NextToken"]), "");
    assert_eq!(
        code(
            &mut vault,
            "ListTagResources",
            &[("ResourceType", "key"), ("NextToken", "later")]
        ),
        "InvalidParameter"
    );
}
