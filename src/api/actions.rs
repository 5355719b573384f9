//! The action table: every action of product §6 with its parameters, as the API names them. The
//! dispatcher, the command line (its per-action options and help) and the console's forms are
//! all built from this one table, and [`Action`] names its rows: a name is parsed once, at the
//! edge, and matched as a value after that. The action names come from the core's list of the actions a
//! policy may grant (`core::policy::kms`), so that the two cannot drift apart.

mod aliases;
mod asymmetric;
mod data;
mod import;
mod keys;
mod shared;
mod tags;
mod versions;

/// What a parameter holds; front ends choose their input widget from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    Text,
    /// A KeyId, `alias/…` or key ARN.
    KeyRef,
    KeyVersionId,
    AliasName,
    /// Base64 ciphertext.
    Blob,
    /// An EncryptionContext JSON object.
    Context,
    /// `true` / `false`.
    Bool,
    Int,
    /// One of fixed values.
    Choice(&'static [&'static str]),
    /// JSON (e.g. `Filters`).
    Json,
    /// Plaintext: never shown, never logged.
    Secret,
}

impl ParamKind {
    /// The values a parameter of this kind can take, where they are a fixed list (offered by
    /// shell completion and help); empty for free values.
    pub fn values(self) -> &'static [&'static str] {
        match self {
            Self::Choice(values) => values,
            Self::Bool => &["true", "false"],
            Self::Text
            | Self::KeyRef
            | Self::KeyVersionId
            | Self::AliasName
            | Self::Blob
            | Self::Context
            | Self::Int
            | Self::Json
            | Self::Secret => &[],
        }
    }
}

/// One parameter of an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamSpec {
    pub name: &'static str,
    pub required: bool,
    pub kind: ParamKind,
    pub help: &'static str,
}

/// Groups of product §6, in the order the console lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    ReEncryption,
    SymmetricData,
    AsymmetricData,
    Keys,
    Versions,
    Aliases,
}

impl Group {
    pub fn title(self) -> &'static str {
        match self {
            Self::ReEncryption => "re-encryption",
            Self::SymmetricData => "symmetric data",
            Self::AsymmetricData => "asymmetric data",
            Self::Keys => "keys",
            Self::Versions => "versions, rotation",
            Self::Aliases => "aliases",
        }
    }
}

/// One action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionSpec {
    pub action: Action,
    /// The action's name, from the list of names policies grant (`core::policy::kms`).
    pub name: &'static str,
    pub group: Group,
    pub summary: &'static str,
    /// Whether it changes the vault (and so takes the vault's lock).
    pub mutates: bool,
    pub params: &'static [ParamSpec],
}

/// Defines [`Action`] (one variant per row), its spec of each, and [`ACTIONS`], so that an action
/// cannot exist without its row or be listed out of order.
macro_rules! action_table {
    ($($variant:ident: $group:ident::$spec:ident),* $(,)?) => {
        /// An action of product §6, as a value: parsed once from its name ([`Action::parse`]).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Action {
            $(#[doc = concat!("`", stringify!($variant), "`")] $variant),*
        }

        /// Every action, ReEncrypt first, in the order of `core::policy::kms::ALL`.
        pub const ACTIONS: &[ActionSpec] = &[$($group::$spec),*];

        impl Action {
            /// Every action, in table order.
            pub const ALL: &[Action] = &[$(Self::$variant),*];

            /// This action's row of the table.
            pub const fn spec(self) -> &'static ActionSpec {
                match self {
                    $(Self::$variant => &$group::$spec),*
                }
            }
        }
    };
}

action_table! {
    ReEncrypt: data::RE_ENCRYPT,
    Encrypt: data::ENCRYPT,
    Decrypt: data::DECRYPT,
    GenerateDataKey: data::GENERATE_DATA_KEY,
    GenerateDataKeyWithoutPlaintext: data::GENERATE_DATA_KEY_WITHOUT_PLAINTEXT,
    AsymmetricEncrypt: asymmetric::ASYMMETRIC_ENCRYPT,
    AsymmetricDecrypt: asymmetric::ASYMMETRIC_DECRYPT,
    GetPublicKey: asymmetric::GET_PUBLIC_KEY,
    CreateKey: keys::CREATE_KEY,
    DescribeKey: keys::DESCRIBE_KEY,
    ListKeys: keys::LIST_KEYS,
    UpdateKeyDescription: keys::UPDATE_KEY_DESCRIPTION,
    EnableKey: keys::ENABLE_KEY,
    DisableKey: keys::DISABLE_KEY,
    ScheduleKeyDeletion: keys::SCHEDULE_KEY_DELETION,
    CancelKeyDeletion: keys::CANCEL_KEY_DELETION,
    CreateKeyVersion: versions::CREATE_KEY_VERSION,
    DescribeKeyVersion: versions::DESCRIBE_KEY_VERSION,
    ListKeyVersions: versions::LIST_KEY_VERSIONS,
    UpdateRotationPolicy: versions::UPDATE_ROTATION_POLICY,
    CreateAlias: aliases::CREATE_ALIAS,
    UpdateAlias: aliases::UPDATE_ALIAS,
    DeleteAlias: aliases::DELETE_ALIAS,
    ListAliases: aliases::LIST_ALIASES,
    ListAliasesByKeyId: aliases::LIST_ALIASES_BY_KEY_ID,
    GetParametersForImport: import::GET_PARAMETERS_FOR_IMPORT,
    ImportKeyMaterial: import::IMPORT_KEY_MATERIAL,
    DeleteKeyMaterial: import::DELETE_KEY_MATERIAL,
    SetDeletionProtection: import::SET_DELETION_PROTECTION,
    TagResource: tags::TAG_RESOURCE,
    UntagResource: tags::UNTAG_RESOURCE,
    ListResourceTags: tags::LIST_RESOURCE_TAGS,
    TagResources: tags::TAG_RESOURCES,
    UntagResources: tags::UNTAG_RESOURCES,
    ListTagResources: tags::LIST_TAG_RESOURCES,
    AsymmetricSign: asymmetric::ASYMMETRIC_SIGN,
    AsymmetricVerify: asymmetric::ASYMMETRIC_VERIFY,
    ExportDataKey: data::EXPORT_DATA_KEY,
    GenerateAndExportDataKey: data::GENERATE_AND_EXPORT_DATA_KEY,
}

impl Action {
    /// The action named exactly `name`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|a| a.name() == name)
    }

    /// The action's API name, e.g. `ReEncrypt`.
    pub const fn name(self) -> &'static str {
        self.spec().name
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The action with this exact name.
pub fn find_action(name: &str) -> Option<&'static ActionSpec> {
    Action::parse(name).map(Action::spec)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::policy::kms;

    #[test]
    fn the_table_has_exactly_the_actions_policies_can_name() {
        let table: Vec<&str> = ACTIONS.iter().map(|a| a.name).collect();
        assert_eq!(table, kms::ALL);
    }

    #[test]
    fn each_action_is_its_own_row_and_parses_from_its_name() {
        assert_eq!(Action::ALL.len(), ACTIONS.len());
        for (action, row) in Action::ALL.iter().zip(ACTIONS) {
            assert_eq!(action.spec(), row);
            assert_eq!(row.action, *action);
            assert_eq!(Action::parse(row.name), Some(*action));
            assert_eq!(format!("{action:?}"), row.name);
        }
        assert_eq!(Action::parse("reencrypt"), None);
        assert_eq!(Action::parse("ReEncryptFrom"), None);
    }
}
