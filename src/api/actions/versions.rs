//! Key versions and the rotation policy.

use super::shared::{KEY_ID, KEY_VERSION_ID, PAGE_NUMBER, PAGE_SIZE, p};
use super::{Action, ActionSpec, Group, ParamKind};
use crate::core::policy::kms;

pub(super) const CREATE_KEY_VERSION: ActionSpec = ActionSpec {
    action: Action::CreateKeyVersion,
    name: kms::CREATE_KEY_VERSION,
    group: Group::Versions,
    summary: "Rotate a key by hand: make a new primary version",
    mutates: true,
    params: &[KEY_ID],
};

pub(super) const DESCRIBE_KEY_VERSION: ActionSpec = ActionSpec {
    action: Action::DescribeKeyVersion,
    name: kms::DESCRIBE_KEY_VERSION,
    group: Group::Versions,
    summary: "A key version's metadata",
    mutates: false,
    params: &[KEY_ID, KEY_VERSION_ID],
};

pub(super) const LIST_KEY_VERSIONS: ActionSpec = ActionSpec {
    action: Action::ListKeyVersions,
    name: kms::LIST_KEY_VERSIONS,
    group: Group::Versions,
    summary: "List a key's versions, oldest first",
    mutates: false,
    params: &[KEY_ID, PAGE_NUMBER, PAGE_SIZE],
};

pub(super) const UPDATE_ROTATION_POLICY: ActionSpec = ActionSpec {
    action: Action::UpdateRotationPolicy,
    name: kms::UPDATE_ROTATION_POLICY,
    group: Group::Versions,
    summary: "Turn automatic rotation on or off",
    mutates: true,
    params: &[
        KEY_ID,
        p(
            "EnableAutomaticRotation",
            true,
            ParamKind::Bool,
            "true or false (or the older EnableAutoRotation)",
        ),
        p(
            "RotationInterval",
            false,
            ParamKind::Text,
            "e.g. 30d or 2592000s (7-730 days)",
        ),
        p(
            "EnableAutoRotation",
            false,
            ParamKind::Bool,
            "older name of EnableAutomaticRotation",
        ),
        p(
            "RotationIntervalInDays",
            false,
            ParamKind::Int,
            "older form of RotationInterval",
        ),
    ],
};
