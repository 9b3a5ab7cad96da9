//! Class sessions of the generated university: every lecture of every module's timetable, with
//! its room, the module's enrollment and the attendance counted from the same records the
//! attendance export holds.
//!
//! The schema has no rooms table, so rooms are derived: each module is taught in a room of its
//! department's building, sized for the attendance its enrollment leads one to expect (80% of
//! enrollment, rounded up to a standard room size; above 350 seats a hall sized in hundreds).
//! Attendance varies around that, so some lectures overflow their room.

use campus_schema::Date;

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
    let layout = crate::rows::Layout::new(&exports.ums().config);
    let department = layout.course(layout.module(module_idx).course).department;
    let building = school(department)
        .split_whitespace()
        .next()
        .unwrap_or("Main");
    let expected = (u64::from(enrolled) * 4).div_ceil(5) as u32;
    let capacity = ROOM_SIZES
        .iter()
        .copied()
        .find(|&size| size >= expected)
        .unwrap_or_else(|| expected.div_ceil(100) * 100);
    let kind = match capacity {
        0..=45 => "SR",
        46..=180 => "LT",
        _ => "Hall",
    };
    (
        format!("{building} {kind}-{}", module_idx % 100 + 1),
        capacity,
    )
}

/// Every lecture of every module with at least one enrollment, ordered by date, time and module.
///
/// One pass over the enrollments counts, per module and lecture, who attended; memory is one
/// counter per lecture, whatever the number of students.
pub fn lectures(exports: &Exports) -> Vec<Lecture> {
    let ums = exports.ums();
    let n_modules = ums.count(TableId::Modules);
    let sessions = exports.sessions_per_module();
    let n_enrollments = ums.count(TableId::StudentEnrollment);
    let mut enrolled = vec![0u32; n_modules as usize];
    let mut attended = vec![0u32; (n_modules * sessions) as usize];
    for e in 0..n_enrollments {
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
    let start = exports.teaching_start();
    let mut out = Vec::new();
    for (module, &n_enrolled) in (0..n_modules).zip(&enrolled) {
        if n_enrolled == 0 {
            continue;
        }
        let (venue, capacity) = room(exports, module, n_enrolled);
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
