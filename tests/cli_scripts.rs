//! The binary in scripts: a reader that goes away (`| head -1`, a closed pipe) is not a panic;
//! `--Format XML` is well-formed XML 1.0 or a clear refusal, whatever the values hold; the console
//! commands print their documents in `--Format` or one `--query` field, and their errors as error
//! documents; the bash completion script, sourced in a real bash, completes every action's options
//! and the values of its fixed-choice parameters.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines
)]

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_kms-console");

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    /// A temporary folder with an unprotected vault in it.
    fn new() -> Self {
        let env = Self {
            dir: tempfile::tempdir().unwrap(),
        };
        let out = env.run(&["init", "--no-passphrase"]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        env
    }

    fn vault(&self) -> PathBuf {
        self.dir.path().join("vault.json")
    }

    fn cmd(&self) -> Command {
        let mut c = Command::new(BIN);
        c.env("KMS_CONSOLE_VAULT", self.vault())
            .env("HOME", self.dir.path())
            .env_remove("KMS_CONSOLE_PASSPHRASE")
            .env_remove("KMS_CONSOLE_PRINCIPAL");
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    /// Runs, expects exit 0 and nothing on stderr; returns stdout.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(out.stderr.is_empty(), "{args:?}: {}", text(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    /// Runs, expects exit `code`, nothing on stdout and an error document on stderr; returns it
    /// as JSON (parsed from XML when `--Format XML` is among the arguments).
    fn err(&self, args: &[&str], code: i32) -> Value {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(out.stdout.is_empty(), "{args:?}: {}", text(&out.stdout));
        let stderr = text(&out.stderr);
        let doc = if args.contains(&"XML") {
            let (root, fields) = xml_fields(&stderr);
            assert_eq!(root, "Error", "{stderr}");
            Value::Object(fields.into_iter().map(|(k, v)| (k, v.into())).collect())
        } else {
            serde_json::from_str(&stderr).unwrap_or_else(|_| panic!("{stderr}"))
        };
        for field in [
            "RequestId",
            "HostId",
            "Code",
            "Message",
            "Recommend",
            "HttpStatus",
        ] {
            assert!(doc.get(field).is_some(), "{field} in {doc}");
        }
        doc
    }

    fn key(&self) -> String {
        self.ok(&["CreateKey", "--query", "KeyMetadata.KeyId"])
            .trim()
            .to_owned()
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Parses `xml` strictly (quick-xml): the root's name and every leaf as (dotted path below the
/// root, text with entity and character references resolved), in document order.
fn xml_fields(xml: &str) -> (String, Vec<(String, String)>) {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let (mut stack, mut leaves, mut value) = (Vec::<String>::new(), Vec::new(), String::new());
    let mut root = None;
    loop {
        match reader
            .read_event()
            .unwrap_or_else(|e| panic!("not well-formed: {e}\n{xml}"))
        {
            Event::Start(t) => {
                let name = t.name().as_ref().to_owned();
                if stack.is_empty() {
                    assert!(root.is_none(), "one root element only:\n{xml}");
                    root = Some(name.clone());
                }
                stack.push(name);
                value.clear();
            }
            Event::Text(t) => value.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                if r.is_char_ref() {
                    value.push(r.resolve_char_ref().unwrap().unwrap());
                } else {
                    value.push_str(match r.xml10_content().as_ref() {
                        "lt" => "<",
                        "gt" => ">",
                        "amp" => "&",
                        "quot" => "\"",
                        "apos" => "'",
                        other => panic!("entity {other}"),
                    });
                }
            }
            Event::End(_) => {
                let path = stack[1..].join(".");
                stack.pop();
                if !value.trim().is_empty() || value.contains(['\t', '\r']) {
                    leaves.push((path, std::mem::take(&mut value)));
                }
                value.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(stack.is_empty());
    (root.expect("a root element"), leaves)
}

fn leaf<'a>(fields: &'a [(String, String)], path: &str) -> &'a str {
    fields
        .iter()
        .find(|(p, _)| p == path)
        .map_or_else(|| panic!("no {path} in {fields:?}"), |(_, v)| v.as_str())
}

// ---- a reader that goes away -------------------------------------------------------------

/// A pipe whose reading end is already closed: the first write to it fails with EPIPE, however
/// fast or slow the child is.
fn closed_pipe() -> std::io::PipeWriter {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    writer
}

#[test]
fn head_1_through_a_real_pipe_exits_0_without_a_panic_message() {
    let env = Env::new();
    // The completion script is larger than a pipe's buffer (64 KiB) plus the 8 KiB `head -1`
    // reads before it exits, so the writer must meet a closed pipe.
    let script = env.ok(&["completions", "bash"]);
    assert!(script.len() > 72 * 1024, "{} bytes", script.len());
    let first = script.lines().next().unwrap();
    let out = Command::new("bash")
        .arg("-c")
        .arg(r#""$0" completions bash | head -1; echo "status=${PIPESTATUS[0]}""#)
        .arg(BIN)
        .env("KMS_CONSOLE_VAULT", env.vault())
        .env_remove("KMS_CONSOLE_PASSPHRASE")
        .env_remove("KMS_CONSOLE_PRINCIPAL")
        .output()
        .expect("bash is needed for this test (apt-get install bash)");
    assert!(out.stderr.is_empty(), "stderr: {}", text(&out.stderr));
    assert_eq!(text(&out.stdout), format!("{first}\nstatus=0\n"));
}

#[test]
fn a_closed_stdout_ends_every_kind_of_command_quietly() {
    let env = Env::new();
    let key = env.key();
    env.ok(&["Encrypt", "--KeyId", &key, "--Plaintext", "x"]);
    for args in [
        vec!["completions", "bash"],
        vec!["ListKeys"],
        vec!["DescribeKey", "--KeyId", &key, "--Format", "XML"],
        vec!["ListKeys", "--query", "Keys"],
        vec!["principal", "list"],
        vec!["audit", "list"],
        vec!["audit", "list", "--Format", "XML"],
        vec!["audit", "verify"],
        vec!["principal", "access-key", "list", "admin"],
        vec!["CreateKey"],
    ] {
        let out = env
            .cmd()
            .args(&args)
            .stdout(closed_pipe())
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        assert!(out.stderr.is_empty(), "{args:?}: {}", text(&out.stderr));
        assert_eq!(out.status.code(), Some(0), "{args:?}");
    }
    // The CreateKey above ran although nobody read its answer.
    let count = env.ok(&["ListKeys", "--query", "TotalCount"]);
    assert_eq!(count.trim(), "2");
    // And a restore (which undoes the last change) ends quietly too.
    let out = env
        .cmd()
        .args(["restore", "--yes"])
        .stdout(closed_pipe())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert!(out.stderr.is_empty(), "restore: {}", text(&out.stderr));
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn a_closed_stderr_keeps_the_exit_status_of_the_error() {
    let env = Env::new();
    let out = env
        .cmd()
        .args(["DescribeKey", "--KeyId", "nope"])
        .stdout(Stdio::piped())
        .stderr(closed_pipe())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "not a panic (101)");
    assert!(out.stdout.is_empty());
}

// ---- XML 1.0 whatever the values hold ----------------------------------------------------

#[test]
fn xml_carries_tab_lf_and_cr_as_character_references_that_round_trip() {
    let env = Env::new();
    let description = "tab\there\nLF, CR\r, CRLF\r\n <&>\"' end";
    let xml = env.ok(&["CreateKey", "--Description", description, "--Format", "XML"]);
    assert!(xml.contains("&#9;") && xml.contains("&#13;"), "{xml}");
    let (root, fields) = xml_fields(&xml);
    assert_eq!(root, "KMS");
    assert_eq!(leaf(&fields, "KeyMetadata.Description"), description);

    let key = leaf(&fields, "KeyMetadata.KeyId").to_owned();
    let plaintext = "line 1\r\nline 2\tcolumn";
    let blob = env.ok(&[
        "Encrypt",
        "--KeyId",
        &key,
        "--Plaintext",
        plaintext,
        "--query",
        "CiphertextBlob",
    ]);
    let xml = env.ok(&[
        "Decrypt",
        "--CiphertextBlob",
        blob.trim(),
        "--Format",
        "XML",
    ]);
    assert_eq!(leaf(&xml_fields(&xml).1, "Plaintext"), plaintext);
}

#[test]
fn a_plaintext_xml_cannot_carry_is_refused_by_name_and_kept_whole_in_json() {
    let env = Env::new();
    let key = env.key();
    let plaintext = "bell\u{7} and escape\u{1b}";
    let blob = env.ok(&[
        "Encrypt",
        "--KeyId",
        &key,
        "--Plaintext",
        plaintext,
        "--query",
        "CiphertextBlob",
    ]);
    let blob = blob.trim();
    let doc = env.err(&["Decrypt", "--CiphertextBlob", blob, "--Format", "XML"], 1);
    assert_eq!(doc["Code"], "InvalidParameter");
    assert_eq!(doc["HttpStatus"], "400");
    let message = doc["Message"].as_str().unwrap();
    for needle in [
        "\"Format\"",
        "Plaintext",
        "U+0007",
        "Format=JSON",
        "nothing was dropped",
    ] {
        assert!(message.contains(needle), "{needle} in {message}");
    }
    // Nothing was lost: JSON gives the plaintext back exactly.
    let json = env.json(&["Decrypt", "--CiphertextBlob", blob]);
    assert_eq!(json["Plaintext"], plaintext);
}

#[test]
fn a_change_whose_answer_xml_cannot_carry_is_refused_before_it_runs() {
    let env = Env::new();
    let before = env.json(&["ListKeys"])["TotalCount"].clone();
    let args = [
        "CreateKey",
        "--Description",
        "form\u{c}feed",
        "--Format",
        "XML",
    ];
    let doc = env.err(&args, 1);
    assert_eq!(doc["Code"], "InvalidParameter");
    let message = doc["Message"].as_str().unwrap();
    for needle in ["Description", "U+000C", "nothing was done", "Format=JSON"] {
        assert!(message.contains(needle), "{needle} in {message}");
    }
    assert_eq!(
        env.json(&["ListKeys"])["TotalCount"],
        before,
        "no key was created"
    );
    // The same request in JSON runs and keeps the character.
    let created = env.json(&["CreateKey", "--Description", "form\u{c}feed"]);
    assert_eq!(created["KeyMetadata"]["Description"], "form\u{c}feed");
    // A key read back later with XML is refused the same way, naming the nested field.
    let key = created["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned();
    let doc = env.err(&["DescribeKey", "--KeyId", &key, "--Format", "XML"], 1);
    let message = doc["Message"].as_str().unwrap();
    assert!(message.contains("KeyMetadata.Description"), "{message}");
    assert!(
        message.contains("changed nothing") || message.contains("ran"),
        "{message}"
    );
}

// ---- console commands: --Format, --query, error documents --------------------------------

#[test]
fn principal_and_audit_print_xml_and_query_fields() {
    let env = Env::new();
    let key = env.key();
    env.ok(&["DescribeKey", "--KeyId", &key]);

    let (root, fields) = xml_fields(&env.ok(&["principal", "list", "--Format", "XML"]));
    assert_eq!(root, "KMS");
    assert_eq!(leaf(&fields, "Users.UserName"), "admin");
    assert_eq!(
        env.ok(&["principal", "list", "--query", "Users.0.UserName"]),
        "admin\n"
    );

    let created = env.ok(&["principal", "create", "reader", "--Format", "XML"]);
    let (_, fields) = xml_fields(&created);
    assert!(fields.iter().any(|(_, v)| v == "reader"), "{created}");

    let json_lines = env.ok(&["audit", "list"]);
    let entries: Vec<Value> = json_lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(entries.len() >= 3, "{json_lines}");
    let (root, fields) = xml_fields(&env.ok(&["audit", "list", "--Format", "XML"]));
    assert_eq!(root, "KMS");
    let actions: Vec<&str> = fields
        .iter()
        .filter(|(p, _)| p == "Entry.action")
        .map(|(_, v)| v.as_str())
        .collect();
    let expected: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, expected);
    let queried = env.ok(&["audit", "list", "--query", "action"]);
    assert_eq!(queried.lines().collect::<Vec<_>>(), expected);

    let (_, fields) = xml_fields(&env.ok(&["audit", "verify", "--Format", "XML"]));
    assert_eq!(leaf(&fields, "ok"), "true");
    assert_eq!(env.ok(&["audit", "verify", "--query", "ok"]), "true\n");
}

#[test]
fn init_and_drill_print_xml_and_query_fields() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("new.json");
    let out = Command::new(BIN)
        .args(["init", "--no-passphrase", "--Format", "XML", "--vault"])
        .arg(&vault)
        .env_remove("KMS_CONSOLE_PASSPHRASE")
        .env_remove("KMS_CONSOLE_PRINCIPAL")
        .env_remove("KMS_CONSOLE_VAULT")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (root, fields) = xml_fields(&text(&out.stdout));
    assert_eq!(root, "KMS");
    assert_eq!(leaf(&fields, "Protection"), "none");
    assert_eq!(leaf(&fields, "Vault"), vault.display().to_string());

    let env = Env::new();
    let key = env.key();
    let blob = env.ok(&[
        "Encrypt",
        "--KeyId",
        &key,
        "--Plaintext",
        "p",
        "--query",
        "CiphertextBlob",
    ]);
    let input = env.dir.path().join("lines.txt");
    std::fs::write(&input, format!("{blob}{blob}")).unwrap();
    let input = input.display().to_string();
    let drill = [
        "drill",
        "--input",
        &input,
        "--dry-run",
        "--DestinationKeyId",
        &key,
    ];
    let json = env.json(&drill);
    let mut xml_args = drill.to_vec();
    xml_args.extend(["--Format", "XML"]);
    let (root, fields) = xml_fields(&env.ok(&xml_args));
    assert_eq!(root, "KMS");
    assert_eq!(leaf(&fields, "Input"), input);
    assert!(!fields.is_empty() && json.get("Input").is_some());
    let mut query_args = drill.to_vec();
    query_args.extend(["--query", "Input"]);
    assert_eq!(env.ok(&query_args), format!("{input}\n"));
}

#[test]
fn console_command_errors_are_error_documents_in_the_chosen_format() {
    let env = Env::new();
    // init over an existing vault
    let doc = env.err(&["init", "--no-passphrase"], 1);
    assert_eq!(doc["Code"], "Rejected.ResourceExist");
    assert!(doc["Message"].as_str().unwrap().contains("left as it is"));
    let doc = env.err(&["init", "--no-passphrase", "--Format", "XML"], 1);
    assert_eq!(doc["Code"], "Rejected.ResourceExist");

    // no vault
    let missing = env.dir.path().join("none.json").display().to_string();
    for args in [
        vec!["principal", "list", "--vault", &missing],
        vec!["ListKeys", "--vault", &missing],
        vec!["principal", "list", "--vault", &missing, "--Format", "XML"],
        vec![
            "drill",
            "--input",
            "x",
            "--dry-run",
            "--DestinationKeyId",
            "k",
            "--vault",
            &missing,
        ],
    ] {
        let doc = env.err(&args, 1);
        assert_eq!(doc["Code"], "VaultUnavailable", "{args:?}");
        assert!(
            doc["Message"]
                .as_str()
                .unwrap()
                .contains("kms-console init"),
            "{doc}"
        );
    }

    // a bad policy, and a --query field the document does not have
    let doc = env.err(&["principal", "create", "p1", "--policy", "{not json"], 1);
    assert_eq!(doc["Code"], "MalformedPolicyDocument");
    let doc = env.err(&["principal", "list", "--query", "Nope"], 1);
    assert_eq!(doc["Code"], "InvalidParameter");
    assert!(doc["Message"].as_str().unwrap().contains("\"Nope\""));

    // with XML, a principal name XML cannot carry is refused before anything is saved
    let doc = env.err(
        &["principal", "create", "bad\u{1}name", "--Format", "XML"],
        1,
    );
    assert!(
        doc["Message"]
            .as_str()
            .unwrap()
            .contains("nothing was done"),
        "{doc}"
    );
    let list = env.json(&["principal", "list"]);
    assert_eq!(list["Users"].as_array().unwrap().len(), 1, "{list}");
}

#[test]
fn completions_and_the_console_refuse_document_options_as_a_usage_error() {
    let env = Env::new();
    for option in [["--Format", "XML"], ["--query", "A"]] {
        let out = env.run(&["completions", "bash", option[0], option[1]]);
        assert_eq!(out.status.code(), Some(2));
        assert!(out.stdout.is_empty());
        let stderr = text(&out.stderr);
        assert!(
            stderr.starts_with("error:") && stderr.contains(option[0]),
            "{stderr}"
        );
    }
    // Without a command the console would open: it shows its own documents.
    let out = env.run(&["--query", "A"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).starts_with("error:"));
}

// ---- bash completion in a real bash ------------------------------------------------------

/// Sources the generated script in bash, finds the function `complete -p kms-console` names,
/// calls it for `words` (the last one being completed) and returns COMPREPLY.
fn complete(env: &Env, words: &[&str]) -> Vec<String> {
    let script = env.dir.path().join("kms-console.bash");
    std::fs::write(&script, env.ok(&["completions", "bash"])).unwrap();
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let program = format!(
        r#"source '{script}' || exit 3
spec=$(complete -p kms-console) || exit 4
func=$(sed -n 's/.* -F \([^ ]*\) .*/\1/p' <<<"$spec")
[ -n "$func" ] || exit 5
COMP_WORDS=({words})
COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
COMP_LINE="${{COMP_WORDS[*]}}"
COMP_POINT=${{#COMP_LINE}}
"$func" kms-console "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
printf '%s\n' "${{COMPREPLY[@]}}"
"#,
        script = script.display(),
        words = quoted.join(" ")
    );
    let out = Command::new("bash")
        .arg("--norc")
        .arg("-c")
        .arg(program)
        .output()
        .expect("bash is needed for this test (apt-get install bash)");
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout).lines().map(str::to_owned).collect()
}

#[test]
fn bash_completes_the_options_of_every_action() {
    let env = Env::new();
    let got = complete(&env, &["kms-console", "ReEncrypt", "--"]);
    for option in [
        "--CiphertextBlob",
        "--DestinationKeyId",
        "--SourceEncryptionAlgorithm",
        "--SourceKeyId",
        "--SourceKeyVersionId",
        "--SourceEncryptionContext",
        "--DestinationEncryptionContext",
        "--DryRun",
        "--Format",
        "--query",
    ] {
        assert!(got.iter().any(|g| g == option), "{option} in {got:?}");
    }
    assert!(
        !got.iter().any(|g| g == "--KeySpec"),
        "only ReEncrypt's: {got:?}"
    );
    // Every action, with a global option before it.
    for spec in kms_console::api::ACTIONS {
        let got = complete(&env, &["kms-console", "--as", "admin", spec.name, "--"]);
        for p in spec.params {
            let option = format!("--{}", p.name);
            assert!(got.contains(&option), "{} {option} in {got:?}", spec.name);
        }
    }
}

#[test]
fn bash_completes_the_values_of_fixed_choice_parameters() {
    let env = Env::new();
    let got = complete(&env, &["kms-console", "CreateKey", "--KeySpec", ""]);
    assert_eq!(
        got,
        [
            "Aliyun_AES_256",
            "Aliyun_AES_128",
            "Aliyun_SM4",
            "RSA_2048",
            "RSA_3072",
            "EC_SM2",
            "EC_P256",
            "EC_P256K"
        ]
    );
    let got = complete(&env, &["kms-console", "CreateKey", "--KeySpec", "RSA"]);
    assert_eq!(got, ["RSA_2048", "RSA_3072"]);
    let got = complete(
        &env,
        &[
            "kms-console",
            "ReEncrypt",
            "--SourceEncryptionAlgorithm",
            "",
        ],
    );
    assert_eq!(got, ["RSAES_OAEP_SHA_256", "RSAES_OAEP_SHA_1", "SM2PKE"]);
    let got = complete(&env, &["kms-console", "CreateKey", "--KeyUsage", ""]);
    assert_eq!(got, ["ENCRYPT/DECRYPT", "SIGN/VERIFY"]);
    let got = complete(&env, &["kms-console", "Encrypt", "--DryRun", ""]);
    assert_eq!(got, ["true", "false"]);
    let got = complete(&env, &["kms-console", "ListKeys", "--Format", "X"]);
    assert_eq!(got, ["XML"]);
    // Every fixed-choice parameter of the action table, from that one table.
    for spec in kms_console::api::ACTIONS {
        for p in spec.params.iter().filter(|p| !p.kind.values().is_empty()) {
            let option = format!("--{}", p.name);
            let got = complete(&env, &["kms-console", spec.name, &option, ""]);
            assert_eq!(got, p.kind.values(), "{} {option}", spec.name);
        }
    }
}

#[test]
fn offered_values_are_still_checked_by_the_api_not_by_clap() {
    let env = Env::new();
    let doc = env.err(&["CreateKey", "--KeySpec", "AES_512"], 1);
    assert_eq!(doc["Code"], "InvalidParameter");
    assert!(doc["Message"].as_str().unwrap().contains("KeySpec"));
}
