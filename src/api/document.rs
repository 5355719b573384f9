//! Response and error documents (product §8): pretty JSON by default, XML with root `<KMS>` for
//! a success and `<Error>` for an error when `Format=XML`. A success never has a `Code` field.
//! XML is always well-formed XML 1.0: a document it cannot carry is refused, never altered (see
//! [`xml`]).

mod xml;

use serde_json::{Map, Value};

pub use self::xml::{Problem as XmlProblem, XmlUnfit, unfit_char};
use super::request::ApiRequest;
use crate::core::error::KmsError;
use crate::core::ops::subject::Subject;

/// The document format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Json,
    Xml,
}

impl Format {
    /// `JSON` or `XML`, in any case.
    pub fn parse(text: &str) -> Option<Self> {
        match text.to_ascii_uppercase().as_str() {
            "JSON" => Some(Self::Json),
            "XML" => Some(Self::Xml),
            _ => None,
        }
    }
}

/// A successful call: the action's fields, then `RequestId`.
#[derive(Clone, PartialEq)]
pub struct ApiResponse {
    pub action: String,
    pub request_id: String,
    pub fields: Map<String, Value>,
    /// The key and version the response is about, typed (not read back from `fields`).
    pub subject: Option<Subject>,
}

impl std::fmt::Debug for ApiResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Fields may hold a plaintext (Decrypt); show only their names.
        f.debug_struct("ApiResponse")
            .field("action", &self.action)
            .field("request_id", &self.request_id)
            .field("fields", &self.fields.keys().collect::<Vec<_>>())
            .field("subject", &self.subject)
            .finish()
    }
}

impl ApiResponse {
    /// The whole document as a JSON value (fields, then RequestId).
    pub fn document(&self) -> Value {
        let mut doc = self.fields.clone();
        doc.insert("RequestId".into(), Value::String(self.request_id.clone()));
        Value::Object(doc)
    }

    /// A top-level string field, e.g. `CiphertextBlob`.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).and_then(Value::as_str)
    }

    /// The document in `format`, or the error to give instead when XML 1.0 cannot carry it:
    /// `InvalidParameter` on `Format`, with this call's RequestId, naming the field.
    pub fn try_render(&self, format: Format) -> Result<String, ApiError> {
        render(&self.document(), "KMS", format).map_err(|unfit| {
            let error = KmsError::invalid(
                "Format",
                format!(
                    "{unfit}, so the response of {} cannot be written as XML; nothing was dropped \
                     or altered. The call itself ran (RequestId {}): ask again with Format=JSON, \
                     which carries every character.",
                    self.action, self.request_id
                ),
            );
            ApiError::from_kms(&error, self.request_id.clone())
        })
    }

    /// The document in `format`; where XML 1.0 cannot carry it, the error document of
    /// [`Self::try_render`] (for a screen that shows either).
    pub fn render(&self, format: Format) -> String {
        self.try_render(format).unwrap_or_else(|e| e.render(format))
    }
}

/// With `Format=XML`, refuses before anything runs a request that changes the vault and holds a
/// character XML 1.0 cannot carry: its response may echo the value (a Description), and a change
/// whose response cannot be shown would leave the caller unsure whether it happened.
pub fn check_for_xml(req: &ApiRequest, mutates: bool, format: Format) -> Result<(), KmsError> {
    if format != Format::Xml || !mutates {
        return Ok(());
    }
    for (name, value) in &req.params {
        if let Some(c) = unfit_char(value) {
            return Err(KmsError::invalid(
                "Format",
                format!(
                    "The parameter {name} holds the character U+{:04X}, which an XML 1.0 \
                     response cannot carry; nothing was done. Use Format=JSON.",
                    u32::from(c)
                ),
            ));
        }
    }
    Ok(())
}

/// A failed call, as the error document carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub request_id: String,
    pub host_id: String,
    pub code: String,
    pub message: String,
    pub recommend: String,
    pub http_status: u16,
}

/// The `HostId` of every error document.
pub const HOST_ID: &str = "kms.local";

impl ApiError {
    pub fn from_kms(error: &KmsError, request_id: String) -> Self {
        Self {
            request_id,
            host_id: HOST_ID.to_owned(),
            code: error.code().to_owned(),
            message: error.to_string(),
            recommend: error.recommend().to_owned(),
            http_status: error.http_status(),
        }
    }

    pub fn document(&self) -> Value {
        let mut doc = Map::new();
        doc.insert("RequestId".into(), self.request_id.clone().into());
        doc.insert("HostId".into(), self.host_id.clone().into());
        doc.insert("Code".into(), self.code.clone().into());
        doc.insert("Message".into(), self.message.clone().into());
        doc.insert("Recommend".into(), self.recommend.clone().into());
        doc.insert("HttpStatus".into(), self.http_status.into());
        Value::Object(doc)
    }

    /// The error document in `format`. A field XML 1.0 cannot carry (a message quoting a bad
    /// reference) is replaced by a note saying so, never silently altered.
    pub fn render(&self, format: Format) -> String {
        let mut doc = self.document();
        // Each pass replaces one field XML cannot carry by a note it can; there are six fields.
        for _ in 0..8 {
            match render(&doc, "Error", format) {
                Ok(text) => return text,
                Err(unfit) => {
                    let note = format!("[{unfit}; ask with Format=JSON to read it]");
                    match doc.get_mut(unfit.field.as_str()) {
                        Some(slot) => *slot = Value::String(note),
                        None => break,
                    }
                }
            }
        }
        render_json(&doc)
    }
}

/// Renders a document: pretty JSON, or XML under `root` (arrays repeat their element name; a
/// top-level array becomes `<Item>` elements under the one root, so there is only ever one root).
/// XML fails only when XML 1.0 cannot carry the document.
pub fn render(doc: &Value, root: &str, format: Format) -> Result<String, XmlUnfit> {
    match format {
        Format::Json => Ok(render_json(doc)),
        Format::Xml => {
            let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
            let wrapped;
            let doc = if doc.is_array() {
                let mut items = Map::new();
                items.insert("Item".into(), doc.clone());
                wrapped = Value::Object(items);
                &wrapped
            } else {
                doc
            };
            xml::write_element(&mut out, &mut Vec::new(), root, doc, 0)?;
            Ok(out)
        }
    }
}

/// Renders a document as pretty JSON, which carries every string.
pub fn render_json(doc: &Value) -> String {
    serde_json::to_string_pretty(doc).unwrap_or_else(|_| "{}".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_repeats_arrays_and_escapes() {
        let doc = serde_json::json!({"Keys": {"Key": [{"KeyId": "a"}, {"KeyId": "b<&>"}]}, "TotalCount": 2});
        let xml = render(&doc, "KMS", Format::Xml).unwrap();
        assert!(xml.contains("<Keys>\n    <Key>\n      <KeyId>a</KeyId>"));
        assert!(xml.contains("<KeyId>b&lt;&amp;&gt;</KeyId>"));
        assert!(xml.contains("<TotalCount>2</TotalCount>"));
    }

    #[test]
    fn error_document_has_the_api_fields() {
        let e = ApiError::from_kms(&KmsError::KeyNotFound, "r-1".into());
        let doc = e.document();
        assert_eq!(doc["Code"], "Forbidden.KeyNotFound");
        assert_eq!(doc["HttpStatus"], 404);
        assert!(e.render(Format::Xml).contains("<Error>"));
    }

    fn response(fields: Value) -> ApiResponse {
        let Value::Object(fields) = fields else {
            unreachable!()
        };
        ApiResponse {
            action: "Decrypt".into(),
            request_id: "r-2".into(),
            fields,
            subject: None,
        }
    }

    #[test]
    fn unfit_characters_refuse_the_document_naming_the_field() {
        for (doc, field, code) in [
            (
                serde_json::json!({"Plaintext": "a\u{0}b"}),
                "Plaintext",
                "U+0000",
            ),
            (
                serde_json::json!({"KeyMetadata": {"Description": "x\u{1b}"}}),
                "KeyMetadata.Description",
                "U+001B",
            ),
            (
                serde_json::json!({"Keys": {"Key": [{"KeyId": "a"}, {"KeyId": "\u{FFFF}"}]}}),
                "Keys.Key[1].KeyId",
                "U+FFFF",
            ),
        ] {
            let unfit = render(&doc, "KMS", Format::Xml).unwrap_err();
            assert_eq!(unfit.field, field);
            assert!(unfit.to_string().contains(code), "{unfit}");
            assert!(render(&doc, "KMS", Format::Json).is_ok());
        }
        let named = serde_json::json!({"EncryptionContext": {"a b": "c"}});
        let unfit = render(&named, "KMS", Format::Xml).unwrap_err();
        assert_eq!(unfit.problem, XmlProblem::Name);
        assert_eq!(unfit.field, "EncryptionContext.a b");
    }

    #[test]
    fn a_response_xml_cannot_carry_becomes_invalid_parameter_on_format() {
        let r = response(serde_json::json!({"Plaintext": "bell\u{7}"}));
        let e = r.try_render(Format::Xml).unwrap_err();
        assert_eq!(e.code, "InvalidParameter");
        assert_eq!(e.request_id, "r-2");
        assert_eq!(e.http_status, 400);
        for needle in [
            "\"Format\"",
            "Plaintext",
            "U+0007",
            "Decrypt",
            "r-2",
            "Format=JSON",
        ] {
            assert!(e.message.contains(needle), "{needle} in {}", e.message);
        }
        assert!(r.try_render(Format::Json).is_ok());
        // A screen that shows either gets the error document, in XML.
        assert!(
            r.render(Format::Xml)
                .contains("<Code>InvalidParameter</Code>")
        );
    }

    #[test]
    fn an_error_message_xml_cannot_carry_is_replaced_by_a_note() {
        let e = ApiError::from_kms(
            &KmsError::invalid("KeyId", "alias/\u{2} is bad"),
            "r".into(),
        );
        let xml = e.render(Format::Xml);
        assert!(xml.contains("<Code>InvalidParameter</Code>"), "{xml}");
        assert!(
            xml.contains("U+0002") && xml.contains("Format=JSON"),
            "{xml}"
        );
        assert!(!xml.contains('\u{2}'));
        assert!(e.render(Format::Json).contains("\\u0002"));
    }

    #[test]
    fn a_top_level_array_has_one_root() {
        let xml = render(
            &serde_json::json!([{"Name": "a"}, {"Name": "b"}]),
            "KMS",
            Format::Xml,
        );
        let xml = xml.unwrap();
        assert_eq!(xml.matches("<KMS>").count(), 1);
        assert!(xml.contains("<Item>\n    <Name>a</Name>"), "{xml}");
    }

    #[test]
    fn only_changes_are_checked_before_they_run() {
        let req = ApiRequest::new("CreateKey").with("Description", "a\u{1}");
        let refused = check_for_xml(&req, true, Format::Xml).unwrap_err();
        assert!(refused.to_string().contains("Description"), "{refused}");
        assert!(check_for_xml(&req, true, Format::Json).is_ok());
        assert!(check_for_xml(&req, false, Format::Xml).is_ok());
        let fine = ApiRequest::new("CreateKey").with("Description", "tab\t, LF\n");
        assert!(check_for_xml(&fine, true, Format::Xml).is_ok());
    }
}
