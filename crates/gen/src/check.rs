//! Integrity checks of a generated dataset, driven by the schema and by the facts rows must agree on.
//!
//! Used by the tests and by `campus generate --check`; it materialises every row, so it is meant
//! for datasets that fit in memory (the defaults, up to a few hundred thousand students).

use std::collections::{HashMap, HashSet};

use campus_schema::{ColumnType, Date, Value, ValueRow};

use crate::rows::{BEDS_PER_ROOM, PASS_UNITS, final_score};
use crate::{TableId, Ums};

/// Every row of every table, as values.
pub fn materialise(ums: &Ums) -> Vec<Vec<Vec<Value>>> {
    TableId::ALL
        .iter()
        .map(|&t| {
            (0..ums.count(t))
                .map(|i| ValueRow::collect(|row| ums.write(t, i, row)))
                .collect()
        })
        .collect()
}

/// Returns one message per violated rule (capped per rule), empty when the dataset is consistent.
pub fn check(ums: &Ums) -> Vec<String> {
    check_data(ums, &materialise(ums))
}

/// Checks rows of every table (as from [`materialise`]) against the schema and the facts.
pub fn check_data(ums: &Ums, data: &[Vec<Vec<Value>>]) -> Vec<String> {
    let mut problems = Vec::new();
    check_schema(ums, data, &mut problems);
    check_facts(ums, data, &mut problems);
    problems
}

fn check_schema(ums: &Ums, data: &[Vec<Vec<Value>>], problems: &mut Vec<String>) {
    for (&t, rows) in TableId::ALL.iter().zip(data) {
        let table = ums.table(t);
        let mut seen: Vec<HashSet<String>> = vec![HashSet::new(); table.columns.len()];
        // Row counts of referenced tables, looked up once per column rather than once per cell.
        let targets: Vec<u64> = table
            .columns
            .iter()
            .map(|c| {
                c.references
                    .as_ref()
                    .and_then(|fk| ums.tables_by_name(&fk.table))
                    .map_or(0, |t| ums.count(t))
            })
            .collect();
        for (row_idx, row) in rows.iter().enumerate() {
            if row.len() != table.columns.len() {
                problems.push(format!(
                    "{}[{row_idx}]: {} values for {} columns",
                    table.name,
                    row.len(),
                    table.columns.len()
                ));
                continue;
            }
            for (((column, value), seen), &target) in
                table.columns.iter().zip(row).zip(&mut seen).zip(&targets)
            {
                let at = || format!("{}[{row_idx}].{}", table.name, column.name);
                let type_ok = match (column.ty, value) {
                    (_, Value::Null) => column.nullable,
                    (ColumnType::Int | ColumnType::BigInt, Value::Int(_)) => true,
                    (ColumnType::VarChar(n), Value::Text(s)) => s.chars().count() <= usize::from(n),
                    (ColumnType::Text, Value::Text(_)) => true,
                    (ColumnType::Decimal { precision, scale }, Value::Decimal(units, sc)) => {
                        *sc == scale && units.unsigned_abs() < 10u64.pow(u32::from(precision))
                    }
                    (ColumnType::Date, Value::Date(_)) | (ColumnType::Time, Value::Time(_)) => true,
                    _ => false,
                };
                if !type_ok {
                    problems.push(format!("{}: {value:?} does not fit {:?}", at(), column.ty));
                }
                if column.primary_key && value.as_int() != Some(row_idx as i64 + 1) {
                    problems.push(format!(
                        "{}: primary key {value} is not {}",
                        at(),
                        row_idx + 1
                    ));
                }
                if let (Some(fk), Some(v)) = (&column.references, value.as_int())
                    && (v < 1 || v as u64 > target)
                {
                    problems.push(format!(
                        "{}: {v} references no row of {} (1..={target})",
                        at(),
                        fk.table
                    ));
                }
                if column.unique && *value != Value::Null && !seen.insert(value.to_string()) {
                    problems.push(format!("{}: duplicate value {value}", at()));
                }
            }
        }
    }
}

fn int(row: &[Value], col: usize) -> i64 {
    row.get(col).and_then(Value::as_int).unwrap_or(-1)
}

fn check_facts(ums: &Ums, data: &[Vec<Vec<Value>>], problems: &mut Vec<String>) {
    let rows = |t: TableId| data.get(t.index()).map(Vec::as_slice).unwrap_or_default();
    let mut fail = |rule: &str, detail: String| {
        if problems.iter().filter(|p| p.starts_with(rule)).count() < 5 {
            problems.push(format!("{rule}: {detail}"));
        }
    };
    let courses = rows(TableId::Courses);
    let course_dept = |c: i64| courses.get((c - 1) as usize).map_or(-1, |r| int(r, 2));
    let course_qual = |c: i64| courses.get((c - 1) as usize).map_or(-1, |r| int(r, 3));
    let modules = rows(TableId::Modules);
    let module = |m: i64| {
        modules
            .get((m - 1) as usize)
            .map_or((-1, -1), |r| (int(r, 2), int(r, 3)))
    };
    let students = rows(TableId::Students);
    let year = ums.config().academic_year;

    for (i, s) in students.iter().enumerate() {
        if int(s, 8) != course_dept(int(s, 7)) {
            fail(
                "student department is the course's",
                format!("student {}", i + 1),
            );
        }
        let birth_year = s.get(5).and_then(Value::as_date).map_or(0, |d| d.year);
        if !(year - 30..=year - 18).contains(&birth_year) {
            fail(
                "birthdates are 18 to 30 years before the academic year",
                format!("student {} born {birth_year}", i + 1),
            );
        }
    }
    let mut enrolled: HashSet<(i64, i64)> = HashSet::new();
    let marks = rows(TableId::StudentMarks);
    for (i, e) in rows(TableId::StudentEnrollment).iter().enumerate() {
        let (student, course, module_id, level) = (int(e, 1), int(e, 2), int(e, 3), int(e, 5));
        let student_course = students
            .get((student - 1) as usize)
            .map_or(-1, |s| int(s, 7));
        if course != student_course || module(module_id).0 != course {
            fail(
                "enrollments are in the student's own course",
                format!("enrollment {}", i + 1),
            );
        }
        if level != module(module_id).1 || int(e, 6) != course_qual(course) {
            fail(
                "enrollment level and qualification are the module's and course's",
                format!("enrollment {}", i + 1),
            );
        }
        let date = e.get(8).and_then(Value::as_date).map_or(0, |d| d.year);
        if date != year || int(e, 4) != i64::from(year) {
            fail(
                "enrollment dates fall in the academic year",
                format!("enrollment {}", i + 1),
            );
        }
        let passed = marks
            .get(i)
            .and_then(|m| m.get(5))
            .is_some_and(|v| matches!(v, Value::Decimal(u, 2) if *u >= PASS_UNITS));
        let status = e.get(7).and_then(Value::as_text).unwrap_or_default();
        if (status == "Completed" && !passed) || (status == "Failed" && passed) {
            fail(
                "completed modules are passed and failed ones are not",
                format!("enrollment {}", i + 1),
            );
        }
        if !enrolled.insert((student, module_id)) {
            fail(
                "a student enrolls in a module once",
                format!("enrollment {}", i + 1),
            );
        }
    }
    for (i, m) in rows(TableId::StudentMarks).iter().enumerate() {
        if !enrolled.contains(&(int(m, 1), int(m, 2))) {
            fail(
                "marks exist only for enrolled modules",
                format!("mark {}", i + 1),
            );
        }
        let units = |col: usize| match m.get(col) {
            Some(Value::Decimal(u, 2)) => *u,
            _ => -1,
        };
        if !(0..=10_000).contains(&units(3))
            || !(0..=10_000).contains(&units(4))
            || units(5) != final_score(units(3), units(4))
        {
            fail(
                "scores are 0-100 and final = 40% test + 60% exam",
                format!("mark {}", i + 1),
            );
        }
    }
    let staff = rows(TableId::Staff);
    for (i, a) in rows(TableId::LecturerModuleAssignment).iter().enumerate() {
        let lecturer = staff.get((int(a, 1) - 1) as usize);
        let module_dept = course_dept(module(int(a, 2)).0);
        if lecturer.is_none_or(|s| int(s, 5) != 1 || int(s, 6) != module_dept) {
            fail(
                "modules are taught by lecturers of their own department",
                format!("assignment {}", i + 1),
            );
        }
    }
    let mut assigned: HashSet<i64> = rows(TableId::LecturerModuleAssignment)
        .iter()
        .map(|a| int(a, 2))
        .collect();
    assigned.retain(|m| *m >= 1);
    if assigned.len() as u64 != ums.count(TableId::Modules) {
        fail(
            "every module has a lecturer",
            format!("{} of {}", assigned.len(), ums.count(TableId::Modules)),
        );
    }
    let mut rooms: HashMap<(String, String), u64> = HashMap::new();
    for r in rows(TableId::StudentResidential) {
        let key = |col: usize| {
            r.get(col)
                .and_then(Value::as_text)
                .unwrap_or_default()
                .to_owned()
        };
        *rooms.entry((key(2), key(3))).or_default() += 1;
    }
    if let Some(((residence, room), n)) = rooms.iter().find(|(_, n)| **n > BEDS_PER_ROOM) {
        fail(
            "rooms are never over capacity",
            format!("{residence} room {room} holds {n}"),
        );
    }
    let applicants = rows(TableId::Applicants);
    for (i, a) in applicants.iter().enumerate() {
        let Some(student_id) = a.get(11).and_then(Value::as_int) else {
            continue;
        };
        let student = students.get((student_id - 1) as usize);
        let same = student.is_some_and(|s| {
            s.get(2) == a.get(2)
                && s.get(3) == a.get(3)
                && s.get(5) == a.get(6)
                && s.get(7) == a.get(8)
        });
        if !same {
            fail(
                "applicants who became students are those students",
                format!("applicant {}", i + 1),
            );
        }
    }
    for (i, st) in rows(TableId::ApplicantStatus).iter().enumerate() {
        let matching = applicants
            .iter()
            .find(|a| a.get(11).and_then(Value::as_int) == Some(int(st, 1)));
        if matching.is_none_or(|a| a.get(10) != st.get(3)) {
            fail(
                "applicant_status rows belong to converted applicants",
                format!("status {}", i + 1),
            );
        }
    }
    let last_application = Date {
        year: year - 1,
        month: 12,
        day: 31,
    };
    if applicants.iter().any(|a| {
        a.get(10)
            .and_then(Value::as_date)
            .is_none_or(|d| d > last_application)
    }) {
        fail(
            "applications are made before the academic year",
            String::new(),
        );
    }
}
