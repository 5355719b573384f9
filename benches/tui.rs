//! The console on a 10,000-key vault (product §14): drawing one frame (budget ≤ 2 ms) and
//! applying one keystroke of the `/` filter (budget ≤ 5 ms); and the audit screen on a 10⁶-line
//! log (issue 12, `support/tui_audit.rs`). Criterion measures each; a check after it reports the
//! median of repeated runs against each budget.

#![allow(clippy::expect_used, clippy::panic)] // a benchmark fails loudly

#[path = "support/tui_audit.rs"]
mod audit;

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use kms_console::core::material::KeyMaterial;
use kms_console::core::model::{Cmk, KeyVersion, Principal, RotationPolicy, VaultData, VaultState};
use kms_console::core::policy::PolicyDocument;
use kms_console::core::secret::SecretBytes;
use kms_console::core::spec::{KeySpec, KeyState, KeyUsage};
use kms_console::core::vault_file::Protection;
use kms_console::tui::action::Action;
use kms_console::tui::app::view;
use kms_console::tui::app::{App, AppConfig};
use kms_console::tui::job::VaultInfo;
use kms_console::tui::keymap::{Cmd, Layer};
use kms_console::tui::vault_view::VaultView;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const KEYS: usize = 10_000;
const FRAME_BUDGET: Duration = Duration::from_millis(2);
const FILTER_BUDGET: Duration = Duration::from_millis(5);
const T0: i64 = 1_793_491_200;

fn uuid(kind: u32, n: usize) -> String {
    format!("{kind:08x}-0000-4000-8000-{n:012x}")
}

/// 10,000 keys of mixed specs and states, each with one to three versions and an alias.
fn state() -> VaultState {
    let specs = [
        KeySpec::AliyunAes256,
        KeySpec::AliyunAes128,
        KeySpec::AliyunSm4,
    ];
    let mut aliases = BTreeMap::new();
    let keys = (0..KEYS)
        .map(|i| {
            let key_id = uuid(1, i);
            aliases.insert(format!("alias/service-{i}"), key_id.clone());
            Cmk {
                key_id,
                key_spec: specs[i % specs.len()],
                key_usage: KeyUsage::EncryptDecrypt,
                key_state: if i % 17 == 0 {
                    KeyState::Disabled
                } else {
                    KeyState::Enabled
                },
                description: format!("Key number {i} of the benchmark"),
                creation_date: T0,
                creator: "admin".to_owned(),
                delete_date: None,
                rotation: RotationPolicy::default(),
                deletion_protection: false,
                deletion_protection_description: String::new(),
                tags: BTreeMap::new(),
                external: None,
                versions: (0..=i % 3)
                    .map(|v| KeyVersion {
                        key_version_id: uuid(2 + u32::try_from(v).expect("small"), i),
                        creation_date: T0,
                        material: KeyMaterial::Symmetric(SecretBytes::new(vec![0; 32])),
                    })
                    .collect(),
            }
        })
        .collect();
    VaultData {
        region: "cn-hangzhou".to_owned(),
        account_id: "1234567890123456".to_owned(),
        keys,
        aliases,
        principals: vec![Principal {
            name: "admin".to_owned(),
            access_keys: Vec::new(),
            policies: vec![PolicyDocument::allow(&["kms:*"])],
            creation_date: T0,
        }],
        audit: None,
    }
    .into()
}

fn app() -> App {
    let info = VaultInfo {
        path: "/bench/vault.json".to_owned(),
        protection: Some(Protection::None),
        demo: false,
    };
    let mut app = App::with_vault(AppConfig::default(), info, VaultView::from_state(&state()));
    app.update(Action::Resize(120, 40));
    app
}

fn draw(terminal: &mut Terminal<TestBackend>, app: &App) {
    if let Err(e) = terminal.draw(|f| view::render(f, app)) {
        match e {}
    }
}

/// One keystroke of the filter: alternately a character and a Backspace, so the query stays
/// `service-1` plus at most one character and every stroke filters all 10,000 keys.
fn keystroke(app: &mut App, typed: &mut bool) {
    let code = if *typed {
        KeyCode::Backspace
    } else {
        KeyCode::Char('7')
    };
    *typed = !*typed;
    black_box(app.update(Action::Input(KeyEvent::new(code, KeyModifiers::NONE))));
}

fn filtering_app() -> App {
    let mut app = app();
    app.update(Action::Cmd(Layer::Keys, Cmd::Filter));
    for c in "service-1".chars() {
        app.update(Action::Input(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )));
    }
    app
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("tui_10k_keys");
    let app = app();
    for (w, h) in [(120, 40), (80, 24)] {
        let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        g.bench_function(format!("frame_{w}x{h}"), |b| {
            b.iter(|| draw(&mut terminal, &app));
        });
    }
    let mut filtering = filtering_app();
    let mut typed = false;
    g.bench_function("filter_keystroke", |b| {
        b.iter(|| keystroke(&mut filtering, &mut typed));
    });
    g.finish();
    check(&app);
    audit::bench(c);
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

/// Medians of 201 runs of each, against the budgets.
fn check(app: &App) {
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    let frame = median(
        (0..201)
            .map(|_| {
                let t = Instant::now();
                draw(&mut terminal, app);
                t.elapsed()
            })
            .collect(),
    );
    let mut filtering = filtering_app();
    let mut typed = false;
    let filter = median(
        (0..201)
            .map(|_| {
                let t = Instant::now();
                keystroke(&mut filtering, &mut typed);
                t.elapsed()
            })
            .collect(),
    );
    for (what, took, budget) in [
        ("frame of a 10,000-key vault", frame, FRAME_BUDGET),
        ("filter keystroke over 10,000 keys", filter, FILTER_BUDGET),
    ] {
        let verdict = if took <= budget { "within" } else { "OVER" };
        eprintln!(
            "budget: {what}: median {:.3} ms, {verdict} the {} ms budget ({:.2}x of it)",
            took.as_secs_f64() * 1e3,
            budget.as_millis(),
            took.as_secs_f64() / budget.as_secs_f64()
        );
    }
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
