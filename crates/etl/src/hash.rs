//! The pseudonymous student key: SHA-256 (the notebook's formula) or keyed HMAC-SHA-256.
//!
//! The plain hash is bit-exact with Python's
//! `hashlib.sha256(f"{college_code}-{roll_no}-{dob}".encode()).hexdigest()`. It is not
//! anonymous: roll numbers are sequential and birthdates few, so [`crate::attack`] recovers it
//! by enumeration. The keyed mode resists that as long as the secret does; the secret lives only
//! in [`HashMode::Keyed`] and is never written to any output.

use hmac::{KeyInit, Mac};
use sha2::{Digest, Sha256};

/// How student identity becomes `student_hash`.
#[derive(Clone, Default, PartialEq, Eq)]
pub enum HashMode {
    /// Plain SHA-256, exactly the notebook's formula.
    #[default]
    Sha256,
    /// HMAC-SHA-256 keyed with a secret the user typed.
    Keyed { secret: Vec<u8> },
}

// The secret must not leak through logs or panics.
impl std::fmt::Debug for HashMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HashMode::Sha256 => f.write_str("Sha256"),
            HashMode::Keyed { .. } => f.write_str("Keyed { secret: <hidden> }"),
        }
    }
}

/// A 32-byte digest; shown as 64 lowercase hex digits.
pub type Digest32 = [u8; 32];

/// Hashes `college_code-roll_no-dob` without allocating.
pub fn student_digest(mode: &HashMode, college_code: &str, roll_no: &str, dob: &str) -> Digest32 {
    let parts = [
        college_code.as_bytes(),
        b"-",
        roll_no.as_bytes(),
        b"-",
        dob.as_bytes(),
    ];
    match mode {
        HashMode::Sha256 => {
            let mut hasher = Sha256::new();
            for part in parts {
                hasher.update(part);
            }
            hasher.finalize().into()
        }
        HashMode::Keyed { secret } => hmac_sha256(secret, &parts),
    }
}

/// The lowercase hex `student_hash`.
pub fn student_hash(mode: &HashMode, college_code: &str, roll_no: &str, dob: &str) -> String {
    to_hex(&student_digest(mode, college_code, roll_no, dob))
}

/// HMAC-SHA-256 over the concatenation of `parts` (RFC 2104; any key length).
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> Digest32 {
    // HMAC accepts keys of every length, so construction cannot fail; the fallback keeps the
    // function total without a panic path.
    let Ok(mut mac) = <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(key) else {
        return [0; 32];
    };
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

pub fn sha256(bytes: &[u8]) -> Digest32 {
    Sha256::digest(bytes).into()
}

pub fn to_hex(digest: &Digest32) -> String {
    let mut out = String::with_capacity(64);
    push_hex(&mut out, digest);
    out
}

pub fn push_hex(out: &mut String, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for &b in bytes {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 15)]));
    }
}

/// Parses 64 hex digits back into a digest.
pub fn from_hex(text: &str) -> Option<Digest32> {
    let bytes = text.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (idx, pair) in bytes.chunks_exact(2).enumerate() {
        let hi = char::from(*pair.first()?).to_digit(16)?;
        let lo = char::from(*pair.get(1)?).to_digit(16)?;
        *out.get_mut(idx)? = u8::try_from(hi * 16 + lo).ok()?;
    }
    Some(out)
}
