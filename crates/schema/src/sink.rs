//! The field-by-field writer every row producer talks to, and an owned value for previews.

use std::fmt;

use crate::{Date, Time};

/// Receives one row at a time, one call per column in schema order, then [`RowSink::end_row`].
///
/// Writers (SQL, CSV) format straight into their buffers, so producing a row allocates nothing.
pub trait RowSink {
    fn int(&mut self, value: i64);
    fn text(&mut self, value: &str);
    /// A fixed-point number: `units / 10^scale`, e.g. `(7525, 2)` is 75.25.
    fn decimal(&mut self, units: i64, scale: u8);
    fn float(&mut self, value: f64);
    fn bool(&mut self, value: bool);
    fn date(&mut self, value: Date);
    fn time(&mut self, value: Time);
    fn null(&mut self);
    fn end_row(&mut self);

    /// Writes any owned value through the typed methods.
    fn value(&mut self, value: &Value) {
        match value {
            Value::Int(v) => self.int(*v),
            Value::Text(v) => self.text(v),
            Value::Decimal(units, scale) => self.decimal(*units, *scale),
            Value::Float(v) => self.float(*v),
            Value::Bool(v) => self.bool(*v),
            Value::Date(v) => self.date(*v),
            Value::Time(v) => self.time(*v),
            Value::Null => self.null(),
        }
    }
}

/// One field as an owned value, for previews, tests and integrity checks.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Int(i64),
    Text(String),
    Decimal(i64, u8),
    Float(f64),
    Bool(bool),
    Date(Date),
    Time(Time),
    Null,
}

impl Value {
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(v) => Some(*v),
            _ => None,
        }
    }

    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(v) => Some(v),
            _ => None,
        }
    }

    /// The decimal as a float, for statistics over generated marks.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(v) => Some(*v as f64),
            Value::Decimal(units, scale) => Some(*units as f64 / 10f64.powi(i32::from(*scale))),
            Value::Float(v) => Some(*v),
            _ => None,
        }
    }

    pub fn as_date(&self) -> Option<Date> {
        match self {
            Value::Date(v) => Some(*v),
            _ => None,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Int(v) => write!(f, "{v}"),
            Value::Text(v) => f.write_str(v),
            Value::Decimal(units, scale) => {
                let mut out = Vec::new();
                write_decimal(&mut out, *units, *scale);
                f.write_str(&String::from_utf8_lossy(&out))
            }
            Value::Float(v) => write!(f, "{v}"),
            Value::Bool(v) => f.write_str(if *v { "1" } else { "0" }),
            Value::Date(v) => write!(f, "{v}"),
            Value::Time(v) => write!(f, "{v}"),
            Value::Null => f.write_str("NULL"),
        }
    }
}

/// Collects rows as owned values.
#[derive(Clone, Debug, Default)]
pub struct ValueRow {
    pub values: Vec<Value>,
}

impl ValueRow {
    /// Produces one row through `write` and returns its values.
    pub fn collect(write: impl FnOnce(&mut ValueRow)) -> Vec<Value> {
        let mut row = ValueRow::default();
        write(&mut row);
        row.values
    }
}

impl RowSink for ValueRow {
    fn int(&mut self, value: i64) {
        self.values.push(Value::Int(value));
    }
    fn text(&mut self, value: &str) {
        self.values.push(Value::Text(value.to_owned()));
    }
    fn decimal(&mut self, units: i64, scale: u8) {
        self.values.push(Value::Decimal(units, scale));
    }
    fn float(&mut self, value: f64) {
        self.values.push(Value::Float(value));
    }
    fn bool(&mut self, value: bool) {
        self.values.push(Value::Bool(value));
    }
    fn date(&mut self, value: Date) {
        self.values.push(Value::Date(value));
    }
    fn time(&mut self, value: Time) {
        self.values.push(Value::Time(value));
    }
    fn null(&mut self) {
        self.values.push(Value::Null);
    }
    fn end_row(&mut self) {}
}

/// Writes `units / 10^scale` as plain decimal text (`-0.05`, `75.25`), exactly, without floats.
pub fn write_decimal(out: &mut Vec<u8>, units: i64, scale: u8) {
    if units < 0 {
        out.push(b'-');
    }
    let magnitude = units.unsigned_abs();
    // Scale 2 (money, marks) is nearly every decimal we write; a constant divisor is much
    // cheaper than a 64-bit division by a variable on wasm32.
    // Past scale 19 the divisor does not fit in 64 bits, and every magnitude is below it.
    let (whole, frac) = match scale {
        2 => (magnitude / 100, magnitude % 100),
        _ => match 10u64.checked_pow(u32::from(scale)) {
            Some(divisor) => (magnitude / divisor, magnitude % divisor),
            None => (0, magnitude),
        },
    };
    push_u64(out, whole, 1);
    if scale > 0 {
        out.push(b'.');
        push_u64(out, frac, usize::from(scale));
    }
}

/// Whether any byte of `bytes` is `special`, eight bytes at a time: `maybe` tests a word (the
/// bytes in little-endian order) and must be true whenever one of its bytes is special; only
/// then are its bytes tested one by one. With [`word_has_byte`] and [`word_has_less`] a field
/// with no special byte (nearly every field the writers quote or escape) costs a few
/// instructions per eight bytes instead of a branch per byte.
#[inline]
pub fn any_byte(bytes: &[u8], maybe: impl Fn(u64) -> bool, special: impl Fn(u8) -> bool) -> bool {
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let value = u64::from_le_bytes(word.try_into().unwrap_or([0; 8]));
        if maybe(value) && word.iter().any(|&b| special(b)) {
            return true;
        }
    }
    words.remainder().iter().any(|&b| special(b))
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Whether one of the eight bytes of `word` is `byte` (exact).
#[inline]
pub fn word_has_byte(word: u64, byte: u8) -> bool {
    word_has_less(word ^ (ONES * u64::from(byte)), 1)
}

/// Whether one of the eight bytes of `word` is below `bound`, for `bound` up to 128 (exact).
#[inline]
pub fn word_has_less(word: u64, bound: u8) -> bool {
    word.wrapping_sub(ONES * u64::from(bound)) & !word & HIGHS != 0
}

/// Appends `value` in decimal, zero-padded to at least `min_width` digits, without allocating.
pub fn push_u64(out: &mut Vec<u8>, value: u64, min_width: usize) {
    let mut buf = itoa::Buffer::new();
    // Most of our numbers fit in 32 bits, and on wasm32 itoa's 32-bit path is about twice as
    // fast as its 64-bit one.
    let digits = match u32::try_from(value) {
        Ok(small) => buf.format(small),
        Err(_) => buf.format(value),
    };
    out.extend(std::iter::repeat_n(
        b'0',
        min_width.saturating_sub(digits.len()),
    ));
    out.extend_from_slice(digits.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decimal(units: i64, scale: u8) -> String {
        let mut out = Vec::new();
        write_decimal(&mut out, units, scale);
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn decimals_are_exact() {
        assert_eq!(decimal(7525, 2), "75.25");
        assert_eq!(decimal(5, 2), "0.05");
        assert_eq!(decimal(-5, 2), "-0.05");
        assert_eq!(decimal(10000, 2), "100.00");
        assert_eq!(decimal(42, 0), "42");
        assert_eq!(decimal(-123_456, 3), "-123.456");
        assert_eq!(decimal(i64::MIN, 2), "-92233720368547758.08");
        let mut out = Vec::new();
        push_u64(&mut out, u64::MAX, 1);
        push_u64(&mut out, 7, 3);
        assert_eq!(out, b"18446744073709551615007");
        for (value, width, text) in [
            (0, 1, "0"),
            (0, 0, "0"),
            (9, 1, "9"),
            (10, 1, "10"),
            (99, 4, "0099"),
            (u64::from(u32::MAX), 1, "4294967295"),
            (u64::from(u32::MAX), 12, "004294967295"),
            (12, 16, "0000000000000012"),
            (12, 17, "00000000000000012"),
            (u64::from(u32::MAX) + 1, 1, "4294967296"),
        ] {
            let mut out = b"x".to_vec();
            push_u64(&mut out, value, width);
            assert_eq!(out, format!("x{text}").as_bytes(), "{value} {width}");
        }
        assert_eq!(Value::Decimal(1234, 1).as_f64(), Some(123.4));
    }

    #[test]
    fn any_byte_finds_a_special_byte_at_every_position() {
        let maybe = |word| word_has_byte(word, b'"') | word_has_less(word, 0x0E);
        let special = |b: u8| b == b'"' || b == b'\n';
        for len in 0..40 {
            // Tabs pass the word test but are not special: the bytes decide.
            let plain = vec![b'\t'; len];
            assert!(!any_byte(&plain, maybe, special), "{len}");
            for at in 0..len {
                for byte in [b'"', b'\n'] {
                    let mut one = plain.clone();
                    if let Some(b) = one.get_mut(at) {
                        *b = byte;
                    }
                    assert!(any_byte(&one, maybe, special), "{len} {at}");
                }
            }
        }
    }

    #[test]
    fn the_word_tests_are_exact() {
        // Around each byte: ASCII letters, or the bytes of UTF-8 sequences (high bit set).
        for background in [0x41u8, 0xC3] {
            for byte in 0..=u8::MAX {
                for at in 0..8 {
                    let mut bytes = [background; 8];
                    if let Some(b) = bytes.get_mut(at) {
                        *b = byte;
                    }
                    let word = u64::from_le_bytes(bytes);
                    assert!(word_has_byte(word, byte));
                    let other = background.wrapping_add(1);
                    assert_eq!(word_has_byte(word, other), byte == other, "{byte} {at}");
                    for bound in [1u8, 0x0E, 0x28, 0x41] {
                        let expected = byte < bound || background < bound;
                        assert_eq!(word_has_less(word, bound), expected, "{byte} {at} {bound}");
                    }
                }
            }
        }
    }

    /// Found by the `etl_ingest` fuzz target: a field with 20 digits after the point overflowed
    /// `10^scale` (a panic with overflow checks, a wrong value without them).
    #[test]
    fn decimals_past_scale_19_are_exact() {
        let eight = 8_000_000_000_000_000_000;
        assert_eq!(decimal(eight, 20), "0.08000000000000000000");
        assert_eq!(decimal(-eight, 19), "-0.8000000000000000000");
        assert_eq!(decimal(1, 255).len(), 2 + 255);
        assert_eq!(decimal(i64::MIN, 30), "-0.000000000009223372036854775808");
    }
}
