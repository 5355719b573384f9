//! The core stays UI-free (product §2): nothing under `src/core/` may use a terminal, async,
//! argument-parsing or HTTP crate. Secrets never show through `Debug`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

const FORBIDDEN: &[&str] = &[
    "ratatui",
    "crossterm",
    "tokio",
    "clap",
    "axum",
    "hyper",
    "reqwest",
    "tower",
];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn core_uses_no_ui_async_cli_or_http_crate() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("src/core.rs")];
    rust_files(&root.join("src/core"), &mut files);
    assert!(files.len() > 10);
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            for krate in FORBIDDEN {
                let used = code.contains(&format!("{krate}::"))
                    || code.contains(&format!("extern crate {krate}"));
                assert!(!used, "{}:{} uses {krate}: {line}", file.display(), n + 1);
            }
        }
    }
}

#[test]
fn secret_types_never_show_their_bytes() {
    use kms_console::core::crypto::AsymmetricKey;
    use kms_console::core::material::KeyMaterial;
    use kms_console::core::secret::{SecretBytes, SecretString};
    let bytes = SecretBytes::from_slice(b"KEYMATERIAL-0123456789");
    assert!(!format!("{bytes:?}").contains("KEYMATERIAL"));
    let text = SecretString::from("hunter2-passphrase");
    assert!(!format!("{text:?}").contains("hunter2"));
    let material = KeyMaterial::Symmetric(bytes.clone());
    assert!(!format!("{material:?}").contains("KEYMATERIAL"));
    let rsa = AsymmetricKey::from_pkcs8_pem(common::RSA2048_PEM).unwrap();
    let shown = format!("{rsa:?} {:?}", KeyMaterial::Asymmetric(rsa.clone()));
    assert!(shown.len() < 200, "{shown}");
    // A whole vault's Debug shows ids, never material or AccessKey secrets.
    let (mut v, _) = common::memory_vault();
    let key = common::create_key(&mut v, "Aliyun_AES_256");
    let created = v
        .update(
            |s, c| kms_console::core::ops::principals::create_access_key(s, c, "admin"),
            "admin",
        )
        .unwrap();
    let secret = created.access_key_secret.expose().to_owned();
    assert!(!format!("{created:?}").contains(&secret));
    let material = v.state().key(&key).unwrap().versions[0]
        .material
        .symmetric_key()
        .unwrap()
        .to_vec();
    let shown = format!("{:?}", v.state());
    assert!(shown.contains(&key));
    assert!(!shown.contains(&secret));
    let hex: String = material
        .iter()
        .map(|b| format!("{b}"))
        .collect::<Vec<_>>()
        .join(", ");
    assert!(!shown.contains(&hex));
    // A Decrypt response's Debug hides the plaintext.
    let blob = common::s(
        &common::ok(
            &mut v,
            "Encrypt",
            &[("KeyId", &key), ("Plaintext", "PLAINTEXT-XYZ")],
        )["CiphertextBlob"],
    );
    let r = common::call(&mut v, "Decrypt", &[("CiphertextBlob", &blob)]).unwrap();
    assert!(!format!("{r:?}").contains("PLAINTEXT-XYZ"));
    let req = common::req(
        "Encrypt",
        &[("KeyId", &key), ("Plaintext", "PLAINTEXT-XYZ")],
    );
    assert!(!format!("{req:?}").contains("PLAINTEXT-XYZ"));
}

/// The crate's own modules a path names after `crate::`: one, or each of a `crate::{…}` group.
fn crate_modules(code: &str) -> Vec<String> {
    let mut names = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        let ident = |s: &str| {
            s.trim_start()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect::<String>()
        };
        if let Some(group) = rest.strip_prefix('{') {
            // Only the group's first level: `crate::{a::b, c}` names `a` and `c`.
            let mut depth = 0usize;
            let mut item_start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    _ if item_start && !c.is_whitespace() => {
                        names.push(ident(&group[i..]));
                        item_start = false;
                    }
                    _ => {}
                }
            }
        } else {
            names.push(ident(rest));
        }
    }
    names
}

#[test]
fn api_and_core_use_no_front_end() {
    assert_eq!(
        crate_modules("use crate::{core::x, tui::{a, b}}; crate::serve::run"),
        ["core", "tui", "serve"]
    );
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("src/api.rs"), root.join("src/core.rs")];
    rust_files(&root.join("src/api"), &mut files);
    rust_files(&root.join("src/core"), &mut files);
    assert!(files.len() > 20);
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        // Whole file, comments dropped, so a `use` split over lines is seen whole.
        let code: String = text
            .lines()
            .map(|l| l.split("//").next().unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n");
        for module in crate_modules(&code) {
            assert!(
                !["tui", "cli", "serve"].contains(&module.as_str()),
                "{} uses crate::{module}",
                file.display()
            );
        }
    }
}

#[test]
fn symmetric_key_handles_never_show_their_bytes() {
    use kms_console::core::ops::symmetric_key::SymmetricKey;

    let (mut v, _) = common::memory_vault();
    let key_id = common::create_key(&mut v, "Aliyun_AES_256");
    let key = v.state().key(&key_id).unwrap();
    let material = key.versions[0].material.symmetric_key().unwrap().to_vec();
    let handle = SymmetricKey::primary(key).unwrap();
    let shown = format!("{handle:?}");
    assert!(shown.contains(handle.key_version_id()), "{shown}");
    for bytes in [
        format!("{material:?}"),
        material.iter().fold(String::new(), |mut hex, b| {
            use std::fmt::Write;
            let _ = write!(hex, "{b:02x}");
            hex
        }),
    ] {
        assert!(!shown.contains(&bytes), "{shown}");
    }
}
