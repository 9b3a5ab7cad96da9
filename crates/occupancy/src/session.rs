//! One class session: the columns of the CSV layout shared with the Python project, and the
//! writer for that layout.

use serde::{Deserialize, Serialize};

use campus_csv::{CsvWriter, LineEnd};
use campus_schema::RowSink as _;

use crate::train::Prediction;

/// The per-session columns every model reads as numbers, in the order both the CSV and the
/// feature matrix hold them.
pub const PER_SESSION: [&str; 7] = [
    "semester_day",
    "exam_week",
    "enrolled_students",
    "prev_attendance",
    "rolling_avg_3",
    "rolling_avg_5",
    "trend_delta",
];

/// `a` then `b`, in an array of their combined length `N` (checked when compiled).
pub(crate) const fn concat<const A: usize, const B: usize, const N: usize>(
    a: [&'static str; A],
    b: [&'static str; B],
) -> [&'static str; N] {
    assert!(A + B == N, "N must be A + B");
    let mut out = [""; N];
    let mut i = 0;
    while i < N {
        out[i] = if i < A { a[i] } else { b[i - A] };
        i += 1;
    }
    out
}

/// The CSV header, in the order we write it. Import matches columns by name, so files with
/// the columns in another order (or with extra columns such as a pandas index) still load.
pub const COLUMNS: [&str; 14] = concat::<13, 1, 14>(
    concat(
        [
            "date",
            "time",
            "school",
            "venue",
            "venue_capacity",
            "weekday",
        ],
        PER_SESSION,
    ),
    ["actual_attendance"],
);

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
    let mut csv = CsvWriter::default().with_line_end(LineEnd::Lf);
    csv.buf.reserve(96 * (sessions.len() + 1));
    for column in COLUMNS {
        csv.text(column);
    }
    csv.end_row();
    for session in sessions {
        write_fields(&mut csv, &session.input, Some(session.actual_attendance));
        csv.end_row();
    }
    into_string(csv)
}

/// Appends the fields of one row; `actual_attendance` is left empty when unknown.
fn write_fields(csv: &mut CsvWriter, input: &SessionInput, actual_attendance: Option<u32>) {
    csv.text(&input.date);
    csv.text(&format_time(input.time_minutes));
    csv.text(&input.school);
    csv.text(&input.venue);
    csv.int(i64::from(input.venue_capacity));
    csv.text(&input.weekday);
    csv.int(i64::from(input.semester_day));
    csv.text(python_bool(input.exam_week));
    csv.int(i64::from(input.enrolled_students));
    csv.float(input.prev_attendance);
    csv.float(input.rolling_avg_3);
    csv.float(input.rolling_avg_5);
    csv.float(input.trend_delta);
    match actual_attendance {
        Some(actual) => csv.int(i64::from(actual)),
        None => csv.null(),
    }
}

/// Booleans as pandas writes them.
fn python_bool(value: bool) -> &'static str {
    if value { "True" } else { "False" }
}

/// The writer's text: every field went in as `&str` or as digits, so it is UTF-8.
fn into_string(csv: CsvWriter) -> String {
    String::from_utf8(csv.buf).unwrap_or_else(|error| {
        debug_assert!(false, "CSV of UTF-8 fields is UTF-8: {error}");
        String::from_utf8_lossy(error.as_bytes()).into_owned()
    })
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
    let mut csv = CsvWriter::default().with_line_end(LineEnd::Lf);
    write_fields(&mut csv, input, actual_attendance);
    csv.text(&format!("{:.1}", prediction.linear_attendance));
    csv.text(&format!("{:.1}", prediction.forest_attendance));
    csv.text(python_bool(prediction.overcrowded));
    csv.text(&format!("{:.4}", prediction.svm_margin));
    csv.end_row();
    out.push_str(&into_string(csv));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(school: &str) -> SessionInput {
        SessionInput {
            date: "2024-09-02".to_owned(),
            time_minutes: 9 * 60 + 5,
            school: school.to_owned(),
            venue: "LT-2".to_owned(),
            venue_capacity: 150,
            weekday: "Monday".to_owned(),
            semester_day: 1,
            exam_week: true,
            enrolled_students: 133,
            prev_attendance: 85.5,
            rolling_avg_3: 0.1,
            rolling_avg_5: 1e21,
            trend_delta: -0.25,
        }
    }

    #[test]
    fn rows_are_written_as_before() {
        // The bytes the hand-written writer produced, quoting and float text included.
        let sessions = [Session {
            input: input("Law, \"Politics\""),
            actual_attendance: 90,
        }];
        assert_eq!(
            write_csv(&sessions),
            format!(
                "{}\n2024-09-02,09:05,\"Law, \"\"Politics\"\"\",LT-2,150,Monday,1,True,133,85.5,0.1,1000000000000000000000,-0.25,90\n",
                COLUMNS.join(",")
            )
        );
        let prediction = Prediction {
            linear_attendance: 97.25,
            forest_attendance: 101.04,
            overcrowded: false,
            svm_margin: -0.123_456,
        };
        let mut out = String::new();
        write_row_with_predictions(&mut out, &input("Law"), None, &prediction);
        assert_eq!(
            out,
            "2024-09-02,09:05,Law,LT-2,150,Monday,1,True,133,85.5,0.1,1000000000000000000000,-0.25,,97.2,101.0,False,-0.1235\n"
        );
        assert_eq!(
            PREDICTION_HEADER.matches(',').count(),
            out.matches(',').count()
        );
    }
}
