//! Integration tests of the script writer over a generated dataset.

use campus_gen::{Config, Ums};
use campus_sql::{
    DATA_BEGIN, DATA_END, Dialect, Part, ScriptOptions, ScriptWriter, SqlError, enroll_student,
};

fn small() -> Ums {
    let config = Config {
        students: 3_000,
        residential_students: 2_000,
        applicants: 250,
        ..Config::default()
    };
    Ums::new(config).unwrap_or_else(|err| panic!("{err}"))
}

fn script(ums: &Ums, options: ScriptOptions, chunk: usize) -> Vec<u8> {
    let mut writer = ScriptWriter::new(ums, options).unwrap_or_else(|err| panic!("{err}"));
    let mut out = Vec::new();
    let mut chunk_buf = Vec::new();
    loop {
        chunk_buf.clear();
        let more = writer.fill(&mut chunk_buf, chunk);
        out.extend_from_slice(&chunk_buf);
        if !more {
            return out;
        }
    }
}

fn full() -> ScriptOptions {
    ScriptOptions {
        routines: vec![enroll_student()],
        ..ScriptOptions::default()
    }
}

// Chunking: the bytes never depend on how the output is cut.
mod chunking {
    use super::*;

    #[test]
    fn any_chunk_size_gives_the_same_bytes() {
        let ums = small();
        let reference = script(&ums, full(), 1 << 20);
        for chunk in [1, 7, 4_096, 65_536] {
            assert!(script(&ums, full(), chunk) == reference, "chunk {chunk}");
        }
    }

    #[test]
    fn every_dialect_gives_the_same_bytes_at_any_chunk_size() {
        let ums = small();
        for dialect in [Dialect::Postgres, Dialect::Sqlite] {
            let options = ScriptOptions { dialect, ..full() };
            let reference = script(&ums, options.clone(), 1 << 20);
            for chunk in [1, 4_096] {
                assert!(
                    script(&ums, options.clone(), chunk) == reference,
                    "{dialect} chunk {chunk}"
                );
            }
        }
    }

    #[test]
    fn parts_concatenate_to_the_data_section() {
        for dialect in Dialect::ALL {
            parts_concatenate_in(dialect);
        }
    }

    fn parts_concatenate_in(dialect: Dialect) {
        let full = || ScriptOptions { dialect, ..full() };
        let ums = small();
        let reference = String::from_utf8(script(&ums, full(), 1 << 16)).unwrap_or_default();
        let begin = reference
            .find(DATA_BEGIN)
            .map(|i| i + DATA_BEGIN.len())
            .unwrap_or(0);
        let end = reference.find(DATA_END).unwrap_or(0);
        let data_section = &reference[begin..end];
        for n in [1, 2, 3, 7, 64] {
            let mut joined = Vec::new();
            for k in 1..=n {
                let options = ScriptOptions {
                    schema: false,
                    part: Some(Part { index: k, count: n }),
                    ..full()
                };
                joined.extend(script(&ums, options, 10_000));
            }
            assert!(joined == data_section.as_bytes(), "{dialect}: {n} parts");
        }
    }
}

// Shape: the script has what a seed script needs, in the order it needs it.
mod shape {
    use super::*;

    #[test]
    fn full_script_is_ordered_and_balanced() {
        let ums = small();
        let text = String::from_utf8(script(&ums, full(), 1 << 16)).unwrap_or_default();
        let position = |needle: &str| {
            text.find(needle)
                .unwrap_or_else(|| panic!("missing {needle}"))
        };
        assert!(
            position("SET NAMES utf8mb4;")
                < position("CREATE DATABASE IF NOT EXISTS `university_system`")
        );
        assert!(
            position("CREATE TABLE IF NOT EXISTS `departments`")
                < position("CREATE TABLE IF NOT EXISTS `courses`")
        );
        assert!(position("DELIMITER //") < position(DATA_BEGIN));
        assert!(position(DATA_END) < position("SET FOREIGN_KEY_CHECKS = @OLD_FOREIGN_KEY_CHECKS;"));
        assert_eq!(
            text.matches("START TRANSACTION;").count(),
            text.matches("COMMIT;").count()
        );
        let inserts = text.matches("INSERT INTO `student_marks`").count();
        assert_eq!(inserts, 12, "12,000 marks in batches of 1,000");
        assert!(!text.contains("DROP TABLE"));
    }

    #[test]
    fn options_select_sections() {
        let ums = small();
        let schema_only = String::from_utf8(script(
            &ums,
            ScriptOptions {
                data: false,
                drop_existing: true,
                ..full()
            },
            1 << 16,
        ))
        .unwrap_or_default();
        assert!(
            schema_only.contains("DROP TABLE IF EXISTS `applicant_status`;\n")
                && schema_only.contains("CREATE TABLE `students`")
        );
        assert!(
            !schema_only.contains("INSERT INTO `students`") && !schema_only.contains(DATA_BEGIN)
        );
        let data_only = String::from_utf8(script(
            &ums,
            ScriptOptions {
                schema: false,
                database: "uni2".into(),
                ..full()
            },
            1 << 16,
        ))
        .unwrap_or_default();
        assert!(
            !data_only.contains("CREATE TABLE")
                && data_only.contains("USE `uni2`;")
                && data_only.contains("INSERT INTO")
        );
    }

    #[test]
    fn bad_options_are_refused() {
        let ums = small();
        let refused = |options: ScriptOptions| ScriptWriter::new(&ums, options).err();
        assert_eq!(
            refused(ScriptOptions {
                database: "uni-versity".into(),
                ..full()
            }),
            Some(SqlError::BadDatabaseName("uni-versity".into()))
        );
        assert_eq!(
            refused(ScriptOptions {
                database: String::new(),
                ..full()
            }),
            Some(SqlError::BadDatabaseName(String::new()))
        );
        assert_eq!(
            refused(ScriptOptions {
                schema: false,
                drop_existing: true,
                ..full()
            }),
            Some(SqlError::DropWithoutSchema)
        );
        assert_eq!(
            refused(ScriptOptions {
                schema: false,
                data: false,
                ..full()
            }),
            Some(SqlError::Empty)
        );
        assert_eq!(
            refused(ScriptOptions {
                part: Some(Part { index: 1, count: 2 }),
                ..full()
            }),
            Some(SqlError::PartWithSchema)
        );
        for bad in ["0/2", "3/2", "1/0", "x/2", "2", ""] {
            assert_eq!(
                Part::parse(bad),
                Err(SqlError::BadPart(bad.into())),
                "{bad}"
            );
        }
        assert_eq!(Part::parse(" 2 / 8 "), Ok(Part { index: 2, count: 8 }));
    }
}

// The system schemas are never a target, and a part's prelude names its database.
mod system {
    use super::*;

    #[test]
    fn system_schemas_are_refused_and_parts_name_their_database() {
        let ums = small();
        for name in [
            "mysql",
            "MySQL",
            "information_schema",
            "performance_schema",
            "sys",
        ] {
            let options = ScriptOptions {
                database: name.into(),
                ..full()
            };
            assert_eq!(
                ScriptWriter::new(&ums, options).err(),
                Some(SqlError::SystemDatabase(name.into()))
            );
        }
        assert!(!campus_sql::is_system_database("university_system"));
        let prelude = String::from_utf8(campus_sql::part_prelude(
            Dialect::MySql,
            "uni",
            Part { index: 2, count: 3 },
        ))
        .unwrap_or_default();
        assert!(prelude.starts_with("-- Part 2 of 3"), "{prelude}");
        assert!(prelude.contains("\nUSE `uni`;\n"), "{prelude}");
    }
}

// Parts: whole transactions, so each part loads on its own.
mod parts {
    use super::*;

    #[test]
    fn parts_hold_whole_transactions() {
        let ums = Ums::new(Config::scaled(40_000)).unwrap_or_else(|err| panic!("{err}"));
        let mut sizes = Vec::new();
        for k in 1..=4 {
            let options = ScriptOptions {
                schema: false,
                part: Some(Part { index: k, count: 4 }),
                ..full()
            };
            let text = String::from_utf8(script(&ums, options, 1 << 20)).unwrap_or_default();
            let first_statement = text
                .lines()
                .find(|line| !line.is_empty() && !line.starts_with("--"));
            assert!(
                text.is_empty() || first_statement == Some("START TRANSACTION;"),
                "part {k} starts mid-transaction"
            );
            assert!(
                text.is_empty() || text.ends_with("COMMIT;\n"),
                "part {k} ends mid-transaction"
            );
            assert_eq!(
                text.matches("START TRANSACTION;").count(),
                text.matches("COMMIT;").count()
            );
            let options = ScriptOptions {
                schema: false,
                part: Some(Part { index: k, count: 4 }),
                ..full()
            };
            sizes.push(ScriptWriter::new(&ums, options).map_or(0, |w| w.rows_total()));
        }
        // Cuts move back by less than one transaction (50 batches of at most 1,000 rows).
        let fair = ums.total_rows() / 4;
        assert!(
            sizes.iter().all(|&rows| rows.abs_diff(fair) <= 50_000),
            "{sizes:?} vs {fair}"
        );
        assert_eq!(sizes.iter().sum::<u64>(), ums.total_rows());
    }
}

// The header tells a user loading the script twice what will happen.
mod header {
    use super::*;

    #[test]
    fn warns_about_existing_tables_unless_it_drops_them() {
        let ums = small();
        let head = |options| {
            let bytes = script(&ums, options, 1 << 16);
            String::from_utf8_lossy(bytes.get(..2_000).unwrap_or(&bytes)).into_owned()
        };
        let plain = head(full());
        assert!(plain.contains("-- Into a database that already holds these tables"));
        assert!(plain.contains("campus generate --drop"));
        let dropping = head(ScriptOptions {
            drop_existing: true,
            ..full()
        });
        assert!(!dropping.contains("already holds these tables"));
    }
}

// Dialects: each script is written as its database reads it; MySQL's bytes do not change.
mod dialects {
    use super::*;
    use campus_schema::Dataset;

    fn text(dialect: Dialect) -> String {
        let options = ScriptOptions { dialect, ..full() };
        String::from_utf8(script(&small(), options, 1 << 16)).unwrap_or_default()
    }

    #[test]
    fn tables_come_after_the_tables_they_reference() {
        // What lets a data-only script load into tables whose keys are already on, in
        // PostgreSQL (which has no switch to turn them off) as in the others.
        let ums = small();
        let tables = ums.tables();
        for (idx, table) in tables.iter().enumerate() {
            for (column, fk) in table.foreign_keys() {
                let parent = tables.iter().position(|t| t.name == fk.table);
                assert!(
                    parent.is_some_and(|p| p <= idx),
                    "{}.{} references {} later in the script",
                    table.name,
                    column.name,
                    fk.table
                );
            }
        }
    }

    #[test]
    fn postgres_uses_its_own_quoting_types_and_keys() {
        let text = text(Dialect::Postgres);
        for needle in [
            "SET standard_conforming_strings = on;",
            "CREATE SCHEMA IF NOT EXISTS \"university_system\";\nSET search_path TO \"university_system\";",
            "CREATE TABLE IF NOT EXISTS \"students\" (\n  \"student_id\" INTEGER NOT NULL GENERATED BY DEFAULT AS IDENTITY,",
            "NUMERIC(5,2)",
            "CREATE OR REPLACE FUNCTION \"enroll_student\"(",
            "LANGUAGE plpgsql",
            "PERFORM setval(pg_get_serial_sequence('\"students\"', 'student_id'), COALESCE(MAX(\"student_id\"), 0) + 1, false) FROM \"students\";",
            "ALTER TABLE \"students\" ADD CONSTRAINT \"fk_students_course_id\" FOREIGN KEY (\"course_id\") REFERENCES \"courses\" (\"course_id\");",
            "INSERT INTO \"students\" (\"student_id\",",
        ] {
            assert!(text.contains(needle), "missing {needle:?}");
        }
        // Keys after the data, so rows load in any order and each key is checked once.
        assert!(text.find(DATA_END) < text.find("ALTER TABLE"));
        for mysql_only in [
            "`",
            "ENGINE=",
            "DELIMITER",
            "AUTO_INCREMENT",
            "SET NAMES",
            "\\'",
        ] {
            assert!(!text.contains(mysql_only), "{mysql_only:?} in PostgreSQL");
        }
        assert_eq!(
            text.matches("START TRANSACTION;").count(),
            text.matches("COMMIT;").count()
        );
    }

    #[test]
    fn sqlite_uses_rowid_keys_and_begin() {
        let text = text(Dialect::Sqlite);
        for needle in [
            "PRAGMA foreign_keys = OFF;",
            "  \"student_id\" INTEGER PRIMARY KEY,",
            "REFERENCES \"courses\"(\"course_id\")",
            "-- enroll_student: SQLite has no stored procedures.",
            "CREATE INDEX IF NOT EXISTS \"students_course_id_idx\" ON \"students\" (\"course_id\");",
        ] {
            assert!(text.contains(needle), "missing {needle:?}");
        }
        for other in [
            "`",
            "ENGINE=",
            "START TRANSACTION",
            "CREATE SCHEMA",
            "USE ",
            "GENERATED",
        ] {
            assert!(!text.contains(other), "{other:?} in SQLite");
        }
        assert_eq!(
            text.matches("BEGIN;").count(),
            text.matches("COMMIT;").count()
        );
    }

    #[test]
    fn the_same_rows_in_every_dialect() {
        // Numbers, dates and plain text are spelled alike: only quoting and framing differ.
        let values = |text: &str| -> Vec<String> {
            text.lines()
                .filter(|l| l.starts_with('('))
                .map(|l| l.replace("\\'", "''"))
                .collect()
        };
        let mysql = values(&text(Dialect::MySql));
        assert!(mysql.len() > 10_000);
        assert_eq!(values(&text(Dialect::Sqlite)), mysql);
        let postgres = values(&text(Dialect::Postgres));
        assert_eq!(postgres.len(), mysql.len());
    }
}
