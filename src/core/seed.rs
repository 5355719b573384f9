//! Seed files: a small JSON document that names keys with fixed KeyIds, aliases, versions with
//! given (or generated) material, tags, and principals with policies and fixed AccessKey pairs,
//! so that a test suite gets the same vault every run (`kms-console init --seed FILE`).
//!
//! Seeded material is known to whoever reads the file: it is for tests, never for real data.
//! Everything is checked before the vault exists; an error names the entry (`Keys[2].Versions[0]`).

use std::collections::{BTreeMap, HashSet};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::crypto::AsymmetricKey;
use super::material::KeyMaterial;
use super::model::{AccessKey, Cmk, DEFAULT_REGION, KeyVersion, MAX_ACCESS_KEYS, VaultState};
use super::ops::aliases::check_alias_name;
use super::ops::maintenance::SYSTEM_PRINCIPAL;
use super::ops::tags::{MAX_TAGS_PER_KEY, Tag, check_tags};
use super::ops::{Ctx, principals};
use super::policy::PolicyDocument;
use super::secret::{SecretBytes, SecretString};
use super::spec::{KeySpec, KeyState, KeyUsage};
use super::vault::Sources;

/// A seed file that cannot make a vault: which entry, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("seed file: {entry}: {reason}")]
pub struct SeedError {
    /// Where in the file, e.g. `Keys[1].Versions[0].Material`.
    pub entry: String,
    pub reason: String,
}

fn err(entry: impl Into<String>, reason: impl std::fmt::Display) -> SeedError {
    SeedError {
        entry: entry.into(),
        reason: reason.to_string(),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct SeedFile {
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    account_id: Option<String>,
    #[serde(default)]
    keys: Vec<SeedKey>,
    #[serde(default)]
    principals: Vec<SeedPrincipal>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct SeedKey {
    key_id: String,
    #[serde(default)]
    key_spec: Option<String>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    key_state: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    tags: BTreeMap<String, String>,
    #[serde(default)]
    deletion_protection: bool,
    /// Oldest first; the last is primary. Absent: one version, id and material generated.
    #[serde(default)]
    versions: Vec<SeedVersion>,
}

#[derive(Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct SeedVersion {
    key_version_id: String,
    /// Base64 of the raw key (symmetric) or of PKCS#8 DER (RSA, SM2); absent: generated.
    #[serde(default)]
    material: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct SeedPrincipal {
    name: String,
    #[serde(default)]
    policies: Vec<serde_json::Value>,
    #[serde(default)]
    access_keys: Vec<SeedAccessKey>,
}

#[derive(Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct SeedAccessKey {
    access_key_id: String,
    access_key_secret: String,
}

/// Shortest AccessKeySecret a seed may fix (Alibaba's are 30 characters).
pub const MIN_ACCESS_KEY_SECRET_CHARS: usize = 16;

/// Builds a vault's contents from the JSON text of a seed file. The `admin` principal (`kms:*`,
/// `ram:*`) is always there; a seed entry named `admin` adds policies and AccessKeys to it.
pub fn seed_state(text: &str, sources: &Sources) -> Result<VaultState, SeedError> {
    let seed: SeedFile = serde_json::from_str(text)
        .map_err(|e| err("(file)", format!("not a seed document: {e}")))?;
    let region = seed.region.as_deref().unwrap_or(DEFAULT_REGION);
    if region.is_empty()
        || !region
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(err(
            "Region",
            "it must be a region name such as cn-hangzhou",
        ));
    }
    let account = match &seed.account_id {
        Some(a) if a.len() == 16 && a.bytes().all(|b| b.is_ascii_digit()) => a.clone(),
        Some(_) => return Err(err("AccountId", "it must be 16 digits")),
        None => super::vault::new_vault_state(sources)
            .map_err(|e| err("AccountId", e))?
            .account_id()
            .to_owned(),
    };
    let mut state = VaultState::new(region, &account);
    let ctx = Ctx {
        principal: SYSTEM_PRINCIPAL,
        clock: sources.clock.as_ref(),
        ids: sources.ids.as_ref(),
    };
    principals::add_principal(
        &mut state,
        &ctx,
        "admin",
        vec![PolicyDocument::allow(&["kms:*", "ram:*"])],
    )
    .map_err(|e| err("admin", e))?;
    let mut ids = HashSet::new();
    for (i, key) in seed.keys.iter().enumerate() {
        let cmk = build_key(&format!("Keys[{i}]"), key, sources, &mut ids)?;
        state.insert_key(cmk);
        for (a, alias) in key.aliases.iter().enumerate() {
            let entry = format!("Keys[{i}].Aliases[{a}]");
            check_alias_name("AliasName", alias).map_err(|e| err(&entry, e))?;
            if state.aliases().contains_key(alias) {
                return Err(err(entry, format!("{alias} is named twice")));
            }
            state
                .aliases_mut()
                .insert(alias.clone(), key.key_id.clone());
        }
    }
    for (i, principal) in seed.principals.iter().enumerate() {
        add_seed_principal(&mut state, &ctx, &format!("Principals[{i}]"), principal)?;
    }
    Ok(state)
}

/// A KeyId or KeyVersionId: a lower-case hyphenated UUID (36 ASCII characters, the blob header
/// of `spec/alibaba-kms.md` §1), not used before in this file.
fn check_id(entry: &str, id: &str, seen: &mut HashSet<String>) -> Result<(), SeedError> {
    let canonical = uuid::Uuid::parse_str(id)
        .ok()
        .map(|u| u.hyphenated().to_string());
    if canonical.as_deref() != Some(id) {
        return Err(err(
            entry,
            format!("{id:?} is not a lower-case UUID like 1b4e28ba-2fa1-11d2-883f-0016d3cca427"),
        ));
    }
    if !seen.insert(id.to_owned()) {
        return Err(err(entry, format!("{id} is used twice")));
    }
    Ok(())
}

fn build_key(
    entry: &str,
    key: &SeedKey,
    sources: &Sources,
    ids: &mut HashSet<String>,
) -> Result<Cmk, SeedError> {
    check_id(&format!("{entry}.KeyId"), &key.key_id, ids)?;
    let spec_name = key.key_spec.as_deref().unwrap_or("Aliyun_AES_256");
    let spec = KeySpec::parse(spec_name).ok_or_else(|| {
        err(
            format!("{entry}.KeySpec"),
            format!("unknown KeySpec {spec_name:?}"),
        )
    })?;
    let key_state = match key.key_state.as_deref() {
        None | Some("Enabled") => KeyState::Enabled,
        Some("Disabled") => KeyState::Disabled,
        Some(other) => {
            return Err(err(
                format!("{entry}.KeyState"),
                format!("{other:?}: a seeded key is Enabled or Disabled"),
            ));
        }
    };
    let tags: Vec<Tag> = key
        .tags
        .iter()
        .map(|(k, v)| Tag {
            key: k.clone(),
            value: v.clone(),
        })
        .collect();
    check_tags("Tags", &tags, MAX_TAGS_PER_KEY).map_err(|e| err(format!("{entry}.Tags"), e))?;
    let now = sources.clock.now();
    let mut versions = Vec::new();
    for (v, version) in key.versions.iter().enumerate() {
        let ventry = format!("{entry}.Versions[{v}]");
        check_id(
            &format!("{ventry}.KeyVersionId"),
            &version.key_version_id,
            ids,
        )?;
        let material = match &version.material {
            Some(text) => seeded_material(&format!("{ventry}.Material"), text, spec)?,
            None => sources.keys.generate(spec).map_err(|e| err(&ventry, e))?,
        };
        versions.push(KeyVersion {
            key_version_id: version.key_version_id.clone(),
            creation_date: now,
            material,
        });
    }
    if versions.is_empty() {
        versions.push(KeyVersion {
            key_version_id: sources.ids.uuid(),
            creation_date: now,
            material: sources.keys.generate(spec).map_err(|e| err(entry, e))?,
        });
    }
    Ok(Cmk {
        key_id: key.key_id.clone(),
        key_spec: spec,
        key_usage: KeyUsage::EncryptDecrypt,
        key_state,
        description: key.description.clone(),
        creation_date: now,
        creator: "admin".to_owned(),
        delete_date: None,
        rotation: super::model::RotationPolicy::default(),
        deletion_protection: key.deletion_protection,
        versions,
        deletion_protection_description: String::new(),
        tags: key.tags.clone(),
        external: None,
    })
}

/// Material given in the file: base64 of the raw key for symmetric specs (the spec's length,
/// not all one byte value), of PKCS#8 DER for RSA and SM2 (a key of that spec).
fn seeded_material(entry: &str, text: &str, spec: KeySpec) -> Result<KeyMaterial, SeedError> {
    let bytes = SecretBytes::new(
        STANDARD
            .decode(text.trim())
            .map_err(|_| err(entry, "it is not base64"))?,
    );
    let Some(alg) = spec.symmetric() else {
        let key = AsymmetricKey::from_pkcs8_der(bytes.expose())
            .map(KeyMaterial::Asymmetric)
            .map_err(|_| {
                err(
                    entry,
                    "it is not base64 of a PKCS#8 DER RSA or SM2 private key",
                )
            })?;
        return if key.fits(spec) {
            Ok(key)
        } else {
            Err(err(
                entry,
                format!("the private key is not a {} key", spec.as_str()),
            ))
        };
    };
    let raw = bytes.expose();
    if raw.len() != alg.key_len() {
        return Err(err(
            entry,
            format!(
                "{} needs {} bytes of material, this is {}",
                spec.as_str(),
                alg.key_len(),
                raw.len()
            ),
        ));
    }
    if raw.iter().all(|b| Some(b) == raw.first()) {
        return Err(err(
            entry,
            "the material is one byte value repeated (e.g. all zero): too weak even for tests",
        ));
    }
    Ok(KeyMaterial::Symmetric(bytes))
}

fn add_seed_principal(
    state: &mut VaultState,
    ctx: &Ctx<'_>,
    entry: &str,
    seed: &SeedPrincipal,
) -> Result<(), SeedError> {
    let mut policies = Vec::new();
    for (p, policy) in seed.policies.iter().enumerate() {
        let pentry = format!("{entry}.Policies[{p}]");
        let doc = PolicyDocument::parse("PolicyDocument", &policy.to_string())
            .and_then(|d| d.validate(state.region(), state.account_id()).map(|()| d))
            .map_err(|e| err(&pentry, e))?;
        policies.push(doc);
    }
    if seed.name == "admin" {
        if let Some(admin) = state
            .principals_mut()
            .iter_mut()
            .find(|p| p.name == "admin")
        {
            admin.policies.extend(policies);
        }
    } else {
        principals::add_principal(state, ctx, &seed.name, policies)
            .map_err(|e| err(format!("{entry}.Name"), e))?;
    }
    if seed.access_keys.len() > MAX_ACCESS_KEYS {
        return Err(err(
            format!("{entry}.AccessKeys"),
            format!("a principal has at most {MAX_ACCESS_KEYS} AccessKeys"),
        ));
    }
    for (a, pair) in seed.access_keys.iter().enumerate() {
        let aentry = format!("{entry}.AccessKeys[{a}]");
        let id = &pair.access_key_id;
        if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(err(
                aentry,
                "AccessKeyId must be 1 to 64 letters and digits",
            ));
        }
        if state.access_key(id).is_some() {
            return Err(err(aentry, format!("AccessKeyId {id} is used twice")));
        }
        if pair.access_key_secret.chars().count() < MIN_ACCESS_KEY_SECRET_CHARS {
            return Err(err(
                aentry,
                format!("AccessKeySecret needs at least {MIN_ACCESS_KEY_SECRET_CHARS} characters"),
            ));
        }
        let access_key = AccessKey {
            access_key_id: id.clone(),
            access_key_secret: SecretString::new(pair.access_key_secret.clone()),
            creation_date: ctx.clock.now(),
        };
        if let Some(p) = state
            .principals_mut()
            .iter_mut()
            .find(|p| p.name == seed.name)
        {
            p.access_keys.push(access_key);
        }
    }
    Ok(())
}
