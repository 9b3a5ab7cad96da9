//! The notebook's measure, reproduced exactly, plus the charts around it.
//!
//! The notebook does, in pandas:
//! ```text
//! merged = exams.merge(attendance, on=["student_hash", "course_code"], how="left")
//! g = merged.groupby(["student_hash", "course_code"])
//! final = g["present_flag"].mean().rename("attendance_pct").reset_index()
//!     .merge(g["total_marks"].mean().reset_index(), on=[...])      # inner
//! final["attendance_pct"].corr(final["total_marks"])
//! ```
//! The left merge repeats each exam row once per attendance row of its key, so `total_marks`
//! is averaged over those repeats; we sum the same sequence in the same order (Kahan, like
//! pandas) instead of materialising it. Orphan rows have a NaN hash and groupby drops NaN keys,
//! so they never reach the result.

use serde::{Deserialize, Serialize};

use crate::Etl;
use crate::stats::{Histogram, KahanSum, LinearFit, least_squares, pearson, spearman};

/// One (student, course) row of the notebook's final table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pair {
    pub student_hash: String,
    pub course_code: String,
    pub program_code: String,
    /// Mean present_flag; NaN when the student has no attendance in the course.
    pub attendance_pct: f64,
    /// Mean total_marks; NaN when every total is blank.
    pub total_marks: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupCorrelation {
    pub name: String,
    /// Complete (non-NaN) pairs in the group.
    pub n_pairs: usize,
    pub pearson: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rate {
    pub name: String,
    pub n_students: u64,
    pub n_placed: u64,
}

impl Rate {
    pub fn rate(&self) -> Option<f64> {
        (self.n_students > 0).then(|| self.n_placed as f64 / self.n_students as f64)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// The final table, sorted by (student_hash, course_code) as groupby sorts.
    pub pairs: Vec<Pair>,
    pub n_complete_pairs: usize,
    pub pearson: Option<f64>,
    pub spearman: Option<f64>,
    /// total_marks = slope · attendance_pct + intercept.
    pub fit: Option<LinearFit>,
    pub per_course: Vec<GroupCorrelation>,
    pub per_program: Vec<GroupCorrelation>,
    /// attendance_pct in ten bins over [0, 1].
    pub attendance_histogram: Histogram,
    /// total_marks in ten bins over [0, total_max].
    pub marks_histogram: Histogram,
    pub placement_by_program: Vec<Rate>,
    pub placement_by_band: Vec<Rate>,
}

/// Attendance bands for placement rates, by overall attendance over all courses.
pub const BANDS: [&str; 5] = [
    "no attendance",
    "below 60%",
    "60–75%",
    "75–90%",
    "90% and above",
];

fn band(n_rows: u32, n_present: u32) -> usize {
    // Integer comparisons: the band edges are exact, whatever the float rounding.
    let (n, p) = (u64::from(n_rows), u64::from(n_present) * 100);
    match () {
        _ if n == 0 => 0,
        _ if p < 60 * n => 1,
        _ if p < 75 * n => 2,
        _ if p < 90 * n => 3,
        _ => 4,
    }
}

fn correlate_groups(pairs: &[Pair], group: impl Fn(&Pair) -> &str) -> Vec<GroupCorrelation> {
    let mut names: Vec<&str> = pairs.iter().map(&group).collect();
    names.sort_unstable();
    names.dedup();
    names
        .into_iter()
        .map(|name| {
            let (xs, ys): (Vec<f64>, Vec<f64>) = pairs
                .iter()
                .filter(|p| group(p) == name)
                .map(|p| (p.attendance_pct, p.total_marks))
                .unzip();
            let n_pairs = xs
                .iter()
                .zip(&ys)
                .filter(|(x, y)| !x.is_nan() && !y.is_nan())
                .count();
            GroupCorrelation {
                name: name.to_owned(),
                n_pairs,
                pearson: pearson(&xs, &ys),
            }
        })
        .collect()
}

/// Computes the analysis from everything loaded so far.
pub fn analyze(etl: &Etl) -> Analysis {
    let state = etl.state();
    let mut pairs = Vec::with_capacity(state.exam_totals.len());
    for (&(student_idx, course_id), totals) in &state.exam_totals {
        let Some(student) = state.student(student_idx) else {
            continue;
        };
        let (n_rows, n_present) = state
            .attendance(student_idx, course_id)
            .map_or((0, 0), |a| (a.n_rows, a.n_present));
        // The mean of k·n flags summing to k·P is the correctly rounded k·P / k·n = P / n.
        let attendance_pct = if n_rows == 0 {
            f64::NAN
        } else {
            f64::from(n_present) / f64::from(n_rows)
        };
        let repeats = n_rows.max(1);
        let mut sum = KahanSum::default();
        for &total in totals {
            if total.is_nan() {
                continue;
            }
            for _ in 0..repeats {
                sum.add(total);
            }
        }
        let total_marks = sum.mean();
        let course_code = state.courses.name(course_id);
        // pandas' merge joins a key's rows to each of its students: the other students of
        // this key (other college codes) get the same pair under their own hash.
        let twins = state.twins(student_idx).iter();
        for student in std::iter::once(student).chain(twins.filter_map(|&t| state.student(t))) {
            pairs.push(Pair {
                student_hash: student.student_hash.clone(),
                course_code: course_code.to_owned(),
                program_code: state.programs.name(student.program).to_owned(),
                attendance_pct,
                total_marks,
            });
        }
    }
    pairs.sort_by(|a, b| (&a.student_hash, &a.course_code).cmp(&(&b.student_hash, &b.course_code)));
    let xs: Vec<f64> = pairs.iter().map(|p| p.attendance_pct).collect();
    let ys: Vec<f64> = pairs.iter().map(|p| p.total_marks).collect();
    let n_complete_pairs = xs
        .iter()
        .zip(&ys)
        .filter(|(x, y)| !x.is_nan() && !y.is_nan())
        .count();

    let mut by_program: Vec<Rate> = state
        .programs
        .names
        .iter()
        .map(|name| Rate {
            name: name.clone(),
            n_students: 0,
            n_placed: 0,
        })
        .collect();
    let mut by_band: Vec<Rate> = BANDS
        .iter()
        .map(|name| Rate {
            name: (*name).to_owned(),
            n_students: 0,
            n_placed: 0,
        })
        .collect();
    for student in state.students() {
        // A second student of a key has the first one's attendance and placements.
        let Some(joined) = state.joined(student) else {
            continue;
        };
        let targets = [
            by_program.get_mut(student.program as usize),
            by_band.get_mut(band(joined.n_attendance, joined.n_present)),
        ];
        for rate in targets.into_iter().flatten() {
            rate.n_students += 1;
            rate.n_placed += u64::from(joined.placed);
        }
    }
    by_program.sort_by(|a, b| a.name.cmp(&b.name));

    Analysis {
        n_complete_pairs,
        pearson: pearson(&xs, &ys),
        spearman: spearman(&xs, &ys),
        fit: least_squares(&xs, &ys),
        per_course: correlate_groups(&pairs, |p| &p.course_code),
        per_program: correlate_groups(&pairs, |p| &p.program_code),
        attendance_histogram: Histogram::new(0.0, 1.0, 10, xs.iter().copied()),
        marks_histogram: Histogram::new(0.0, etl.options().marks.total_max, 10, ys.iter().copied()),
        placement_by_program: by_program,
        placement_by_band: by_band,
        pairs,
    }
}
