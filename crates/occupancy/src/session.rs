//! One class session: the columns of the CSV layout shared with the Python project, and the
//! writer for that layout.

use serde::{Deserialize, Serialize};

use crate::train::Prediction;
use std::fmt::Write as _;

/// The CSV header, in the order we write it. Import matches columns by name, so files with
/// the columns in another order (or with extra columns such as a pandas index) still load.
pub const COLUMNS: [&str; 14] = [
    "date",
    "time",
    "school",
    "venue",
    "venue_capacity",
    "weekday",
    "semester_day",
    "exam_week",
    "enrolled_students",
    "prev_attendance",
    "rolling_avg_3",
    "rolling_avg_5",
    "trend_delta",
    "actual_attendance",
];

/// Everything known about a session before it happens: what the models predict from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionInput {
    /// `YYYY-MM-DD`; kept as text because no model uses it (`semester_day` carries the time).
    pub date: String,
    /// Minutes after midnight (the CSV says `HH:MM`).
    pub time_minutes: u16,
    pub school: String,
    pub venue: String,
    pub venue_capacity: u32,
    pub weekday: String,
    pub semester_day: u32,
    pub exam_week: bool,
    pub enrolled_students: u32,
    /// Attendance of the course's previous session, 0 when there is none.
    pub prev_attendance: f64,
    /// Mean attendance of the course's last 3 sessions (fewer at the start), 0 when none.
    pub rolling_avg_3: f64,
    /// Mean attendance of the course's last 5 sessions (fewer at the start), 0 when none.
    pub rolling_avg_5: f64,
    /// `rolling_avg_3 - rolling_avg_5`: positive when attendance is picking up.
    pub trend_delta: f64,
}

/// A session with its observed attendance: a training row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub input: SessionInput,
    pub actual_attendance: u32,
}

impl Session {
    /// The classification label: more people came than the room holds.
    pub fn overcrowded(&self) -> bool {
        self.actual_attendance > self.input.venue_capacity
    }
}

/// Formats minutes after midnight as `HH:MM`.
pub fn format_time(time_minutes: u16) -> String {
    format!("{:02}:{:02}", time_minutes / 60, time_minutes % 60)
}

/// Writes sessions in the shared CSV layout (header included, `\n` line ends). Floats use
/// Rust's shortest round-trip formatting, so parsing the text gives back the same values and
/// the text itself is identical on every target.
pub fn write_csv(sessions: &[Session]) -> String {
    let mut out = String::with_capacity(96 * (sessions.len() + 1));
    out.push_str(&COLUMNS.join(","));
    out.push('\n');
    for session in sessions {
        write_row(&mut out, &session.input, Some(session.actual_attendance));
    }
    out
}

/// Appends one CSV row; `actual_attendance` is left empty when unknown.
pub(crate) fn write_row(out: &mut String, input: &SessionInput, actual_attendance: Option<u32>) {
    let exam_week = if input.exam_week { "True" } else { "False" };
    // Writing to a String cannot fail; the results are ignored on purpose.
    let _ = write!(
        out,
        "{},{},{},{},{},{},{},{},{},{},{},{},{},",
        input.date,
        format_time(input.time_minutes),
        quote(&input.school),
        quote(&input.venue),
        input.venue_capacity,
        quote(&input.weekday),
        input.semester_day,
        exam_week,
        input.enrolled_students,
        input.prev_attendance,
        input.rolling_avg_3,
        input.rolling_avg_5,
        input.trend_delta,
    );
    if let Some(actual) = actual_attendance {
        let _ = write!(out, "{actual}");
    }
    out.push('\n');
}

/// RFC 4180 quoting for the free-text columns (imported names may contain commas).
fn quote(field: &str) -> std::borrow::Cow<'_, str> {
    if field.contains([',', '"', '\n', '\r']) {
        std::borrow::Cow::Owned(format!("\"{}\"", field.replace('"', "\"\"")))
    } else {
        std::borrow::Cow::Borrowed(field)
    }
}

/// The header of a predictions CSV: the input layout plus one column per model output.
pub const PREDICTION_HEADER: &str = "date,time,school,venue,venue_capacity,weekday,semester_day,exam_week,\
enrolled_students,prev_attendance,rolling_avg_3,rolling_avg_5,trend_delta,actual_attendance,\
predicted_attendance_linear,predicted_attendance_forest,predicted_overcrowded,svm_margin\n";

/// Appends one predictions row (see [`PREDICTION_HEADER`]); attendance rounded to 0.1.
pub fn write_row_with_predictions(
    out: &mut String,
    input: &SessionInput,
    actual_attendance: Option<u32>,
    prediction: &Prediction,
) {
    write_row(out, input, actual_attendance);
    out.pop();
    let overcrowded = if prediction.overcrowded {
        "True"
    } else {
        "False"
    };
    let _ = writeln!(
        out,
        ",{:.1},{:.1},{overcrowded},{:.4}",
        prediction.linear_attendance, prediction.forest_attendance, prediction.svm_margin
    );
}
