//! Write targets for serialized vault contents: a buffer that never leaves an unwiped copy of
//! its bytes behind when it grows, and an adapter that indents nested pretty JSON.

use std::io::{self, Write};

use zeroize::Zeroizing;

/// A byte buffer for serialized contents. When it must grow it copies into a larger allocation
/// itself, so the old one is wiped on drop instead of being freed with the secrets in it.
pub(crate) struct SecretBuf(Zeroizing<Vec<u8>>);

impl SecretBuf {
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Self(Zeroizing::new(Vec::with_capacity(capacity)))
    }

    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    pub(crate) fn as_slice(&self) -> &[u8] {
        &self.0
    }

    pub(crate) fn as_mut_slice(&mut self) -> &mut [u8] {
        &mut self.0
    }

    fn reserve(&mut self, extra: usize) {
        let needed = self.0.len().saturating_add(extra);
        if needed <= self.0.capacity() {
            return;
        }
        let mut bigger = Vec::with_capacity(needed.max(self.0.capacity().saturating_mul(2)));
        bigger.extend_from_slice(&self.0);
        // The old allocation is wiped (its whole capacity) when the replaced Zeroizing drops.
        self.0 = Zeroizing::new(bigger);
    }
}

impl Write for SecretBuf {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.write_all(data)?;
        Ok(data.len())
    }

    fn write_all(&mut self, data: &[u8]) -> io::Result<()> {
        self.reserve(data.len());
        self.0.extend_from_slice(data);
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Adds `indent` after every newline, so that pretty JSON written at the top level lines up as
/// the value of a member one level down. Serialized JSON has newlines only between tokens (a
/// newline inside a string is escaped), so this never changes what the JSON means.
pub(crate) struct IndentWriter<'a, W: Write> {
    inner: &'a mut W,
    indent: &'static [u8],
}

impl<'a, W: Write> IndentWriter<'a, W> {
    pub(crate) fn new(inner: &'a mut W, indent: &'static [u8]) -> Self {
        Self { inner, indent }
    }
}

impl<W: Write> Write for IndentWriter<'_, W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let mut rest = data;
        while let Some(at) = rest.iter().position(|&b| b == b'\n') {
            let (line, tail) = rest.split_at(at + 1);
            self.inner.write_all(line)?;
            self.inner.write_all(self.indent)?;
            rest = tail;
        }
        self.inner.write_all(rest)?;
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn growing_keeps_every_byte() {
        let mut buf = SecretBuf::with_capacity(1);
        for i in 0..1000u32 {
            buf.write_all(&i.to_le_bytes()).unwrap();
        }
        assert_eq!(buf.len(), 4000);
        assert_eq!(&buf.as_slice()[4..8], &1u32.to_le_bytes());
    }

    #[test]
    fn nested_pretty_json_is_indented_and_unchanged_in_meaning() {
        let value = serde_json::json!({"a": [1, "x\ny"], "b": {}});
        let mut buf = SecretBuf::with_capacity(0);
        serde_json::to_writer_pretty(IndentWriter::new(&mut buf, b"  "), &value).unwrap();
        let text = std::str::from_utf8(buf.as_slice()).unwrap();
        assert!(text.contains("\n    \"a\": [\n"), "{text}");
        assert!(text.ends_with("\n  }"), "{text}");
        let back: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(back, value);
    }
}
