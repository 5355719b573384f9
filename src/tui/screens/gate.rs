//! What stands before the main screens until a vault is open: the first-run and passphrase
//! screens.

pub mod first_run;
pub mod unlock;

use crate::core::secret::SecretString;

/// What a key on a gate screen asks of the app.
#[derive(Debug)]
pub enum GateOut {
    /// Nothing beyond the screen's own state.
    Stay,
    /// Copy the demo vault and open it.
    OpenDemo,
    /// Create the vault, sealed with this passphrase.
    Create(SecretString),
    /// Open the sealed vault with this passphrase.
    Unlock(SecretString),
    Quit,
}
