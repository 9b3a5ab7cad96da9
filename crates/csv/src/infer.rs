//! Column type inference: one pass over the fields, keeping only a few counters per column.
//!
//! Types widen as values arrive (integer → decimal → text; boolean, date → text), so the result
//! is the same whatever the row order or chunking. Nulls follow pandas' default `na_values`, so
//! a column pandas reads as numbers with NaN is a nullable number here too.

use campus_schema::{ColumnType, Date};

/// The strings pandas' `read_csv` treats as missing by default.
const NULL_MARKERS: &[&str] = &[
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
    "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
];

/// The first bytes a missing marker can have once spaces are trimmed, plus ASCII whitespace.
const MAY_BE_NULL: [bool; 256] = {
    let mut table = [false; 256];
    let starts = b"#-1<Nn \t\n\x0c\r";
    let mut idx = 0;
    while idx < starts.len() {
        table[starts[idx] as usize] = true;
        idx += 1;
    }
    table
};

/// Whether a field is missing, by pandas' rules (surrounding spaces ignored).
#[inline]
pub fn is_null(field: &str) -> bool {
    // Fast path: most fields start with a byte no marker starts with; one table lookup
    // answers for them, inline, as this runs for every field of every row.
    match field.as_bytes().first() {
        None => true,
        Some(&b) => MAY_BE_NULL[usize::from(b)] && is_null_marker(field),
    }
}

/// The slow half of [`is_null`], kept out of line so the fast half inlines.
fn is_null_marker(field: &str) -> bool {
    NULL_MARKERS.contains(&trim(field))
}

/// `str::trim`, without its character-by-character walk when both ends are visible ASCII,
/// as almost every field's are.
#[inline]
pub fn trim(field: &str) -> &str {
    let bytes = field.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => field,
        _ => field.trim(),
    }
}

/// Byte equality for the short values of the hot loops: eight bytes at a time, inline,
/// instead of a call to `memcmp` that costs more than a 10-byte comparison itself.
#[inline]
pub fn short_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    if a.len() < 8 {
        if a.len() < 4 {
            return a.iter().zip(b).all(|(x, y)| x == y);
        }
        // The first four bytes and the last four, which overlap below eight.
        let half = |bytes: &[u8], at: usize| {
            bytes
                .get(at..at + 4)
                .and_then(|w| <[u8; 4]>::try_from(w).ok())
                .map(u32::from_le_bytes)
        };
        return half(a, 0) == half(b, 0) && half(a, a.len() - 4) == half(b, b.len() - 4);
    }
    let word = |bytes: &[u8], at: usize| {
        bytes
            .get(at..at + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
            .map(u64::from_le_bytes)
    };
    let mut at = 0;
    while at + 8 < a.len() {
        if word(a, at) != word(b, at) {
            return false;
        }
        at += 8;
    }
    // The last eight bytes, overlapping the previous word when the length is not a multiple.
    word(a, a.len() - 8) == word(b, b.len() - 8)
}

/// Parses a boolean spelled as a word, the way spreadsheets and exports write them.
pub fn parse_bool(field: &str) -> Option<bool> {
    let field = trim(field);
    let is = |word: &str| field.eq_ignore_ascii_case(word);
    if is("true") || is("yes") || is("y") || is("t") {
        Some(true)
    } else if is("false") || is("no") || is("n") || is("f") {
        Some(false)
    } else {
        None
    }
}

/// The narrowest type that holds every non-null value seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum InferredType {
    /// No non-null value yet.
    Empty,
    Integer {
        min: i64,
        max: i64,
    },
    /// `digits` before the point at most, `scale` after it at most.
    Decimal {
        int_digits: u8,
        scale: u8,
    },
    Boolean,
    Date,
    Text {
        max_chars: u32,
    },
}

impl InferredType {
    pub fn name(self) -> &'static str {
        match self {
            InferredType::Empty => "empty",
            InferredType::Integer { .. } => "integer",
            InferredType::Decimal { .. } => "decimal",
            InferredType::Boolean => "boolean",
            InferredType::Date => "date",
            InferredType::Text { .. } => "text",
        }
    }

    /// The SQL column type that holds every value seen.
    pub fn column_type(self) -> ColumnType {
        match self {
            InferredType::Empty => ColumnType::VarChar(1),
            InferredType::Integer { min, max } => {
                if min >= i64::from(i32::MIN) && max <= i64::from(i32::MAX) {
                    ColumnType::Int
                } else {
                    ColumnType::BigInt
                }
            }
            InferredType::Decimal { int_digits, scale } => {
                let int_digits = int_digits.max(1);
                ColumnType::Decimal {
                    precision: int_digits.saturating_add(scale).min(65),
                    scale: scale.min(30),
                }
            }
            InferredType::Boolean => ColumnType::Bool,
            InferredType::Date => ColumnType::Date,
            InferredType::Text { max_chars } => match u16::try_from(max_chars) {
                Ok(n) if n <= 1024 => ColumnType::VarChar(n.max(1)),
                _ => ColumnType::Text,
            },
        }
    }
}

/// What one column held.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ColumnStats {
    pub name: String,
    pub ty: InferredType,
    pub n_values: u64,
    pub n_nulls: u64,
    /// Longest value in characters, whatever its type (text columns need it when widened).
    pub max_chars: u32,
}

impl ColumnStats {
    pub fn new(name: impl Into<String>) -> ColumnStats {
        ColumnStats {
            name: name.into(),
            ty: InferredType::Empty,
            n_values: 0,
            n_nulls: 0,
            max_chars: 0,
        }
    }

    /// Widens the type to hold `field`. Inline: it runs for every field, and for a column
    /// settled as text it is only counting and measuring.
    #[inline]
    pub fn observe(&mut self, field: &str) {
        self.n_values += 1;
        if is_null(field) {
            self.n_nulls += 1;
            return;
        }
        // A field no longer in bytes than the longest so far cannot be longer in characters.
        if field.len() > self.max_chars as usize {
            let n_chars = u32::try_from(field.chars().count()).unwrap_or(u32::MAX);
            self.max_chars = self.max_chars.max(n_chars);
        }
        if let InferredType::Text { max_chars } = &mut self.ty {
            *max_chars = self.max_chars;
            return;
        }
        self.widen_to(field);
    }

    /// The slow half of [`ColumnStats::observe`], out of line so the fast half inlines.
    fn widen_to(&mut self, field: &str) {
        let seen = classify(trim(field));
        self.ty = widen(self.ty, seen, self.max_chars);
    }

    /// Combines the stats of the same column read from another file, or from the rest of
    /// this one: the stats of both parts read as one.
    pub fn merge(&mut self, other: &ColumnStats) {
        self.n_values += other.n_values;
        self.n_nulls += other.n_nulls;
        self.max_chars = self.max_chars.max(other.max_chars);
        self.ty = match (self.ty, other.ty) {
            (InferredType::Text { .. }, _) | (_, InferredType::Text { .. }) => InferredType::Text {
                max_chars: self.max_chars,
            },
            (current, InferredType::Empty) => current,
            // `widen` takes one value, the range's `min`: the other's `max` is a value too.
            (InferredType::Integer { min, max }, InferredType::Integer { min: lo, max: hi }) => {
                InferredType::Integer {
                    min: min.min(lo),
                    max: max.max(hi),
                }
            }
            (current, seen) => widen(current, seen, self.max_chars),
        };
    }
}

/// Stats for every column of a file, in header order.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Inferrer {
    pub columns: Vec<ColumnStats>,
    /// The last value classified per column. Seeing a value again changes nothing but the
    /// count, and exports repeat values in runs (a date for a whole day, a dob per student).
    #[serde(skip)]
    last_values: Vec<String>,
}

impl Inferrer {
    pub fn new<S: AsRef<str>>(names: &[S]) -> Inferrer {
        let columns: Vec<ColumnStats> =
            names.iter().map(|n| ColumnStats::new(n.as_ref())).collect();
        Inferrer {
            last_values: vec![String::new(); columns.len()],
            columns,
        }
    }

    /// Combines the stats of the rest of a file, read apart (see [`ColumnStats::merge`]).
    pub fn merge(&mut self, other: &Inferrer) {
        for (mine, theirs) in self.columns.iter_mut().zip(&other.columns) {
            mine.merge(theirs);
        }
    }

    pub fn observe(&mut self, fields: &[&str]) {
        for ((stats, field), last) in self
            .columns
            .iter_mut()
            .zip(fields)
            .zip(&mut self.last_values)
        {
            // A column settled as text, the commonest case by far, only counts and measures:
            // comparing with the last value would cost more than that.
            if matches!(stats.ty, InferredType::Text { .. }) {
                stats.observe(field);
                continue;
            }
            if !last.is_empty() && short_eq(last.as_bytes(), field.as_bytes()) {
                stats.n_values += 1;
                continue;
            }
            stats.observe(field);
            if !is_null(field) {
                last.clear();
                last.push_str(field);
            }
        }
    }
}

fn classify(field: &str) -> InferredType {
    // Dates first: the cheapest shape test, and the commonest non-text column in our files.
    if field.len() == 10 && Date::parse_iso(field).is_some() {
        return InferredType::Date;
    }
    if let Ok(value) = field.parse::<i64>() {
        // Leading zeros mark codes (`007`), which must stay text to keep them.
        let digits = field.trim_start_matches(['-', '+']);
        if digits.len() == 1 || !digits.starts_with('0') {
            return InferredType::Integer {
                min: value,
                max: value,
            };
        }
        return InferredType::Text { max_chars: 0 };
    }
    if let Some((int_digits, scale)) = decimal_shape(field) {
        return InferredType::Decimal { int_digits, scale };
    }
    if parse_bool(field).is_some() {
        return InferredType::Boolean;
    }
    InferredType::Text { max_chars: 0 }
}

/// Digits before and after the point of a plain decimal like `-12.50`; no exponents.
fn decimal_shape(field: &str) -> Option<(u8, u8)> {
    let unsigned = field.strip_prefix(['-', '+']).unwrap_or(field);
    let (int_part, frac_part) = unsigned.split_once('.')?;
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (int_part.is_empty() && frac_part.is_empty())
        || !all_digits(int_part)
        || !all_digits(frac_part)
    {
        return None;
    }
    let int_digits = int_part.trim_start_matches('0').len();
    Some((
        u8::try_from(int_digits).ok()?,
        u8::try_from(frac_part.len()).ok()?,
    ))
}

fn widen(current: InferredType, seen: InferredType, max_chars: u32) -> InferredType {
    use InferredType as T;
    match (current, seen) {
        (T::Empty, seen) => match seen {
            T::Text { .. } => T::Text { max_chars },
            other => other,
        },
        (T::Integer { min, max }, T::Integer { min: v, .. }) => T::Integer {
            min: min.min(v),
            max: max.max(v),
        },
        (T::Integer { min, max }, T::Decimal { int_digits, scale })
        | (T::Decimal { int_digits, scale }, T::Integer { min, max }) => T::Decimal {
            int_digits: int_digits.max(integer_digits(min)).max(integer_digits(max)),
            scale,
        },
        (
            T::Decimal {
                int_digits: a,
                scale: s,
            },
            T::Decimal {
                int_digits: b,
                scale: t,
            },
        ) => T::Decimal {
            int_digits: a.max(b),
            scale: s.max(t),
        },
        (T::Boolean, T::Boolean) => T::Boolean,
        (T::Date, T::Date) => T::Date,
        _ => T::Text { max_chars },
    }
}

fn integer_digits(value: i64) -> u8 {
    let mut magnitude = value.unsigned_abs();
    let mut digits = 0;
    while magnitude > 0 {
        digits += 1;
        magnitude /= 10;
    }
    digits
}

#[cfg(test)]
mod tests {
    use super::*;

    fn infer(values: &[&str]) -> (InferredType, u64) {
        let mut stats = ColumnStats::new("c");
        for v in values {
            stats.observe(v);
        }
        (stats.ty, stats.n_nulls)
    }

    #[test]
    fn stats_read_in_parts_and_merged_are_the_stats_read_at_once() {
        let pool = [
            "",
            "7",
            "-12",
            "1000000",
            "0",
            "007",
            "2.5",
            "-0.125",
            "12.50",
            "2024-09-01",
            "true",
            "no",
            "NA",
            "x",
            "héllo wörld",
            " 42 ",
            "1e5",
            "99999999999",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut n_integer_ranges = 0;
        for _ in 0..4000 {
            let n = (next() % 9) as usize;
            let values: Vec<&str> = (0..n)
                .map(|_| pool[(next() % pool.len() as u64) as usize])
                .collect();
            let whole = {
                let mut inferrer = Inferrer::new(&["c"]);
                values.iter().for_each(|v| inferrer.observe(&[v]));
                inferrer
            };
            for cut in 0..=n {
                let (left, right) = values.split_at(cut);
                let mut merged = Inferrer::new(&["c"]);
                left.iter().for_each(|v| merged.observe(&[v]));
                let mut rest = Inferrer::new(&["c"]);
                right.iter().for_each(|v| rest.observe(&[v]));
                if let [
                    ColumnStats {
                        ty: InferredType::Integer { min, max },
                        ..
                    },
                ] = rest.columns.as_slice()
                {
                    n_integer_ranges += usize::from(min < max);
                }
                merged.merge(&rest);
                assert_eq!(merged.columns, whole.columns, "{values:?} cut at {cut}");
            }
        }
        assert!(n_integer_ranges > 100, "{n_integer_ranges} ranges merged");
    }

    #[test]
    fn short_eq_compares_every_byte() {
        for n in 0..40usize {
            let base: Vec<u8> = (0..n).map(|i| b'a' + (i % 26) as u8).collect();
            assert!(short_eq(&base, &base.clone()), "length {n}");
            for at in 0..n {
                let mut changed = base.clone();
                if let Some(b) = changed.get_mut(at) {
                    *b = b'#';
                }
                assert!(!short_eq(&base, &changed), "length {n}, byte {at}");
            }
            assert!(
                !short_eq(&base, &[base.as_slice(), b"x"].concat()),
                "length {n} vs {}",
                n + 1
            );
        }
    }

    #[test]
    fn trim_and_is_null_match_std() {
        let fields = [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\u{a0}NA",
            "NA\u{3000}",
            "NA",
            " NA ",
            "\tnull\r",
            "n/a",
            "nan",
            "-nan",
            "1.#IND",
            "#N/A",
            "<NA>",
            "x\t",
            "é",
            "Nope",
            "-1",
        ];
        for field in fields {
            assert_eq!(trim(field), field.trim(), "{field:?}");
            // The definition before the table: a marker-like first byte, then the list.
            let may_be_null = field
                .as_bytes()
                .first()
                .is_some_and(|b| b.is_ascii_whitespace() || b"#-1<Nn".contains(b));
            let by_definition =
                field.is_empty() || (may_be_null && NULL_MARKERS.contains(&field.trim()));
            assert_eq!(is_null(field), by_definition, "{field:?}");
        }
    }

    #[test]
    fn types_widen_and_nulls_count() {
        assert_eq!(
            infer(&["1", "", "-3"]),
            (InferredType::Integer { min: -3, max: 1 }, 1)
        );
        assert_eq!(
            infer(&["1", "22.5", "NA"]),
            (
                InferredType::Decimal {
                    int_digits: 2,
                    scale: 1
                },
                1
            )
        );
        assert_eq!(infer(&["yes", "No"]), (InferredType::Boolean, 0));
        assert_eq!(infer(&["2024-01-31", "null"]), (InferredType::Date, 1));
        assert_eq!(
            infer(&["2024-01-31", "7"]),
            (InferredType::Text { max_chars: 10 }, 0)
        );
        assert_eq!(infer(&["007"]), (InferredType::Text { max_chars: 3 }, 0));
        assert_eq!(infer(&["", "n/a"]), (InferredType::Empty, 2));
        assert_eq!(
            InferredType::Decimal {
                int_digits: 2,
                scale: 1
            }
            .column_type(),
            ColumnType::Decimal {
                precision: 3,
                scale: 1
            }
        );
        assert_eq!(
            InferredType::Integer {
                min: 0,
                max: 1 << 40
            }
            .column_type(),
            ColumnType::BigInt
        );
    }
}
