//! `kms-console completions SHELL`: the completion script, with the options of every action and
//! the values of its fixed-choice parameters (from the action table), and a repair for bash.

use std::ffi::OsStr;

use clap::builder::{PossibleValue, StringValueParser, TypedValueParser};
use clap_complete::Shell;

/// A parameter value parser that accepts any text (the API parses it, so a bad value gets the
/// API's `InvalidParameter` like on every front end) and offers `values` to completion and help.
#[derive(Debug, Clone, Copy)]
pub struct Offered(pub &'static [&'static str]);

impl TypedValueParser for Offered {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<String, clap::Error> {
        StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(self.0.iter().map(|v| PossibleValue::new(*v))))
    }
}

/// The completion script for `shell`.
pub fn script(shell: Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut super::command(), BIN, &mut out);
    if shell == Shell::Bash {
        out = repair_bash(&String::from_utf8_lossy(&out)).into_bytes();
    }
    out
}

const BIN: &str = "kms-console";

/// clap_complete's bash script never completes past a subcommand when the binary name has a
/// hyphen (clap-rs/clap#6421): its loop names the state of `kms-console ReEncrypt`
/// `kms__console__subcmd__ReEncrypt`, but the `case` arms are labelled
/// `kms__subcmd__console__subcmd__ReEncrypt` (the bin name's hyphen escaped twice), so no arm
/// ever matches. Relabelling the arms the way the loop spells them is the fix of the upstream
/// pull request (#6428); once a fixed clap_complete is used, the pattern is absent and this does
/// nothing.
fn repair_bash(script: &str) -> String {
    script.replace("kms__subcmd__console", "kms__console")
}
