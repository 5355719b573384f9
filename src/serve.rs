//! `kms-console serve`: the KMS RPC API over HTTP (product §13), so that Alibaba's own SDKs work
//! against the local vault unchanged. No console, no argument parsing: [`wire`] reads a request,
//! [`auth`] checks its signature ([`sign`]) and replay window ([`nonce`]), [`endpoint`] hands the
//! API parameters to `api::dispatch` as the signing principal, and [`server`] runs the HTTP side;
//! [`control`] and [`snippets`] are what the console needs to start, watch and explain it.

pub mod auth;
mod conns;
pub mod control;
pub mod endpoint;
pub mod nonce;
mod peers;
mod pool;
pub mod refused;
pub mod server;
pub mod sign;
pub mod snippets;
pub mod wire;

#[cfg(test)]
mod tests;

pub use auth::{AuthError, Caller, Scheme, Verifier};
pub use control::{LoggedRequest, RunningEndpoint};
pub use endpoint::{Endpoint, Observer, RequestEvent, WireResponse, access_key};
pub use nonce::NonceCache;
pub use server::{Handler, Limits, serve};
pub use wire::WireRequest;
