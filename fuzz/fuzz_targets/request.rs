//! Fuzz target: any action with any parameter values, through `api::dispatch` on an in-memory
//! vault, never panics and never reports an InternalFailure.
#![no_main]

use std::sync::{Arc, OnceLock};

use kms_console::api::{ACTIONS, ApiRequest, dispatch};
use kms_console::core::clock::{FixedClock, SequentialIds};
use kms_console::core::model::VaultState;
use kms_console::core::vault::{OsKeySource, Sources, Vault, new_vault_state};
use libfuzzer_sys::fuzz_target;

fn sources() -> Sources {
    Sources {
        clock: Arc::new(FixedClock::new(1_793_491_200)),
        ids: Arc::new(SequentialIds::new()),
        keys: Arc::new(OsKeySource),
    }
}

/// A vault with one AES key (alias/k), made once.
fn base() -> &'static VaultState {
    static BASE: OnceLock<VaultState> = OnceLock::new();
    BASE.get_or_init(|| {
        let mut v = Vault::in_memory(new_vault_state(&sources()).expect("state"), sources());
        let key = dispatch(&mut v, "admin", &ApiRequest::new("CreateKey")).expect("key");
        let id = key.document()["KeyMetadata"]["KeyId"].as_str().unwrap_or_default().to_owned();
        dispatch(&mut v, "admin", &ApiRequest::new("CreateAlias").with("AliasName", "alias/k").with("KeyId", id)).expect("alias");
        v.state().clone()
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else { return };
    let action = &ACTIONS[usize::from(which) % ACTIONS.len()];
    // Skip generating RSA keys: slow, and not a parser.
    let text = String::from_utf8_lossy(rest);
    let mut req = ApiRequest::new(action.name);
    for (param, value) in action.params.iter().zip(text.split('\u{1f}')) {
        req.set(param.name, value.replace("@K", "alias/k"));
    }
    if req.params.get("KeySpec").is_some_and(|s| s.starts_with("RSA")) {
        return;
    }
    let mut v = Vault::in_memory(base().clone(), sources());
    if let Err(e) = dispatch(&mut v, "admin", &req) {
        assert_ne!(e.code, "InternalFailure", "{}: {}", action.name, e.message);
    }
});
