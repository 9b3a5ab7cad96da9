//! Guardrails around the occupancy models: which new version may serve without being asked,
//! when a test set is too small to trust, which prediction inputs lie outside the data a version
//! was trained on, and which imported rows the page already holds.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use campus_occupancy::metrics::{classification_metrics, regression_metrics};
use campus_occupancy::{ModelBundle, Session, SessionInput};

use super::predict_form::Field;
use crate::format::group;

/// Below this many held-back rows the page warns that the scores are rough: with 30 rows one
/// unusual session moves accuracy by over three points, and R² swings by more (the rule of
/// thumb statistics courses give for a sample mean to behave).
pub const MIN_TEST_ROWS: usize = 30;

/// How the page explains when a new version serves at once, in one sentence.
pub const PROMOTION_RULE: &str = "A newly trained version serves predictions at once only if, on \
    its own held-back rows, its forest R² and SVM accuracy are at least those of the serving \
    version on the same rows; otherwise it waits in the list until you promote it.";

/// The warning for a version tested on `n_test` rows, if they are too few.
pub fn small_test_warning(n_test: usize) -> Option<String> {
    (n_test < MIN_TEST_ROWS).then(|| {
        format!(
            "Only {n_test} held-back rows: with fewer than {MIN_TEST_ROWS}, one unusual session \
             moves these scores by several points, so treat them as rough. Train on more sessions."
        )
    })
}

/// Forest R² and SVM accuracy of one model on some rows.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Score {
    pub forest_r2: f64,
    pub svm_accuracy: f64,
}

/// The new version and the serving one scored on the new version's held-back rows.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Judgement {
    pub new: Score,
    pub serving: Score,
}

impl Judgement {
    /// At least as good on both scores: the new version may serve without being promoted.
    pub fn new_may_serve(&self) -> bool {
        self.new.forest_r2 >= self.serving.forest_r2
            && self.new.svm_accuracy >= self.serving.svm_accuracy
    }

    /// One sentence for the notice after training.
    pub fn explain(&self, serving_id: u32) -> String {
        let scores = format!(
            "on its own held-back rows (forest R² {:.3} vs {:.3}, SVM accuracy {:.3} vs {:.3} for v{serving_id})",
            self.new.forest_r2,
            self.serving.forest_r2,
            self.new.svm_accuracy,
            self.serving.svm_accuracy
        );
        if self.new_may_serve() {
            format!("; it is at least as good {scores}, so it now serves predictions.")
        } else {
            format!(
                "; it is kept but not served: it is worse {scores}. Promote it if you want it anyway."
            )
        }
    }
}

/// Scores `new` and `serving` on the rows `new` held back from `sessions` (the data `new` was
/// trained on). `None` when `sessions` are not that data or a model cannot predict them.
pub fn judge(new: &ModelBundle, serving: &ModelBundle, sessions: &[Session]) -> Option<Judgement> {
    if sessions.len() != new.n_rows {
        return None;
    }
    let rows: Vec<&Session> = new
        .evaluation
        .test_rows
        .iter()
        .map(|&i| sessions.get(i as usize))
        .collect::<Option<_>>()?;
    Some(Judgement {
        new: score(new, &rows)?,
        serving: score(serving, &rows)?,
    })
}

fn score(bundle: &ModelBundle, rows: &[&Session]) -> Option<Score> {
    let predictions = bundle
        .models
        .predict_many(rows.iter().map(|s| &s.input))
        .ok()?;
    let actual: Vec<f64> = rows
        .iter()
        .map(|s| f64::from(s.actual_attendance))
        .collect();
    let forest: Vec<f64> = predictions.iter().map(|p| p.forest_attendance).collect();
    let labels: Vec<bool> = rows.iter().map(|s| s.overcrowded()).collect();
    let verdicts: Vec<bool> = predictions.iter().map(|p| p.overcrowded).collect();
    Some(Score {
        forest_r2: regression_metrics(&actual, &forest).r2,
        svm_accuracy: classification_metrics(&labels, &verdicts).accuracy,
    })
}

/// The range check's view of a prediction form field.
trait RangeField {
    fn value(self, input: &SessionInput) -> f64;
    fn show(self, value: f64) -> String;
}

impl RangeField for Field {
    fn value(self, input: &SessionInput) -> f64 {
        match self {
            Field::Capacity => f64::from(input.venue_capacity),
            Field::Time => f64::from(input.time_minutes),
            Field::SemesterDay => f64::from(input.semester_day),
            Field::Enrolled => f64::from(input.enrolled_students),
            Field::PrevAttendance => input.prev_attendance,
            Field::RollingAvg3 => input.rolling_avg_3,
            Field::RollingAvg5 => input.rolling_avg_5,
        }
    }

    fn show(self, value: f64) -> String {
        match self {
            Field::Time => campus_occupancy::session::format_time(value as u16),
            _ if value.fract() == 0.0 && value.abs() < 1e15 => group(value as u64),
            _ => format!("{value:.1}"),
        }
    }
}

/// Per input, the least and greatest value in the rows a version was trained on (stored in its
/// registry record; a version imported from a file has none).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InputRanges {
    /// `(field, min, max)` for each of [`Field::ALL`].
    pub ranges: Vec<(Field, f64, f64)>,
}

/// A prediction input outside the training range.
#[derive(Clone, Debug, PartialEq)]
pub struct OutOfRange {
    pub field: Field,
    pub message: String,
}

impl InputRanges {
    /// The ranges of `rows`; empty for no rows.
    pub fn of(rows: &[&SessionInput]) -> InputRanges {
        let ranges = Field::ALL
            .iter()
            .filter_map(|&field| {
                let values = rows.iter().map(|input| field.value(input));
                let min = values.clone().reduce(f64::min)?;
                Some((field, min, values.fold(min, f64::max)))
            })
            .collect();
        InputRanges { ranges }
    }

    /// The ranges of the rows `bundle` was trained on: `sessions` without its held-back rows.
    pub fn of_training(bundle: &ModelBundle, sessions: &[Session]) -> InputRanges {
        let held_back: HashSet<u32> = bundle.evaluation.test_rows.iter().copied().collect();
        let training: Vec<&SessionInput> = (0u32..)
            .zip(sessions)
            .filter(|(i, _)| !held_back.contains(i))
            .map(|(_, s)| &s.input)
            .collect();
        InputRanges::of(&training)
    }

    /// Every input of `input` outside its range, with the range.
    pub fn check(&self, input: &SessionInput) -> Vec<OutOfRange> {
        self.ranges
            .iter()
            .filter_map(|&(field, min, max)| {
                let value = field.value(input);
                (value < min || value > max).then(|| OutOfRange {
                    field,
                    message: format!(
                        "{} {} is outside the training data ({} to {}): the models are guessing here.",
                        field.label(),
                        field.show(value),
                        field.show(min),
                        field.show(max)
                    ),
                })
            })
            .collect()
    }
}

/// The SHA-256 of an imported file's bytes, by which a second import of it is recognised.
pub fn content_hash(bytes: &[u8]) -> String {
    campus_occupancy::bundle::sha256_hex(bytes)
}

/// `new` without the rows `existing` already holds (nor repeats within `new`), and how many
/// were dropped.
pub fn without_known_rows(existing: &[Session], new: Vec<Session>) -> (Vec<Session>, usize) {
    // Debug text writes every float exactly, so equal keys mean equal rows.
    let mut seen: HashSet<String> = existing.iter().map(|s| format!("{s:?}")).collect();
    let n_new = new.len();
    let kept: Vec<Session> = new
        .into_iter()
        .filter(|s| seen.insert(format!("{s:?}")))
        .collect();
    let n_dropped = n_new - kept.len();
    (kept, n_dropped)
}

/// What becomes of a version just stored.
#[derive(Clone, Debug, PartialEq)]
pub struct Admission {
    /// It serves predictions at once (else it waits to be promoted).
    pub serve: bool,
    /// The training data's input ranges, for a version trained here.
    pub ranges: Option<InputRanges>,
    pub message: String,
}

/// Decides whether version `id` (`new`, just made: trained on `trained_on`, or imported from a
/// file when that is `None`) serves at once. An imported file or a first version serves; a
/// trained one serves only if [`Judgement::new_may_serve`] says so. `what` starts the message
/// ("Trained on 315 sessions").
pub fn admit(
    id: u32,
    new: &ModelBundle,
    trained_on: Option<&[Session]>,
    serving: Option<(u32, &ModelBundle)>,
    what: &str,
) -> Admission {
    let ranges = trained_on.map(|sessions| InputRanges::of_training(new, sessions));
    let (serve, verdict) = match (trained_on, serving) {
        (Some(sessions), Some((serving_id, serving))) => match judge(new, serving, sessions) {
            Some(judgement) => (judgement.new_may_serve(), judgement.explain(serving_id)),
            None => (
                false,
                format!(
                    "; it could not be compared with v{serving_id}, so promote it to serve it."
                ),
            ),
        },
        _ => (true, ", which now serves predictions.".to_owned()),
    };
    let mut message = format!("{what}: saved as version {id}{verdict}");
    if let Some(warning) = small_test_warning(new.evaluation.n_test) {
        message = format!("{message} {warning}");
    }
    if let Some(sessions) = trained_on {
        for capped in campus_occupancy::features::capped_columns(sessions.iter().map(|s| &s.input))
        {
            message = format!("{message} {capped}");
        }
    }
    Admission {
        serve,
        ranges,
        message,
    }
}
