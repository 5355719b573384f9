//! Checking one parameter's value on its own, as a form types it: the same parse `dispatch`
//! runs on a request holding only that value, so a console field shows the API's own reason
//! (the `reason` of [`KmsError::InvalidParameter`]) instead of a second judgement.

use std::collections::BTreeMap;

use super::actions::{ParamKind, ParamSpec};
use super::handlers::tags;
use super::params::Params;
use crate::core::error::KmsError;

/// What a valid value turned out to be, for a form's `✓` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checked {
    /// Nothing to say: free text, ids and blobs are judged by the operation itself.
    Given,
    /// An EncryptionContext of this many pairs.
    Context { pairs: usize },
    /// A list parameter (`Tags`, `TagKeys`, `Filters`, …): its items, and whether it was given
    /// as JSON (else the comma form some lists also take).
    List { items: usize, json: bool },
}

impl ParamSpec {
    /// Checks `value` as the API would parse this parameter. Secrets are not checked here (their
    /// text is never copied for a check); a blank value is [`Checked::Given`]: whether it is
    /// required is the request's concern.
    pub fn check(&self, value: &str) -> Result<Checked, KmsError> {
        let map = BTreeMap::from([(self.name.to_owned(), value.to_owned())]);
        let p = Params::new(&map);
        if p.opt(self.name).is_none() {
            return Ok(Checked::Given);
        }
        let json = value.trim_start().starts_with('[');
        let list = |items: usize| Ok(Checked::List { items, json });
        match self.kind {
            ParamKind::Context => Ok(Checked::Context {
                pairs: p.context(self.name)?.pairs().len(),
            }),
            ParamKind::Int => p.int(self.name).map(|_| Checked::Given),
            ParamKind::Bool => p.bool(self.name).map(|_| Checked::Given),
            ParamKind::Json => match self.name {
                "Filters" => list(p.filters()?.len()),
                "Tags" => list(tags::tags_param(p, self.name)?.len()),
                "Tag" => list(tags::batch_tags(p)?.len()),
                "ResourceId" | "TagKey" | "TagKeys" => list(tags::numbered(p, self.name)?.len()),
                // A JSON parameter without a parser of its own: JSON is all the API asks.
                _ => serde_json::from_str::<serde_json::Value>(value)
                    .map(|_| Checked::List {
                        items: 1,
                        json: true,
                    })
                    .map_err(|e| {
                        KmsError::invalid(
                            self.name,
                            format!("It must be JSON (line {} column {}).", e.line(), e.column()),
                        )
                    }),
            },
            ParamKind::Text
            | ParamKind::KeyRef
            | ParamKind::KeyVersionId
            | ParamKind::AliasName
            | ParamKind::Blob
            | ParamKind::Choice(_)
            | ParamKind::Secret => Ok(Checked::Given),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(name: &'static str, kind: ParamKind) -> ParamSpec {
        ParamSpec {
            name,
            required: false,
            kind,
            help: "",
        }
    }

    fn reason(e: KmsError) -> String {
        match e {
            KmsError::InvalidParameter { reason, .. } => reason,
            other => panic!("not an InvalidParameter: {other:?}"),
        }
    }

    #[test]
    fn contexts_count_their_pairs_or_give_the_api_reason() {
        let ctx = spec("EncryptionContext", ParamKind::Context);
        assert_eq!(
            ctx.check(r#"{"a":"1","b":"2"}"#),
            Ok(Checked::Context { pairs: 2 })
        );
        let api = crate::core::context::EncryptionContext::parse("EncryptionContext", "{")
            .map_err(reason);
        assert_eq!(ctx.check("{").map_err(reason), api.map(|_| Checked::Given));
    }

    #[test]
    fn numbers_and_lists_as_the_handlers_parse_them() {
        let days = spec("PendingWindowInDays", ParamKind::Int);
        assert_eq!(days.check(" 7 "), Ok(Checked::Given));
        assert_eq!(
            days.check("seven").map_err(reason),
            Err("It must be a whole number.".to_owned())
        );
        let keys = spec("TagKeys", ParamKind::Json);
        assert_eq!(
            keys.check("k1, k2"),
            Ok(Checked::List {
                items: 2,
                json: false
            })
        );
        assert_eq!(
            keys.check(r#"["k1"]"#),
            Ok(Checked::List {
                items: 1,
                json: true
            })
        );
        assert!(keys.check("[k1").is_err());
        let tags = spec("Tags", ParamKind::Json);
        assert!(tags.check(r#"[{"TagKey":"k","TagValue":"v"}]"#).is_ok());
        assert_eq!(
            tags.check("k=v").map_err(reason),
            Err(r#"It must be a JSON array like [{"TagKey":"k","TagValue":"v"}]."#.to_owned())
        );
        assert!(spec("Filters", ParamKind::Json).check("[]").is_ok());
        assert_eq!(
            spec("Other", ParamKind::Json).check(" "),
            Ok(Checked::Given)
        );
        assert!(spec("Other", ParamKind::Json).check("{").is_err());
    }
}
