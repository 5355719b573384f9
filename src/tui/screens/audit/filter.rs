//! The audit screen's `/` prompt: `field=value` terms (`principal=`, `action=`, `key=`,
//! `result=`, `since=`, `until=`, `id=`) read into an [`AuditFilter`]; a bare word is a RequestId.

use crate::core::audit::pages::AuditFilter;

/// The names the prompt knows, for its hint and its error.
pub const FIELDS: &str = "principal= action= key= result= since= until= id=";

/// The filter the terms ask for, or which term is not understood.
pub fn parse(text: &str) -> Result<AuditFilter, String> {
    let mut filter = AuditFilter::default();
    for term in text.split_whitespace() {
        let (name, value) = term.split_once('=').unwrap_or(("id", term));
        if value.is_empty() {
            return Err(format!("\"{term}\" has no value"));
        }
        let value = value.to_owned();
        let slot = match name.to_ascii_lowercase().as_str() {
            "principal" => &mut filter.principal,
            "action" => &mut filter.action,
            "key" | "keyid" => &mut filter.key,
            "result" => &mut filter.result,
            "since" => &mut filter.since,
            "until" => {
                // A bare date means up to the end of that day.
                filter.until = Some(if value.len() == 10 {
                    format!("{value}T23:59:59Z")
                } else {
                    value
                });
                continue;
            }
            "id" | "requestid" | "request_id" => &mut filter.request_id,
            _ => return Err(format!("unknown field \"{name}\" (use {FIELDS})")),
        };
        *slot = Some(value);
    }
    Ok(filter)
}

/// The filter as terms again, for the title.
pub fn describe(filter: &AuditFilter) -> String {
    [
        ("principal", &filter.principal),
        ("action", &filter.action),
        ("key", &filter.key),
        ("result", &filter.result),
        ("since", &filter.since),
        ("until", &filter.until),
        ("id", &filter.request_id),
    ]
    .iter()
    .filter_map(|(name, value)| value.as_ref().map(|v| format!("{name}={v}")))
    .collect::<Vec<_>>()
    .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_fill_the_filter_and_a_bare_word_is_a_request_id() {
        let f = parse("principal=auditor  result=Forbidden.NoPermission until=2026-11-28 abc-1")
            .unwrap();
        assert_eq!(f.principal.as_deref(), Some("auditor"));
        assert_eq!(f.result.as_deref(), Some("Forbidden.NoPermission"));
        assert_eq!(f.until.as_deref(), Some("2026-11-28T23:59:59Z"));
        assert_eq!(f.request_id.as_deref(), Some("abc-1"));
        assert_eq!(f.action, None);
        assert_eq!(
            describe(&f),
            "principal=auditor result=Forbidden.NoPermission until=2026-11-28T23:59:59Z id=abc-1"
        );
    }

    #[test]
    fn unknown_fields_and_empty_values_are_refused() {
        assert!(parse("colour=red").unwrap_err().contains("unknown field"));
        assert!(parse("key=").unwrap_err().contains("no value"));
        assert!(parse("   ").unwrap().is_empty());
    }
}
