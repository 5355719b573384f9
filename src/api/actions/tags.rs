//! Tag actions (`spec/alibaba-kms.md` §11.5).

use super::shared::{BATCH_TAGS, KEY_ID, REGION_ID, RESOURCE_IDS, RESOURCE_TYPE, p};
use super::{Action, ActionSpec, Group, ParamKind};
use crate::core::policy::kms;

pub(super) const TAG_RESOURCE: ActionSpec = ActionSpec {
    action: Action::TagResource,
    name: kms::TAG_RESOURCE,
    group: Group::Keys,
    summary: "Add or overwrite a key's tags (at most 10 a key)",
    mutates: true,
    params: &[
        KEY_ID,
        p(
            "Tags",
            true,
            ParamKind::Json,
            r#"[{"TagKey":"k","TagValue":"v"}]"#,
        ),
    ],
};

pub(super) const UNTAG_RESOURCE: ActionSpec = ActionSpec {
    action: Action::UntagResource,
    name: kms::UNTAG_RESOURCE,
    group: Group::Keys,
    summary: "Remove tags from a key",
    mutates: true,
    params: &[
        KEY_ID,
        p("TagKeys", true, ParamKind::Json, r#"["k1","k2"] or k1,k2"#),
    ],
};

pub(super) const LIST_RESOURCE_TAGS: ActionSpec = ActionSpec {
    action: Action::ListResourceTags,
    name: kms::LIST_RESOURCE_TAGS,
    group: Group::Keys,
    summary: "A key's tags",
    mutates: false,
    params: &[KEY_ID],
};

pub(super) const TAG_RESOURCES: ActionSpec = ActionSpec {
    action: Action::TagResources,
    name: kms::TAG_RESOURCES,
    group: Group::Keys,
    summary: "Tag several keys (ResourceId.N, Tag.N.Key/Value)",
    mutates: true,
    params: &[REGION_ID, RESOURCE_TYPE, RESOURCE_IDS, BATCH_TAGS],
};

pub(super) const UNTAG_RESOURCES: ActionSpec = ActionSpec {
    action: Action::UntagResources,
    name: kms::UNTAG_RESOURCES,
    group: Group::Keys,
    summary: "Remove tags from several keys (ResourceId.N, TagKey.N or All)",
    mutates: true,
    params: &[
        REGION_ID,
        RESOURCE_TYPE,
        RESOURCE_IDS,
        p(
            "TagKey",
            false,
            ParamKind::Json,
            r#"["k1","k2"]; on the wire TagKey.1, TagKey.2, ..."#,
        ),
        p(
            "All",
            false,
            ParamKind::Bool,
            "remove every tag (no TagKey)",
        ),
    ],
};

pub(super) const LIST_TAG_RESOURCES: ActionSpec = ActionSpec {
    action: Action::ListTagResources,
    name: kms::LIST_TAG_RESOURCES,
    group: Group::Keys,
    summary: "Tags of several keys, 200 rows a page",
    mutates: false,
    params: &[
        REGION_ID,
        RESOURCE_TYPE,
        p(
            "ResourceId",
            false,
            ParamKind::Json,
            r#"["id",...]; on the wire ResourceId.1, ...; absent: every key"#,
        ),
        p(
            "Tag",
            false,
            ParamKind::Json,
            r#"[{"Key":"k","Value":"v"}]; on the wire Tag.1.Key, Tag.1.Value"#,
        ),
        p(
            "NextToken",
            false,
            ParamKind::Text,
            "from the previous page",
        ),
    ],
};
