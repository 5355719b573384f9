//! API request parameters: any action with any parameter values, through `api::dispatch` on the
//! demo vault, never panics and never reports an InternalFailure. The first byte picks the
//! action; the rest, split at U+001F, are its parameters in declaration order (`@K` becomes an
//! alias of the demo vault, `@R` its RSA key, `@S` its SM2 key).

use kms_console::api::{ACTIONS, ApiRequest, dispatch};

use crate::fixture;

pub fn check(data: &[u8]) {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let action = &ACTIONS[usize::from(which) % ACTIONS.len()];
    let text = String::from_utf8_lossy(rest);
    let mut req = ApiRequest::new(action.name);
    for (param, value) in action.params.iter().zip(text.split('\u{1f}')) {
        let value = value
            .replace("@K", "alias/orders")
            .replace("@R", "alias/rsa-2048")
            .replace("@S", "alias/sm2");
        req.set(param.name, value);
    }
    // Generating RSA keys takes seconds and parses nothing: not worth the fuzzer's time.
    if req
        .params
        .get("KeySpec")
        .is_some_and(|s| s.starts_with("RSA"))
    {
        return;
    }
    let mut vault = fixture::vault();
    if let Err(e) = dispatch(&mut vault, "admin", &req) {
        assert_ne!(e.code, "InternalFailure", "{}: {}", action.name, e.message);
    }
}
