//! Tags of keys (`spec/alibaba-kms.md` §11.5): TagResource, UntagResource, ListResourceTags and
//! the batch forms TagResources, UntagResources, ListTagResources, with the API's limits.

use serde::Serialize;

use super::{Ctx, key_for};
use crate::core::error::KmsError;
use crate::core::model::VaultState;

/// At most this many tags on one key.
pub const MAX_TAGS_PER_KEY: usize = 10;
/// At most this many tags in one CreateKey or TagResources request.
pub const MAX_TAGS_PER_REQUEST: usize = 20;
/// At most this many resources in one batch request.
pub const MAX_RESOURCES_PER_REQUEST: usize = 50;
/// Longest TagKey and TagValue, in characters (the current SDK's limit for both).
pub const MAX_TAG_KEY_CHARS: usize = 128;
pub const MAX_TAG_VALUE_CHARS: usize = 128;
/// Rows per page of ListTagResources.
pub const TAG_ROWS_PER_PAGE: usize = 200;

/// One tag as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

fn allowed_char(c: char) -> bool {
    c.is_alphanumeric() || "/\\_-.+=:@".contains(c)
}

/// Checks one TagKey: 1–128 characters of letters, digits and `/ \ _ - . + = : @`,
/// not starting with `aliyun` or `acs:`.
pub fn check_tag_key(param: &str, key: &str) -> Result<(), KmsError> {
    let n = key.chars().count();
    if n == 0 || n > MAX_TAG_KEY_CHARS {
        return Err(KmsError::invalid(
            param,
            format!("A TagKey has 1 to {MAX_TAG_KEY_CHARS} characters."),
        ));
    }
    if !key.chars().all(allowed_char) {
        return Err(KmsError::invalid(
            param,
            "A TagKey has letters, digits and / \\ _ - . + = : @ only.",
        ));
    }
    let lower = key.to_ascii_lowercase();
    if lower.starts_with("aliyun") || lower.starts_with("acs:") {
        return Err(KmsError::invalid(
            param,
            "A TagKey must not start with aliyun or acs:.",
        ));
    }
    Ok(())
}

/// Checks a list of tags for one request: keys and values valid, at most `max`.
pub fn check_tags(param: &str, tags: &[Tag], max: usize) -> Result<(), KmsError> {
    if tags.len() > max {
        return Err(KmsError::LimitExceeded(format!(
            "At most {max} tags in one request."
        )));
    }
    for tag in tags {
        check_tag_key(param, &tag.key)?;
        if tag.value.chars().count() > MAX_TAG_VALUE_CHARS || !tag.value.chars().all(allowed_char) {
            return Err(KmsError::invalid(
                param,
                format!(
                    "A TagValue has at most {MAX_TAG_VALUE_CHARS} letters, digits and / \\ _ - . + = : @."
                ),
            ));
        }
    }
    Ok(())
}

/// Adds or overwrites tags on each key; all or nothing. Returns the KeyIds.
pub fn tag_keys(
    state: &mut VaultState,
    ctx: &Ctx<'_>,
    action: &str,
    key_refs: &[&str],
    tags: &[Tag],
) -> Result<Vec<String>, KmsError> {
    let ids = resolve_all(state, ctx, action, key_refs)?;
    for id in &ids {
        let key = state.key(id).ok_or(KmsError::KeyNotFound)?;
        let new = tags
            .iter()
            .filter(|t| !key.tags.contains_key(&t.key))
            .map(|t| &t.key)
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        if key.tags.len() + new > MAX_TAGS_PER_KEY {
            return Err(KmsError::LimitExceeded(format!(
                "A key has at most {MAX_TAGS_PER_KEY} tags; {id} has {}.",
                key.tags.len()
            )));
        }
    }
    for id in &ids {
        if let Some(key) = state.key_mut(id) {
            for tag in tags {
                key.tags.insert(tag.key.clone(), tag.value.clone());
            }
        }
    }
    Ok(ids)
}

/// Removes tags (absent ones are no-op), or all of them when `tag_keys` is `None`.
pub fn untag_keys(
    state: &mut VaultState,
    ctx: &Ctx<'_>,
    action: &str,
    key_refs: &[&str],
    tag_keys: Option<&[String]>,
) -> Result<Vec<String>, KmsError> {
    let ids = resolve_all(state, ctx, action, key_refs)?;
    for id in &ids {
        if let Some(key) = state.key_mut(id) {
            match tag_keys {
                Some(names) => key.tags.retain(|k, _| !names.contains(k)),
                None => key.tags.clear(),
            }
        }
    }
    Ok(ids)
}

fn resolve_all(
    state: &VaultState,
    ctx: &Ctx<'_>,
    action: &str,
    key_refs: &[&str],
) -> Result<Vec<String>, KmsError> {
    if key_refs.len() > MAX_RESOURCES_PER_REQUEST {
        return Err(KmsError::LimitExceeded(format!(
            "At most {MAX_RESOURCES_PER_REQUEST} resources in one request."
        )));
    }
    key_refs
        .iter()
        .map(|r| key_for(state, ctx, action, r).map(|k| k.key_id.clone()))
        .collect()
}

/// One tag of ListResourceTags.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceTag {
    pub key_id: String,
    pub tag_key: String,
    pub tag_value: String,
}

/// `Tags.Tag[]` wrapper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResourceTagList {
    #[serde(rename = "Tag")]
    pub tag: Vec<ResourceTag>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListResourceTagsResponse {
    pub tags: ResourceTagList,
}

/// ListResourceTags: the key's tags in TagKey order.
pub fn list_resource_tags(
    state: &VaultState,
    ctx: &Ctx<'_>,
    key_ref: &str,
) -> Result<ListResourceTagsResponse, KmsError> {
    let key = key_for(state, ctx, "ListResourceTags", key_ref)?;
    let tag = key
        .tags
        .iter()
        .map(|(k, v)| ResourceTag {
            key_id: key.key_id.clone(),
            tag_key: k.clone(),
            tag_value: v.clone(),
        })
        .collect();
    Ok(ListResourceTagsResponse {
        tags: ResourceTagList { tag },
    })
}

/// One row of ListTagResources.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagResourceRow {
    pub resource_id: String,
    pub resource_type: String,
    pub tag_key: String,
    pub tag_value: String,
}

/// `TagResources.TagResource[]` wrapper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TagResourceList {
    #[serde(rename = "TagResource")]
    pub tag_resource: Vec<TagResourceRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListTagResourcesResponse {
    pub tag_resources: TagResourceList,
    /// The next page's token; `""` on the last page.
    pub next_token: String,
}

/// ListTagResources: one row per tag of each named key (every key the caller may list when
/// none is named), only tags matching one of `filter` when it is given (an empty value matches
/// any value); 200 rows a page, `next_token` the offset of the next.
pub fn list_tag_resources(
    state: &VaultState,
    ctx: &Ctx<'_>,
    key_refs: &[&str],
    filter: &[Tag],
    next_token: Option<&str>,
) -> Result<ListTagResourcesResponse, KmsError> {
    let action = "ListTagResources";
    let ids = if key_refs.is_empty() {
        state
            .keys()
            .iter()
            .filter(|k| super::authorize_key(state, ctx, action, k).is_ok())
            .map(|k| k.key_id.clone())
            .collect()
    } else {
        resolve_all(state, ctx, action, key_refs)?
    };
    let start = match next_token {
        None => 0,
        Some(t) => t.trim().parse::<usize>().map_err(|_| {
            KmsError::invalid("NextToken", "It must be a NextToken this action returned.")
        })?,
    };
    let rows: Vec<TagResourceRow> = ids
        .iter()
        .filter_map(|id| state.key(id))
        .flat_map(|key| {
            key.tags.iter().map(|(k, v)| TagResourceRow {
                resource_id: key.key_id.clone(),
                resource_type: "key".to_owned(),
                tag_key: k.clone(),
                tag_value: v.clone(),
            })
        })
        .filter(|row| {
            filter.is_empty()
                || filter.iter().any(|f| {
                    f.key == row.tag_key && (f.value.is_empty() || f.value == row.tag_value)
                })
        })
        .collect();
    let end = start.saturating_add(TAG_ROWS_PER_PAGE).min(rows.len());
    let page = rows.get(start..end).unwrap_or_default().to_vec();
    Ok(ListTagResourcesResponse {
        tag_resources: TagResourceList { tag_resource: page },
        next_token: if end < rows.len() {
            end.to_string()
        } else {
            String::new()
        },
    })
}
