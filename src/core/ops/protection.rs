//! Deletion protection (`spec/alibaba-kms.md` §11.4): SetDeletionProtection. The refusal itself
//! lives in ScheduleKeyDeletion (`keys`).

use super::Ctx;
use super::keys::{change_key, key_id_for};
use crate::core::error::KmsError;
use crate::core::model::VaultState;
use crate::core::spec::KeyState;

/// SetDeletionProtection (`spec/alibaba-kms.md` §11.4): refused on a PendingDeletion key; the
/// description is kept only while protection is on.
pub fn set_deletion_protection(
    state: &mut VaultState,
    ctx: &Ctx<'_>,
    key_ref: &str,
    enable: bool,
    description: &str,
) -> Result<(), KmsError> {
    let id = key_id_for(state, ctx, "SetDeletionProtection", key_ref)?;
    change_key(state, &id, |k| {
        if k.key_state == KeyState::PendingDeletion {
            return Err(KmsError::PendingDeletion);
        }
        k.deletion_protection = enable;
        k.deletion_protection_description = if enable {
            description.to_owned()
        } else {
            String::new()
        };
        Ok(())
    })
}
