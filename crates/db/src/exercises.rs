//! SQL exercises over the generated university: questions with reference queries, a checker that
//! compares a student's result set with the reference's, and the pack as Markdown.
//!
//! Answers are checked by running both queries on the same database, never against stored
//! numbers, so a pack is right for any seed and size. Column names need not match; row order only
//! counts when the question asks for an order.

use serde::{Deserialize, Serialize};

use crate::{Cell, QueryError, ResultSet};
#[cfg(feature = "sqlite")]
use crate::{Database, QueryOptions};

/// One question.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Exercise {
    /// A short stable name, e.g. `students-per-department`.
    pub id: &'static str,
    pub title: &'static str,
    pub question: &'static str,
    /// A query that answers the question.
    pub reference: &'static str,
    /// Whether the row order is part of the answer (the question then says which order).
    pub ordered: bool,
    /// Columns the answer has.
    pub columns: usize,
    /// What the exercise practises, e.g. "join", "group by".
    pub topics: &'static [&'static str],
    /// Tables it needs besides the university's (the ETL's staging tables), empty for most.
    pub requires: &'static [&'static str],
}

/// The pack, easiest first.
pub fn pack() -> Vec<Exercise> {
    vec![
        Exercise {
            id: "students-per-department",
            title: "Students per department",
            question: "For each department, show its name and how many students it has.",
            reference: "SELECT d.department_name, COUNT(*) AS students\nFROM students s\nJOIN departments d ON d.department_id = s.department_id\nGROUP BY d.department_id, d.department_name;",
            ordered: false,
            columns: 2,
            topics: &["join", "group by"],
            requires: &[],
        },
        Exercise {
            id: "courses-with-names",
            title: "Courses, departments and qualifications",
            question: "List every course with its name, the name of its department and the name of its qualification.",
            reference: "SELECT c.course_name, d.department_name, q.qualification_name\nFROM courses c\nJOIN departments d ON d.department_id = c.department_id\nJOIN qualifications q ON q.qualification_id = c.qualification_id;",
            ordered: false,
            columns: 3,
            topics: &["join"],
            requires: &[],
        },
        Exercise {
            id: "staff-per-role",
            title: "Staff per role",
            question: "For each staff role (its name), how many staff members hold it? Leave out roles nobody holds.",
            reference: "SELECT r.role_name, COUNT(*) AS staff\nFROM staff s\nJOIN staff_roles r ON r.role_id = s.role_id\nGROUP BY r.role_id, r.role_name;",
            ordered: false,
            columns: 2,
            topics: &["join", "group by"],
            requires: &[],
        },
        Exercise {
            id: "enrollment-status",
            title: "Enrollments by status",
            question: "How many enrollments are there of each status? Show the status and the count, the most frequent status first.",
            reference: "SELECT status, COUNT(*) AS enrollments\nFROM student_enrollment\nGROUP BY status\nORDER BY enrollments DESC, status;",
            ordered: true,
            columns: 2,
            topics: &["group by", "order by"],
            requires: &[],
        },
        Exercise {
            id: "average-by-level",
            title: "Average final score per level",
            question: "For each level (its name), the average final score of the marks of modules at that level, rounded to 2 decimals, in level order (by level id).",
            reference: "SELECT l.level_name, ROUND(AVG(m.final_score), 2) AS average\nFROM student_marks m\nJOIN modules mo ON mo.module_id = m.module_id\nJOIN levels l ON l.level_id = mo.level_id\nGROUP BY l.level_id, l.level_name\nORDER BY l.level_id;",
            ordered: true,
            columns: 2,
            topics: &["join", "group by", "aggregate", "order by"],
            requires: &[],
        },
        Exercise {
            id: "gender-by-level",
            title: "Students by gender and level",
            question: "How many students are there of each gender at each level? Show the level name, the gender and the count.",
            reference: "SELECT l.level_name, s.gender, COUNT(*) AS students\nFROM students s\nJOIN levels l ON l.level_id = s.level_id\nGROUP BY l.level_name, s.gender;",
            ordered: false,
            columns: 3,
            topics: &["join", "group by"],
            requires: &[],
        },
        Exercise {
            id: "residence-occupancy",
            title: "Residence occupancy",
            question: "For each residence, its name and how many students live there, fullest first (ties by name).",
            reference: "SELECT residence_name, COUNT(*) AS residents\nFROM student_residential\nGROUP BY residence_name\nORDER BY residents DESC, residence_name;",
            ordered: true,
            columns: 2,
            topics: &["group by", "order by"],
            requires: &[],
        },
        Exercise {
            id: "top-students",
            title: "The ten best students",
            question: "The ten students with the highest average final score: student number, last name and the average (unrounded), best first, ties by student number.",
            reference: "SELECT s.student_number, s.last_name, AVG(m.final_score) AS average\nFROM students s\nJOIN student_marks m ON m.student_id = s.student_id\nGROUP BY s.student_id, s.student_number, s.last_name\nORDER BY average DESC, s.student_number\nLIMIT 10;",
            ordered: true,
            columns: 3,
            topics: &["join", "group by", "order by", "limit"],
            requires: &[],
        },
        Exercise {
            id: "modules-per-lecturer",
            title: "Lecturers' teaching load",
            question: "For every staff member, their email and the number of modules assigned to them, including those with none (count 0).",
            reference: "SELECT s.email, COUNT(a.module_id) AS modules\nFROM staff s\nLEFT JOIN lecturer_module_assignment a ON a.staff_id = s.staff_id\nGROUP BY s.staff_id, s.email;",
            ordered: false,
            columns: 2,
            topics: &["left join", "group by"],
            requires: &[],
        },
        Exercise {
            id: "bus-stops",
            title: "Stops per bus",
            question: "For each bus that has allocations, its bus number and how many different shuttle points it serves.",
            reference: "SELECT b.bus_number, COUNT(DISTINCT a.point_id) AS points\nFROM buses b\nJOIN bus_allocations a ON a.bus_id = b.bus_id\nGROUP BY b.bus_id, b.bus_number;",
            ordered: false,
            columns: 2,
            topics: &["join", "group by", "distinct"],
            requires: &[],
        },
        Exercise {
            id: "admitted-applicants",
            title: "Applicants who became students",
            question: "For each applicant who became a student, the applicant number and the student number.",
            reference: "SELECT a.applicant_number, s.student_number\nFROM applicants a\nJOIN students s ON s.student_id = a.student_id;",
            ordered: false,
            columns: 2,
            topics: &["join"],
            requires: &[],
        },
        Exercise {
            id: "above-average-modules",
            title: "Modules above the average",
            question: "The names of the modules whose average final score is above the average final score of all marks, with that module average.",
            reference: "SELECT mo.module_name, AVG(m.final_score) AS average\nFROM student_marks m\nJOIN modules mo ON mo.module_id = m.module_id\nGROUP BY mo.module_id, mo.module_name\nHAVING AVG(m.final_score) > (SELECT AVG(final_score) FROM student_marks);",
            ordered: false,
            columns: 2,
            topics: &["join", "group by", "having", "subquery"],
            requires: &[],
        },
        Exercise {
            id: "etl-attendance-per-course",
            title: "The ETL's outputs: attendance per course",
            question: "Over the ETL's staging tables (load them first): for each course_code in stg_attendance, the share of its attendance rows marked present, in percent.",
            reference: "SELECT course_code, 100.0 * SUM(present_flag) / COUNT(*) AS present_pct\nFROM stg_attendance\nGROUP BY course_code;",
            ordered: false,
            columns: 2,
            topics: &["the ETL's outputs", "group by"],
            requires: &["stg_attendance"],
        },
        Exercise {
            id: "etl-marks-per-program",
            title: "The ETL's outputs: marks per programme",
            question: "Over the ETL's staging tables (load them first): for each program_code of stg_students, the average total_marks of its students' exam results (joined on student_hash).",
            reference: "SELECT s.program_code, AVG(e.total_marks) AS average\nFROM stg_exam_results e\nJOIN stg_students s ON s.student_hash = e.student_hash\nGROUP BY s.program_code;",
            ordered: false,
            columns: 2,
            topics: &["the ETL's outputs", "join", "group by"],
            requires: &["stg_students", "stg_exam_results"],
        },
        Exercise {
            id: "etl-attendance-orphans",
            title: "The ETL's outputs: attendance without a student",
            question: "Over the ETL's staging tables (load them first): how many rows of stg_attendance have no matching student in stg_students (by student_hash)?",
            reference: "SELECT COUNT(*) AS orphans\nFROM stg_attendance a\nWHERE NOT EXISTS (SELECT 1 FROM stg_students s WHERE s.student_hash = a.student_hash);",
            ordered: false,
            columns: 1,
            topics: &["the ETL's outputs", "subquery", "data quality"],
            requires: &["stg_attendance", "stg_students"],
        },
    ]
}

/// The checker's answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Verdict {
    Correct,
    /// The answer ran but its result differs; the reason says how, without giving it away.
    Wrong {
        reason: String,
    },
    /// The answer did not run.
    Failed(QueryError),
}

impl Verdict {
    pub fn is_correct(&self) -> bool {
        matches!(self, Verdict::Correct)
    }
}

/// Why a reference query failed: a bug in the pack, not in the answer.
#[derive(Debug, thiserror::Error)]
#[error("the reference query of `{id}` failed: {error}")]
pub struct ReferenceError {
    pub id: &'static str,
    pub error: QueryError,
}

#[cfg(feature = "sqlite")]
/// Runs the reference and the answer on `db` and compares their result sets.
pub fn check(
    db: &mut Database,
    exercise: &Exercise,
    answer: &str,
    options: &QueryOptions,
) -> Result<Verdict, ReferenceError> {
    let all = QueryOptions {
        offset: 0,
        limit: u64::MAX,
        ..*options
    };
    let expected = db
        .query(exercise.reference, &all)
        .map_err(|error| ReferenceError {
            id: exercise.id,
            error,
        })?;
    let actual = match db.query(answer, &all) {
        Ok(actual) => actual,
        Err(error) => return Ok(Verdict::Failed(error)),
    };
    Ok(compare(&expected, &actual, exercise.ordered))
}

/// Compares two result sets: the same number of columns and rows, and equal rows (in order when
/// `ordered`, as multisets otherwise). Numbers compare by value (an integer equals the same real)
/// within a relative 1e-9, so `AVG` and `SUM(x) * 1.0 / COUNT(*)` agree.
pub fn compare(expected: &ResultSet, actual: &ResultSet, ordered: bool) -> Verdict {
    let wrong = |reason: String| Verdict::Wrong { reason };
    if expected.columns.len() != actual.columns.len() {
        return wrong(format!(
            "the answer has {} columns; {} were expected",
            actual.columns.len(),
            expected.columns.len()
        ));
    }
    if expected.total_rows != actual.total_rows {
        return wrong(format!(
            "the answer has {} rows; {} were expected",
            actual.total_rows, expected.total_rows
        ));
    }
    let mut want = expected.rows.clone();
    let mut got = actual.rows.clone();
    if !ordered {
        want.sort_by(|a, b| row_order(a, b));
        got.sort_by(|a, b| row_order(a, b));
    }
    for (idx, (w, g)) in want.iter().zip(&got).enumerate() {
        if !rows_equal(w, g) {
            return wrong(if ordered {
                format!(
                    "row {} differs from the expected one (is the order right?)",
                    idx + 1
                )
            } else {
                "some rows differ from the expected ones".to_owned()
            });
        }
    }
    Verdict::Correct
}

fn cells_equal(a: &Cell, b: &Cell) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0),
        _ => a == b,
    }
}

fn rows_equal(a: &[Cell], b: &[Cell]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| cells_equal(x, y))
}

/// A total order on rows for sorting both sides alike: numbers (rounded, so near-equal reals sort
/// together) before text before blobs, NULL first.
fn row_order(a: &[Cell], b: &[Cell]) -> std::cmp::Ordering {
    fn rank(cell: &Cell) -> u8 {
        match cell {
            Cell::Null => 0,
            Cell::Int(_) | Cell::Real(_) => 1,
            Cell::Text(_) => 2,
            Cell::Blob(_) => 3,
        }
    }
    fn rounded(x: f64) -> f64 {
        if x == 0.0 || !x.is_finite() {
            return x;
        }
        let digits = 9 - x.abs().log10().ceil() as i32;
        let factor = 10f64.powi(digits);
        (x * factor).round() / factor
    }
    for (x, y) in a.iter().zip(b) {
        let order = rank(x).cmp(&rank(y)).then_with(|| match (x, y) {
            (Cell::Text(p), Cell::Text(q)) => p.cmp(q),
            (Cell::Blob(p), Cell::Blob(q)) => p.cmp(q),
            _ => match (x.as_f64(), y.as_f64()) {
                (Some(p), Some(q)) => rounded(p).total_cmp(&rounded(q)),
                _ => std::cmp::Ordering::Equal,
            },
        });
        if order.is_ne() {
            return order;
        }
    }
    a.len().cmp(&b.len())
}

/// The pack as Markdown, for a teacher to hand out (without answers) or keep (with them).
pub fn to_markdown(exercises: &[Exercise], with_answers: bool) -> String {
    let mut out = String::from("# SQL exercises: the university database\n\n");
    out += "Each answer is one `SELECT`. Column names are free; row order only counts where the question asks for one.\n\n";
    for (idx, exercise) in exercises.iter().enumerate() {
        out += &format!(
            "## {}. {}\n\n{}\n\n",
            idx + 1,
            exercise.title,
            exercise.question
        );
        out += &format!(
            "*Topics: {}. Columns: {}.*\n\n",
            exercise.topics.join(", "),
            exercise.columns
        );
        if with_answers {
            out += &format!("```sql\n{}\n```\n\n", exercise.reference);
        }
    }
    out
}

#[cfg(all(test, feature = "sqlite"))]
mod tests {
    use campus_gen::{Config, Ums};

    use super::*;

    fn university(seed: u64, students: u64) -> Database {
        let config = Config {
            seed,
            ..Config::scaled(students)
        };
        let mut db = Database::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
        let ums = Ums::new(config).unwrap_or_else(|e| panic!("{e}"));
        db.load(ums).unwrap_or_else(|e| panic!("{e}"));
        db
    }

    fn verdict(db: &mut Database, id: &str, answer: &str) -> Verdict {
        let Some(exercise) = pack().into_iter().find(|e| e.id == id) else {
            panic!("no exercise {id}");
        };
        check(db, &exercise, answer, &QueryOptions::default()).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn references_run_with_the_promised_shape_for_any_seed_and_size() {
        let exercises = pack();
        let mut ids: Vec<_> = exercises.iter().map(|e| e.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), exercises.len(), "exercise ids are unique");
        // Those over the ETL's staging tables are checked where the ETL runs (campus_jobs).
        let exercises: Vec<Exercise> = exercises
            .into_iter()
            .filter(|e| e.requires.is_empty())
            .collect();
        for (seed, students) in [(1, 100), (42, 600), (99, 2_000)] {
            let mut db = university(seed, students);
            for exercise in &exercises {
                let result = db
                    .query(exercise.reference, &QueryOptions::all_rows())
                    .unwrap_or_else(|e| panic!("{}: {e}", exercise.id));
                assert_eq!(result.columns.len(), exercise.columns, "{}", exercise.id);
                assert!(
                    result.total_rows > 0,
                    "{} is empty for seed {seed}",
                    exercise.id
                );
                assert_eq!(
                    result.reference_order_matters(exercise),
                    exercise.ordered,
                    "{}",
                    exercise.id
                );
                let same = check(
                    &mut db,
                    exercise,
                    exercise.reference,
                    &QueryOptions::default(),
                );
                assert!(matches!(same, Ok(Verdict::Correct)), "{}", exercise.id);
            }
            let departments = db
                .query("SELECT COUNT(*) FROM departments", &QueryOptions::default())
                .map(|r| r.rows)
                .unwrap_or_default();
            let per_department = db
                .query(exercises[0].reference, &QueryOptions::all_rows())
                .map(|r| r.total_rows)
                .unwrap_or_default();
            assert_eq!(departments, vec![vec![Cell::Int(per_department as i64)]]);
        }
    }

    #[test]
    fn right_answers_in_another_order_or_form_are_accepted() {
        let mut db = university(7, 300);
        let reordered = "select department_name as name, count(student_id) as n from departments join students using (department_id) group by department_name order by n desc";
        assert_eq!(
            verdict(&mut db, "students-per-department", reordered),
            Verdict::Correct
        );
        // An average written as a sum over a count is the same number.
        let by_hand = "SELECT s.student_number, s.last_name, SUM(m.final_score) * 1.0 / COUNT(*) FROM students s, student_marks m WHERE m.student_id = s.student_id GROUP BY s.student_id ORDER BY 3 DESC, 1 LIMIT 10";
        assert_eq!(verdict(&mut db, "top-students", by_hand), Verdict::Correct);
    }

    #[test]
    fn wrong_answers_are_rejected_with_a_reason() {
        let mut db = university(7, 300);
        let wrong_count = "SELECT d.department_name, COUNT(DISTINCT s.course_id) FROM students s JOIN departments d ON d.department_id = s.department_id GROUP BY d.department_name";
        assert!(matches!(
            verdict(&mut db, "students-per-department", wrong_count),
            Verdict::Wrong { reason } if reason.contains("rows differ")
        ));
        let extra_column = "SELECT department_id, department_name, 0 FROM departments";
        assert!(matches!(
            verdict(&mut db, "students-per-department", extra_column),
            Verdict::Wrong { reason } if reason.contains("3 columns")
        ));
        // The question asks for the most frequent status first: the reverse order is wrong.
        let reversed = "SELECT status, COUNT(*) AS n FROM student_enrollment GROUP BY status ORDER BY n ASC, status DESC";
        assert!(matches!(
            verdict(&mut db, "enrollment-status", reversed),
            Verdict::Wrong { reason } if reason.contains("order")
        ));
        assert!(matches!(
            verdict(&mut db, "enrollment-status", "SELEC status"),
            Verdict::Failed(e) if e.message.contains("syntax error")
        ));
    }

    #[test]
    fn markdown_with_and_without_answers() {
        let exercises = pack();
        let with = to_markdown(&exercises, true);
        let without = to_markdown(&exercises, false);
        for exercise in &exercises {
            assert!(with.contains(exercise.title) && without.contains(exercise.title));
            assert!(with.contains(exercise.reference));
            assert!(!without.contains(exercise.reference));
        }
        assert_eq!(with.matches("```sql").count(), exercises.len());
        assert_eq!(without.matches("```").count(), 0);
        assert!(without.starts_with("# SQL exercises"));
    }

    impl ResultSet {
        /// Whether the reference says ORDER BY (outside subqueries): ordered questions must.
        fn reference_order_matters(&self, exercise: &Exercise) -> bool {
            exercise
                .reference
                .to_ascii_uppercase()
                .contains("\nORDER BY")
        }
    }
}
