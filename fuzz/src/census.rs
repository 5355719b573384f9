//! Census input: any bytes counted against the demo vault never panic, and the totals add up
//! (`lines` = `ciphertexts + empty + bad`, `ciphertexts` = `primary + non_primary +
//! not_in_vault + other_versions`, the listed versions' counts within `ciphertexts`). The same
//! lines through the drill engine's `line_source` agree on which are blank.

use std::io::Cursor;

use kms_console::core::drill::{CensusInput, CensusOptions, LineSource, census, line_source};

use crate::fixture;

pub fn check(data: &[u8]) {
    let vault = fixture::vault();
    let input = CensusInput::Reader("fuzz".into(), Box::new(Cursor::new(data.to_vec())));
    let options = CensusOptions {
        threads: 1,
        locations: 3,
    };
    let Ok(report) = census(vault.state(), &vault.ctx("admin"), vec![input], &options) else {
        return;
    };
    let t = report.totals;
    assert_eq!(t.lines, t.ciphertexts + t.empty + t.bad);
    assert_eq!(
        t.ciphertexts,
        t.primary + t.non_primary + t.not_in_vault + t.other_versions
    );
    let listed: u64 = report.versions.iter().map(|v| v.count).sum();
    assert!(listed <= t.ciphertexts);
    for v in &report.versions {
        assert!(v.locations.len() <= 3);
    }
    let body = data.strip_suffix(b"\n").unwrap_or(data);
    if !data.is_empty() {
        let blank = body
            .split(|&b| b == b'\n')
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
            .filter(|l| line_source(l) == LineSource::Blank)
            .count() as u64;
        assert_eq!(
            blank, t.empty,
            "census and line_source agree on blank lines"
        );
    }
}
