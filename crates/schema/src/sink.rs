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
        assert_eq!(Value::Decimal(1234, 1).as_f64(), Some(123.4));
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
