//! What every database a script was loaded into must hold, whatever the server: the checks and
//! the adversarial strings the MariaDB, PostgreSQL and SQLite tests share.

use campus_gen::{TableId, Ums};
use campus_schema::{Column, ColumnType, Dataset, RowSink, Table};
use campus_sql::{Dialect, ScriptOptions, ScriptWriter};

/// Every check a loaded dataset must pass: counts, no orphans, unique columns, facts. `scalar`
/// runs one query and returns its single value as text; `quote` quotes identifiers (`` ` `` or `"`).
pub fn assert_consistent(scalar: &dyn Fn(&str) -> String, quote: char, ums: &Ums) {
    let q = |name: &str| format!("{quote}{name}{quote}");
    for table in TableId::ALL {
        let schema = ums.table(table);
        let count = scalar(&format!("SELECT COUNT(*) FROM {}", q(&schema.name)));
        assert_eq!(
            count,
            ums.count(table).to_string(),
            "rows in {}",
            schema.name
        );
        for (column, fk) in schema.foreign_keys() {
            let orphans = scalar(&format!(
                "SELECT COUNT(*) FROM {t} c LEFT JOIN {p} p ON c.{col} = p.{pcol} WHERE c.{col} IS NOT NULL AND p.{pcol} IS NULL",
                t = q(&schema.name),
                p = q(&fk.table),
                col = q(&column.name),
                pcol = q(&fk.column)
            ));
            assert_eq!(orphans, "0", "orphans in {}.{}", schema.name, column.name);
        }
        for column in schema.columns.iter().filter(|c| c.unique || c.primary_key) {
            let dupes = scalar(&format!(
                "SELECT COUNT(*) - COUNT(DISTINCT {c}) FROM {t} WHERE {c} IS NOT NULL",
                c = q(&column.name),
                t = q(&schema.name)
            ));
            assert_eq!(dupes, "0", "duplicates in {}.{}", schema.name, column.name);
        }
    }
    let facts = [
        (
            "students in another department than their course",
            "SELECT COUNT(*) FROM students s JOIN courses c ON s.course_id = c.course_id WHERE s.department_id <> c.department_id",
        ),
        (
            "enrollments outside the student's course",
            "SELECT COUNT(*) FROM student_enrollment e JOIN students s ON e.student_id = s.student_id JOIN modules m ON e.module_id = m.module_id WHERE e.course_id <> s.course_id OR m.course_id <> e.course_id OR m.level_id <> e.level_id",
        ),
        (
            "marks without an enrollment",
            "SELECT COUNT(*) FROM student_marks k LEFT JOIN student_enrollment e ON e.student_id = k.student_id AND e.module_id = k.module_id WHERE e.enrollment_id IS NULL",
        ),
        (
            "modules taught outside their department",
            "SELECT COUNT(*) FROM lecturer_module_assignment a JOIN staff s ON a.staff_id = s.staff_id JOIN modules m ON a.module_id = m.module_id JOIN courses c ON m.course_id = c.course_id WHERE s.department_id <> c.department_id OR s.role_id <> 1",
        ),
        (
            "rooms over capacity",
            "SELECT COUNT(*) FROM (SELECT residence_name, room_number FROM student_residential GROUP BY residence_name, room_number HAVING COUNT(*) > 2) r",
        ),
        (
            "completed modules failed, or failed modules passed",
            "SELECT COUNT(*) FROM student_enrollment e JOIN student_marks k ON k.mark_id = e.enrollment_id WHERE (e.status = 'Completed' AND k.final_score < 50) OR (e.status = 'Failed' AND k.final_score >= 50)",
        ),
        (
            "final scores off the 40/60 weighting",
            "SELECT COUNT(*) FROM student_marks WHERE ABS(final_score - (0.4 * test_score + 0.6 * exam_score)) > 0.006",
        ),
    ];
    for (what, sql) in facts {
        assert_eq!(scalar(sql), "0", "{what}");
    }
}

/// A one-table dataset (`nasty`: `id`, `value`) holding the strings that break naive escaping.
pub struct Adversarial(Vec<Table>);

pub const NASTY: &[&str] = &[
    "O'Brien",
    "Robert'); DROP TABLE students;--",
    "\\",
    "back\\slash\\'quote",
    "nul\0byte",
    "\"double\" and `back` quotes",
    "tab\tnewline\ncarriage\rreturn",
    "ctrl-z \u{1A} bell \u{7} escape \u{1B}",
    "emoji 🎓📚 and 4-byte 𝔘𝔫𝔦",
    "Nguyễn Thị Thảo, Zoë, Søren, Ærøskøbing",
    "العربية עברית 中文",
    "%_ LIKE wildcards",
    "",
    " padded ",
    "\\N",
    "NULL",
];

impl Adversarial {
    /// The dataset: one row per string of [`NASTY`], ids from 1.
    fn new() -> Adversarial {
        Adversarial(vec![Table::new(
            "nasty",
            vec![
                Column::id("id"),
                Column::new("value", ColumnType::VarChar(200)),
            ],
        )])
    }

    /// A drop-and-recreate script of the `nasty` table in `dialect`, into `database`.
    pub fn script(dialect: Dialect, database: &str) -> Vec<u8> {
        let options = ScriptOptions {
            database: database.into(),
            drop_existing: true,
            dialect,
            ..ScriptOptions::default()
        };
        let mut script = Vec::new();
        let written =
            ScriptWriter::new(&Adversarial::new(), options).map(|mut w| w.write_all(&mut script));
        assert!(matches!(written, Ok(Ok(()))));
        script
    }

    /// Each string's bytes in upper-case hex, in id order: what `HEX(value)` reads back.
    pub fn hex() -> Vec<String> {
        NASTY
            .iter()
            .map(|s| s.bytes().map(|b| format!("{b:02X}")).collect())
            .collect()
    }
}

impl Dataset for Adversarial {
    fn tables(&self) -> &[Table] {
        &self.0
    }
    fn n_rows(&self, _: usize) -> u64 {
        NASTY.len() as u64
    }
    fn write_row(&self, _: usize, row_idx: u64, sink: &mut dyn RowSink) {
        sink.int(row_idx as i64 + 1);
        sink.text(NASTY.get(row_idx as usize).copied().unwrap_or_default());
        sink.end_row();
    }
}

/// What verify.sql printed (one line per table, then the verdict) says every table matched; or,
/// with `broken` given, that exactly that table differs.
pub fn assert_verified(output: &str, ums: &Ums, broken: Option<&str>) {
    let lines: Vec<&str> = output.lines().filter(|l| !l.trim().is_empty()).collect();
    for table in TableId::ALL {
        let name = &ums.table(table).name;
        let line = lines
            .iter()
            .find(|l| l.split(['|', '\t']).next() == Some(name.as_ref()))
            .unwrap_or_else(|| panic!("no line for {name} in:\n{output}"));
        let verdict = if broken == Some(name.as_ref()) {
            "MISMATCH"
        } else {
            "OK"
        };
        assert!(line.ends_with(verdict), "{name}: {line}");
    }
    let last = if broken.is_some() {
        "SOME TABLES DIFFER"
    } else {
        "ALL TABLES MATCH"
    };
    assert_eq!(lines.last().copied(), Some(last), "{output}");
}

/// Runs `campus etl` on the dirty sample with `--dialect` (and `--database` when given) into
/// `dir/out`; returns the path of its staging.sql.
pub fn etl_staging(
    dir: &crate::support::TempDir,
    dialect: Dialect,
    database: Option<&str>,
) -> std::path::PathBuf {
    let (input, out) = (
        dir.path("in").to_string_lossy().into_owned(),
        dir.path("out").to_string_lossy().into_owned(),
    );
    crate::support::campus_ok(&["etl", "sample", "--out", &input, "--dirty"]);
    let file = |name: &str| format!("{input}/{name}");
    let mut args = vec![
        "etl".to_owned(),
        "--students".to_owned(),
        file("students_master.csv"),
        "--attendance".to_owned(),
        file("attendance_2024_odd.csv"),
        "--exams".to_owned(),
        file("exam_results_2024_odd.csv"),
        "--placements".to_owned(),
        file("placements_2024.csv"),
        "--out".to_owned(),
        out,
        "--dialect".to_owned(),
        dialect.name().to_owned(),
    ];
    if let Some(database) = database {
        args.extend(["--database".to_owned(), database.to_owned()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    crate::support::campus_ok(&args);
    dir.path("out/staging.sql")
}

/// The rows the dirty sample's staging tables hold, whatever the server.
pub fn assert_staging_counts(scalar: &dyn Fn(&str) -> String) {
    let expected = [
        ("SELECT COUNT(*) FROM stg_students", "302"),
        ("SELECT COUNT(*) FROM stg_attendance", "45039"),
        ("SELECT COUNT(*) FROM stg_exam_results", "1503"),
        ("SELECT COUNT(*) FROM stg_placements", "301"),
        (
            "SELECT COUNT(*) FROM stg_attendance WHERE student_hash IS NULL",
            "4",
        ),
        (
            "SELECT COUNT(*) FROM stg_exam_results WHERE total_marks IS NULL",
            "13",
        ),
        (
            "SELECT COUNT(*) FROM stg_students WHERE LENGTH(student_hash) <> 64",
            "0",
        ),
    ];
    for (sql, count) in expected {
        assert_eq!(scalar(sql), count, "{sql}");
    }
}

/// Sessions generated for the occupancy SQL tests.
pub const OCCUPANCY_SESSIONS: u64 = 300;

/// `campus occupancy generate --format sql` and `campus occupancy train --sql` in `dialect`
/// into `database`: the sessions script, then the trained script (sessions, the version and its
/// predictions), in `dir`.
pub fn occupancy_scripts(
    dir: &crate::support::TempDir,
    dialect: Dialect,
    database: &str,
) -> (std::path::PathBuf, std::path::PathBuf) {
    let path = |name: &str| dir.path(name).to_string_lossy().into_owned();
    let (sessions_sql, csv, model, trained_sql) = (
        path("sessions.sql"),
        path("sessions.csv"),
        path("model.bin"),
        path("trained.sql"),
    );
    let n = OCCUPANCY_SESSIONS.to_string();
    let common = ["--dialect", dialect.name(), "--database", database];
    let mut args = vec!["occupancy", "generate", "--sessions", &n, "--format", "sql"];
    args.extend_from_slice(&["--out", &sessions_sql]);
    args.extend_from_slice(&common);
    crate::support::campus_ok(&args);
    crate::support::campus_ok(&["occupancy", "generate", "--sessions", &n, "--out", &csv]);
    let mut args = vec!["occupancy", "train", "--data", &csv, "--out", &model];
    args.extend_from_slice(&["--trees", "5", "--quiet", "--sql", &trained_sql]);
    args.extend_from_slice(&common);
    crate::support::campus_ok(&args);
    (dir.path("sessions.sql"), dir.path("trained.sql"))
}

/// What the trained occupancy script leaves: every session, one version with sane metrics, a
/// prediction per held-back session, each pointing at a session and the version.
pub fn assert_occupancy_loaded(scalar: &dyn Fn(&str) -> String) {
    let count = |table: &str| scalar(&format!("SELECT COUNT(*) FROM {table}"));
    assert_eq!(count("occupancy_sessions"), OCCUPANCY_SESSIONS.to_string());
    assert_eq!(count("occupancy_model_versions"), "1");
    // The default split holds back a fifth.
    assert_eq!(count("occupancy_predictions"), "60");
    let checks = [
        "SELECT COUNT(*) FROM occupancy_predictions p LEFT JOIN occupancy_sessions s ON s.session_id = p.session_id WHERE s.session_id IS NULL",
        "SELECT COUNT(*) FROM occupancy_predictions p LEFT JOIN occupancy_model_versions v ON v.version_id = p.version_id WHERE v.version_id IS NULL",
        "SELECT COUNT(*) FROM occupancy_model_versions WHERE n_train + n_test <> n_rows OR svm_accuracy < 0 OR svm_accuracy > 1 OR linear_mae < 0",
        "SELECT COUNT(*) FROM occupancy_sessions WHERE date IS NULL OR venue_capacity <= 0",
    ];
    for sql in checks {
        assert_eq!(scalar(sql), "0", "{sql}");
    }
}
