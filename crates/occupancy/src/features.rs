//! Feature encoding: numeric columns standardised, one-hot blocks for school, venue and weekday.
//!
//! All three models read the same encoded matrix. Trees do not need the scaling but are not
//! hurt by it, and one encoding path means one place where prediction can go wrong.

use serde::{Deserialize, Serialize};

use crate::session::SessionInput;

/// The numeric columns, in matrix order, before the one-hot blocks.
pub const NUMERIC_FEATURES: [&str; 9] = crate::session::concat(
    ["time_minutes", "venue_capacity"],
    crate::session::PER_SESSION,
);

/// How many standard deviations from its training mean an input may be before
/// [`FeatureEncoder::far_from_training`] flags it.
pub const FAR_FROM_TRAINING: f64 = 4.0;

/// A dense row-major matrix of encoded sessions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Matrix {
    pub n_rows: usize,
    pub n_cols: usize,
    pub data: Vec<f64>,
}

impl Matrix {
    pub fn row(&self, row_idx: usize) -> &[f64] {
        self.data
            .get(row_idx * self.n_cols..(row_idx + 1) * self.n_cols)
            .unwrap_or_default()
    }

    /// The rows at `indices`, in that order.
    pub fn select_rows(&self, indices: &[usize]) -> Matrix {
        let mut data = Vec::with_capacity(indices.len() * self.n_cols);
        for idx in indices {
            data.extend_from_slice(self.row(*idx));
        }
        Matrix {
            n_rows: indices.len(),
            n_cols: self.n_cols,
            data,
        }
    }
}

/// Learned from the training rows only, and saved in the bundle so prediction encodes exactly
/// as training did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureEncoder {
    /// Sorted vocabularies (at most [`MAX_CATEGORIES`] values each, the most frequent); a value
    /// not in them encodes as an all-zero block.
    pub schools: Vec<String>,
    pub venues: Vec<String>,
    pub weekdays: Vec<String>,
    pub means: Vec<f64>,
    pub std_devs: Vec<f64>,
}

fn numeric(input: &SessionInput) -> [f64; NUMERIC_FEATURES.len()] {
    [
        f64::from(input.time_minutes),
        f64::from(input.venue_capacity),
        f64::from(input.semester_day),
        if input.exam_week { 1.0 } else { 0.0 },
        f64::from(input.enrolled_students),
        input.prev_attendance,
        input.rolling_avg_3,
        input.rolling_avg_5,
        input.trend_delta,
    ]
}

/// The most values a categorical column (school, venue, weekday) encodes as features of their
/// own; the others share the all-zero block of a value never seen ("other"). Each category is
/// a column of every encoded row and every SVM support vector: 5,000 distinct venues in an
/// 800 KB file made training take minutes and the model 83 MB.
pub const MAX_CATEGORIES: usize = 100;

/// Each distinct value with its number of rows, most frequent first (ties by name).
fn counted<'a>(values: impl Iterator<Item = &'a str>) -> Vec<(&'a str, usize)> {
    let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for value in values {
        *counts.entry(value).or_default() += 1;
    }
    let mut counted: Vec<(&str, usize)> = counts.into_iter().collect();
    counted.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    counted
}

/// The sorted vocabulary of a column: its [`MAX_CATEGORIES`] most frequent values.
fn vocabulary<'a>(values: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut vocab: Vec<String> = counted(values)
        .into_iter()
        .take(MAX_CATEGORIES)
        .map(|(value, _)| value.to_owned())
        .collect();
    vocab.sort_unstable();
    vocab
}

/// A categorical column with more distinct values than [`MAX_CATEGORIES`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CappedColumn {
    pub column: &'static str,
    pub n_distinct: usize,
    /// Rows whose value is not among the kept ones (they encode as "other").
    pub n_other_rows: usize,
}

impl std::fmt::Display for CappedColumn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} distinct values of `{}`: only the {MAX_CATEGORIES} most frequent are model features; \
             the other {} ({} rows) count as one \"other\" value.",
            self.n_distinct,
            self.column,
            self.n_distinct.saturating_sub(MAX_CATEGORIES),
            self.n_other_rows
        )
    }
}

/// Reads one categorical column of a session.
type Getter = fn(&SessionInput) -> &str;

/// The categorical columns of `inputs` that training caps, for a warning.
pub fn capped_columns<'a>(
    inputs: impl Iterator<Item = &'a SessionInput> + Clone,
) -> Vec<CappedColumn> {
    let columns: [(&'static str, Getter); 3] = [
        ("school", |i| i.school.as_str()),
        ("venue", |i| i.venue.as_str()),
        ("weekday", |i| i.weekday.as_str()),
    ];
    columns
        .into_iter()
        .filter_map(|(column, get)| {
            let counted = counted(inputs.clone().map(get));
            (counted.len() > MAX_CATEGORIES).then(|| CappedColumn {
                column,
                n_distinct: counted.len(),
                n_other_rows: counted.iter().skip(MAX_CATEGORIES).map(|(_, n)| n).sum(),
            })
        })
        .collect()
}

impl FeatureEncoder {
    pub fn fit<'a>(inputs: impl Iterator<Item = &'a SessionInput> + Clone) -> Self {
        let mut n = 0.0;
        let mut sums = [0.0; NUMERIC_FEATURES.len()];
        for input in inputs.clone() {
            n += 1.0;
            for (sum, value) in sums.iter_mut().zip(numeric(input)) {
                *sum += value;
            }
        }
        let means: Vec<f64> = sums
            .iter()
            .map(|s| if n > 0.0 { s / n } else { 0.0 })
            .collect();
        let mut squares = [0.0; NUMERIC_FEATURES.len()];
        for input in inputs.clone() {
            for ((square, value), mean) in squares.iter_mut().zip(numeric(input)).zip(&means) {
                *square += (value - mean) * (value - mean);
            }
        }
        // A constant column keeps scale 1 so encoding never divides by zero.
        let std_devs = squares
            .iter()
            .map(|s| {
                if n > 0.0 && *s > 0.0 {
                    (s / n).sqrt()
                } else {
                    1.0
                }
            })
            .collect();
        Self {
            schools: vocabulary(inputs.clone().map(|i| i.school.as_str())),
            venues: vocabulary(inputs.clone().map(|i| i.venue.as_str())),
            weekdays: vocabulary(inputs.map(|i| i.weekday.as_str())),
            means,
            std_devs,
        }
    }

    pub fn n_features(&self) -> usize {
        NUMERIC_FEATURES.len() + self.schools.len() + self.venues.len() + self.weekdays.len()
    }

    /// Column names, e.g. `enrolled_students` or `school=Law`.
    pub fn feature_names(&self) -> Vec<String> {
        let mut names: Vec<String> = NUMERIC_FEATURES.iter().map(|n| (*n).to_owned()).collect();
        for (prefix, vocab) in [
            ("school", &self.schools),
            ("venue", &self.venues),
            ("weekday", &self.weekdays),
        ] {
            names.extend(vocab.iter().map(|v| format!("{prefix}={v}")));
        }
        names
    }

    /// Appends the encoded row for `input` to `out`.
    pub fn encode_into(&self, input: &SessionInput, out: &mut Vec<f64>) {
        for ((value, mean), std_dev) in numeric(input).iter().zip(&self.means).zip(&self.std_devs) {
            out.push((value - mean) / std_dev);
        }
        for (vocab, value) in [
            (&self.schools, &input.school),
            (&self.venues, &input.venue),
            (&self.weekdays, &input.weekday),
        ] {
            let hit = vocab.binary_search(value).ok();
            out.extend((0..vocab.len()).map(|idx| if Some(idx) == hit { 1.0 } else { 0.0 }));
        }
    }

    /// The numeric inputs of `input` far from the training data: more than
    /// [`FAR_FROM_TRAINING`] standard deviations from the training mean, as
    /// `(column, value, mean, standard deviation)`. A bundle keeps the training means and
    /// deviations, not the ranges, so this is the check a model file alone allows; a value
    /// this far out is one the models never saw anything like.
    pub fn far_from_training(&self, input: &SessionInput) -> Vec<(&'static str, f64, f64, f64)> {
        NUMERIC_FEATURES
            .iter()
            .zip(numeric(input))
            .zip(self.means.iter().zip(&self.std_devs))
            .filter(|((name, _), _)| **name != "exam_week")
            .filter(|((_, value), (mean, sd))| (value - *mean).abs() > FAR_FROM_TRAINING * **sd)
            .map(|((name, value), (mean, sd))| (*name, value, *mean, *sd))
            .collect()
    }

    pub fn encode_row(&self, input: &SessionInput) -> Vec<f64> {
        let mut out = Vec::with_capacity(self.n_features());
        self.encode_into(input, &mut out);
        out
    }

    pub fn encode<'a>(&self, inputs: impl Iterator<Item = &'a SessionInput>) -> Matrix {
        let mut data = Vec::new();
        let mut n_rows = 0;
        for input in inputs {
            self.encode_into(input, &mut data);
            n_rows += 1;
        }
        Matrix {
            n_rows,
            n_cols: self.n_features(),
            data,
        }
    }
}
