//! Makes a drill workload for measuring memory and speed with the real binary:
//! `cargo run --release --example drill_input -- DIR N` writes an unprotected vault
//! `DIR/vault.json` with the key `alias/drill`, and `DIR/in.txt` with N GenerateDataKey blobs
//! (32-byte data keys) under its first version; the key is then rotated, so a drill moves every
//! line. Then, for example:
//!
//! ```text
//! /usr/bin/time -v target/release/kms-console --vault DIR/vault.json drill \
//!     --input DIR/in.txt --output DIR/out.txt --DestinationKeyId alias/drill --threads 2
//! ```

use std::error::Error;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use kms_console::api::{ApiRequest, dispatch};
use kms_console::core::context::EncryptionContext;
use kms_console::core::ops::symmetric::generate_data_key;
use kms_console::core::vault::{Sources, Vault, new_vault_state};
use kms_console::core::vault_file::NewProtection;

fn call(vault: &mut Vault, action: &str, params: &[(&str, &str)]) -> Result<(), Box<dyn Error>> {
    let mut req = ApiRequest::new(action);
    for (k, v) in params {
        req.set(k, *v);
    }
    dispatch(vault, "admin", &req).map_err(|e| format!("{action}: {} {}", e.code, e.message))?;
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: drill_input DIR N";
    let dir = PathBuf::from(args.next().ok_or(usage)?);
    let n: u64 = args.next().ok_or(usage)?.parse()?;
    std::fs::create_dir_all(&dir)?;
    let sources = Sources::default();
    let state = new_vault_state(&sources)?;
    let mut vault = Vault::create(&dir.join("vault.json"), state, NewProtection::None, sources)?;
    call(&mut vault, "CreateKey", &[])?;
    let key_id = vault.state().keys()[0].key_id.clone();
    call(
        &mut vault,
        "CreateAlias",
        &[("AliasName", "alias/drill"), ("KeyId", &key_id)],
    )?;
    let mut out = BufWriter::new(std::fs::File::create(dir.join("in.txt"))?);
    let (state, ctx, empty) = (
        vault.state(),
        vault.ctx("admin"),
        EncryptionContext::empty(),
    );
    for _ in 0..n {
        let made = generate_data_key(state, &ctx, &key_id, 32, &empty, false, false)?;
        writeln!(out, "{}", made.ciphertext_blob)?;
    }
    out.flush()?;
    call(&mut vault, "CreateKeyVersion", &[("KeyId", &key_id)])?;
    eprintln!("{n} lines in {}", dir.join("in.txt").display());
    Ok(())
}
