//! Handlers of the tag actions (`spec/alibaba-kms.md` §11.5), and the parsing of their list
//! parameters: JSON (`Tags`, `TagKeys`, and the documented JSON form of the batch lists) or the
//! flat RPC form the SDKs send (`ResourceId.1`, `Tag.1.Key`, `Tag.1.Value`, `TagKey.1`).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{Call, Outcome, Touched};
use crate::api::params::Params;
use crate::core::error::KmsError;
use crate::core::ops::tags::{self, MAX_TAGS_PER_REQUEST, Tag};
use crate::core::policy::kms;
use crate::core::vault::Vault;

/// `Tags` of TagResource and CreateKey: `[{"TagKey":"k","TagValue":"v"}]`, checked.
pub(in crate::api) fn tags_param(p: Params<'_>, name: &str) -> Result<Vec<Tag>, KmsError> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Raw {
        #[serde(rename = "TagKey")]
        key: String,
        #[serde(rename = "TagValue", default)]
        value: String,
    }
    let Some(text) = p.opt(name) else {
        return Ok(Vec::new());
    };
    let raw: Vec<Raw> = serde_json::from_str(text).map_err(|_| {
        KmsError::invalid(
            name,
            r#"It must be a JSON array like [{"TagKey":"k","TagValue":"v"}]."#,
        )
    })?;
    let tags: Vec<Tag> = raw
        .into_iter()
        .map(|r| Tag {
            key: r.key,
            value: r.value,
        })
        .collect();
    tags::check_tags(name, &tags, MAX_TAGS_PER_REQUEST)?;
    Ok(tags)
}

/// A list of strings: a JSON array, else comma-separated (UntagResource's doc shows both).
fn string_list(name: &str, text: &str) -> Result<Vec<String>, KmsError> {
    let text = text.trim();
    if text.starts_with('[') {
        serde_json::from_str(text)
            .map_err(|_| KmsError::invalid(name, r#"It must be a JSON array like ["a","b"]."#))
    } else {
        Ok(text
            .split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect())
    }
}

/// A flat list `Name.1`, `Name.2`, … in number order, or the JSON/comma form of `Name`.
pub(in crate::api) fn numbered(p: Params<'_>, name: &str) -> Result<Vec<String>, KmsError> {
    let prefix = format!("{name}.");
    let mut flat: BTreeMap<u32, String> = BTreeMap::new();
    for (rest, value) in p.prefixed(&prefix) {
        let n = rest.parse::<u32>().map_err(|_| {
            KmsError::invalid(format!("{name}.{rest}"), "Lists are numbered from 1.")
        })?;
        flat.insert(n, value.trim().to_owned());
    }
    let mut out: Vec<String> = flat.into_values().collect();
    if let Some(text) = p.opt(name) {
        out.extend(string_list(name, text)?);
    }
    Ok(out)
}

/// `Tag.N.Key` / `Tag.N.Value`, or `Tag` as `[{"Key":..,"Value":..}]`.
pub(in crate::api) fn batch_tags(p: Params<'_>) -> Result<Vec<Tag>, KmsError> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Raw {
        #[serde(rename = "Key")]
        key: String,
        #[serde(rename = "Value", default)]
        value: String,
    }
    let mut flat: BTreeMap<u32, Tag> = BTreeMap::new();
    for (rest, value) in p.prefixed("Tag.") {
        let bad = || {
            KmsError::invalid(
                format!("Tag.{rest}"),
                "It must be Tag.N.Key or Tag.N.Value.",
            )
        };
        let (n, field) = rest.split_once('.').ok_or_else(bad)?;
        let n = n.parse::<u32>().map_err(|_| bad())?;
        let tag = flat.entry(n).or_insert_with(|| Tag {
            key: String::new(),
            value: String::new(),
        });
        match field {
            "Key" => value.clone_into(&mut tag.key),
            "Value" => value.clone_into(&mut tag.value),
            _ => return Err(bad()),
        }
    }
    let mut out: Vec<Tag> = flat.into_values().collect();
    if let Some(text) = p.opt("Tag") {
        let raw: Vec<Raw> = serde_json::from_str(text).map_err(|_| {
            KmsError::invalid(
                "Tag",
                r#"It must be a JSON array like [{"Key":"k","Value":"v"}]."#,
            )
        })?;
        out.extend(raw.into_iter().map(|r| Tag {
            key: r.key,
            value: r.value,
        }));
    }
    Ok(out)
}

/// `RegionId` (the vault's, if given) and `ResourceType` (`key`).
fn check_batch(vault: &Vault, p: Params<'_>) -> Result<(), KmsError> {
    if p.opt("RegionId")
        .is_some_and(|r| r.trim() != vault.state().region())
    {
        return Err(KmsError::invalid(
            "RegionId",
            format!("This vault's region is {}.", vault.state().region()),
        ));
    }
    match p.req("ResourceType")?.trim() {
        "key" => Ok(()),
        _ => Err(KmsError::invalid(
            "ResourceType",
            "It must be key: this vault holds keys only.",
        )),
    }
}

/// TagResource / UntagResource take exactly one of KeyId, SecretName, CertificateId.
fn single_key(p: Params<'_>) -> Result<&str, KmsError> {
    for other in ["SecretName", "CertificateId"] {
        if p.opt(other).is_some() {
            return Err(KmsError::invalid(
                other,
                "This vault holds keys only; give KeyId alone.",
            ));
        }
    }
    p.req("KeyId")
}

fn touched_first(ids: &[String]) -> Touched {
    Touched {
        key_id: ids.first().cloned(),
        ..Touched::default()
    }
}

pub(super) fn list_resource_tags(
    vault: &Vault,
    call: &Call<'_>,
    p: Params<'_>,
) -> Result<Outcome, KmsError> {
    let key = p.req("KeyId")?;
    let (state, ctx) = (vault.state(), vault.ctx(call.principal));
    let list = tags::list_resource_tags(state, &ctx, key)?;
    Ok(Outcome::of(&list)?.touching(Touched::key(state, key)))
}

pub(super) fn list_tag_resources(
    vault: &Vault,
    call: &Call<'_>,
    p: Params<'_>,
) -> Result<Outcome, KmsError> {
    check_batch(vault, p)?;
    let ids = numbered(p, "ResourceId")?;
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let filter = batch_tags(p)?;
    let (state, ctx) = (vault.state(), vault.ctx(call.principal));
    let list = tags::list_tag_resources(state, &ctx, &refs, &filter, p.opt("NextToken"))?;
    Outcome::of(&list)
}

pub(super) fn tag_resource(
    vault: &mut Vault,
    call: &Call<'_>,
    p: Params<'_>,
) -> Result<Outcome, KmsError> {
    let key = single_key(p)?;
    let new = tags_param(p, "Tags")?;
    if new.is_empty() {
        return Err(KmsError::missing("Tags"));
    }
    call.change(vault, |s, c| {
        let ids = tags::tag_keys(s, c, kms::TAG_RESOURCE, &[key], &new)?;
        Ok(((), touched_first(&ids)))
    })?;
    Ok(Outcome::empty().audited())
}

pub(super) fn untag_resource(
    vault: &mut Vault,
    call: &Call<'_>,
    p: Params<'_>,
) -> Result<Outcome, KmsError> {
    let key = single_key(p)?;
    let names = string_list("TagKeys", p.req("TagKeys")?)?;
    for name in &names {
        tags::check_tag_key("TagKeys", name)?;
    }
    call.change(vault, |s, c| {
        let ids = tags::untag_keys(s, c, kms::UNTAG_RESOURCE, &[key], Some(&names))?;
        Ok(((), touched_first(&ids)))
    })?;
    Ok(Outcome::empty().audited())
}

/// The resources of a batch action, checked, by reference.
fn batch_resources(vault: &Vault, p: Params<'_>) -> Result<Vec<String>, KmsError> {
    check_batch(vault, p)?;
    let ids = numbered(p, "ResourceId")?;
    if ids.is_empty() {
        return Err(KmsError::missing("ResourceId.1"));
    }
    Ok(ids)
}

pub(super) fn tag_resources(
    vault: &mut Vault,
    call: &Call<'_>,
    p: Params<'_>,
) -> Result<Outcome, KmsError> {
    let ids = batch_resources(vault, p)?;
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let new = batch_tags(p)?;
    if new.is_empty() {
        return Err(KmsError::missing("Tag.1.Key"));
    }
    tags::check_tags("Tag", &new, MAX_TAGS_PER_REQUEST)?;
    call.change(vault, |s, c| {
        let ids = tags::tag_keys(s, c, kms::TAG_RESOURCES, &refs, &new)?;
        Ok(((), touched_first(&ids)))
    })?;
    Ok(Outcome::empty().audited())
}

pub(super) fn untag_resources(
    vault: &mut Vault,
    call: &Call<'_>,
    p: Params<'_>,
) -> Result<Outcome, KmsError> {
    let ids = batch_resources(vault, p)?;
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let names = numbered(p, "TagKey")?;
    let all = p.bool("All")?.unwrap_or(false);
    let names = match (all, names.is_empty()) {
        (true, true) => None,
        (false, false) => Some(names),
        (true, false) => {
            return Err(KmsError::invalid("All", "Give All or TagKey.N, not both."));
        }
        (false, true) => return Err(KmsError::missing("TagKey.1")),
    };
    if names
        .as_ref()
        .is_some_and(|n| n.len() > MAX_TAGS_PER_REQUEST)
    {
        return Err(KmsError::LimitExceeded(format!(
            "At most {MAX_TAGS_PER_REQUEST} TagKey in one request."
        )));
    }
    call.change(vault, |s, c| {
        let ids = tags::untag_keys(s, c, kms::UNTAG_RESOURCES, &refs, names.as_deref())?;
        Ok(((), touched_first(&ids)))
    })?;
    Ok(Outcome::empty().audited())
}
