//! What is particular to some actions' forms: which fields apply (ReEncrypt shows its source
//! key fields only for asymmetric ciphertext), which keys a picker offers, how a form starts
//! from the selected key, and which requests ask for confirmation first.

use crate::api::{Action, ApiRequest, ParamKind};

use crate::tui::form::Form;
use crate::tui::form::field::FieldInput;
use crate::tui::vault_view::{KeyRow, VaultView};

/// Whether the field of `param` does not apply now.
pub fn hidden(form: &Form, param: &str) -> bool {
    let action = form.spec.action;
    let asymmetric_source = !form.value("SourceEncryptionAlgorithm").is_empty();
    match (action, param) {
        // Older names of the same parameters: the form offers the current ones.
        (Action::UpdateRotationPolicy, "EnableAutoRotation" | "RotationIntervalInDays") => true,
        (_, "RotationInterval") => form.value("EnableAutomaticRotation") != "true",
        (Action::ReEncrypt, "SourceKeyId" | "SourceKeyVersionId") => !asymmetric_source,
        (Action::ReEncrypt, "SourceEncryptionContext") => asymmetric_source,
        _ => false,
    }
}

/// Whether the form's CiphertextBlob is a symmetric blob worth inspecting.
pub fn inspects_blob(form: &Form) -> bool {
    match form.spec.action {
        Action::ReEncrypt => form.value("SourceEncryptionAlgorithm").is_empty(),
        Action::Decrypt => true,
        _ => false,
    }
}

/// Which keys suit a key parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Any,
    Symmetric,
    Asymmetric,
}

impl KeyKind {
    pub fn admits(self, key: &KeyRow) -> bool {
        match self {
            Self::Any => true,
            Self::Symmetric => key.spec.is_symmetric(),
            Self::Asymmetric => !key.spec.is_symmetric(),
        }
    }
}

/// The keys `param` of `action` takes.
pub fn key_kind(action: Action, param: &str) -> KeyKind {
    match (action, param) {
        (Action::ReEncrypt, "DestinationKeyId")
        | (
            Action::Encrypt
            | Action::GenerateDataKey
            | Action::GenerateDataKeyWithoutPlaintext
            | Action::GenerateAndExportDataKey,
            "KeyId",
        ) => KeyKind::Symmetric,
        (Action::ReEncrypt, "SourceKeyId")
        | (
            Action::AsymmetricEncrypt
            | Action::AsymmetricDecrypt
            | Action::GetPublicKey
            | Action::AsymmetricSign
            | Action::AsymmetricVerify,
            "KeyId",
        ) => KeyKind::Asymmetric,
        _ => KeyKind::Any,
    }
}

/// The key parameter a version parameter belongs to.
pub fn key_param_of(version_param: &str) -> &'static str {
    if version_param == "SourceKeyVersionId" {
        "SourceKeyId"
    } else {
        "KeyId"
    }
}

/// Whether the focused field has a picker.
pub fn has_picker(kind: ParamKind) -> bool {
    matches!(
        kind,
        ParamKind::KeyRef | ParamKind::KeyVersionId | ParamKind::AliasName
    )
}

/// Fills a new form from the selected key, and focuses the first field left to fill.
pub fn prefill(form: &mut Form, key: Option<&KeyRow>) {
    let action = form.spec.action;
    if let Some(key) = key {
        if action == Action::ReEncrypt && !key.spec.is_symmetric() {
            let algorithm = key.spec.asymmetric_algorithms().first().map(|a| a.as_str());
            form.set("SourceEncryptionAlgorithm", algorithm.unwrap_or_default());
            form.set("SourceKeyId", &key.key_id);
            form.set("SourceKeyVersionId", key.primary_id());
        } else if action == Action::ReEncrypt {
            form.set("DestinationKeyId", key.reference());
        } else if key_kind(action, "KeyId").admits(key) {
            form.set("KeyId", key.reference());
            form.set("KeyVersionId", key.primary_id());
            let algorithm = if matches!(action, Action::AsymmetricSign | Action::AsymmetricVerify) {
                key.spec.sign_algorithms().first().map(|a| a.as_str())
            } else {
                key.spec.asymmetric_algorithms().first().map(|a| a.as_str())
            };
            if let Some(a) = algorithm {
                form.set("Algorithm", a);
            }
        }
        if action == Action::UpdateRotationPolicy {
            prefill_rotation(form, key);
        }
        if matches!(action, Action::UpdateAlias | Action::DeleteAlias)
            && let Some(alias) = key.aliases.first()
        {
            form.set("AliasName", alias);
        }
    }
    if action == Action::CreateAlias {
        form.set("AliasName", "alias/");
    }
    focus_first_empty(form);
}

/// The rotation-policy form as the key has it: automatic rotation on or off, and its interval
/// (in days when whole; 365 days, Alibaba's default, for a key that has none yet), so ⏎ sends a
/// complete policy.
fn prefill_rotation(form: &mut Form, key: &KeyRow) {
    let enabled = key.rotation == "Enabled";
    form.set(
        "EnableAutomaticRotation",
        if enabled { "true" } else { "false" },
    );
    let interval = match key.rotation_interval {
        Some(s) if s % 86_400 == 0 => format!("{}d", s / 86_400),
        Some(s) => format!("{s}s"),
        None => "365d".to_owned(),
    };
    form.set("RotationInterval", &interval);
}

fn focus_first_empty(form: &mut Form) {
    // The first field still to fill: an empty text, or a choice left at its default.
    let first = form.visible_fields().into_iter().find(|&i| {
        form.fields.get(i).is_some_and(|f| match f.input {
            FieldInput::Text(_) => f.is_blank() || f.value() == "alias/",
            FieldInput::Secret(_) => f.is_blank(),
            FieldInput::Choice { .. } => f.value().is_empty(),
            FieldInput::Check(_) => false,
        })
    });
    form.focus = first
        .or_else(|| form.visible_fields().first().copied())
        .unwrap_or(0);
}

/// The question a destructive request asks first: `(title, question)`.
pub fn confirmation(request: &ApiRequest, view: &VaultView) -> Option<(String, String)> {
    let param = |name: &str| request.params.get(name).cloned().unwrap_or_default();
    let named = |key_ref: &str| {
        view.resolve(key_ref).map_or_else(
            || key_ref.to_owned(),
            |k| format!("{} ({})", k.reference(), k.key_id),
        )
    };
    match Action::parse(&request.action)? {
        Action::DisableKey => Some((
            "Disable key?".to_owned(),
            format!(
                "Disable {}? It can no longer encrypt or decrypt until it is enabled again.",
                named(&param("KeyId"))
            ),
        )),
        Action::ScheduleKeyDeletion => Some((
            "Schedule key deletion?".to_owned(),
            format!(
                "Delete {} in {} days? Until then it cannot be used; CancelKeyDeletion undoes it. After that every ciphertext under it is lost.",
                named(&param("KeyId")),
                param("PendingWindowInDays")
            ),
        )),
        Action::DeleteAlias => Some((
            "Delete alias?".to_owned(),
            format!(
                "Delete the alias {}? The key stays; requests naming the alias will fail.",
                param("AliasName")
            ),
        )),
        _ => None,
    }
}
