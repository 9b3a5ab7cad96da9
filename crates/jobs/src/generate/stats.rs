//! Chart figures (marks distribution, students per department and course), gathered from the rows
//! as the SQL script writes them, so they cost no second pass over the data.

use std::cell::RefCell;
use std::ops::Deref;

use campus_gen::{TableId, Ums};
use campus_schema::{Dataset, Date, RowSink, Table, Time, ValueRow};
use serde::{Deserialize, Serialize};

/// Marks are bucketed in steps of this many points: 0–4.99, 5–9.99, …, 95–100.
pub const MARK_BUCKET: u32 = 5;
pub const MARK_BUCKETS: usize = 20;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// Count of `student_marks.final_score` per bucket of [`MARK_BUCKET`] points.
    pub final_scores: Vec<u64>,
    /// (department name, students).
    pub departments: Vec<(String, u64)>,
    /// (course id, course name, students).
    pub courses: Vec<(i64, String, u64)>,
}

/// A [`Dataset`] that passes every row through and counts what the charts need; it holds the
/// plan by reference or shared (`&Ums` or `Rc<Ums>`).
pub struct Tapped<U> {
    ums: U,
    /// Column positions: students.department_id, students.course_id, student_marks.final_score.
    department_col: Option<usize>,
    course_col: Option<usize>,
    score_col: Option<usize>,
    counts: RefCell<Counts>,
}

/// The counts behind the figures; the counts of two sets of rows add up to those of both, so
/// pieces of the script written apart (on several workers) give the figures of the whole.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub final_scores: Vec<u64>,
    pub departments: Vec<u64>,
    pub courses: Vec<u64>,
}

impl Counts {
    /// Adds `other`'s counts to these, position by position.
    pub fn add(&mut self, other: &Counts) {
        fn add(into: &mut Vec<u64>, from: &[u64]) {
            if into.len() < from.len() {
                into.resize(from.len(), 0);
            }
            for (n, m) in into.iter_mut().zip(from) {
                *n += m;
            }
        }
        add(&mut self.final_scores, &other.final_scores);
        add(&mut self.departments, &other.departments);
        add(&mut self.courses, &other.courses);
    }

    /// Zero counts of the same shape.
    fn zeroed(&self) -> Counts {
        Counts {
            final_scores: vec![0; self.final_scores.len()],
            departments: vec![0; self.departments.len()],
            courses: vec![0; self.courses.len()],
        }
    }
}

/// The labels of the figures: each department's name, each course's id and name.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Labels {
    pub departments: Vec<String>,
    pub courses: Vec<(i64, String)>,
}

impl Labels {
    /// The labels of this university's figures.
    pub fn of(ums: &Ums) -> Labels {
        let name = |table: TableId, row_idx: u64| {
            let values = ValueRow::collect(|row| ums.write(table, row_idx, row));
            let id = values
                .first()
                .and_then(|v| v.as_int())
                .unwrap_or(row_idx as i64 + 1);
            let name = values.get(1).map(ToString::to_string).unwrap_or_default();
            (id, name)
        };
        Labels {
            departments: (0..ums.count(TableId::Departments))
                .map(|idx| name(TableId::Departments, idx).1)
                .collect(),
            courses: (0..ums.count(TableId::Courses))
                .map(|idx| name(TableId::Courses, idx))
                .collect(),
        }
    }

    /// The figures of `counts`, labelled.
    pub fn stats(&self, counts: &Counts) -> Stats {
        let count = |counts: &[u64], idx: usize| counts.get(idx).copied().unwrap_or(0);
        Stats {
            final_scores: counts.final_scores.clone(),
            departments: (self.departments.iter().enumerate())
                .map(|(idx, name)| (name.clone(), count(&counts.departments, idx)))
                .collect(),
            courses: (self.courses.iter().enumerate())
                .map(|(idx, (id, name))| (*id, name.clone(), count(&counts.courses, idx)))
                .collect(),
        }
    }
}

fn column(table: &Table, name: &str) -> Option<usize> {
    table.columns.iter().position(|c| c.name == name)
}

impl<U: Deref<Target = Ums>> Tapped<U> {
    pub fn new(ums: U) -> Tapped<U> {
        let students = ums.table(TableId::Students);
        let marks = ums.table(TableId::StudentMarks);
        let counts = Counts {
            final_scores: vec![0; MARK_BUCKETS],
            departments: vec![0; ums.count(TableId::Departments) as usize],
            courses: vec![0; ums.count(TableId::Courses) as usize],
        };
        Tapped {
            department_col: column(students, "department_id"),
            course_col: column(students, "course_id"),
            score_col: column(marks, "final_score"),
            ums,
            counts: RefCell::new(counts),
        }
    }

    /// The figures for the rows written so far.
    pub fn stats(&self) -> Stats {
        Labels::of(&self.ums).stats(&self.counts.borrow())
    }

    /// The counts of the rows written since the last call (or since the start), and starts
    /// counting afresh.
    pub fn take_counts(&self) -> Counts {
        let mut counts = self.counts.borrow_mut();
        let zeroed = counts.zeroed();
        std::mem::replace(&mut *counts, zeroed)
    }
}

impl<U: Deref<Target = Ums>> Dataset for Tapped<U> {
    fn tables(&self) -> &[Table] {
        self.ums.tables()
    }

    fn n_rows(&self, table_idx: usize) -> u64 {
        self.ums.n_rows(table_idx)
    }

    fn write_row(&self, table_idx: usize, row_idx: u64, sink: &mut dyn RowSink) {
        let targets = match TableId::from_index(table_idx) {
            Some(TableId::Students) => [self.department_col, self.course_col],
            Some(TableId::StudentMarks) => [self.score_col, None],
            _ => return self.ums.write_row(table_idx, row_idx, sink),
        };
        let mut tee = Tee {
            inner: sink,
            field: 0,
            targets,
            seen: [None, None],
        };
        self.ums.write_row(table_idx, row_idx, &mut tee);
        let mut counts = self.counts.borrow_mut();
        match TableId::from_index(table_idx) {
            Some(TableId::Students) => {
                // Ids are 1-based row numbers of the referenced table.
                if let Some(Seen::Int(id)) = tee.seen[0]
                    && let Some(n) = counts.departments.get_mut((id - 1).max(0) as usize)
                {
                    *n += 1;
                }
                if let Some(Seen::Int(id)) = tee.seen[1]
                    && let Some(n) = counts.courses.get_mut((id - 1).max(0) as usize)
                {
                    *n += 1;
                }
            }
            _ => {
                if let Some(Seen::Decimal(units, scale)) = tee.seen[0] {
                    let points = units as f64 / 10f64.powi(i32::from(scale));
                    let bucket = (points / f64::from(MARK_BUCKET))
                        .floor()
                        .clamp(0.0, (MARK_BUCKETS - 1) as f64);
                    if let Some(n) = counts.final_scores.get_mut(bucket as usize) {
                        *n += 1;
                    }
                }
            }
        }
    }

    fn provenance(&self) -> Vec<String> {
        self.ums.provenance()
    }
}

#[derive(Clone, Copy)]
enum Seen {
    Int(i64),
    Decimal(i64, u8),
}

/// Forwards every field and keeps a copy of the fields at `targets`.
struct Tee<'s> {
    inner: &'s mut dyn RowSink,
    field: usize,
    targets: [Option<usize>; 2],
    seen: [Option<Seen>; 2],
}

impl Tee<'_> {
    fn see(&mut self, value: Seen) {
        for (target, seen) in self.targets.iter().zip(self.seen.iter_mut()) {
            if *target == Some(self.field) {
                *seen = Some(value);
            }
        }
    }
}

impl RowSink for Tee<'_> {
    fn int(&mut self, value: i64) {
        self.see(Seen::Int(value));
        self.field += 1;
        self.inner.int(value);
    }
    fn text(&mut self, value: &str) {
        self.field += 1;
        self.inner.text(value);
    }
    fn decimal(&mut self, units: i64, scale: u8) {
        self.see(Seen::Decimal(units, scale));
        self.field += 1;
        self.inner.decimal(units, scale);
    }
    fn float(&mut self, value: f64) {
        self.field += 1;
        self.inner.float(value);
    }
    fn bool(&mut self, value: bool) {
        self.field += 1;
        self.inner.bool(value);
    }
    fn date(&mut self, value: Date) {
        self.field += 1;
        self.inner.date(value);
    }
    fn time(&mut self, value: Time) {
        self.field += 1;
        self.inner.time(value);
    }
    fn null(&mut self) {
        self.field += 1;
        self.inner.null();
    }
    fn end_row(&mut self) {
        self.field = 0;
        self.inner.end_row();
    }
}
