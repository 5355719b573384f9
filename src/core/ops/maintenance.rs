//! What the vault does by itself when opened or ticked: delete keys past their `DeleteDate`,
//! delete imported material past its `KeyMaterialExpireUnix` and rotate keys whose automatic
//! rotation is due. Recorded in the audit log as done by `system`.

use super::Ctx;
use super::import::{drop_material, material_expired};
use super::versions::add_version;
use crate::core::error::KmsError;
use crate::core::material::KeyMaterial;
use crate::core::model::VaultState;
use crate::core::spec::KeyState;

/// The principal name recorded for the vault's own actions.
pub const SYSTEM_PRINCIPAL: &str = "system";

/// One thing maintenance did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MaintenanceEvent {
    /// The key passed its DeleteDate and was removed.
    KeyDeleted { key_id: String },
    /// Automatic rotation made a new primary version.
    KeyRotated {
        key_id: String,
        key_version_id: String,
    },
    /// An EXTERNAL key's imported material expired and was deleted (the key is PendingImport).
    MaterialExpired { key_id: String },
}

/// Whether [`run_maintenance`] would change anything now (cheap; no lock needed to ask).
pub fn maintenance_due(state: &VaultState, now: i64) -> bool {
    state.keys().iter().any(|k| {
        k.delete_date.is_some_and(|d| d <= now)
            || material_expired(k, now)
            || (k.key_state == KeyState::Enabled
                && k.external.is_none()
                && k.key_spec.is_symmetric()
                && k.next_rotation_date().is_some_and(|d| d <= now))
    })
}

/// Deletes expired keys and performs due rotations (one new version per due key, however long
/// it was due: a rotation is a new version now, not a back-dated series).
pub fn run_maintenance(
    state: &mut VaultState,
    ctx: &Ctx<'_>,
) -> Result<Vec<MaintenanceEvent>, KmsError> {
    let now = ctx.clock.now();
    let mut events: Vec<MaintenanceEvent> = state
        .remove_keys(|k| {
            k.key_state == KeyState::PendingDeletion && k.delete_date.is_some_and(|d| d <= now)
        })
        .into_iter()
        .map(|key_id| MaintenanceEvent::KeyDeleted { key_id })
        .collect();
    let expired: Vec<String> = state
        .keys()
        .iter()
        .filter(|k| material_expired(k, now))
        .map(|k| k.key_id.clone())
        .collect();
    for key_id in expired {
        drop_material(state, &key_id);
        events.push(MaintenanceEvent::MaterialExpired { key_id });
    }
    let due: Vec<(String, crate::core::spec::KeySpec)> = state
        .keys()
        .iter()
        .filter(|k| {
            k.key_state == KeyState::Enabled
                && k.external.is_none()
                && k.key_spec.is_symmetric()
                && k.next_rotation_date().is_some_and(|d| d <= now)
        })
        .map(|k| (k.key_id.clone(), k.key_spec))
        .collect();
    for (key_id, spec) in due {
        let material = KeyMaterial::generate(spec)?;
        let info = add_version(state, ctx, &key_id, material)?;
        events.push(MaintenanceEvent::KeyRotated {
            key_id,
            key_version_id: info.key_version_id,
        });
    }
    Ok(events)
}
