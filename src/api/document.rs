//! Response and error documents (product §8): pretty JSON by default, XML with root `<KMS>` for
//! a success and `<Error>` for an error when `Format=XML`. A success never has a `Code` field.

use serde_json::{Map, Value};

use crate::core::error::KmsError;

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
}

impl std::fmt::Debug for ApiResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Fields may hold a plaintext (Decrypt); show only their names.
        f.debug_struct("ApiResponse")
            .field("action", &self.action)
            .field("request_id", &self.request_id)
            .field("fields", &self.fields.keys().collect::<Vec<_>>())
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

    pub fn render(&self, format: Format) -> String {
        render(&self.document(), "KMS", format)
    }
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

    pub fn render(&self, format: Format) -> String {
        render(&self.document(), "Error", format)
    }
}

/// Renders a document: pretty JSON, or XML under `root` (arrays repeat their element name).
pub fn render(doc: &Value, root: &str, format: Format) -> String {
    match format {
        Format::Json => serde_json::to_string_pretty(doc).unwrap_or_else(|_| "{}".into()),
        Format::Xml => {
            let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
            write_xml(&mut out, root, doc, 0);
            out
        }
    }
}

fn write_xml(out: &mut String, name: &str, value: &Value, depth: usize) {
    use std::fmt::Write;
    let indent = "  ".repeat(depth);
    // Writing into a String cannot fail.
    let _ = match value {
        Value::Array(items) => {
            for item in items {
                write_xml(out, name, item, depth);
            }
            Ok(())
        }
        Value::Object(map) => {
            let _ = writeln!(out, "{indent}<{name}>");
            for (k, v) in map {
                write_xml(out, k, v, depth + 1);
            }
            writeln!(out, "{indent}</{name}>")
        }
        Value::Null => writeln!(out, "{indent}<{name}/>"),
        Value::String(s) => {
            let text = quick_xml::escape::escape(s.as_str());
            writeln!(out, "{indent}<{name}>{text}</{name}>")
        }
        Value::Bool(_) | Value::Number(_) => writeln!(out, "{indent}<{name}>{value}</{name}>"),
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_repeats_arrays_and_escapes() {
        let doc = serde_json::json!({"Keys": {"Key": [{"KeyId": "a"}, {"KeyId": "b<&>"}]}, "TotalCount": 2});
        let xml = render(&doc, "KMS", Format::Xml);
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
}
