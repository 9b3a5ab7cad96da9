//! The ETL's staging tables and the occupancy sessions in SQLite: counts, checksums and types
//! against the files and the ETL's own staging schema, next to the university.

use campus_db::tables::csv_checksum;
use campus_db::{Cell, Database, QueryOptions, ResultSet, schema_script};
use campus_etl::export::{Export, ExportOptions, layout};
use campus_etl::sample::{SampleOptions, generate};
use campus_etl::{Etl, EtlOptions, FileKind};
use campus_gen::Config;
use campus_occupancy::GenerateConfig;

use super::super::{DbEvent, DbRequest, sessions_table, staging_table};
use super::DbService;
use crate::{Outcome, drive};

/// The ETL run over a sample: each staging CSV (name, bytes, rows) and the staging table the
/// ETL declares for it.
fn staging(options: &SampleOptions) -> Vec<(String, Vec<u8>, u64, campus_schema::Table)> {
    let files = generate(options);
    let mut etl = Etl::new(EtlOptions::default());
    for ((name, bytes), kind) in files.files().into_iter().zip(FileKind::ALL) {
        assert!(etl.load(kind, name, bytes).is_ok());
    }
    let mut out = Vec::new();
    for ((name, bytes), kind) in files.files().into_iter().zip(FileKind::ALL) {
        let Ok(mut export) = Export::begin(&etl, kind, name, ExportOptions::default()) else {
            panic!("no export of {name}")
        };
        export.feed(&etl, bytes);
        export.finish(&etl);
        let Some(layout) = layout(&etl, kind) else {
            panic!("no layout for {name}")
        };
        let csv = std::mem::take(export.csv_buf());
        let file_name = format!("{}.csv", kind.staging_table());
        out.push((file_name, csv, export.n_rows(), layout.table));
    }
    out
}

fn run(service: &mut DbService, request: DbRequest) -> Vec<DbEvent> {
    let mut events = Vec::new();
    let outcome = drive(service, request, |event| {
        events.push(event);
        true
    });
    assert_eq!(outcome, Ok(Outcome::Finished));
    events
}

fn query(db: &mut Database, sql: &str) -> ResultSet {
    let results = db
        .run_script(sql, &QueryOptions::default())
        .unwrap_or_else(|e| panic!("{sql}: {}", e.message));
    results
        .into_iter()
        .last()
        .unwrap_or_else(|| panic!("no result"))
}

fn saved(service: &mut DbService) -> Database {
    let bytes = service.to_bytes().unwrap_or_else(|e| panic!("{e}"));
    Database::from_bytes(&bytes).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn staging_tables_load_next_to_the_university_as_the_etl_declares_them() {
    for (seed, dirty) in [(42, false), (7, true), (1234, true)] {
        let options = SampleOptions {
            seed,
            dirty,
            ..SampleOptions::default()
        };
        let outputs = staging(&options);
        let mut service = DbService::new().unwrap_or_else(|e| panic!("{e}"));
        run(&mut service, DbRequest::Load(Config::scaled(1_000)));
        let files = outputs
            .iter()
            .filter_map(|(name, bytes, _, _)| staging_table(name, bytes.clone()))
            .collect::<Vec<_>>();
        assert_eq!(files.len(), 4);
        let events = run(&mut service, DbRequest::LoadTables(files.clone()));
        let Some(DbEvent::Ready { tables, .. }) = events.last() else {
            panic!("no Ready after the load")
        };
        assert_eq!(tables.len(), 18 + 4, "the university stays: {tables:?}");
        let mut db = saved(&mut service);
        assert_eq!(db.foreign_key_check().ok(), Some(Vec::new()));
        assert_eq!(db.integrity_check().ok(), Some(vec!["ok".to_owned()]));
        for ((name, _, n_rows, table), file) in outputs.iter().zip(&files) {
            let loaded = tables.iter().find(|t| t.name == file.name);
            assert_eq!(loaded.map(|t| t.rows), Some(*n_rows), "{name}");
            let expected = csv_checksum(file).unwrap_or_else(|e| panic!("{e}"));
            let actual = db
                .table_checksum(&file.name)
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(actual, expected, "{name}, seed {seed}");
            assert_eq!(expected.rows, *n_rows);
            // The types the ETL inferred for its MySQL staging table, in SQLite's words.
            let sql = format!("SELECT sql FROM sqlite_schema WHERE name = '{}'", file.name);
            let ddl = schema_script(std::slice::from_ref(table));
            assert_eq!(
                query(&mut db, &sql).rows,
                vec![vec![Cell::Text(
                    ddl.trim_end().trim_end_matches(';').to_owned()
                )]],
                "{name}"
            );
        }
        // The outputs join on the hash.
        let joined = query(
            &mut db,
            "SELECT count(*) FROM stg_attendance a JOIN stg_students s ON s.student_hash = a.student_hash",
        );
        assert!(matches!(joined.rows[..], [ref row] if matches!(row[..], [Cell::Int(n)] if n > 0)));
    }
}

#[test]
fn occupancy_sessions_load_with_real_types() {
    let sessions = campus_occupancy::generate(&GenerateConfig {
        seed: 5,
        n_sessions: 700,
        ..GenerateConfig::default()
    });
    let file = sessions_table(&sessions);
    assert_eq!(file.name, "occupancy_sessions");
    let mut service = DbService::new().unwrap_or_else(|e| panic!("{e}"));
    run(&mut service, DbRequest::LoadTables(vec![file.clone()]));
    let mut db = saved(&mut service);
    assert_eq!(
        db.count_rows("occupancy_sessions").ok(),
        Some(sessions.len() as u64)
    );
    let expected = csv_checksum(&file).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(db.table_checksum("occupancy_sessions").ok(), Some(expected));
    let types = query(
        &mut db,
        "SELECT typeof(date), typeof(venue_capacity), typeof(exam_week), typeof(trend_delta), sum(actual_attendance), sum(exam_week) FROM occupancy_sessions",
    );
    let attended: i64 = sessions
        .iter()
        .map(|s| i64::from(s.actual_attendance))
        .sum();
    let exam: i64 = sessions.iter().filter(|s| s.input.exam_week).count() as i64;
    assert_eq!(
        types.rows,
        vec![vec![
            Cell::Text("text".into()),
            Cell::Text("integer".into()),
            Cell::Text("integer".into()),
            Cell::Text("real".into()),
            Cell::Int(attended),
            Cell::Int(exam),
        ]]
    );
    let columns = query(
        &mut db,
        "SELECT group_concat(name, ',') FROM pragma_table_info('occupancy_sessions')",
    );
    assert_eq!(
        columns.rows,
        vec![vec![Cell::Text(
            campus_occupancy::session::COLUMNS.join(",")
        )]]
    );
}

#[test]
fn a_cancelled_tables_load_keeps_what_was_there() {
    let outputs = staging(&SampleOptions::default());
    let files: Vec<_> = outputs
        .iter()
        .filter_map(|(name, bytes, _, _)| staging_table(name, bytes.clone()))
        .collect();
    let mut service = DbService::new().unwrap_or_else(|e| panic!("{e}"));
    run(&mut service, DbRequest::Load(Config::scaled(500)));
    let outcome = drive(&mut service, DbRequest::LoadTables(files), |_| false);
    assert_eq!(outcome, Ok(Outcome::Cancelled));
    let events = run(&mut service, DbRequest::Status);
    assert!(
        matches!(&events[..], [DbEvent::Ready { tables, .. }] if tables.len() == 18),
        "{events:?}"
    );
    assert!(staging_table("report.md", Vec::new()).is_none());
    assert!(staging_table("stg_other.csv", Vec::new()).is_none());
    let junk = campus_db::CsvTable::sessions(b"date\n2024-01-01\n".to_vec());
    assert!(drive(&mut service, DbRequest::LoadTables(vec![junk]), |_| true).is_err());
}

#[test]
fn exercises_over_the_etl_outputs_hold_for_several_seeds() {
    let staged: Vec<_> = campus_db::exercises::pack()
        .into_iter()
        .filter(|e| !e.requires.is_empty())
        .collect();
    assert!(staged.len() >= 3);
    let check = |service: &mut DbService, id: &str, answer: &str| {
        let request = DbRequest::Check {
            exercise: id.to_owned(),
            answer: answer.to_owned(),
        };
        let mut events = Vec::new();
        let outcome = drive(service, request, |e| {
            events.push(e);
            true
        });
        outcome.map(|_| events)
    };
    // Without the staging tables the check says what to load.
    let mut service = DbService::new().unwrap_or_else(|e| panic!("{e}"));
    let err = check(&mut service, staged[0].id, "SELECT 1").err();
    assert!(err.is_some_and(|e| e.to_string().contains("staging tables")));
    for (seed, dirty) in [(42, false), (3, true), (77, true)] {
        let outputs = staging(&SampleOptions {
            seed,
            dirty,
            ..SampleOptions::default()
        });
        let files: Vec<_> = outputs
            .iter()
            .filter_map(|(name, bytes, _, _)| staging_table(name, bytes.clone()))
            .collect();
        let mut service = DbService::new().unwrap_or_else(|e| panic!("{e}"));
        run(&mut service, DbRequest::LoadTables(files));
        let mut db = saved(&mut service);
        for exercise in &staged {
            let result = query(&mut db, exercise.reference);
            assert_eq!(result.columns.len(), exercise.columns, "{}", exercise.id);
            assert!(
                result.total_rows > 0,
                "{} is empty for seed {seed}",
                exercise.id
            );
            let events = check(&mut service, exercise.id, exercise.reference);
            assert!(
                matches!(events.as_deref(), Ok([DbEvent::Verdict(v)]) if v.is_correct()),
                "{}",
                exercise.id
            );
        }
        // Right in another form, wrong when the grouping is.
        let another =
            "SELECT course_code, AVG(present_flag) * 100 FROM stg_attendance GROUP BY 1 ORDER BY 2";
        let events = check(&mut service, "etl-attendance-per-course", another);
        assert!(matches!(events.as_deref(), Ok([DbEvent::Verdict(v)]) if v.is_correct()));
        let wrong = "SELECT program_code, AVG(total_marks) FROM stg_exam_results e JOIN stg_students s USING (student_hash) GROUP BY college_code";
        let events = check(&mut service, "etl-marks-per-program", wrong);
        assert!(matches!(events.as_deref(), Ok([DbEvent::Verdict(v)]) if !v.is_correct()));
        // Dirty files plant orphans; clean ones have none.
        let orphans = query(&mut db, staged[2].reference);
        assert_eq!(orphans.rows.len(), 1);
        if !dirty {
            assert_eq!(orphans.rows, vec![vec![Cell::Int(0)]]);
        }
    }
}
