//! kms-console: a local, Alibaba-Cloud-KMS-compatible key vault with a terminal console.
//!
//! The crate is a UI-free [`core`] (keys, ciphertext formats, operations, permissions, the vault
//! file and the audit log) behind one request path, [`api`], that every front end — the command
//! line, the terminal UI and, later, the HTTP endpoint — uses in the same way.

pub mod api;
pub mod cli;
pub mod core;
pub mod demo;
pub mod launch;
pub mod serve;
pub mod tui;
