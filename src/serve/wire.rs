//! An HTTP request as the endpoint reads it, free of the HTTP crate: method, path, the query
//! and an `application/x-www-form-urlencoded` body each decoded form-style (`+` is a space,
//! `sdk-wire.md` §2.2), headers by lower-case name, and the body bytes. Values are wiped on drop
//! (they may hold plaintext).

use zeroize::Zeroize;

/// One request off the wire.
pub struct WireRequest {
    pub method: String,
    pub path: String,
    query: Vec<(String, String)>,
    form: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl WireRequest {
    /// Decodes the query and, for a form content type, the body. `headers` are (name, value);
    /// names are compared case-insensitively.
    pub fn new(
        method: &str,
        path: &str,
        raw_query: Option<&str>,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    ) -> Self {
        let headers: Vec<(String, String)> = headers
            .into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect();
        let decode = |bytes: &[u8]| -> Vec<(String, String)> {
            form_urlencoded::parse(bytes)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        };
        let query = raw_query.map(|q| decode(q.as_bytes())).unwrap_or_default();
        let is_form = headers.iter().any(|(k, v)| {
            k == "content-type"
                && v.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("application/x-www-form-urlencoded")
        });
        let form = if is_form { decode(&body) } else { Vec::new() };
        Self {
            method: method.to_owned(),
            path: path.to_owned(),
            query,
            form,
            headers,
            body,
        }
    }

    /// The first value of a header (name in lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every parameter, query then form body, empty values included.
    pub fn params(&self) -> impl Iterator<Item = (&str, &str)> {
        self.query
            .iter()
            .chain(&self.form)
            .map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The query parameters only (what ACS3 signs).
    pub fn query_params(&self) -> impl Iterator<Item = (&str, &str)> {
        self.query.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// A parameter's value from the query or the form body; an empty value counts as absent.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
            .filter(|v| !v.is_empty())
    }

    /// The first parameter name given more than once, if any.
    pub fn duplicate_param(&self) -> Option<&str> {
        let mut names: Vec<&str> = self.params().map(|(k, _)| k).collect();
        names.sort_unstable();
        names.windows(2).find(|w| w[0] == w[1]).map(|w| w[0])
    }
}

impl Drop for WireRequest {
    fn drop(&mut self) {
        for (_, v) in self.query.iter_mut().chain(self.form.iter_mut()) {
            v.zeroize();
        }
        self.body.zeroize();
    }
}
