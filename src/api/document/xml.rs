//! The XML form of a document, always well-formed XML 1.0 or refused.
//!
//! XML 1.0 (§2.2 `Char`) carries tab, LF, CR and everything from U+0020 up except U+FFFE and
//! U+FFFF (surrogates cannot occur in a Rust string). Tab, LF and CR are written as character
//! references so that a parser gives them back unchanged (a raw CR would be read as LF). Any
//! other C0 control, U+FFFE or U+FFFF cannot be carried at all: rather than drop or alter it, the
//! whole document is refused with [`XmlUnfit`], which names the field.

use std::fmt::{self, Write};

use serde_json::Value;

/// A document that XML 1.0 cannot carry: the field (a dotted path) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlUnfit {
    /// The field, e.g. `Plaintext` or `KeyMetadata.Description` (`Keys.Key[2].KeyId` in arrays).
    pub field: String,
    pub problem: Problem,
}

/// What about the field XML 1.0 cannot carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// Its value holds this character.
    Char(char),
    /// Its name is not an XML element name.
    Name,
}

impl fmt::Display for XmlUnfit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.problem {
            Problem::Char(c) => write!(
                f,
                "The field {} holds the character U+{:04X}, which XML 1.0 cannot carry",
                self.field,
                u32::from(c)
            ),
            Problem::Name => write!(
                f,
                "The field name {:?} is not an XML element name",
                self.field
            ),
        }
    }
}

/// The first character of `text` that XML 1.0 cannot carry, if any.
pub fn unfit_char(text: &str) -> Option<char> {
    text.chars().find(|&c| !is_xml_char(c))
}

/// XML 1.0 §2.2: `#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]`.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
        || c >= '\u{10000}'
}

/// Whether `name` can be an element name: the ASCII-plus-letters subset of XML 1.0 `Name`,
/// without `:` (namespaces).
fn is_element_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c == '_' || c.is_alphabetic())
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// Writes `value` as the element `name` (arrays repeat the element), indented by `depth`.
pub fn write_element(
    out: &mut String,
    path: &mut Vec<String>,
    name: &str,
    value: &Value,
    depth: usize,
) -> Result<(), XmlUnfit> {
    if let Value::Array(items) = value {
        for (i, item) in items.iter().enumerate() {
            path.push(format!("[{i}]"));
            write_element(out, path, name, item, depth)?;
            path.pop();
        }
        return Ok(());
    }
    if !is_element_name(name) {
        return Err(unfit(path, Problem::Name));
    }
    let indent = "  ".repeat(depth);
    // Writing into a String cannot fail.
    match value {
        Value::Array(_) => {}
        Value::Object(map) => {
            let _ = writeln!(out, "{indent}<{name}>");
            for (k, v) in map {
                path.push(k.clone());
                write_element(out, path, k, v, depth + 1)?;
                path.pop();
            }
            let _ = writeln!(out, "{indent}</{name}>");
        }
        Value::Null => {
            let _ = writeln!(out, "{indent}<{name}/>");
        }
        Value::String(s) => {
            let _ = write!(out, "{indent}<{name}>");
            escape_into(out, s).map_err(|c| unfit(path, Problem::Char(c)))?;
            let _ = writeln!(out, "</{name}>");
        }
        Value::Bool(_) | Value::Number(_) => {
            let _ = writeln!(out, "{indent}<{name}>{value}</{name}>");
        }
    }
    Ok(())
}

fn unfit(path: &[String], problem: Problem) -> XmlUnfit {
    let mut field = String::new();
    for part in path {
        if !field.is_empty() && !part.starts_with('[') {
            field.push('.');
        }
        field.push_str(part);
    }
    XmlUnfit { field, problem }
}

/// Escapes text content; the first character XML 1.0 cannot carry is returned as the error.
pub fn escape_into(out: &mut String, text: &str) -> Result<(), char> {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if is_xml_char(c) => out.push(c),
            c => return Err(c),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_xml_char_production() {
        for c in [
            '\t',
            '\n',
            '\r',
            ' ',
            'é',
            '\u{D7FF}',
            '\u{E000}',
            '\u{FFFD}',
            '\u{10FFFF}',
        ] {
            assert!(is_xml_char(c), "{c:?}");
        }
        for c in [
            '\0', '\u{1}', '\u{8}', '\u{B}', '\u{C}', '\u{1F}', '\u{FFFE}', '\u{FFFF}',
        ] {
            assert!(!is_xml_char(c), "{c:?}");
        }
        // C1 controls and DEL are legal XML 1.0 characters.
        assert!(is_xml_char('\u{7F}') && is_xml_char('\u{85}'));
    }

    #[test]
    fn element_names() {
        for ok in ["KeyId", "_x", "Key-Id.2", "clé"] {
            assert!(is_element_name(ok), "{ok}");
        }
        for bad in ["", "1a", "-a", "a b", "a:b", "a<b", "a\u{1}"] {
            assert!(!is_element_name(bad), "{bad}");
        }
    }

    /// The text of the one `<V>` element of `xml`, read back by quick-xml.
    fn parse_back(xml: &str) -> String {
        use quick_xml::events::Event;
        let mut reader = quick_xml::Reader::from_str(xml);
        let mut text = String::new();
        loop {
            match reader.read_event().unwrap() {
                Event::Text(t) => text.push_str(&t.xml10_content()),
                Event::GeneralRef(r) if r.is_char_ref() => {
                    text.push(r.resolve_char_ref().unwrap().unwrap());
                }
                Event::GeneralRef(r) => text.push_str(match r.xml10_content().as_ref() {
                    "lt" => "<",
                    "gt" => ">",
                    "amp" => "&",
                    "quot" => "\"",
                    "apos" => "'",
                    other => panic!("entity {other}"),
                }),
                Event::Eof => return text,
                _ => {}
            }
        }
    }

    proptest::proptest! {
        /// Any string: either it comes back exactly from a real parser, or it is refused naming
        /// its first character XML cannot carry.
        #[test]
        fn strings_round_trip_or_are_refused(s in "(?s).{0,40}") {
            let mut out = String::new();
            let result = write_element(&mut out, &mut vec!["V".into()], "V", &Value::from(s.clone()), 0);
            match unfit_char(&s) {
                None => {
                    result.unwrap();
                    proptest::prop_assert_eq!(parse_back(out.trim_end_matches('\n')), s);
                }
                Some(c) => proptest::prop_assert_eq!(
                    result,
                    Err(XmlUnfit { field: "V".into(), problem: Problem::Char(c) })
                ),
            }
        }
    }
}
