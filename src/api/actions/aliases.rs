//! Alias actions.

use super::shared::{ALIAS_NAME, KEY_ID, PAGE_NUMBER, PAGE_SIZE};
use super::{Action, ActionSpec, Group};
use crate::core::policy::kms;

pub(super) const CREATE_ALIAS: ActionSpec = ActionSpec {
    action: Action::CreateAlias,
    name: kms::CREATE_ALIAS,
    group: Group::Aliases,
    summary: "Give a key an alias",
    mutates: true,
    params: &[ALIAS_NAME, KEY_ID],
};

pub(super) const UPDATE_ALIAS: ActionSpec = ActionSpec {
    action: Action::UpdateAlias,
    name: kms::UPDATE_ALIAS,
    group: Group::Aliases,
    summary: "Point an alias at another key",
    mutates: true,
    params: &[ALIAS_NAME, KEY_ID],
};

pub(super) const DELETE_ALIAS: ActionSpec = ActionSpec {
    action: Action::DeleteAlias,
    name: kms::DELETE_ALIAS,
    group: Group::Aliases,
    summary: "Delete an alias (the key stays)",
    mutates: true,
    params: &[ALIAS_NAME],
};

pub(super) const LIST_ALIASES: ActionSpec = ActionSpec {
    action: Action::ListAliases,
    name: kms::LIST_ALIASES,
    group: Group::Aliases,
    summary: "List all aliases",
    mutates: false,
    params: &[PAGE_NUMBER, PAGE_SIZE],
};

pub(super) const LIST_ALIASES_BY_KEY_ID: ActionSpec = ActionSpec {
    action: Action::ListAliasesByKeyId,
    name: kms::LIST_ALIASES_BY_KEY_ID,
    group: Group::Aliases,
    summary: "List the aliases of one key",
    mutates: false,
    params: &[KEY_ID, PAGE_NUMBER, PAGE_SIZE],
};
