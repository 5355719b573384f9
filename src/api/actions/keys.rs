//! The key lifecycle actions: create, describe, list, update, enable, disable, delete.

use super::shared::{KEY_ID, KEY_SPECS, PAGE_NUMBER, PAGE_SIZE, p};
use super::{Action, ActionSpec, Group, ParamKind};
use crate::core::policy::kms;

pub(super) const CREATE_KEY: ActionSpec = ActionSpec {
    action: Action::CreateKey,
    name: kms::CREATE_KEY,
    group: Group::Keys,
    summary: "Create a customer master key",
    mutates: true,
    params: &[
        p(
            "KeySpec",
            false,
            ParamKind::Choice(KEY_SPECS),
            "default Aliyun_AES_256",
        ),
        p(
            "KeyUsage",
            false,
            ParamKind::Choice(&["ENCRYPT/DECRYPT", "SIGN/VERIFY"]),
            "default SIGN/VERIFY for EC_P256(K), else ENCRYPT/DECRYPT",
        ),
        p("Description", false, ParamKind::Text, "free text"),
        p(
            "EnableAutomaticRotation",
            false,
            ParamKind::Bool,
            "symmetric keys only",
        ),
        p(
            "RotationInterval",
            false,
            ParamKind::Text,
            "e.g. 30d or 2592000s (7-730 days)",
        ),
        p(
            "Origin",
            false,
            ParamKind::Choice(&["Aliyun_KMS", "EXTERNAL"]),
            "EXTERNAL: no material until ImportKeyMaterial (Aliyun_AES_256, Aliyun_SM4)",
        ),
        p(
            "Tags",
            false,
            ParamKind::Json,
            r#"[{"TagKey":"k","TagValue":"v"}], at most 20"#,
        ),
        p(
            "ProtectionLevel",
            false,
            ParamKind::Choice(&["SOFTWARE"]),
            "only SOFTWARE",
        ),
    ],
};

pub(super) const DESCRIBE_KEY: ActionSpec = ActionSpec {
    action: Action::DescribeKey,
    name: kms::DESCRIBE_KEY,
    group: Group::Keys,
    summary: "A key's metadata",
    mutates: false,
    params: &[KEY_ID],
};

pub(super) const LIST_KEYS: ActionSpec = ActionSpec {
    action: Action::ListKeys,
    name: kms::LIST_KEYS,
    group: Group::Keys,
    summary: "List keys, with optional Filters",
    mutates: false,
    params: &[
        PAGE_NUMBER,
        PAGE_SIZE,
        p(
            "Filters",
            false,
            ParamKind::Json,
            r#"[{"Key":"KeyState","Values":["Enabled"]}]"#,
        ),
    ],
};

pub(super) const UPDATE_KEY_DESCRIPTION: ActionSpec = ActionSpec {
    action: Action::UpdateKeyDescription,
    name: kms::UPDATE_KEY_DESCRIPTION,
    group: Group::Keys,
    summary: "Change a key's description",
    mutates: true,
    params: &[
        KEY_ID,
        p("Description", true, ParamKind::Text, "new description"),
    ],
};

pub(super) const ENABLE_KEY: ActionSpec = ActionSpec {
    action: Action::EnableKey,
    name: kms::ENABLE_KEY,
    group: Group::Keys,
    summary: "Enable a disabled key",
    mutates: true,
    params: &[KEY_ID],
};

pub(super) const DISABLE_KEY: ActionSpec = ActionSpec {
    action: Action::DisableKey,
    name: kms::DISABLE_KEY,
    group: Group::Keys,
    summary: "Disable a key: it can no longer encrypt or decrypt",
    mutates: true,
    params: &[KEY_ID],
};

pub(super) const SCHEDULE_KEY_DELETION: ActionSpec = ActionSpec {
    action: Action::ScheduleKeyDeletion,
    name: kms::SCHEDULE_KEY_DELETION,
    group: Group::Keys,
    summary: "Delete a key after a waiting period",
    mutates: true,
    params: &[
        KEY_ID,
        p("PendingWindowInDays", true, ParamKind::Int, "7-366 days"),
    ],
};

pub(super) const CANCEL_KEY_DELETION: ActionSpec = ActionSpec {
    action: Action::CancelKeyDeletion,
    name: kms::CANCEL_KEY_DELETION,
    group: Group::Keys,
    summary: "Cancel a scheduled deletion; the key is Enabled again",
    mutates: true,
    params: &[KEY_ID],
};
