//! Where the keys that no layer binds go: the text field that has the focus, if any.

/// Where keys that no layer binds go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sink {
    None,
    /// The focused text field of the form.
    Field,
    /// The focused text field of the drill form.
    DrillField,
    /// The key list's filter line.
    Filter,
    /// The picker's filter.
    Picker,
    /// The save prompt's file name.
    Prompt,
    /// A passphrase field.
    Passphrase,
    /// The Endpoint screen's listen address.
    EndpointAddress,
    /// The audit screen's `/` prompt.
    AuditFilter,
}
