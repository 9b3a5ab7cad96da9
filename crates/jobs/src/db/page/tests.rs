//! The database section's reducer and views.

use campus_db::{Cell, ErrorKind, QueryError, ResultSet};

use super::*;

fn result(columns: &[&str], rows: usize, total: u64) -> ResultSet {
    ResultSet {
        statement: 0..10,
        columns: columns.iter().map(|c| (*c).to_owned()).collect(),
        rows: (0..rows)
            .map(|i| vec![Cell::Int(i as i64), Cell::Text(format!("r{i}"))])
            .collect(),
        offset: 0,
        total_rows: total,
        changes: 0,
        steps: 0,
    }
}

fn ready(state: &mut State) {
    state.apply(Action::WorkerReady);
    state.apply(Action::Ready {
        tables: vec![TableRows {
            name: "students".into(),
            rows: 10,
        }],
        rows: 10,
    });
}

#[test]
fn the_statement_under_the_cursor_or_all() {
    let editor = "SELECT 1;\n\nSELECT 2 FROM x;\nSELECT 3";
    let run = run_for(editor, Some(12)).unwrap_or_else(|| panic!("no run"));
    assert_eq!(run.sql, "SELECT 2 FROM x;");
    assert_eq!(run.base, 11);
    let all = run_for(editor, None).unwrap_or_else(|| panic!("no run"));
    assert_eq!((all.sql.as_str(), all.base), (editor, 0));
    assert_eq!(run_for("  -- nothing\n", None), None);
    assert_eq!(run_for("", Some(0)), None);
    // A cursor past the end is the last statement.
    assert_eq!(
        run_for(editor, Some(999)).map(|r| r.sql),
        Some("SELECT 3".to_owned())
    );
}

#[test]
fn an_error_points_into_the_editor() {
    let mut state = State::default();
    ready(&mut state);
    let editor = "SELECT 1;\nSELECT *\nFORM students;";
    let Some(run) = run_for(editor, Some(15)) else {
        panic!("no run");
    };
    state.apply(Action::RunStarted(run));
    assert_eq!(state.busy, Some(Busy::Running));
    state.apply(Action::QueryFailed(QueryError {
        kind: ErrorKind::Sqlite,
        message: "near \"FORM\": syntax error".into(),
        // "FORM" is at byte 9 of "SELECT *\nFORM students;"
        offset: Some(9),
        position: None,
    }));
    assert_eq!(state.busy, None);
    let failure = state.failure().unwrap_or_else(|| panic!("no failure"));
    assert_eq!(failure.position, Some(Position { line: 3, column: 1 }));
    assert_eq!(
        failure.text(),
        "Line 3, column 1: near \"FORM\": syntax error"
    );
    assert!(!failure.stopped);
    assert_eq!(state.run_id, 1);
}

#[test]
fn results_page_through_the_grid_and_count() {
    let mut state = State::default();
    ready(&mut state);
    let Some(run) = run_for("SELECT a, b FROM t", None) else {
        panic!("no run");
    };
    state.apply(Action::RunStarted(run));
    let mut rows = result(&["a", "b"], 120, 5_000);
    rows.statement = 0..18;
    state.apply(Action::Results {
        results: vec![rows],
        elapsed_ms: 12.4,
    });
    let grid = state.grid().unwrap_or_else(|| panic!("no grid"));
    assert_eq!(grid.summary, "5,000 rows · 12 ms");
    assert_eq!((grid.page, grid.pages, grid.rows.len()), (0, 3, 50));
    assert_eq!(grid.numeric, vec![true, false]);
    assert_eq!(
        grid.range.as_deref(),
        Some("Rows 1–50 of the first 120 of 5,000 (download the CSV for all)")
    );
    state.apply(Action::GridPage(2));
    let grid = state.grid().unwrap_or_else(|| panic!("no grid"));
    assert_eq!(grid.rows.len(), 20);
    assert_eq!(grid.rows[0], vec!["100".to_owned(), "r100".to_owned()]);
    // A page past the end shows the last.
    state.apply(Action::GridPage(9));
    assert_eq!(state.grid().map(|g| g.page), Some(2));
    assert_eq!(state.history, vec!["SELECT a, b FROM t".to_owned()]);
    // The CSV re-runs the statement for every row.
    assert!(matches!(
        state.export_request(),
        Some(DbRequest::Run { sql, options }) if sql == "SELECT a, b FROM t" && options.limit == u64::MAX
    ));
}

#[test]
fn a_statement_that_wrote_is_not_run_again_for_a_csv() {
    let mut state = State::default();
    ready(&mut state);
    let Some(run) = run_for("DELETE FROM t", None) else {
        panic!("no run");
    };
    state.apply(Action::RunStarted(run));
    let mut deleted = result(&[], 0, 0);
    deleted.changes = 3;
    state.apply(Action::Results {
        results: vec![deleted],
        elapsed_ms: 1500.0,
    });
    assert_eq!(
        state.grid().map(|g| g.summary),
        Some("3 rows changed · 1.50 s".to_owned())
    );
    assert_eq!(state.export_request(), None);
}

#[test]
fn a_stopped_query_leaves_the_page_usable() {
    let mut state = State::default();
    ready(&mut state);
    let Some(run) = run_for(EXAMPLES[4].1, None) else {
        panic!("no run");
    };
    state.apply(Action::RunStarted(run));
    state.apply(Action::WorkerDied);
    assert!(!state.idle());
    let failure = state.failure().unwrap_or_else(|| panic!("no failure"));
    assert!(failure.stopped);
    assert!(failure.message.starts_with("Stopped."));
    // The new worker answers; the page asks it what it holds.
    state.apply(Action::WorkerReady);
    assert!(state.idle());
    state.apply(Action::Ready {
        tables: vec![],
        rows: 0,
    });
    assert!(state.outcome.is_some(), "a status answer keeps the console");
    // A run sent before the status answer came stays running through it.
    let Some(run) = run_for("SELECT 1", None) else {
        panic!("no run");
    };
    state.apply(Action::RunStarted(run));
    state.apply(Action::Ready {
        tables: vec![],
        rows: 0,
    });
    assert_eq!(state.busy, Some(Busy::Running));
    state.apply(Action::Results {
        results: vec![result(&["a"], 1, 1)],
        elapsed_ms: 1.0,
    });
    assert!(state.grid().is_some());
    state.apply(Action::RunStarted(
        run_for("SELECT 2", None).unwrap_or_else(|| panic!("no run")),
    ));
    state.apply(Action::WorkerDied);
    // A late answer of the dead request changes nothing.
    state.apply(Action::Results {
        results: vec![result(&["a"], 1, 1)],
        elapsed_ms: 1.0,
    });
    assert!(state.failure().is_some());
}

#[test]
fn load_form_errors_and_progress() {
    let mut state = State::default();
    state.apply(Action::WorkerReady);
    assert!(matches!(state.load_request(), Ok(DbRequest::Load(c)) if c.seed == 42));
    state.apply(Action::SetStudents("lots".into()));
    state.apply(Action::LoadStarted);
    assert!(state.form_error.is_some());
    assert_eq!(state.busy, None);
    state.apply(Action::SetStudents("2,000".into()));
    state.apply(Action::SetSeed("7".into()));
    assert!(
        matches!(state.load_request(), Ok(DbRequest::Load(c)) if c.seed == 7 && c.students == 2_000)
    );
    state.apply(Action::LoadStarted);
    assert_eq!(state.busy, Some(Busy::Loading));
    state.apply(Action::Progress(LoadProgress {
        table: "students".into(),
        rows_done: 12_000,
        rows_total: 50_500,
        finished: false,
    }));
    assert_eq!(
        state.progress_text().as_deref(),
        Some("Loading students: 12,000 of 50,500 rows")
    );
    state.apply(Action::Cancelled);
    assert!(state.idle());
    assert!(!state.loaded());
    assert!(
        state
            .notice
            .as_ref()
            .is_some_and(|n| n.text.contains("cancelled"))
    );
    state.apply(Action::LoadStarted);
    state.apply(Action::Ready {
        tables: vec![TableRows {
            name: "levels".into(),
            rows: 5,
        }],
        rows: 5,
    });
    assert_eq!(state.summary(), "1 tables, 5 rows.");
    assert_eq!(state.ready_id, 1);
}

#[test]
fn history_keeps_the_newest_first_without_repeats() {
    let mut state = State::default();
    ready(&mut state);
    for sql in ["SELECT 1", "SELECT 2", "SELECT 1", "  SELECT 3  "] {
        let Some(run) = run_for(sql, None) else {
            panic!("no run");
        };
        state.apply(Action::RunStarted(run));
        state.apply(Action::Results {
            results: vec![],
            elapsed_ms: 0.0,
        });
    }
    assert_eq!(state.history, vec!["SELECT 3", "SELECT 1", "SELECT 2"]);
    state.apply(Action::FromHistory(2));
    assert_eq!(state.editor, "SELECT 2");
    state.apply(Action::Example(table_example("a\"b")));
    assert_eq!(state.editor, "SELECT *\nFROM \"a\"\"b\"\nLIMIT 20;");
}

#[test]
fn exercises_check_and_verdicts() {
    let mut state = State::default();
    ready(&mut state);
    assert_eq!(state.check_request(), None, "no answer yet");
    state.apply(Action::SelectExercise(1));
    state.apply(Action::Answer("SELECT 1".into()));
    let id = state.current_exercise().map(|e| e.id.to_owned());
    assert!(
        matches!(state.check_request(), Some(DbRequest::Check { exercise, .. }) if id.as_deref() == Some(exercise.as_str()))
    );
    state.apply(Action::CheckStarted);
    state.apply(Action::Verdict(Verdict::Correct));
    assert_eq!(state.verdict_text().map(|v| v.0), Some(true));
    state.apply(Action::SelectExercise(999));
    assert_eq!(state.exercise, 1, "no such exercise");
    assert!(pack_markdown(true).len() > pack_markdown(false).len());
}

#[test]
fn the_examples_and_diagrams_are_sound() {
    for (_, sql) in EXAMPLES {
        assert_eq!(split_statements_count(sql), 1, "{sql}");
    }
    assert!(diagram_svg().starts_with("<svg"));
    assert!(diagram_mermaid().contains("erDiagram"));
    assert!(diagram_dot().contains("digraph"));
}

fn split_statements_count(sql: &str) -> usize {
    super::super::split_statements(sql).len()
}

#[test]
fn answers_by_job() {
    use crate::db::DbEvent;
    let rows = result(&["a", "b"], 2, 2);
    assert!(matches!(
        answer(Job::Run { started_ms: 100.0 }, DbEvent::Results(vec![rows.clone()]), 130.0),
        Next::Dispatch(Action::Results { elapsed_ms, .. }) if elapsed_ms == 30.0
    ));
    let Next::Download { name, bytes, .. } = answer(Job::Export, DbEvent::Results(vec![rows]), 0.0)
    else {
        panic!("no CSV");
    };
    assert_eq!(name, "query-result.csv");
    assert_eq!(bytes, b"a,b\r\n0,r0\r\n1,r1\r\n".to_vec());
    assert!(matches!(
        answer(Job::Save, DbEvent::Saved(vec![1, 2, 3]), 0.0),
        Next::Download { name: SQLITE_FILE, notice, .. } if notice.text.contains("3 bytes")
    ));
    assert!(matches!(
        answer(Job::Export, DbEvent::QueryFailed(QueryError { kind: ErrorKind::Sqlite, message: "x".into(), offset: None, position: None }), 0.0),
        Next::Dispatch(Action::Done(notice)) if notice.is_error
    ));
}

#[test]
fn a_browser_cursor_becomes_a_byte_offset() {
    assert_eq!(utf16_to_byte("abc", 2), 2);
    assert_eq!(utf16_to_byte("é😀x", 1), 2);
    assert_eq!(utf16_to_byte("é😀x", 3), 6);
    assert_eq!(utf16_to_byte("é😀x", 99), 7);
}

#[test]
fn a_run_whose_answer_was_dropped_ends_as_stopped() {
    let mut state = State::default();
    ready(&mut state);
    let run = || run_for("SELECT 1", None).unwrap_or_else(|| panic!("no run"));
    state.apply(Action::RunStarted(run()));
    state.apply(Action::Ended);
    assert!(state.idle());
    assert!(state.failure().is_some_and(|f| f.stopped));
    assert_eq!(state.run_id, 1);
    // With its answer, the end changes nothing more.
    state.apply(Action::RunStarted(run()));
    state.apply(Action::Results {
        results: vec![result(&["a"], 1, 1)],
        elapsed_ms: 1.0,
    });
    state.apply(Action::Ended);
    assert!(state.grid().is_some());
    assert_eq!(state.run_id, 2);
    // A cancel confirmed between steps stops it too.
    state.apply(Action::RunStarted(run()));
    state.apply(Action::Cancelled);
    assert!(state.idle() && state.failure().is_some_and(|f| f.stopped));
}

#[test]
fn the_generator_settings_are_taken_over_with_every_size() {
    let mut state = State::default();
    state.apply(Action::WorkerReady);
    let generator = Config {
        seed: 9,
        staff: 123,
        departments: 4,
        applicants: 250,
        ..Config::scaled(800)
    };
    state.apply(Action::FromGenerator(generator.clone()));
    assert_eq!((state.seed.as_str(), state.students.as_str()), ("9", "800"));
    assert_eq!(state.load_request(), Ok(DbRequest::Load(generator.clone())));
    assert!(
        state
            .sizes_text()
            .contains("123 staff, 4 enrollments per student")
    );
    // Another seed keeps the sizes; the same settings again leave the user's edits alone.
    state.apply(Action::SetSeed("10".into()));
    state.apply(Action::FromGenerator(generator.clone()));
    assert_eq!(
        state.load_request(),
        Ok(DbRequest::Load(Config {
            seed: 10,
            ..generator.clone()
        }))
    );
    // Other students scale every size, as `campus generate --students` does.
    state.apply(Action::SetStudents("400".into()));
    assert_eq!(
        state.load_request(),
        Ok(DbRequest::Load(Config {
            seed: 10,
            ..Config::scaled(400)
        }))
    );
    assert!(state.sizes_text().contains("scaled"));
}

#[test]
fn a_cancelled_add_keeps_the_tables() {
    let mut state = State::default();
    state.apply(Action::WorkerReady);
    state.apply(Action::Ready {
        tables: vec![TableRows {
            name: "levels".into(),
            rows: 5,
        }],
        rows: 5,
    });
    state.apply(Action::AddStarted);
    assert_eq!(state.busy, Some(Busy::Adding));
    state.apply(Action::Cancelled);
    assert!(state.idle() && state.loaded());
    assert!(
        state
            .notice
            .as_ref()
            .is_some_and(|n| n.text.contains("as it was"))
    );
    state.apply(Action::AddStarted);
    state.apply(Action::Ready {
        tables: vec![
            TableRows {
                name: "levels".into(),
                rows: 5,
            },
            TableRows {
                name: "stg_students".into(),
                rows: 300,
            },
        ],
        rows: 305,
    });
    assert!(state.idle());
    assert_eq!(state.tables.len(), 2);
}
