//! What stands before the main screens until a vault is open: the first-run and passphrase
//! screens.

pub mod first_run;
pub mod unlock;
