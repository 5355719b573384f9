//! Dispatch: one handler per action turns parsed parameters into a core call and its result
//! into response fields; every call, success or failure, is written to the audit log naming
//! what it touched (the resolved keys and versions, the reference as given, the alias).

use serde::Serialize;
use serde_json::{Map, Value};

mod data;
mod import;
mod keys;
mod sign;
pub(super) mod tags;

use super::actions::Action;
use super::document::{ApiError, ApiResponse};
use super::params::Params;
use super::request::ApiRequest;
use crate::core::audit::AuditRecord;
use crate::core::clock::format_date;
use crate::core::error::KmsError;
use crate::core::model::VaultState;
use crate::core::ops::subject::{HasSubject, Subject};
use crate::core::ops::{self, Ctx, resolve};
use crate::core::vault::Vault;

/// Runs one request as `principal` and audits it.
pub fn dispatch(
    vault: &mut Vault,
    principal: &str,
    req: &ApiRequest,
) -> Result<ApiResponse, ApiError> {
    let request_id = vault.sources().ids.uuid();
    let call = Call {
        principal,
        action: &req.action,
        request_id: &request_id,
        key_ref: ["KeyId", "DestinationKeyId"]
            .iter()
            .find_map(|n| req.params.get(*n))
            .map(String::as_str),
        alias_name: req.params.get("AliasName").map(String::as_str),
    };
    let outcome = run(vault, &call, req);
    // Fail closed: a call whose line cannot be written is refused, its result dropped unseen.
    let audited = match &outcome {
        _ if vault.audit_log().is_none() => Ok(()),
        Ok(o) if o.audited => Ok(()),
        Ok(o) => {
            let record = call.record(vault, &o.touched, "Success", o.details.clone());
            vault.append_audit(&record)
        }
        Err(e) => {
            let touched = Touched::by_request(vault.state(), req);
            let record = call.record(vault, &touched, e.code(), None);
            vault.append_audit(&record)
        }
    };
    if let Err(e) = audited {
        return Err(ApiError::from_kms(&e, request_id));
    }
    match outcome {
        Ok(Outcome {
            fields, subject, ..
        }) => Ok(ApiResponse {
            action: req.action.clone(),
            request_id,
            fields,
            subject,
        }),
        Err(e) => Err(ApiError::from_kms(&e, request_id)),
    }
}

/// One request, as its audit line names it.
pub(super) struct Call<'a> {
    pub(super) principal: &'a str,
    action: &'a str,
    request_id: &'a str,
    /// `KeyId` (or `DestinationKeyId`) as given.
    key_ref: Option<&'a str>,
    alias_name: Option<&'a str>,
}

impl Call<'_> {
    fn record(
        &self,
        vault: &Vault,
        touched: &Touched,
        result: &str,
        details: Option<Value>,
    ) -> AuditRecord {
        let record = AuditRecord {
            time: format_date(vault.sources().clock.now()),
            principal: self.principal.to_owned(),
            action: self.action.to_owned(),
            key_ref: self.key_ref.map(str::to_owned),
            alias_name: self.alias_name.map(str::to_owned),
            result: result.to_owned(),
            request_id: self.request_id.to_owned(),
            details,
            ..AuditRecord::default()
        };
        touched.onto(record)
    }

    /// A change, applied under the vault's lock with its `Success` line anchored by the same
    /// write; `f` reports what it touched. On failure nothing is written and `dispatch` audits
    /// the error.
    pub(super) fn change<R>(
        &self,
        vault: &mut Vault,
        f: impl FnOnce(&mut VaultState, &Ctx<'_>) -> Result<(R, Touched), KmsError>,
    ) -> Result<R, KmsError> {
        let base = self.record(vault, &Touched::default(), "Success", None);
        let (out, _) =
            vault.update_audited(self.principal, f, |(_, touched)| vec![touched.onto(base)])?;
        Ok(out)
    }

    /// A [`Call::change`] of the one key `key` names, with an empty response, reporting that
    /// key as touched.
    pub(super) fn change_key(
        &self,
        vault: &mut Vault,
        key: &str,
        f: impl FnOnce(&mut VaultState, &Ctx<'_>) -> Result<(), KmsError>,
    ) -> Result<Outcome, KmsError> {
        self.change(vault, |s, c| {
            f(s, c)?;
            Ok(((), Touched::key(s, key)))
        })?;
        Ok(Outcome::empty().audited())
    }
}

/// The keys and versions a call touched, by their resolved ids.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[allow(clippy::struct_field_names)] // the audit line's field names
pub(super) struct Touched {
    pub(super) key_id: Option<String>,
    pub(super) key_version_id: Option<String>,
    pub(super) source_key_id: Option<String>,
    pub(super) source_key_version_id: Option<String>,
}

impl Touched {
    /// `record` naming these keys and versions.
    pub(super) fn onto(&self, record: AuditRecord) -> AuditRecord {
        AuditRecord {
            key_id: self.key_id.clone(),
            key_version_id: self.key_version_id.clone(),
            source_key_id: self.source_key_id.clone(),
            source_key_version_id: self.source_key_version_id.clone(),
            ..record
        }
    }

    /// What a response is about: its key and version.
    pub(super) fn of(subject: &Subject) -> Self {
        Self {
            key_id: Some(subject.key_id.clone()),
            key_version_id: subject.key_version_id.clone(),
            ..Self::default()
        }
    }

    /// A key and one of its versions.
    pub(super) fn version(key_id: &str, key_version_id: &str) -> Self {
        Self {
            key_id: Some(key_id.to_owned()),
            key_version_id: Some(key_version_id.to_owned()),
            ..Self::default()
        }
    }

    /// The key `key_ref` names in `state`, if it resolves.
    pub(super) fn key(state: &VaultState, key_ref: &str) -> Self {
        Self {
            key_id: resolve(state, key_ref).ok().map(|k| k.key_id.clone()),
            ..Self::default()
        }
    }

    /// What a failed request named, as far as it resolves: its key (or, for an alias action
    /// without a key, the alias's key), and versions that exist.
    fn by_request(state: &VaultState, req: &ApiRequest) -> Self {
        let param = |name: &str| req.params.get(name).map(String::as_str);
        let key = |r: Option<&str>| r.and_then(|r| Self::key(state, r).key_id);
        let version = |v: Option<&str>| {
            v.and_then(|v| state.version(v.trim()))
                .map(|(_, v)| v.key_version_id.clone())
        };
        Self {
            key_id: key(param("KeyId").or(param("DestinationKeyId")))
                .or_else(|| key(param("AliasName"))),
            key_version_id: version(param("KeyVersionId")),
            source_key_id: key(param("SourceKeyId")),
            source_key_version_id: version(param("SourceKeyVersionId")),
        }
    }
}

/// Response fields plus what only the audit log needs.
pub(super) struct Outcome {
    pub(super) fields: Map<String, Value>,
    pub(super) details: Option<Value>,
    pub(super) touched: Touched,
    /// What the response is about, for the front ends ([`ApiResponse::subject`]).
    pub(super) subject: Option<Subject>,
    /// The call's line was already written, anchored by the vault write of its change.
    pub(super) audited: bool,
}

impl Outcome {
    pub(super) fn of<T: Serialize>(response: &T) -> Result<Self, KmsError> {
        match serde_json::to_value(response) {
            Ok(Value::Object(fields)) => Ok(Self::with(fields)),
            Ok(_) => Ok(Self::empty()),
            Err(e) => Err(KmsError::InternalFailure(format!("response encoding: {e}"))),
        }
    }

    /// A response wrapped in one field, e.g. `KeyMetadata`.
    pub(super) fn wrapped<T: Serialize>(name: &str, response: &T) -> Result<Self, KmsError> {
        let value = serde_json::to_value(response)
            .map_err(|e| KmsError::InternalFailure(format!("response encoding: {e}")))?;
        let mut fields = Map::new();
        fields.insert(name.to_owned(), value);
        Ok(Self::with(fields))
    }

    pub(super) fn empty() -> Self {
        Self::with(Map::new())
    }

    fn with(fields: Map<String, Value>) -> Self {
        Self {
            fields,
            details: None,
            touched: Touched::default(),
            subject: None,
            audited: false,
        }
    }

    /// A response about one key version: its fields, its subject, and an audit line naming
    /// that key and version.
    pub(super) fn of_version<T: Serialize + HasSubject>(response: &T) -> Result<Self, KmsError> {
        let subject = response.subject();
        Ok(Self::of(response)?
            .touching(Touched::of(&subject))
            .about(subject))
    }

    /// Names what the response is about.
    pub(super) fn about(mut self, subject: Subject) -> Self {
        self.subject = Some(subject);
        self
    }

    /// Names what the call touched, for its audit line.
    pub(super) fn touching(mut self, touched: Touched) -> Self {
        self.touched = touched;
        self
    }

    /// Marks the call as audited already (by [`Call::change`]).
    pub(super) fn audited(mut self) -> Self {
        self.audited = true;
        self
    }
}

fn run(vault: &mut Vault, call: &Call<'_>, req: &ApiRequest) -> Result<Outcome, KmsError> {
    let action =
        Action::parse(&req.action).ok_or_else(|| KmsError::UnknownAction(req.action.clone()))?;
    let p = Params::new(&req.params);
    let principal = call.principal;
    // See changes other processes made since this vault was loaded (a cheap metadata check).
    if vault.changed_on_disk() {
        vault.refresh()?;
    }
    // The one match on the action: each arm is its handler.
    match action {
        Action::ReEncrypt => data::re_encrypt(vault, principal, p),
        Action::Encrypt => data::encrypt(vault, principal, p),
        Action::Decrypt => data::decrypt(vault, principal, p),
        Action::GenerateDataKey => data::generate_data_key(vault, principal, p, true),
        Action::GenerateDataKeyWithoutPlaintext => {
            data::generate_data_key(vault, principal, p, false)
        }
        Action::AsymmetricEncrypt => data::asymmetric_encrypt(vault, principal, p),
        Action::AsymmetricDecrypt => data::asymmetric_decrypt(vault, principal, p),
        Action::GetPublicKey => data::get_public_key(vault, principal, p),
        Action::CreateKey => keys::create_key(vault, call, p),
        Action::DescribeKey => keys::describe_key(vault, principal, p),
        Action::ListKeys => keys::list_keys(vault, principal, p),
        Action::UpdateKeyDescription => keys::update_key_description(vault, call, p),
        Action::EnableKey => keys::key_state(vault, call, p, ops::keys::enable_key),
        Action::DisableKey => keys::key_state(vault, call, p, ops::keys::disable_key),
        Action::ScheduleKeyDeletion => keys::schedule_key_deletion(vault, call, p),
        Action::CancelKeyDeletion => {
            keys::key_state(vault, call, p, ops::keys::cancel_key_deletion)
        }
        Action::CreateKeyVersion => keys::create_key_version(vault, call, p),
        Action::DescribeKeyVersion => keys::describe_key_version(vault, principal, p),
        Action::ListKeyVersions => keys::list_key_versions(vault, principal, p),
        Action::UpdateRotationPolicy => keys::update_rotation_policy(vault, call, p),
        Action::CreateAlias => keys::set_alias(vault, call, p, ops::aliases::create_alias),
        Action::UpdateAlias => keys::set_alias(vault, call, p, ops::aliases::update_alias),
        Action::DeleteAlias => keys::delete_alias(vault, call, p),
        Action::ListAliases => keys::list_aliases(vault, principal, p),
        Action::ListAliasesByKeyId => keys::list_aliases_by_key_id(vault, principal, p),
        // Key import, deletion protection and tags (§11.3-§11.5).
        Action::GetParametersForImport => import::get_parameters_for_import(vault, call, p),
        Action::ImportKeyMaterial => import::import_key_material(vault, call, p),
        Action::DeleteKeyMaterial => import::delete_key_material(vault, call, p),
        Action::SetDeletionProtection => import::set_deletion_protection(vault, call, p),
        Action::TagResource => tags::tag_resource(vault, call, p),
        Action::UntagResource => tags::untag_resource(vault, call, p),
        Action::ListResourceTags => tags::list_resource_tags(vault, call, p),
        Action::TagResources => tags::tag_resources(vault, call, p),
        Action::UntagResources => tags::untag_resources(vault, call, p),
        Action::ListTagResources => tags::list_tag_resources(vault, call, p),
        // Signing and data-key export (§11.1-§11.2).
        Action::AsymmetricSign => sign::sign(vault, principal, p),
        Action::AsymmetricVerify => sign::verify(vault, principal, p),
        Action::ExportDataKey => sign::export(vault, principal, p),
        Action::GenerateAndExportDataKey => sign::generate_and_export(vault, principal, p),
    }
}
