//! Makes the demo vault and its sample ciphertexts: `cargo run --release --example make_demo`
//! writes `assets/demo-vault.json`, `assets/demo-samples.json` and one `assets/samples/<name>.b64`
//! per sample (for the README's walkthrough). Everything goes through the
//! same `api::dispatch` the console uses; only the clock is fixed, so the key ages are stable.

use std::error::Error;
use std::path::PathBuf;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use kms_console::api::{ApiRequest, dispatch};
use kms_console::core::clock::{Clock, FixedClock, RandomIds};
use kms_console::core::ops::principals;
use kms_console::core::policy::PolicyDocument;
use kms_console::core::vault::{OsKeySource, Sources, Vault, new_vault_state};
use kms_console::core::vault_file::NewProtection;
use kms_console::demo::{DemoSample, DemoSamples};

/// 2026-09-01T00:00:00Z: when the demo's oldest key was made.
const START: i64 = 1_788_220_800;
const DAY: i64 = 86_400;

fn call(
    vault: &mut Vault,
    action: &str,
    params: &[(&str, &str)],
) -> Result<serde_json::Value, Box<dyn Error>> {
    let mut req = ApiRequest::new(action);
    for (k, v) in params {
        req.set(k, *v);
    }
    dispatch(vault, "admin", &req)
        .map(|r| r.document())
        .map_err(|e| format!("{action}: {} {}", e.code, e.message).into())
}

fn text(doc: &serde_json::Value, path: &[&str]) -> String {
    let mut v = doc;
    for p in path {
        v = &v[*p];
    }
    v.as_str().unwrap_or_default().to_owned()
}

struct Demo {
    vault: Vault,
    clock: Arc<FixedClock>,
    samples: Vec<DemoSample>,
}

impl Demo {
    fn key(
        &mut self,
        spec: &str,
        alias: &str,
        description: &str,
    ) -> Result<String, Box<dyn Error>> {
        self.key_for(spec, "ENCRYPT/DECRYPT", alias, description)
    }

    fn key_for(
        &mut self,
        spec: &str,
        usage: &str,
        alias: &str,
        description: &str,
    ) -> Result<String, Box<dyn Error>> {
        let doc = call(
            &mut self.vault,
            "CreateKey",
            &[
                ("KeySpec", spec),
                ("KeyUsage", usage),
                ("Description", description),
            ],
        )?;
        let id = text(&doc, &["KeyMetadata", "KeyId"]);
        call(
            &mut self.vault,
            "CreateAlias",
            &[("AliasName", alias), ("KeyId", &id)],
        )?;
        Ok(id)
    }

    fn rotate(&mut self, key: &str) -> Result<(), Box<dyn Error>> {
        call(&mut self.vault, "CreateKeyVersion", &[("KeyId", key)])?;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn symmetric_sample(
        &mut self,
        name: &str,
        case: &str,
        description: &str,
        key: &str,
        plaintext: &str,
        context: Option<&str>,
        destination: &str,
        destination_context: Option<&str>,
    ) -> Result<(), Box<dyn Error>> {
        let doc = call(
            &mut self.vault,
            "Encrypt",
            &[
                ("KeyId", key),
                ("Plaintext", plaintext),
                ("EncryptionContext", context.unwrap_or("")),
            ],
        )?;
        self.samples.push(DemoSample {
            name: name.into(),
            case: case.into(),
            description: description.into(),
            ciphertext_blob: text(&doc, &["CiphertextBlob"]),
            encryption_context: context.map(str::to_owned),
            source_key_id: None,
            source_key_version_id: None,
            source_encryption_algorithm: None,
            destination_key_id: destination.into(),
            destination_encryption_context: destination_context.map(str::to_owned),
            plaintext: plaintext.into(),
            expect_error: None,
        });
        Ok(())
    }

    fn asymmetric_sample(
        &mut self,
        name: &str,
        key: &str,
        algorithm: &str,
        data: &str,
    ) -> Result<(), Box<dyn Error>> {
        let describe = call(&mut self.vault, "DescribeKey", &[("KeyId", key)])?;
        let version = text(&describe, &["KeyMetadata", "PrimaryKeyVersion"]);
        let plaintext = STANDARD.encode(data);
        let doc = call(
            &mut self.vault,
            "AsymmetricEncrypt",
            &[
                ("KeyId", key),
                ("KeyVersionId", &version),
                ("Algorithm", algorithm),
                ("Plaintext", &plaintext),
            ],
        )?;
        self.samples.push(DemoSample {
            name: name.into(),
            case: "asymmetric".into(),
            description: format!(
                "{algorithm} ciphertext made with the public key of {key}; moves to alias/orders"
            ),
            ciphertext_blob: text(&doc, &["CiphertextBlob"]),
            encryption_context: None,
            source_key_id: Some(key.into()),
            source_key_version_id: Some(version),
            source_encryption_algorithm: Some(algorithm.into()),
            destination_key_id: "alias/orders".into(),
            destination_encryption_context: None,
            plaintext,
            expect_error: None,
        });
        Ok(())
    }
}

/// The demo's principals: `admin` (`kms:*` and `ram:*`, from `new_vault_state`), a rotation
/// operator and a read-only auditor, each with one AccessKey pair for the endpoint.
fn add_principals(vault: &mut Vault) -> Result<(), Box<dyn Error>> {
    vault.update(
        |state, ctx| {
            principals::create_principal(
                state,
                ctx,
                "rotation-operator",
                vec![PolicyDocument::allow(&["kms:ReEncrypt*"])],
            )?;
            principals::create_principal(
                state,
                ctx,
                "auditor",
                vec![PolicyDocument::allow(&[
                    "kms:Describe*",
                    "kms:List*",
                    "kms:GetPublicKey",
                ])],
            )?;
            for name in ["admin", "rotation-operator", "auditor"] {
                principals::create_access_key(state, ctx, name)?;
            }
            Ok(())
        },
        "admin",
    )?;
    Ok(())
}

#[allow(clippy::too_many_lines)] // one linear script of the demo's contents
fn build(demo: &mut Demo) -> Result<(), Box<dyn Error>> {
    let orders = demo.key(
        "Aliyun_AES_256",
        "alias/orders",
        "Orders service: data keys and records",
    )?;
    demo.symmetric_sample(
        "orders-v1",
        "after-rotation",
        "Made under version 1 of alias/orders, which has been rotated twice; ReEncrypt moves it to the primary version",
        &orders,
        "order #1001: 2 kg espresso beans",
        Some(r#"{"app":"orders"}"#),
        "alias/orders",
        Some(r#"{"app":"orders"}"#),
    )?;
    let payments = demo.key("Aliyun_AES_256", "alias/payments", "Payments service")?;
    let legacy = demo.key(
        "Aliyun_AES_128",
        "alias/legacy-aes128",
        "Legacy AES-128 key, to be retired",
    )?;
    let sm4 = demo.key(
        "Aliyun_SM4",
        "alias/gm-sm4",
        "SM4-GCM key for GM/T deployments",
    )?;
    demo.symmetric_sample(
        "gm-sm4-v1",
        "after-rotation",
        "SM4-GCM ciphertext under version 1 of alias/gm-sm4 (since rotated)",
        &sm4,
        "GM/T sample record 7",
        None,
        "alias/gm-sm4",
        None,
    )?;
    demo.clock.advance(30 * DAY);
    demo.rotate(&orders)?;
    demo.rotate(&sm4)?;
    let doc = call(
        &mut demo.vault,
        "GenerateDataKey",
        &[
            ("KeyId", &orders),
            (
                "EncryptionContext",
                r#"{"app":"orders","table":"invoices"}"#,
            ),
        ],
    )?;
    demo.samples.push(DemoSample {
        name: "orders-v2-datakey".into(),
        case: "after-rotation".into(),
        description: "A data key made under version 2 of alias/orders".into(),
        ciphertext_blob: text(&doc, &["CiphertextBlob"]),
        encryption_context: Some(r#"{"app":"orders","table":"invoices"}"#.into()),
        source_key_id: None,
        source_key_version_id: None,
        source_encryption_algorithm: None,
        destination_key_id: "alias/orders".into(),
        destination_encryption_context: Some(r#"{"app":"orders","table":"invoices"}"#.into()),
        plaintext: text(&doc, &["Plaintext"]),
        expect_error: None,
    });
    demo.clock.advance(30 * DAY);
    demo.rotate(&orders)?;
    call(
        &mut demo.vault,
        "UpdateRotationPolicy",
        &[
            ("KeyId", &orders),
            ("EnableAutomaticRotation", "true"),
            ("RotationInterval", "90d"),
        ],
    )?;
    demo.symmetric_sample(
        "payments-context",
        "context-change",
        "Bound to tenant acme for billing; ReEncrypt to the same key binds it to the archive context instead",
        &payments,
        "invoice 2026-118: 1,250.00 EUR",
        Some(r#"{"tenant":"acme","purpose":"billing"}"#),
        "alias/payments",
        Some(r#"{"tenant":"acme","purpose":"archive"}"#),
    )?;
    demo.symmetric_sample(
        "legacy-to-orders",
        "another-key",
        "Made under alias/legacy-aes128; ReEncrypt moves it to another key, alias/orders",
        &legacy,
        "customer 88: shipping address on file",
        None,
        "alias/orders",
        None,
    )?;
    let rsa2048 = demo.key(
        "RSA_2048",
        "alias/rsa-2048",
        "RSA-2048 encryption key for partners",
    )?;
    let rsa3072 = demo.key("RSA_3072", "alias/rsa-3072", "RSA-3072 encryption key")?;
    let sm2 = demo.key("EC_SM2", "alias/sm2", "SM2 encryption key")?;
    demo.key_for(
        "EC_P256",
        "SIGN/VERIFY",
        "alias/release-signing",
        "Release signing key (ECDSA P-256)",
    )?;
    demo.asymmetric_sample(
        "rsa-2048-oaep-sha256",
        &rsa2048,
        "RSAES_OAEP_SHA_256",
        "partner token 4f2a-91",
    )?;
    demo.asymmetric_sample(
        "rsa-3072-oaep-sha1",
        &rsa3072,
        "RSAES_OAEP_SHA_1",
        "legacy partner secret 17",
    )?;
    demo.asymmetric_sample("sm2-pke", &sm2, "SM2PKE", "SM2 wrapped data key 03")?;
    let retired = demo.key("Aliyun_AES_256", "alias/retired", "Retired key, disabled")?;
    demo.symmetric_sample(
        "retired-disabled",
        "refusal",
        "Made under alias/retired, which is now Disabled: ReEncrypt is refused with Rejected.Disabled",
        &retired,
        "old archive entry",
        None,
        "alias/orders",
        None,
    )?;
    if let Some(last) = demo.samples.last_mut() {
        last.expect_error = Some("Rejected.Disabled".into());
    }
    call(&mut demo.vault, "DisableKey", &[("KeyId", &retired)])?;
    let doomed = demo.key("Aliyun_AES_256", "alias/doomed", "Scheduled for deletion")?;
    call(
        &mut demo.vault,
        "ScheduleKeyDeletion",
        &[("KeyId", &doomed), ("PendingWindowInDays", "30")],
    )?;
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "assets".into()));
    let work = tempfile::tempdir()?;
    let path = work.path().join("demo-vault.json");
    let clock = Arc::new(FixedClock::new(START));
    let sources = Sources {
        clock: clock.clone(),
        ids: Arc::new(RandomIds),
        keys: Arc::new(OsKeySource),
    };
    let state = new_vault_state(&sources)?;
    let mut vault = Vault::create(&path, state, NewProtection::None, sources)?;
    add_principals(&mut vault)?;
    let mut demo = Demo {
        vault,
        clock: clock.clone(),
        samples: Vec::new(),
    };
    build(&mut demo)?;
    clock.advance(DAY);
    let samples = DemoSamples {
        generated_at: clock.now(),
        samples: demo.samples,
    };
    std::fs::copy(&path, out.join("demo-vault.json"))?;
    let dir = out.join("samples");
    std::fs::create_dir_all(&dir)?;
    for sample in &samples.samples {
        std::fs::write(
            dir.join(format!("{}.b64", sample.name)),
            format!("{}\n", sample.ciphertext_blob),
        )?;
    }
    std::fs::write(
        out.join("demo-samples.json"),
        serde_json::to_string_pretty(&samples)? + "\n",
    )?;
    println!(
        "wrote {} and {}",
        out.join("demo-vault.json").display(),
        out.join("demo-samples.json").display()
    );
    Ok(())
}
