//! Class sessions of the generated university: every lecture of every module's timetable, with
//! its room, the module's enrollment and the attendance counted from the same records the
//! attendance export holds.
//!
//! The schema has no rooms table, so rooms are derived: each module is taught in a room of its
//! department's building, sized for the attendance its enrollment leads one to expect (80% of
//! enrollment, rounded up to a standard room size; above 350 seats a hall sized in hundreds).
//! Attendance varies around that, so some lectures overflow their room. With
//! [`crate::exports::ExportOptions::overcrowding_rate`] set, each module's room is sized from its
//! own lectures instead, so that the share asked for overflows (ties aside: lectures with equal
//! attendance overflow together or not at all).

use std::sync::{Mutex, PoisonError};

use campus_schema::Date;
use campus_schema::spread::{OneByOne, Spread};

use crate::TableId;
use crate::exports::{Exports, school};

/// One lecture, as the occupancy models see it (before lag features).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lecture {
    pub module_idx: u64,
    /// The lecture's number in its module, from 0.
    pub session: u64,
    pub date: Date,
    /// 0 = Monday.
    pub weekday: u8,
    pub time_minutes: u16,
    /// The teaching week, from 0.
    pub week: u32,
    /// Days since teaching started, from 1 (as the occupancy layout counts).
    pub semester_day: u32,
    pub exam_week: bool,
    pub school: &'static str,
    pub venue: String,
    pub venue_capacity: u32,
    pub enrolled_students: u32,
    pub actual_attendance: u32,
}

/// Standard room sizes; a module gets the smallest that seats its expected attendance.
const ROOM_SIZES: [u32; 11] = [24, 30, 40, 45, 60, 80, 120, 150, 180, 250, 350];

/// A module's room: name and capacity, from its enrollment.
pub fn room(exports: &Exports, module_idx: u64, enrolled: u32) -> (String, u32) {
    let expected = (u64::from(enrolled) * 4).div_ceil(5) as u32;
    let capacity = ROOM_SIZES
        .iter()
        .copied()
        .find(|&size| size >= expected)
        .unwrap_or_else(|| expected.div_ceil(100) * 100);
    (room_name(exports, module_idx, capacity), capacity)
}

/// The name of a module's room of this capacity: its department's building, the kind of room
/// the capacity makes it, and a number.
fn room_name(exports: &Exports, module_idx: u64, capacity: u32) -> String {
    let layout = crate::rows::Layout::new(&exports.ums().config);
    let department = layout.course(layout.module(module_idx).course).department;
    let building = school(department)
        .split_whitespace()
        .next()
        .unwrap_or("Main");
    let kind = match capacity {
        0..=45 => "SR",
        46..=180 => "LT",
        _ => "Hall",
    };
    format!("{building} {kind}-{}", module_idx % 100 + 1)
}

/// The capacity under which as close to `want` of a module's lectures (attendance `counts`) as
/// ties allow overflow (on a tie, fewer), and how many then do.
pub fn planted_capacity(counts: &[u32], want: u64) -> (u32, u64) {
    let mut sorted = counts.to_vec();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    let min = sorted.last().copied().unwrap_or(0);
    // A capacity of `v` lets exactly the lectures busier than `v` overflow.
    let mut best = (sorted.first().copied().unwrap_or(0), 0u64);
    let candidates = sorted.iter().copied().chain([min.saturating_sub(1)]);
    for capacity in candidates {
        let over = sorted.iter().filter(|&&c| c > capacity).count() as u64;
        if over.abs_diff(want) < best.1.abs_diff(want) {
            best = (capacity, over);
        }
    }
    best
}

/// Every lecture of every module with at least one enrollment, ordered by date, time and module.
///
/// One pass over the enrollments counts, per module and lecture, who attended; memory is one
/// counter per lecture, whatever the number of students.
pub fn lectures(exports: &Exports) -> Vec<Lecture> {
    lectures_on(exports, &OneByOne)
}

/// [`lectures`], the enrollments counted in ranges run by `spread` (a native shell's threads)
/// and the counts added up: the same lectures at any width.
pub fn lectures_on(exports: &Exports, spread: &dyn Spread) -> Vec<Lecture> {
    let ums = exports.ums();
    let n_modules = ums.count(TableId::Modules);
    let sessions = exports.sessions_per_module();
    let (enrolled, attended) = count_on(exports, spread);
    let start = exports.teaching_start();
    let mut out = Vec::new();
    // Planted overcrowding: each module makes up what the ones before it missed, so the share
    // over all lectures is the rate asked for, however coarse one module's attendance is.
    let (mut lectures_so_far, mut over_so_far) = (0u64, 0u64);
    for (module, &n_enrolled) in (0..n_modules).zip(&enrolled) {
        if n_enrolled == 0 {
            continue;
        }
        let base = (module * sessions) as usize;
        let (venue, capacity) = match exports.options().overcrowding_rate {
            None => room(exports, module, n_enrolled),
            Some(rate) => {
                let counts = attended.get(base..base + sessions as usize).unwrap_or(&[]);
                lectures_so_far += sessions;
                let target = (rate * lectures_so_far as f64).round() as u64;
                let (capacity, over) = planted_capacity(counts, target.saturating_sub(over_so_far));
                over_so_far += over;
                let capacity = capacity.max(1);
                (room_name(exports, module, capacity), capacity)
            }
        };
        let timetable = exports.timetable(module);
        let layout = crate::rows::Layout::new(&ums.config);
        let department = layout.course(layout.module(module).course).department;
        for s in 0..sessions {
            let lecture_idx = (module * sessions + s) as usize;
            debug_assert!(
                lecture_idx < attended.len(),
                "lecture {lecture_idx} uncounted"
            );
            let (week, date, time) = exports.lecture(&timetable, s);
            out.push(Lecture {
                module_idx: module,
                session: s,
                date,
                weekday: date.weekday(),
                time_minutes: time,
                week,
                semester_day: (date.to_days() - start.to_days() + 1) as u32,
                exam_week: exports.exam_week(week),
                school: school(department),
                venue: venue.clone(),
                venue_capacity: capacity,
                enrolled_students: n_enrolled,
                actual_attendance: attended.get(lecture_idx).copied().unwrap_or(0),
            });
        }
    }
    out.sort_by_key(|l| (l.date, l.time_minutes, l.module_idx));
    out
}

/// Per module, its enrollments; per lecture (module by module, in session order), who attended.
type Counts = (Vec<u32>, Vec<u32>);

/// [`Counts`] of every enrollment: one range per task, a few per thread (each on its own copy
/// of `exports`, which caches the last enrollment it looked at), added up at the end.
fn count_on(exports: &Exports, spread: &dyn Spread) -> Counts {
    let n_enrollments = exports.ums().count(TableId::StudentEnrollment);
    let n_tasks = if spread.width() > 1 {
        (4 * spread.width() as u64).min(n_enrollments.max(1))
    } else {
        1
    };
    if n_tasks == 1 {
        return count(exports, 0..n_enrollments);
    }
    let range_of = |task: u64| task * n_enrollments / n_tasks..(task + 1) * n_enrollments / n_tasks;
    let shared = Mutex::new(exports.clone());
    let results: Vec<Mutex<Option<Counts>>> = (0..n_tasks).map(|_| Mutex::new(None)).collect();
    spread.run(n_tasks as usize, &|task| {
        let mine = shared
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let counts = count(&mine, range_of(task as u64));
        if let Some(slot) = results.get(task) {
            *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(counts);
        }
    });
    let mut total = count(exports, 0..0);
    for (idx, slot) in results.into_iter().enumerate() {
        // `run` runs every task; were one skipped, its range is counted here.
        let counts = slot.into_inner().unwrap_or_else(PoisonError::into_inner);
        let counts = counts.unwrap_or_else(|| count(exports, range_of(idx as u64)));
        for (sum, add) in total.0.iter_mut().zip(&counts.0) {
            *sum += add;
        }
        for (sum, add) in total.1.iter_mut().zip(&counts.1) {
            *sum += add;
        }
    }
    total
}

/// [`Counts`] of the enrollments in `range`.
fn count(exports: &Exports, range: std::ops::Range<u64>) -> Counts {
    let n_modules = exports.ums().count(TableId::Modules);
    let sessions = exports.sessions_per_module();
    let mut enrolled = vec![0u32; n_modules as usize];
    let mut attended = vec![0u32; (n_modules * sessions) as usize];
    for e in range {
        let (_, module) = exports.enrollment(e);
        let plan = exports.attendance_plan(e);
        let count = enrolled.get_mut(module as usize);
        debug_assert!(
            count.is_some(),
            "enrollment {e} of module {module} past the modules"
        );
        if let Some(count) = count {
            *count += 1;
        }
        let base = (module * sessions) as usize;
        for s in 0..sessions {
            if Exports::attended(plan, sessions, s)
                && let Some(count) = attended.get_mut(base + s as usize)
            {
                *count += 1;
            }
        }
    }
    (enrolled, attended)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Config;
    use crate::exports::ExportOptions;

    fn lectures_with(rate: Option<f64>) -> Vec<Lecture> {
        let config = Config {
            seed: 3,
            ..Config::scaled(400)
        };
        let options = ExportOptions {
            overcrowding_rate: rate,
            ..ExportOptions::default()
        };
        match Exports::new(config, options) {
            Ok(exports) => lectures(&exports),
            Err(err) => panic!("{err}"),
        }
    }

    fn overcrowded_share(lectures: &[Lecture]) -> f64 {
        let over = lectures
            .iter()
            .filter(|l| l.actual_attendance > l.venue_capacity)
            .count();
        over as f64 / lectures.len().max(1) as f64
    }

    #[test]
    fn the_planted_overcrowding_rate_is_the_share_of_overflowing_lectures() {
        let unplanted = lectures_with(None);
        for rate in [0.0, 0.1, 0.25, 0.5] {
            let planted = lectures_with(Some(rate));
            assert_eq!(planted.len(), unplanted.len());
            let share = overcrowded_share(&planted);
            assert!((share - rate).abs() < 0.03, "{rate}: {share}");
            // Only the rooms change: the same lectures, the same attendance.
            for (a, b) in planted.iter().zip(&unplanted) {
                assert_eq!(
                    (a.module_idx, a.date, a.actual_attendance),
                    (b.module_idx, b.date, b.actual_attendance)
                );
            }
        }
    }

    /// Tasks run backwards, as a pool may run them in any order.
    struct Backwards;

    impl Spread for Backwards {
        fn width(&self) -> usize {
            3
        }
        fn run(&self, n_tasks: usize, task: &(dyn Fn(usize) + Sync)) {
            (0..n_tasks).rev().for_each(task);
        }
    }

    #[test]
    fn lectures_counted_in_ranges_are_the_lectures() {
        for rate in [None, Some(0.2)] {
            let config = Config {
                seed: 5,
                ..Config::scaled(300)
            };
            let options = ExportOptions {
                overcrowding_rate: rate,
                ..ExportOptions::default()
            };
            let Ok(exports) = Exports::new(config, options) else {
                panic!("the export settings are valid");
            };
            let one = lectures(&exports);
            assert!(one.iter().any(|l| l.actual_attendance > 0));
            assert_eq!(lectures_on(&exports, &Backwards), one, "{rate:?}");
        }
    }

    #[test]
    fn planted_capacity_counts_ties_and_ends() {
        assert_eq!(planted_capacity(&[5, 9, 7, 3], 0), (9, 0));
        assert_eq!(planted_capacity(&[5, 9, 7, 3], 2), (5, 2));
        assert_eq!(planted_capacity(&[5, 9, 7, 3], 4), (2, 4));
        // Two lectures tie at 7: one more cannot overflow alone.
        assert_eq!(planted_capacity(&[7, 9, 7, 3], 2), (7, 1));
        assert_eq!(planted_capacity(&[], 3), (0, 0));
    }
}
