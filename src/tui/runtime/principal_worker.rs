//! The worker's side of principal calls: run on the core's one path
//! ([`crate::core::vault::Vault::principal_call`], the CLI's too), then made into a short answer
//! for the console. A new AccessKey's secret is taken out of the document into a
//! [`SecretString`] at once, so only the secret-once modal ever holds it.

use crate::core::secret::SecretString;
use crate::core::vault::{PrincipalCall, Vault};
use crate::tui::job::PrincipalDone;

/// Runs `call` as `caller`.
pub fn run(vault: &mut Vault, caller: &str, call: PrincipalCall) -> PrincipalDone {
    let action = call.action();
    let note = note(&call);
    let answer = vault.principal_call(caller, call);
    let mut secret = None;
    let result = match answer.result {
        Ok(mut doc) => {
            if let Some(key) = doc.get_mut("AccessKey").and_then(|k| k.as_object_mut()) {
                let taken = key
                    .remove("AccessKeySecret")
                    .and_then(|v| v.as_str().map(SecretString::from));
                let id = key.get("AccessKeyId").and_then(|v| v.as_str());
                let user = key.get("UserName").and_then(|v| v.as_str());
                if let (Some(s), Some(id), Some(user)) = (taken, id, user) {
                    secret = Some((user.to_owned(), id.to_owned(), s));
                }
            }
            Ok(note)
        }
        Err(e) => Err((e.code().to_owned(), e.to_string())),
    };
    PrincipalDone {
        action,
        request_id: answer.request_id,
        result,
        secret,
    }
}

/// What the call did, said in a toast.
fn note(call: &PrincipalCall) -> String {
    match call {
        PrincipalCall::List => "Listed the principals".to_owned(),
        PrincipalCall::Create { name, .. } => format!("Created principal {name}"),
        PrincipalCall::Delete { name } => format!("Deleted principal {name} and its AccessKeys"),
        PrincipalCall::AttachPolicy { name, .. } => format!("Attached the policy to {name}"),
        PrincipalCall::DetachPolicy { name, index } => {
            format!("Detached policy {} from {name}", index + 1)
        }
        PrincipalCall::CreateAccessKey { name } => format!("Created an AccessKey for {name}"),
        PrincipalCall::ListAccessKeys { name } => format!("Listed the AccessKeys of {name}"),
        PrincipalCall::DeleteAccessKey {
            name,
            access_key_id,
        } => format!("Deleted AccessKey {access_key_id} of {name}"),
    }
}
