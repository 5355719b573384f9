//! The shape of the code. The core stays UI-free (product §2): nothing under `src/core/` may use
//! a terminal, async, argument-parsing or HTTP crate. Secrets never show through `Debug`. The
//! rooms of `src/` import each other one way, with no circle (issue 11): the command line and
//! the console do not import each other, the api and the core import neither, and no screen
//! or modal of the console names the app.
//!
//! How the room check works: every `.rs` file under `src/` is a module (`src/tui/screens/keys.rs`
//! is `tui::screens::keys`); its room is that path cut to two names (`tui::screens`, `core::ops`,
//! `launch`). The code of each file (comments dropped) is scanned for the paths it names —
//! `crate::a::b…` (also `$crate::`), and `super::…` / `self::…` resolved from the file's module,
//! with `{…}` groups expanded — and each path is cut to its room (the longest prefix of at most
//! two names that is a module). A file in room A naming room B is an edge A → B, except from a
//! room to one inside it (`tui.rs` declaring `tui::app`). A depth-first search of that graph
//! fails the test on the first circle and prints it with a file behind each edge.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

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

/// A module path: `["tui", "screens", "keys"]`.
type ModPath = Vec<String>;

/// Every `.rs` file under `src/`, as (path relative to `src/`, text).
fn sources() -> Vec<(PathBuf, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 100, "{} files", files.len());
    files
        .into_iter()
        .map(|f| {
            let text = std::fs::read_to_string(&f).unwrap();
            (f.strip_prefix(&src).unwrap().to_path_buf(), text)
        })
        .collect()
}

/// The module a file under `src/` is (`lib.rs` and `main.rs` are the crate root).
fn module_of(rel: &Path) -> ModPath {
    let mut names: ModPath = rel
        .with_extension("")
        .iter()
        .map(|c| c.to_string_lossy().into_owned())
        .collect();
    if names == ["lib"] || names == ["main"] {
        names.clear();
    }
    names
}

/// A file's code without its comments (`//`, `///`, `//!`), lines kept.
fn code_of(text: &str) -> String {
    text.lines()
        .map(|l| l.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The module paths named in `code`, a file of module `module`.
fn references(module: &[String], code: &str) -> Vec<ModPath> {
    let mut found = Vec::new();
    let chars: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let starts = ["crate::", "super::", "self::"]
            .iter()
            .find(|p| chars[i..].starts_with(&p.chars().collect::<Vec<_>>()));
        let boundary = i == 0 || !(is_ident(chars[i - 1]) || chars[i - 1] == ':');
        if let (Some(_), true) = (starts, boundary) {
            let (path, end) = read_path(&chars, i);
            expand(&resolve(module, &path.0), path.1.as_deref(), &mut found);
            i = end;
        } else {
            i += 1;
        }
    }
    found
}

/// A path at `i`: its names, and the text of a `{…}` group it ends in; and where it ends.
fn read_path(chars: &[char], mut i: usize) -> ((Vec<String>, Option<String>), usize) {
    let mut names = Vec::new();
    loop {
        let start = i;
        while i < chars.len() && is_ident(chars[i]) {
            i += 1;
        }
        names.push(chars[start..i].iter().collect::<String>());
        if !chars[i..].starts_with(&[':', ':']) {
            return ((names, None), i);
        }
        i += 2;
        if chars.get(i) == Some(&'{') {
            let mut depth = 0;
            let start = i + 1;
            while i < chars.len() {
                match chars[i] {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                i += 1;
                if depth == 0 {
                    break;
                }
            }
            let group = chars[start..i - 1].iter().collect();
            return ((names, Some(group)), i);
        }
    }
}

/// `crate`, `super` and `self` made absolute from the file's module.
fn resolve(module: &[String], names: &[String]) -> ModPath {
    let mut base: ModPath = Vec::new();
    let mut rest = names;
    match names.first().map(String::as_str) {
        Some("crate") => rest = &names[1..],
        Some("self") => {
            base = module.to_vec();
            rest = &names[1..];
        }
        Some("super") => {
            base = module.to_vec();
            while rest.first().is_some_and(|n| n == "super") {
                base.pop();
                rest = &rest[1..];
            }
        }
        _ => {}
    }
    base.extend(rest.iter().filter(|n| !n.is_empty()).cloned());
    base
}

/// The path, or each path of its `{…}` group (`a::{b, c::{d, e}, self}`).
fn expand(base: &[String], group: Option<&str>, out: &mut Vec<ModPath>) {
    let Some(group) = group else {
        out.push(base.to_vec());
        return;
    };
    let mut depth = 0;
    let mut item = String::new();
    for c in group.chars().chain(std::iter::once(',')) {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                let text = item.split(" as ").next().unwrap_or_default().trim();
                let chars: Vec<char> = text.chars().collect();
                if !chars.is_empty() && chars[0] != '*' {
                    let ((names, inner), _) = read_path(&chars, 0);
                    let mut path = base.to_vec();
                    path.extend(names.into_iter().filter(|n| n != "self" && !n.is_empty()));
                    expand(&path, inner.as_deref(), out);
                } else {
                    out.push(base.to_vec());
                }
                item.clear();
                continue;
            }
            _ => {}
        }
        item.push(c);
    }
}

/// The room of a path: its longest prefix of at most two names that is a module.
fn room_of(path: &[String], modules: &BTreeSet<ModPath>) -> Option<String> {
    let mut prefix: ModPath = path.iter().take(2).cloned().collect();
    while !prefix.is_empty() && !modules.contains(&prefix) {
        prefix.pop();
    }
    (!prefix.is_empty()).then(|| prefix.join("::"))
}

/// The room graph: room → (room it names → a file that names it).
fn room_graph(files: &[(PathBuf, String)]) -> BTreeMap<String, BTreeMap<String, PathBuf>> {
    let mut modules = BTreeSet::new();
    for (rel, _) in files {
        let module = module_of(rel);
        for n in 1..=module.len() {
            modules.insert(module[..n].to_vec());
        }
    }
    let mut graph: BTreeMap<String, BTreeMap<String, PathBuf>> = BTreeMap::new();
    for (rel, text) in files {
        let module = module_of(rel);
        let Some(from) = room_of(&module, &modules) else {
            continue;
        };
        for path in references(&module, &code_of(text)) {
            let Some(to) = room_of(&path, &modules) else {
                continue;
            };
            if to != from && !to.starts_with(&format!("{from}::")) {
                let edges = graph.entry(from.clone()).or_default();
                edges.entry(to).or_insert_with(|| rel.clone());
            }
        }
    }
    graph
}

/// The first circle of the graph, as its rooms in order (the first again at the end).
fn find_cycle(graph: &BTreeMap<String, BTreeMap<String, PathBuf>>) -> Option<Vec<String>> {
    fn visit(
        room: &str,
        graph: &BTreeMap<String, BTreeMap<String, PathBuf>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|r| r == room) {
            let mut cycle = stack[at..].to_vec();
            cycle.push(room.to_owned());
            return Some(cycle);
        }
        if done.contains(room) {
            return None;
        }
        stack.push(room.to_owned());
        for next in graph.get(room).into_iter().flat_map(BTreeMap::keys) {
            if let Some(cycle) = visit(next, graph, stack, done) {
                return Some(cycle);
            }
        }
        stack.pop();
        done.insert(room.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|room| visit(room, graph, &mut Vec::new(), &mut done))
}

fn show_cycle(cycle: &[String], graph: &BTreeMap<String, BTreeMap<String, PathBuf>>) -> String {
    cycle
        .windows(2)
        .map(|w| format!("{} → {} ({})", w[0], w[1], graph[&w[0]][&w[1]].display()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[test]
fn the_rooms_of_src_import_each_other_one_way() {
    let graph = room_graph(&sources());
    // The graph is not empty: the console's rooms name the ground floor.
    assert!(graph["tui::app"].contains_key("tui::screens"));
    assert!(graph["tui::screens"].contains_key("tui::vault_view"));
    if let Some(cycle) = find_cycle(&graph) {
        panic!("import circle: {}", show_cycle(&cycle, &graph));
    }
}

#[test]
fn the_room_check_finds_a_planted_circle() {
    let file = |path: &str, text: &str| (PathBuf::from(path), text.to_owned());
    let files = vec![
        file("tui.rs", "pub mod app;\npub mod screens;\npub mod ui;"),
        file("tui/app.rs", "use crate::tui::screens::keys::KeysScreen;"),
        file("tui/screens.rs", "pub mod keys;"),
        file(
            "tui/screens/keys.rs",
            "use crate::tui::{ui::theme::Theme, self};\n// use crate::tui::app::App;",
        ),
        file("tui/ui.rs", "pub mod theme;"),
        file("tui/ui/theme.rs", "pub struct Theme;"),
    ];
    let graph = room_graph(&files);
    assert_eq!(find_cycle(&graph), None, "{graph:?}");
    let mut planted = files.clone();
    planted.push(file(
        "tui/ui/plant.rs",
        "fn f() { let _ = super::super::app::App::new; }",
    ));
    let graph = room_graph(&planted);
    let cycle = find_cycle(&graph).expect("the planted circle");
    let shown = show_cycle(&cycle, &graph);
    assert!(
        shown.contains("tui::ui → tui::app (tui/ui/plant.rs)"),
        "{shown}"
    );
    assert!(
        shown.contains("tui::app → tui::screens (tui/app.rs)"),
        "{shown}"
    );
}

/// The files of `src/` whose path starts with one of `prefixes`, and the rooms their code names.
fn named_rooms(prefixes: &[&str]) -> Vec<(PathBuf, ModPath)> {
    let mut out = Vec::new();
    for (rel, text) in sources() {
        let shown = rel.to_string_lossy().replace('\\', "/");
        if prefixes.iter().any(|p| shown.starts_with(p)) {
            let module = module_of(&rel);
            for path in references(&module, &code_of(&text)) {
                out.push((rel.clone(), path));
            }
        }
    }
    assert!(!out.is_empty(), "no file under {prefixes:?}");
    out
}

#[test]
fn the_console_and_the_command_line_do_not_import_each_other() {
    for (file, path) in named_rooms(&["tui.rs", "tui/"]) {
        assert_ne!(
            path.first().map(String::as_str),
            Some("cli"),
            "{}",
            file.display()
        );
    }
    for (file, path) in named_rooms(&["cli.rs", "cli/"]) {
        assert_ne!(
            path.first().map(String::as_str),
            Some("tui"),
            "{}",
            file.display()
        );
    }
}

#[test]
fn the_api_and_the_core_use_no_front_end() {
    for (file, path) in named_rooms(&["api.rs", "api/", "core.rs", "core/"]) {
        let room = path.first().map_or("", String::as_str);
        assert!(
            !["tui", "cli", "serve", "launch"].contains(&room),
            "{} uses crate::{room}",
            file.display()
        );
    }
}

#[test]
fn no_screen_or_modal_names_the_app() {
    let mut checked = 0;
    for (rel, text) in sources() {
        let shown = rel.to_string_lossy().replace('\\', "/");
        if !(shown.starts_with("tui/screens") || shown.starts_with("tui/modals")) {
            continue;
        }
        checked += 1;
        let code = code_of(&text);
        let named = code.split(|c: char| !is_ident(c)).any(|word| word == "App");
        assert!(!named, "{shown} names App");
    }
    assert!(checked > 20, "{checked} files");
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
