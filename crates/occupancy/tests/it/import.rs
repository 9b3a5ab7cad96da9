//! CSV import: the shared layout in the shapes users bring, and one error per bad fixture.

use campus_occupancy::import::{ImportError, parse_inputs, parse_sessions};

fn read(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Parses a bad fixture and checks the rows that survive and the one error message.
fn check_bad(name: &str, n_good_rows: usize, expected: &str) {
    let imported = parse_sessions(&read(name), name);
    assert_eq!(imported.rows.len(), n_good_rows, "{name}");
    assert_eq!(imported.n_bad_rows, 1, "{name}");
    let messages: Vec<String> = imported.errors.iter().map(ToString::to_string).collect();
    assert_eq!(messages, [expected], "{name}");
}

#[test]
fn good_file() {
    let imported = parse_sessions(&read("good.csv"), "good.csv");
    assert!(imported.errors.is_empty());
    assert_eq!(imported.rows.len(), 2);
    let second = &imported.rows[1];
    assert_eq!(second.input.time_minutes, 9 * 60 + 30);
    assert!(second.input.exam_week);
    assert!(second.overcrowded());
    assert_eq!(second.input.prev_attendance, 85.0);
}

#[test]
fn pandas_style_file() {
    // BOM, CRLF, an index column, other column order, a quoted name with a comma, 85.0 for
    // a count, HH:MM:SS, lower-case booleans and a blank line.
    let imported = parse_sessions(&read("pandas_style.csv"), "pandas_style.csv");
    assert!(imported.errors.is_empty(), "{:?}", imported.errors);
    assert_eq!(imported.rows.len(), 2);
    assert_eq!(imported.rows[0].input.school, "Law, Politics");
    assert_eq!(imported.rows[0].actual_attendance, 85);
    assert_eq!(imported.rows[1].input.time_minutes, 570);
    assert_eq!(imported.rows[1].input.trend_delta, -0.5);
    assert!(imported.rows[1].input.exam_week);
}

#[test]
fn bad_files_each_give_their_error() {
    check_bad(
        "bad_time.csv",
        1,
        "bad_time.csv:2: column `time`: expected a time as HH:MM, found `8h00`",
    );
    check_bad(
        "bad_exam_week.csv",
        1,
        "bad_exam_week.csv:3: column `exam_week`: expected True or False, found `maybe`",
    );
    check_bad(
        "bad_capacity.csv",
        1,
        "bad_capacity.csv:3: column `venue_capacity`: expected a whole number from 0 to 1000000, found `-150`",
    );
    check_bad(
        "short_row.csv",
        1,
        "short_row.csv:2: expected 14 fields like the header, found 13",
    );
    check_bad(
        "bad_date.csv",
        0,
        "bad_date.csv:2: column `date`: expected a date as YYYY-MM-DD, found `2024-13-02`",
    );
    check_bad(
        "bad_prev_attendance.csv",
        0,
        "bad_prev_attendance.csv:2: column `prev_attendance`: expected a non-negative number, found `NaN`",
    );
    check_bad(
        "bad_actual.csv",
        0,
        "bad_actual.csv:2: column `actual_attendance`: expected a whole number from 0 to 1000000, found `85.5`",
    );
}

#[test]
fn header_problems_stop_the_file() {
    let imported = parse_sessions(&read("missing_columns.csv"), "missing_columns.csv");
    assert!(imported.rows.is_empty());
    assert!(matches!(
        &imported.errors[..],
        [ImportError::MissingColumns { missing, .. }] if missing == &["venue_capacity".to_owned()]
    ));
    assert!(
        imported.errors[0]
            .to_string()
            .starts_with("missing_columns.csv:1: missing column(s) venue_capacity; expected")
    );

    let imported = parse_sessions(&read("empty.csv"), "empty.csv");
    assert!(matches!(&imported.errors[..], [ImportError::Empty { .. }]));

    let imported = parse_sessions(&read("not_csv.csv"), "not_csv.csv");
    assert!(
        matches!(&imported.errors[..], [ImportError::MissingColumns { missing, .. }] if missing.len() == 14)
    );
}

#[test]
fn prediction_input_may_lack_the_label() {
    let imported = parse_inputs(&read("predict_no_label.csv"), "predict_no_label.csv");
    assert!(imported.errors.is_empty());
    assert_eq!(imported.rows.len(), 2);
    assert_eq!(imported.rows[0].actual_attendance, None);
    // ...but training data may not.
    let imported = parse_sessions(&read("predict_no_label.csv"), "predict_no_label.csv");
    assert!(
        matches!(&imported.errors[..], [ImportError::MissingColumns { missing, .. }] if missing == &["actual_attendance".to_owned()])
    );
}

#[test]
fn many_bad_rows_keep_a_bounded_error_list() {
    let mut text = String::from(
        "date,time,school,venue,venue_capacity,weekday,semester_day,exam_week,enrolled_students,prev_attendance,rolling_avg_3,rolling_avg_5,trend_delta,actual_attendance\n",
    );
    for _ in 0..500 {
        text.push_str("x,x,x,x,x,x,x,x,x,x,x,x,x,x\n");
    }
    let imported = parse_sessions(text.as_bytes(), "junk.csv");
    assert_eq!(imported.n_bad_rows, 500);
    assert_eq!(
        imported.errors.len(),
        campus_occupancy::import::MAX_KEPT_ERRORS
    );
}

/// `predict` reads its input through `InputStream`: each chunk gives back the rows it
/// completed, so no more than a chunk's rows are ever held, whatever the file's length.
#[test]
fn the_prediction_input_streams_chunk_by_chunk() {
    use campus_occupancy::import::InputStream;

    let good = read("predict_no_label.csv");
    let text = String::from_utf8(good).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let row = lines.next().unwrap();
    let mut stream = InputStream::new("big.csv");
    let mut n_rows = stream.feed(format!("{header}\n").as_bytes()).len();
    let chunk = format!("{row}\n").repeat(1_000);
    let mut most = 0;
    for _ in 0..200 {
        let rows = stream.feed(chunk.as_bytes());
        most = most.max(rows.len());
        n_rows += rows.len();
    }
    let rest = stream.finish();
    n_rows += rest.rows.len();
    assert_eq!(n_rows, 200_000);
    assert_eq!(rest.n_bad_rows, 0);
    assert!(most <= 1_000, "a chunk gave {most} rows");
    assert!(rest.rows.len() <= 1);
}
