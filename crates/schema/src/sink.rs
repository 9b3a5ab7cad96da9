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
    // Scale 2 below 10^5 (marks, fees) is nearly every decimal we write: its digits and point
    // fit in one word, stored whole (see `push_u64`).
    if scale == 2
        && let Ok(small) = u32::try_from(magnitude)
        && small < 10_000_000
    {
        // At least "0.05": three digits; the last two go after the point.
        let width = small
            .checked_ilog10()
            .map_or(1, |log| log as usize + 1)
            .max(3);
        let digits = eight_digits(small) >> (8 * (8 - width));
        let whole_bits = 8 * (width - 2);
        let whole = digits & ((1 << whole_bits) - 1);
        let cents = (digits >> whole_bits) & 0xFFFF;
        let text = whole | (u64::from(b'.') << whole_bits) | (cents << (whole_bits + 8));
        let len = out.len();
        out.extend_from_slice(&text.to_le_bytes());
        out.truncate(len + width + 1);
        return;
    }
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

/// Appends `value` between two `quote` bytes, a `quote` inside doubled: how CSV quotes a
/// field and SQL a standard string or an identifier.
pub fn push_quoted(out: &mut Vec<u8>, value: &[u8], quote: u8) {
    out.push(quote);
    for &b in value {
        if b == quote {
            out.push(quote);
        }
        out.push(b);
    }
    out.push(quote);
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
    // Nearly every number we write (ids, counts, the parts of marks and money) is below 10^8:
    // its eight digits are computed at once in one 64-bit word, and the word is stored whole
    // and cut to length. That avoids itoa's call and the copy of a few bytes of variable
    // length (a call to memcpy) that together cost a fifth of writing a CSV row.
    // Levels, years of study, small keys: one or two digits, from a table.
    if value < 100 && min_width <= 2 {
        let pair = DIGIT_PAIRS
            .get(2 * value as usize..2 * value as usize + 2)
            .unwrap_or_default();
        let skip = usize::from(value < 10 && min_width < 2);
        out.extend_from_slice(pair.get(skip..).unwrap_or_default());
        return;
    }
    if let Ok(small) = u32::try_from(value)
        && small < 100_000_000
        && min_width <= 8
    {
        let n_digits = small.checked_ilog10().map_or(1, |log| log as usize + 1);
        let width = n_digits.max(min_width);
        let digits = eight_digits(small) >> (8 * (8 - width));
        let len = out.len();
        out.extend_from_slice(&digits.to_le_bytes());
        out.truncate(len + width);
        return;
    }
    let mut buf = itoa::Buffer::new();
    let digits = buf.format(value);
    out.extend(std::iter::repeat_n(
        b'0',
        min_width.saturating_sub(digits.len()),
    ));
    out.extend_from_slice(digits.as_bytes());
}

/// "00" to "99", two bytes each.
const DIGIT_PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
    2021222324252627282930313233343536373839\
    4041424344454647484950515253545556575859\
    6061626364656667686970717273747576777879\
    8081828384858687888990919293949596979899";

/// The eight decimal digits of `value` (below 10^8, leading zeros kept) as ASCII, most
/// significant in the lowest byte (the text when stored little-endian), computed lane-wise in
/// one 64-bit word: four-digit halves, then two-digit quarters, then digits, each lane divided
/// by multiplying with a reciprocal that is exact in its range.
pub(crate) fn eight_digits(value: u32) -> u64 {
    // Two lanes of 32 bits: the first four digits, then the last four (each below 10^4).
    let mut x = u64::from(value / 10_000) | (u64::from(value % 10_000) << 32);
    // x / 100 in each lane: exact for x < 10^4 (x * 10486 >> 20).
    let hundreds = ((x * 10_486) >> 20) & 0x0000_007F_0000_007F;
    // Four lanes of 16 bits: pairs of digits (each below 100).
    x = hundreds | ((x - hundreds * 100) << 16);
    // x / 10 in each lane: exact for x < 100 (x * 103 >> 10).
    let tens = ((x * 103) >> 10) & 0x000F_000F_000F_000F;
    // Eight lanes of 8 bits: the digits.
    x = tens | ((x - tens * 10) << 8);
    x | 0x3030_3030_3030_3030
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

    #[test]
    fn decimals_at_scale_two_are_exact_around_the_word_path() {
        let values = (-100_000..100_000)
            .chain((9_000_000..11_000_000).step_by(7))
            .chain([i64::from(i32::MAX), i64::MAX - 1]);
        for units in values {
            let sign = if units < 0 { "-" } else { "" };
            let magnitude = units.unsigned_abs();
            let expected = format!("{sign}{}.{:02}", magnitude / 100, magnitude % 100);
            assert_eq!(decimal(units, 2), expected, "{units}");
        }
    }

    #[test]
    fn eight_digits_are_exact_below_ten_to_the_eighth() {
        let mut out = Vec::new();
        // Every value of the first and last million, and a stride through the rest.
        let values = (0..1_000_000)
            .chain((1_000_000..99_000_000).step_by(997))
            .chain(99_000_000..100_000_000);
        for value in values {
            out.clear();
            push_u64(&mut out, value, 1);
            let mut expected = itoa::Buffer::new();
            assert_eq!(out, expected.format(value).as_bytes(), "{value}");
        }
        // Small values at every width that pads them, through the table and past it.
        for value in 0..1000u64 {
            for width in 0..=10 {
                out.clear();
                push_u64(&mut out, value, width);
                assert_eq!(
                    out,
                    format!("{value:0width$}").as_bytes(),
                    "{value} {width}"
                );
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
