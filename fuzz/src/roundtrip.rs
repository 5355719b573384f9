//! Structure-aware round trips: the input is read as a valid request (a key the demo vault can
//! encrypt under, how it is named, a plaintext, contexts, a destination key), and whatever it
//! is, encrypt → decrypt gives the plaintext back, ReEncrypt → decrypt under the destination
//! gives it back, a data key decrypts to itself, and a blob never decrypts under a different
//! context. One request in eight is asymmetric (RSA-OAEP or SM2 to a symmetric destination
//! through ReEncrypt). Any refusal of such a request is a bug.
//!
//! The bytes are read by [`Reader`], a fixed decoder (the role `arbitrary` plays), so that the
//! regression test can replay a saved input without the fuzzing crates.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use kms_console::api::{ApiRequest, dispatch};
use kms_console::core::vault::Vault;
use serde_json::{Map, Value};

use crate::fixture;

/// Reads values out of the fuzzer's bytes; past the end it reads zeros.
pub struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Self(data)
    }

    pub fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }

    /// A number below `bound` (which is at least 1).
    pub fn below(&mut self, bound: usize) -> usize {
        let n = usize::from(self.byte()) << 8 | usize::from(self.byte());
        n % bound.max(1)
    }

    pub fn bytes(&mut self, len: usize) -> &'a [u8] {
        let (taken, rest) = self.0.split_at(len.min(self.0.len()));
        self.0 = rest;
        taken
    }

    /// 1 to `max` characters of letters, digits and a few marks.
    pub fn word(&mut self, max: usize) -> String {
        const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/";
        let len = 1 + self.below(max);
        (0..len)
            .map(|_| char::from(CHARS[usize::from(self.byte()) % CHARS.len()]))
            .collect()
    }

    /// An encryption context of up to three pairs, as its JSON text.
    pub fn context(&mut self) -> String {
        let mut map = Map::new();
        for _ in 0..self.below(4) {
            map.insert(self.word(16), Value::String(self.word(24)));
        }
        Value::Object(map).to_string()
    }
}

/// A key of the demo vault that the round trips can use.
struct Usable {
    key_id: String,
    alias: Option<String>,
    arn: String,
    spec: String,
    version: String,
}

struct Keys {
    symmetric: Vec<Usable>,
    asymmetric: Vec<Usable>,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut vault = fixture::vault();
        let aliases = ok(
            &mut vault,
            &ApiRequest::new("ListAliases").with("PageSize", "100"),
        );
        let alias_of = |id: &str| {
            aliases["Aliases"]["Alias"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|a| a["KeyId"] == id)
                .and_then(|a| a["AliasName"].as_str())
                .map(str::to_owned)
        };
        let (mut symmetric, mut asymmetric) = (Vec::new(), Vec::new());
        let ids: Vec<String> = fixture::base()
            .state
            .keys()
            .iter()
            .map(|k| k.key_id.clone())
            .collect();
        for id in ids {
            let doc = ok(
                &mut vault,
                &ApiRequest::new("DescribeKey").with("KeyId", id.as_str()),
            );
            let meta = &doc["KeyMetadata"];
            if meta["KeyState"] != "Enabled" || meta["KeyUsage"] != "ENCRYPT/DECRYPT" {
                continue;
            }
            let usable = Usable {
                alias: alias_of(&id),
                arn: meta["Arn"].as_str().unwrap_or_default().to_owned(),
                spec: meta["KeySpec"].as_str().unwrap_or_default().to_owned(),
                version: meta["PrimaryKeyVersion"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                key_id: id,
            };
            match usable.spec.as_str() {
                s if s.starts_with("Aliyun_") => symmetric.push(usable),
                "RSA_2048" | "EC_SM2" => asymmetric.push(usable),
                _ => {}
            }
        }
        assert!(!symmetric.is_empty(), "the demo vault has symmetric keys");
        Keys {
            symmetric,
            asymmetric,
        }
    })
}

/// How the request names the key: KeyId, alias or ARN.
fn name_of<'k>(key: &'k Usable, r: &mut Reader<'_>) -> &'k str {
    match (r.byte() % 3, &key.alias) {
        (1, Some(alias)) => alias,
        (2, _) if !key.arn.is_empty() => &key.arn,
        _ => &key.key_id,
    }
}

fn ok(vault: &mut Vault, req: &ApiRequest) -> Value {
    match dispatch(vault, "admin", req) {
        Ok(response) => response.document(),
        Err(e) => panic!("{} refused: {} {}", req.action, e.code, e.message),
    }
}

/// Whether two contexts' JSON texts hold the same pairs.
fn same_context(a: &str, b: &str) -> bool {
    let pairs = |text: &str| serde_json::from_str::<BTreeMap<String, String>>(text).ok();
    pairs(a).is_some() && pairs(a) == pairs(b)
}

fn text(doc: &Value, field: &str) -> String {
    doc[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} in {doc}"))
        .to_owned()
}

pub fn check(data: &[u8]) {
    let mut r = Reader::new(data);
    let keys = keys();
    let mut vault = fixture::vault();
    let destination = &keys.symmetric[r.below(keys.symmetric.len())];
    let destination_name = name_of(destination, &mut r).to_owned();
    let destination_context = r.context();
    if r.byte().is_multiple_of(8) && !keys.asymmetric.is_empty() {
        let key = &keys.asymmetric[r.below(keys.asymmetric.len())];
        asymmetric(
            &mut vault,
            &mut r,
            key,
            &destination_name,
            &destination_context,
        );
        return;
    }
    let key = &keys.symmetric[r.below(keys.symmetric.len())];
    let name = name_of(key, &mut r).to_owned();
    let context = r.context();
    let len = 1 + r.below(2048);
    let plaintext = String::from_utf8_lossy(r.bytes(len)).into_owned();
    let plaintext = if plaintext.is_empty() {
        "x".to_owned()
    } else {
        plaintext
    };

    let encrypted = ok(
        &mut vault,
        &ApiRequest::new("Encrypt")
            .with("KeyId", name.as_str())
            .with("Plaintext", plaintext.as_str())
            .with("EncryptionContext", context.as_str()),
    );
    assert_eq!(text(&encrypted, "KeyId"), key.key_id);
    let blob = text(&encrypted, "CiphertextBlob");
    let decrypted = ok(
        &mut vault,
        &ApiRequest::new("Decrypt")
            .with("CiphertextBlob", blob.as_str())
            .with("EncryptionContext", context.as_str()),
    );
    assert_eq!(text(&decrypted, "Plaintext"), plaintext);
    assert_eq!(text(&decrypted, "KeyId"), key.key_id);
    // A context is a map: the same pairs in another order are the same context (found by this
    // target: the check compared the JSON texts; the vault was right).
    let other = dispatch(
        &mut vault,
        "admin",
        &ApiRequest::new("Decrypt")
            .with("CiphertextBlob", blob.as_str())
            .with("EncryptionContext", destination_context.as_str()),
    );
    if same_context(&context, &destination_context) {
        let other = other.unwrap_or_else(|e| panic!("the same context reordered refused: {e:?}"));
        assert_eq!(text(&other.document(), "Plaintext"), plaintext);
    } else {
        assert!(
            other.is_err(),
            "a blob decrypted under another context: {context} / {destination_context}"
        );
    }
    let moved = ok(
        &mut vault,
        &ApiRequest::new("ReEncrypt")
            .with("CiphertextBlob", blob.as_str())
            .with("SourceEncryptionContext", context.as_str())
            .with("DestinationKeyId", destination_name.as_str())
            .with("DestinationEncryptionContext", destination_context.as_str()),
    );
    let back = ok(
        &mut vault,
        &ApiRequest::new("Decrypt")
            .with("CiphertextBlob", text(&moved, "CiphertextBlob"))
            .with("EncryptionContext", destination_context.as_str()),
    );
    assert_eq!(text(&back, "Plaintext"), plaintext);
    assert_eq!(text(&back, "KeyId"), destination.key_id);

    let bytes = 1 + r.below(1024);
    let data_key = ok(
        &mut vault,
        &ApiRequest::new("GenerateDataKey")
            .with("KeyId", name.as_str())
            .with("NumberOfBytes", bytes.to_string())
            .with("EncryptionContext", context.as_str()),
    );
    let key_plaintext = text(&data_key, "Plaintext");
    assert_eq!(
        BASE64.decode(&key_plaintext).map(|k| k.len()).ok(),
        Some(bytes)
    );
    let opened = ok(
        &mut vault,
        &ApiRequest::new("Decrypt")
            .with("CiphertextBlob", text(&data_key, "CiphertextBlob"))
            .with("EncryptionContext", context.as_str()),
    );
    assert_eq!(text(&opened, "Plaintext"), key_plaintext);
}

/// RSA-OAEP or SM2 encryption, decrypted directly and moved to a symmetric key by ReEncrypt.
fn asymmetric(
    vault: &mut Vault,
    r: &mut Reader<'_>,
    key: &Usable,
    destination: &str,
    destination_context: &str,
) {
    let (algorithm, max) = match key.spec.as_str() {
        "EC_SM2" => ("SM2PKE", 1024),
        _ if r.byte().is_multiple_of(2) => ("RSAES_OAEP_SHA_256", 190),
        _ => ("RSAES_OAEP_SHA_1", 214),
    };
    let len = 1 + r.below(max);
    let plaintext = BASE64.encode(r.bytes(len));
    let plaintext = if plaintext.is_empty() {
        "AA==".to_owned()
    } else {
        plaintext
    };
    let name = name_of(key, r).to_owned();
    let encrypted = ok(
        vault,
        &ApiRequest::new("AsymmetricEncrypt")
            .with("KeyId", name.as_str())
            .with("KeyVersionId", key.version.as_str())
            .with("Algorithm", algorithm)
            .with("Plaintext", plaintext.as_str()),
    );
    let ciphertext = text(&encrypted, "CiphertextBlob");
    let decrypted = ok(
        vault,
        &ApiRequest::new("AsymmetricDecrypt")
            .with("KeyId", name.as_str())
            .with("KeyVersionId", key.version.as_str())
            .with("Algorithm", algorithm)
            .with("CiphertextBlob", ciphertext.as_str()),
    );
    assert_eq!(text(&decrypted, "Plaintext"), plaintext);
    let moved = ok(
        vault,
        &ApiRequest::new("ReEncrypt")
            .with("CiphertextBlob", ciphertext.as_str())
            .with("SourceKeyId", name.as_str())
            .with("SourceKeyVersionId", key.version.as_str())
            .with("SourceEncryptionAlgorithm", algorithm)
            .with("DestinationKeyId", destination)
            .with("DestinationEncryptionContext", destination_context),
    );
    let back = ok(
        vault,
        &ApiRequest::new("Decrypt")
            .with("CiphertextBlob", text(&moved, "CiphertextBlob"))
            .with("EncryptionContext", destination_context),
    );
    // The symmetric plaintext of raw bytes is their base64 text (as the API returns it).
    assert_eq!(text(&back, "Plaintext"), plaintext);
}
