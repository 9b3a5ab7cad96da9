//! Integration tests of the generator: consistency, determinism, sizes and scaling.

use campus_gen::{Config, ConfigError, ConfigField, TableId, Ums, check};
use campus_schema::{Dataset, ValueRow};

fn ums(config: Config) -> Ums {
    match Ums::new(config) {
        Ok(ums) => ums,
        Err(err) => panic!("config rejected: {err}"),
    }
}

/// A university small enough to materialise in every check test.
fn small_ums() -> Ums {
    ums(Config {
        students: 300,
        residential_students: 300,
        applicants: 200,
        ..Config::default()
    })
}

// Consistency: the default dataset and unusual shapes pass every schema and fact check.
mod consistency {
    use super::*;

    #[test]
    fn default_dataset_is_consistent() {
        let ums = ums(Config::default());
        let problems = check::check(&ums);
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn unusual_shapes_are_consistent() {
        let shapes = [
            Config {
                students: 7,
                staff: 10,
                departments: 1,
                courses_per_department: 1,
                levels: 1,
                enrollments_per_student: 1,
                applicants: 3,
                residential_students: 7,
                bus_allocations: 0,
                ..Config::default()
            },
            Config {
                modules_per_course_level: 5,
                enrollments_per_student: 5,
                students: 900,
                residential_students: 333,
                applicants: 2000,
                ..Config::default()
            },
            Config {
                levels: 6,
                enrollments_per_student: 6,
                departments: 8,
                courses_per_department: 9,
                qualifications: 8,
                shuttle_points: 20,
                seed: 7,
                ..Config::scaled(1_500)
            },
        ];
        for config in shapes {
            let problems = check::check(&ums(config.clone()));
            assert!(problems.is_empty(), "{config:?}\n{problems:#?}");
        }
    }
}

// The checker itself: each kind of corruption is caught, so a clean report means something.
mod checker {
    use super::*;
    use campus_schema::Value;

    fn corrupted(table: TableId, row: usize, col: usize, value: Value) -> Vec<String> {
        let ums = small_ums();
        let mut data = check::materialise(&ums);
        if let Some(cell) = data
            .get_mut(table.index())
            .and_then(|t| t.get_mut(row))
            .and_then(|r| r.get_mut(col))
        {
            *cell = value;
        }
        check::check_data(&ums, &data)
    }

    #[test]
    fn every_kind_of_corruption_is_reported() {
        use TableId::{
            Applicants, LecturerModuleAssignment, StudentEnrollment, StudentMarks,
            StudentResidential, Students,
        };
        use Value::{Decimal, Int, Null, Text};
        let long_name = Text("x".repeat(101));
        let year_2019 = Value::Date(campus_schema::Date {
            year: 2019,
            month: 1,
            day: 1,
        });
        let cases = [
            (Students, 3, 7, Int(999), "references no row of courses"),
            (
                Students,
                3,
                1,
                Text("20240000001".into()),
                "duplicate value",
            ),
            (Students, 3, 2, Null, "does not fit"),
            (Students, 3, 3, long_name, "does not fit"),
            (Students, 3, 0, Int(77), "primary key"),
            (Students, 3, 8, Int(6), "student department is the course's"),
            (
                StudentMarks,
                5,
                5,
                Decimal(1, 2),
                "final = 40% test + 60% exam",
            ),
            (
                StudentMarks,
                5,
                2,
                Int(168),
                "marks exist only for enrolled modules",
            ),
            (StudentEnrollment, 5, 8, year_2019, "academic year"),
            (
                LecturerModuleAssignment,
                0,
                1,
                Int(300),
                "lecturers of their own department",
            ),
            (
                StudentResidential,
                0,
                3,
                Text("102".into()),
                "over capacity",
            ),
            (
                Applicants,
                0,
                2,
                Text("Someone".into()),
                "are those students",
            ),
        ];
        for (table, row, col, value, expected) in cases {
            let problems = corrupted(table, row, col, value.clone());
            assert!(
                problems.iter().any(|p| p.contains(expected)),
                "{table:?}[{row}][{col}] = {value:?}: {problems:#?}"
            );
        }
    }
}

#[test]
fn a_status_that_contradicts_the_mark_is_reported() {
    let ums = small_ums();
    let mut data = check::materialise(&ums);
    let enrollments = data
        .get_mut(TableId::StudentEnrollment.index())
        .map(Vec::as_mut_slice)
        .unwrap_or_default();
    let completed = enrollments
        .iter_mut()
        .find(|e| e.get(7).and_then(|v| v.as_text()) == Some("Completed"));
    if let Some(status) = completed.and_then(|e| e.get_mut(7)) {
        *status = campus_schema::Value::Text("Failed".into());
    }
    let problems = check::check_data(&ums, &data);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("completed modules are passed")),
        "{problems:#?}"
    );
}

// Sizes: the defaults are the classic dataset's headline counts, and one knob scales everything.
mod sizes {
    use super::*;

    #[test]
    fn defaults_match_the_headline_counts() {
        let ums = ums(Config::default());
        let expected = [
            (TableId::Levels, 4),
            (TableId::Qualifications, 6),
            (TableId::Departments, 6),
            (TableId::Courses, 42),
            (TableId::Modules, 168),
            (TableId::Students, 5_000),
            (TableId::StudentEnrollment, 20_000),
            (TableId::StudentMarks, 20_000),
            (TableId::StudentResidential, 5_000),
            (TableId::Buses, 20),
            (TableId::LecturerModuleAssignment, 168),
        ];
        for (table, count) in expected {
            assert_eq!(ums.count(table), count, "{table:?}");
        }
        assert!(ums.count(TableId::Applicants) >= 200);
        assert!(ums.count(TableId::ApplicantStatus) > 0);
    }

    #[test]
    fn one_knob_scales_to_a_million_students() {
        let ums = ums(Config::scaled(1_000_000));
        assert_eq!(ums.count(TableId::Students), 1_000_000);
        assert_eq!(ums.count(TableId::StudentEnrollment), 4_000_000);
        assert_eq!(ums.count(TableId::Staff), 60_000);
        assert_eq!(ums.count(TableId::Applicants), 60_000);
        // The last rows of the largest tables are reachable without producing the others.
        let last = ValueRow::collect(|row| ums.write(TableId::StudentMarks, 3_999_999, row));
        assert_eq!(last.first().and_then(|v| v.as_int()), Some(4_000_000));
    }

    #[test]
    fn bad_sizes_are_named() {
        let err = Ums::new(Config {
            students: 0,
            ..Config::default()
        })
        .err();
        assert_eq!(
            err,
            Some(ConfigError::OutOfRange {
                field: ConfigField::Students,
                value: 0,
                min: 1,
                max: campus_gen::MAX_STUDENTS
            })
        );
        let err = Ums::new(Config {
            enrollments_per_student: 5,
            ..Config::default()
        })
        .err();
        assert!(err.is_some_and(
            |e| e.to_string() == "enrollments_per_student must be between 0 and 4, got 5"
        ));
        assert!(
            Ums::new(Config {
                residential_students: 5_001,
                ..Config::default()
            })
            .is_err()
        );
        assert!(
            Ums::new(Config {
                staff: 9,
                ..Config::default()
            })
            .is_err()
        );
    }

    #[test]
    fn config_fields_are_typed_with_the_old_text() {
        // The form maps errors back to its fields by this enum; the message text is unchanged.
        let err = Ums::new(Config {
            students: 20_000_000,
            enrollments_per_student: 6,
            modules_per_course_level: 2,
            residential_students: 0,
            ..Config::default()
        })
        .err();
        let Some(ConfigError::OutOfRange { field, .. }) = &err else {
            panic!("{err:?}");
        };
        assert_eq!(*field, ConfigField::StudentsTimesEnrollments);
        assert_eq!(field.label(), "students × enrollments per student");
        assert!(err.is_some_and(|e| {
            e.to_string()
                .starts_with("students × enrollments_per_student must be between 0 and ")
        }));
        assert_eq!(ConfigField::BusAllocations.name(), "bus_allocations");
        assert_eq!(ConfigField::BusAllocations.label(), "bus allocations");
        assert_eq!(ConfigField::AcademicYear.to_string(), "academic_year");
    }
}

// Determinism: rows depend on (seed, table, row) only.
mod determinism {
    use super::*;

    fn text_of(ums: &Ums, table: TableId, rows: std::ops::Range<u64>) -> String {
        rows.map(|i| format!("{:?}", ValueRow::collect(|row| ums.write(table, i, row))))
            .collect()
    }

    #[test]
    fn rows_do_not_depend_on_order_or_on_other_tables() {
        let a = ums(Config::default());
        let b = ums(Config {
            applicants: 999,
            bus_allocations: 7,
            ..Config::default()
        });
        for table in [TableId::Students, TableId::StudentMarks, TableId::Staff] {
            let forward = text_of(&a, table, 0..200);
            let backward: String = (0..200)
                .rev()
                .map(|i| text_of(&a, table, i..i + 1))
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            assert_eq!(forward, backward);
            assert_eq!(forward, text_of(&b, table, 0..200));
        }
    }

    /// Rows of one student come together and are drawn once per run; rows of universities
    /// that differ in the draws (seed, courses, levels), written in turn on one thread, are
    /// still each university's own.
    #[test]
    fn universities_written_in_turn_keep_their_own_rows() {
        let base = Config {
            students: 50,
            residential_students: 50,
            applicants: 50,
            ..Config::default()
        };
        let others = [
            Config {
                seed: 43,
                ..base.clone()
            },
            Config {
                departments: 3,
                ..base.clone()
            },
            Config {
                levels: 3,
                enrollments_per_student: 3,
                ..base.clone()
            },
        ];
        for other in others {
            let (a, b) = (ums(base.clone()), ums(other));
            for table in [TableId::StudentEnrollment, TableId::StudentMarks] {
                let (alone_a, alone_b) = (text_of(&a, table, 0..200), text_of(&b, table, 0..200));
                assert_ne!(alone_a, alone_b, "{table:?}");
                let (mut turn_a, mut turn_b) = (String::new(), String::new());
                for i in 0..200 {
                    turn_a.push_str(&text_of(&a, table, i..i + 1));
                    turn_b.push_str(&text_of(&b, table, i..i + 1));
                }
                assert_eq!(alone_a, turn_a, "{table:?}");
                assert_eq!(alone_b, turn_b, "{table:?}");
            }
        }
    }

    #[test]
    fn seeds_change_the_data() {
        let a = ums(Config::default());
        let b = ums(Config {
            seed: 43,
            ..Config::default()
        });
        assert_ne!(
            text_of(&a, TableId::Students, 0..50),
            text_of(&b, TableId::Students, 0..50)
        );
    }

    #[test]
    fn provenance_names_the_seed() {
        let lines = ums(Config::default()).provenance();
        assert!(lines.first().is_some_and(|l| l.contains("seed=42")));
    }
}
