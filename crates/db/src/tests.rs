//! The database against the generator: counts and checksums per table, keys, bytes, queries.

use campus_gen::{Config, Ums};
use campus_schema::{ColumnType, Dataset, Table, ValueRow};

use super::*;

fn small(seed: u64, students: u64) -> Ums {
    let config = Config {
        seed,
        ..Config::scaled(students)
    };
    match Ums::new(config) {
        Ok(ums) => ums,
        Err(err) => panic!("bad config: {err}"),
    }
}

fn loaded(ums: &Ums) -> Database {
    let mut db = Database::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
    db.load(ums.clone()).unwrap_or_else(|e| panic!("{e}"));
    db
}

/// FNV-1a over fields and row ends, so that two sources agree only if every field does.
#[derive(Default)]
struct Checksum(u64);

impl Checksum {
    fn new() -> Checksum {
        Checksum(0xcbf2_9ce4_8422_2325)
    }
    fn add(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn field(&mut self, text: &str) {
        self.add(text.as_bytes());
        self.add(&[0x1f]);
    }
    fn end_row(&mut self) {
        self.add(&[0x1e]);
    }
}

fn generator_checksum(ums: &Ums, table_idx: usize) -> (u64, u64) {
    let mut sum = Checksum::new();
    let n_rows = ums.n_rows(table_idx);
    for row_idx in 0..n_rows {
        for value in ValueRow::collect(|row| ums.write_row(table_idx, row_idx, row)) {
            sum.field(&value.to_string());
        }
        sum.end_row();
    }
    (n_rows, sum.0)
}

fn database_checksum(db: &mut Database, table: &Table) -> (u64, u64) {
    let pk = table.primary_key().map_or("rowid", |c| c.name.as_ref());
    let sql = format!("SELECT * FROM {} ORDER BY {pk}", ddl::quote(&table.name));
    let result = db
        .query(&sql, &QueryOptions::all_rows())
        .unwrap_or_else(|e| panic!("{e}"));
    let mut sum = Checksum::new();
    for row in &result.rows {
        for (cell, column) in row.iter().zip(&table.columns) {
            let text = match (cell, column.ty) {
                (Cell::Real(v), ColumnType::Decimal { scale, .. }) => {
                    format!("{v:.*}", usize::from(scale))
                }
                (cell, _) => cell.to_string(),
            };
            sum.field(&text);
        }
        sum.end_row();
    }
    (result.total_rows, sum.0)
}

#[test]
fn every_table_holds_the_generators_rows() {
    for (seed, students) in [(42, 300), (7, 1_200), (2024, 50)] {
        let ums = small(seed, students);
        let mut db = loaded(&ums);
        let names = db.table_names().unwrap_or_default();
        assert_eq!(names.len(), 18);
        for (table_idx, table) in ums.tables().to_vec().iter().enumerate() {
            assert_eq!(names[table_idx], table.name);
            let expected = generator_checksum(&ums, table_idx);
            assert!(expected.0 > 0, "{} is empty", table.name);
            assert_eq!(
                database_checksum(&mut db, table),
                expected,
                "seed {seed}, table {}",
                table.name
            );
            assert_eq!(db.count_rows(&table.name).ok(), Some(expected.0));
        }
        assert_eq!(db.foreign_key_check().ok(), Some(Vec::new()));
        assert_eq!(db.integrity_check().ok(), Some(vec!["ok".to_owned()]));
    }
}

#[test]
fn foreign_keys_are_enforced() {
    let mut db = loaded(&small(1, 100));
    let orphan = "INSERT INTO student_marks (student_id, module_id, test_score, exam_score, final_score) VALUES (999999, 1, 1, 1, 1)";
    let err = db.query(orphan, &QueryOptions::default());
    assert!(
        matches!(&err, Err(e) if e.message.contains("FOREIGN KEY constraint failed")),
        "{err:?}"
    );
    let parent = db.query(
        "DELETE FROM departments WHERE department_id = 1",
        &QueryOptions::default(),
    );
    assert!(parent.is_err(), "a referenced department was deleted");
    // The same insert with a real student and module goes in.
    let ok = db.query(
        "INSERT INTO student_marks (student_id, module_id, test_score, exam_score, final_score) VALUES (1, 1, 1, 1, 1)",
        &QueryOptions::default(),
    );
    assert_eq!(ok.map(|r| r.changes).ok(), Some(1));
}

#[test]
fn bytes_round_trip() {
    let ums = small(3, 200);
    let mut db = loaded(&ums);
    let bytes = db.to_bytes().unwrap_or_default();
    assert!(bytes.starts_with(b"SQLite format 3\0"));
    let mut reopened = Database::from_bytes(&bytes).unwrap_or_else(|e| panic!("{e}"));
    for (table_idx, table) in ums.tables().iter().enumerate() {
        assert_eq!(
            database_checksum(&mut reopened, table),
            generator_checksum(&ums, table_idx)
        );
    }
    // Keys are enforced on the reopened database too.
    assert!(
        reopened
            .query(
                "INSERT INTO courses (course_name, department_id, qualification_id) VALUES ('x', 999, 1)",
                &QueryOptions::default(),
            )
            .is_err()
    );
    assert_eq!(reopened.to_bytes().map(|b| b.len()).ok(), Some(bytes.len()));
    assert!(Database::from_bytes(b"not a database at all, just some text").is_err());
}

#[test]
fn loader_steps_report_progress_and_cancel_rolls_back() {
    let ums = small(5, 150);
    let total = ums.total_rows();
    let mut db = Database::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
    let mut loader = Loader::new(ums.clone());
    assert_eq!(loader.rows_total(), total);
    let mut last = 0;
    let mut steps = 0;
    loop {
        let progress = loader.step(&mut db, 97).unwrap_or_else(|e| panic!("{e}"));
        assert!(progress.rows_done > last || progress.finished);
        assert!(progress.rows_done - last <= 97);
        assert_eq!(progress.rows_total, total);
        last = progress.rows_done;
        steps += 1;
        if progress.finished {
            break;
        }
    }
    assert_eq!(last, total);
    assert!(steps >= total / 97);
    assert!(matches!(loader.step(&mut db, 1), Err(DbError::LoaderDone)));

    let mut db = Database::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
    let mut loader = Loader::new(ums);
    for _ in 0..3 {
        let progress = loader.step(&mut db, 200).unwrap_or_else(|e| panic!("{e}"));
        assert!(!progress.finished);
    }
    assert!(!db.table_names().unwrap_or_default().is_empty());
    loader.cancel(&mut db).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(db.table_names().ok(), Some(Vec::new()));
    // The database is usable again: a fresh load goes through.
    assert!(db.load(small(5, 20)).is_ok());
}

#[test]
fn queries_page_rows_and_count_them() {
    let mut db = loaded(&small(11, 300));
    let options = QueryOptions {
        offset: 10,
        limit: 5,
        ..QueryOptions::default()
    };
    let result = db
        .query(
            "SELECT student_id, student_number, birthdate, NULL AS empty, 1.5 AS half FROM students ORDER BY student_id;",
            &options,
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        result.columns,
        ["student_id", "student_number", "birthdate", "empty", "half"]
    );
    assert_eq!(result.total_rows, 300);
    assert_eq!(result.offset, 10);
    assert_eq!(result.rows.len(), 5);
    assert_eq!(result.rows[0][0], Cell::Int(11));
    assert!(matches!(&result.rows[0][1], Cell::Text(_)));
    assert!(matches!(&result.rows[0][2], Cell::Text(d) if d.len() == 10));
    assert_eq!(result.rows[0][3], Cell::Null);
    assert_eq!(result.rows[0][4], Cell::Real(1.5));

    let csv = db
        .query(
            "SELECT 'a,b' AS x, 2 AS y, NULL AS z UNION ALL SELECT 'c', 3.25, 'd'",
            &QueryOptions::default(),
        )
        .map(|r| r.to_csv())
        .unwrap_or_default();
    assert_eq!(
        String::from_utf8_lossy(&csv),
        "x,y,z\r\n\"a,b\",2,\r\nc,3.25,d\r\n"
    );
}

#[test]
fn errors_carry_the_message_and_position() {
    let mut db = loaded(&small(1, 30));
    let sql = "SELECT 1;\nSELECT *\n  FRM students;";
    let err = db.run_script(sql, &QueryOptions::default());
    let Err(err) = err else {
        panic!("a syntax error ran");
    };
    assert_eq!(err.kind, ErrorKind::Sqlite);
    assert!(err.message.contains("syntax error"), "{}", err.message);
    assert!(err.message.contains("FRM"), "{}", err.message);
    let offset = err.offset.unwrap_or_default();
    assert_eq!(&sql[offset..offset + 3], "FRM");
    assert_eq!(err.position, Some(Position { line: 3, column: 3 }));

    let missing = db.query("SELECT nope FROM students", &QueryOptions::default());
    assert!(
        matches!(&missing, Err(e) if e.message == "no such column: nope" && e.offset == Some(7)),
        "{missing:?}"
    );
    let empty = db.query(" -- nothing\n", &QueryOptions::default());
    assert!(matches!(empty, Err(e) if e.kind == ErrorKind::Empty));
    let two = db.query("SELECT 1; SELECT 2", &QueryOptions::default());
    assert!(matches!(two, Err(e) if e.offset == Some(10)));
}

#[test]
fn a_runaway_query_is_stopped_and_the_database_stays_usable() {
    let mut db = loaded(&small(1, 30));
    let options = QueryOptions {
        step_budget: 2_000_000,
        ..QueryOptions::default()
    };
    let runaway =
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n";
    let err = db.query(runaway, &options);
    let Err(err) = err else {
        panic!("an endless query ended");
    };
    let ErrorKind::Stopped { steps } = err.kind else {
        panic!("not stopped: {err:?}");
    };
    assert!((2_000_000..2_100_000).contains(&steps), "{steps}");
    assert!(
        err.message.starts_with("stopped after 20"),
        "{}",
        err.message
    );
    let after = db.query("SELECT count(*) FROM students", &options);
    assert_eq!(after.map(|r| r.rows).ok(), Some(vec![vec![Cell::Int(30)]]));
}

#[test]
fn scripts_run_statement_by_statement() {
    let mut db = Database::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
    let sql = "CREATE TABLE t (x INTEGER);\nINSERT INTO t VALUES (1), (2), (3);\nSELECT sum(x) AS total FROM t;";
    let results = db
        .run_script(sql, &QueryOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(results.len(), 3);
    assert_eq!(results[1].changes, 3);
    assert_eq!(
        &sql[results[2].statement.clone()],
        "SELECT sum(x) AS total FROM t;"
    );
    assert_eq!(results[2].rows, vec![vec![Cell::Int(6)]]);
}
