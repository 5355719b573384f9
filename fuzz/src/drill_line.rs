//! Drill lines (`core/drill/line.rs`) through the drill engine on the demo vault: any input
//! never panics, every line is accounted for, a dry run reports what the real run does, and a
//! drill of a drill's output re-encrypts nothing (its lines are already current). Each line is
//! also classified by `line_source`. The first byte picks the drill: bit 0 in place (else to
//! alias/orders).

use kms_console::core::drill::{self, DrillControl, DrillOptions, DrillReport, line_source};
use kms_console::core::vault::Vault;

use crate::fixture;

pub fn check(data: &[u8]) {
    let Some((&flags, input)) = data.split_first() else {
        return;
    };
    for line in input.split(|&b| b == b'\n') {
        let _ = line_source(line);
    }
    let mut options = if flags & 1 == 0 {
        DrillOptions::new("alias/orders")
    } else {
        DrillOptions::in_place()
    };
    options.threads = 1;
    let vault = fixture::vault();
    let Ok((output, report)) = run(&vault, input, &options) else {
        return;
    };
    let t = report.totals;
    assert_eq!(
        t.lines,
        t.re_encrypted + t.already_current + t.failed + t.empty,
        "every line is counted once"
    );
    options.dry_run = true;
    let (_, dry) = run(&vault, input, &options).expect("a dry run of a drillable input runs");
    assert_eq!(
        (dry.totals, &dry.versions, &dry.failures),
        (t, &report.versions, &report.failures),
        "a dry run reports what the real run does"
    );
    options.dry_run = false;
    let (_, again) = run(&vault, &output, &options).expect("a drill's output is a drill input");
    assert_eq!(
        again.totals.lines, t.lines,
        "the output has the input's lines"
    );
    assert_eq!(
        again.totals.re_encrypted, 0,
        "a second drill changes nothing"
    );
}

fn run(
    vault: &Vault,
    input: &[u8],
    options: &DrillOptions,
) -> Result<(Vec<u8>, DrillReport), drill::DrillError> {
    let mut output = Vec::new();
    let report = drill::run(
        vault.state(),
        &vault.ctx("admin"),
        input,
        &mut output,
        options,
        &DrillControl::new(),
        &mut |_| {},
    )?;
    Ok((output, report))
}
