//! The worker's side of the console's endpoint: it starts the endpoint on a handle of its own
//! on the same vault file (the vault lock makes the two writers safe, product §3), stops it
//! (drained), fills snippets with an AccessKeySecret read from the vault, and notices new
//! requests for the live view.

use std::net::SocketAddr;

use crate::core::secret::SecretString;
use crate::core::vault::Vault;
use crate::serve::{LoggedRequest, RunningEndpoint, snippets};

use crate::tui::job::Reply;

/// The endpoint the console started, and what the passphrase of the open vault was (a second
/// handle on a sealed vault needs it).
#[derive(Default)]
pub struct EndpointHost {
    running: Option<RunningEndpoint>,
    /// The passphrase the vault was opened or created with.
    pub passphrase: Option<SecretString>,
    /// The log as last sent to the UI.
    sent: Vec<LoggedRequest>,
}

impl EndpointHost {
    /// Whether an endpoint runs.
    pub fn serving(&self) -> bool {
        self.running.is_some()
    }

    /// Starts the endpoint for the vault `vault` is open on.
    pub fn start(&mut self, vault: Option<&Vault>, listen: SocketAddr) -> Reply {
        if let Some(running) = &self.running {
            return Reply::EndpointStarted(Ok(running.address()));
        }
        let Some(vault) = vault else {
            return Reply::EndpointStarted(Err("no vault is open".to_owned()));
        };
        let Some(path) = vault.path() else {
            return Reply::EndpointStarted(Err(
                "the endpoint needs a vault file; this vault lives in memory".to_owned(),
            ));
        };
        let sources = vault.sources().clone();
        let clock = sources.clock.clone();
        let opened = Vault::open(path, self.passphrase.clone(), sources)
            .map_err(|e| format!("cannot open {}: {e}", path.display()));
        let started = opened.and_then(|(own, _)| {
            RunningEndpoint::start(own, listen, clock)
                .map_err(|e| format!("cannot listen on {listen}: {e}"))
        });
        Reply::EndpointStarted(started.map(|running| {
            let address = running.address();
            self.sent.clear();
            self.running = Some(running);
            address
        }))
    }

    /// Stops the endpoint (in-flight requests finish first).
    pub fn stop(&mut self) -> Reply {
        if let Some(running) = self.running.take() {
            running.stop();
        }
        Reply::EndpointStopped
    }

    /// The log, if it changed since last sent.
    pub fn log_changed(&mut self) -> Option<Vec<LoggedRequest>> {
        let recent = self.running.as_ref()?.recent();
        if recent == self.sent {
            return None;
        }
        self.sent.clone_from(&recent);
        Some(recent)
    }
}

/// The snippet `index` pointed at `address`, with the secret of `access_key_id` from `vault`.
pub fn snippet(vault: Option<&Vault>, index: usize, address: &str, access_key_id: &str) -> Reply {
    let Some(snippet) = snippets::ALL.get(index) else {
        return Reply::Snippet(Err("no such snippet".to_owned()));
    };
    let Some(vault) = vault else {
        return Reply::Snippet(Err("no vault is open".to_owned()));
    };
    match vault.state().access_key(access_key_id) {
        Some((_, key)) => Reply::Snippet(Ok(snippet.filled(
            address,
            access_key_id,
            &key.access_key_secret,
        ))),
        None => Reply::Snippet(Err(format!("no AccessKey {access_key_id} in the vault"))),
    }
}
