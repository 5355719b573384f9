//! Random bytes from the OS random source — the only source of keys, data keys, IVs, salts and
//! AccessKey secrets.

use rand::TryRng;
use rand::rngs::SysRng;

use super::error::KmsError;
use super::secret::SecretBytes;

/// `len` bytes from the OS random source, as a secret.
pub fn secret_bytes(len: usize) -> Result<SecretBytes, KmsError> {
    let mut bytes = SecretBytes::new(vec![0u8; len]);
    fill(bytes.expose_mut())?;
    Ok(bytes)
}

/// Fills `dst` from the OS random source. Failure is an internal fault (no entropy source).
pub fn fill(dst: &mut [u8]) -> Result<(), KmsError> {
    SysRng
        .try_fill_bytes(dst)
        .map_err(|e| KmsError::InternalFailure(format!("OS random source failed: {e}")))
}

/// A random string of `len` characters from `alphabet` (for AccessKey ids and secrets).
pub fn token(alphabet: &[u8], len: usize) -> Result<String, KmsError> {
    let mut raw = vec![0u8; len];
    fill(&mut raw)?;
    let n = u8::try_from(alphabet.len())
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| KmsError::InternalFailure("bad alphabet".into()))?;
    // Rejection-free modulo bias is irrelevant for ids; secrets use a 62-letter alphabet and
    // 30 characters (≈178 bits even with the bias).
    Ok(raw
        .iter()
        .map(|b| char::from(alphabet[usize::from(b % n)]))
        .collect())
}
