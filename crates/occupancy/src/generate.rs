//! Seeded generator of realistic class sessions over one semester.
//!
//! Only `+ - * /`, `round` and integer maths are used (no `ln`, `exp`, `sin`): those are exact
//! IEEE operations, so a seed gives byte-identical CSV natively and in wasm32, where `libm`
//! results may differ by an ulp.
//!
//! The attendance model is deliberately non-linear so the models have something to find:
//! attendance is enrolment *times* a product of rates, time of day has a U shape, late Friday
//! sessions drop off, exam weeks push some schools up and others down, a packed room turns
//! part of the crowd away (and keeps some away next time), and each course has a mood that
//! drifts from week to week (which is what the lag features pick up).

use serde::{Deserialize, Serialize};

use crate::session::{Session, SessionInput};
use campus_schema::Date;
use campus_schema::rng::Rng;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenerateConfig {
    pub seed: u64,
    pub n_sessions: usize,
    /// Teaching weeks including the exam weeks.
    pub semester_weeks: u32,
    /// First Monday of the semester, as days since 1970-01-01.
    pub start_day: i64,
}

impl Default for GenerateConfig {
    fn default() -> Self {
        // 2024-09-02 was a Monday.
        Self {
            seed: 42,
            n_sessions: 5_000,
            semester_weeks: 15,
            start_day: 19_968,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RoomKind {
    LectureHall,
    Seminar,
    Lab,
    Tutorial,
}

struct Venue {
    name: &'static str,
    capacity: u32,
    kind: RoomKind,
}

const VENUES: [Venue; 16] = [
    Venue {
        name: "Main Hall A",
        capacity: 350,
        kind: RoomKind::LectureHall,
    },
    Venue {
        name: "Main Hall B",
        capacity: 250,
        kind: RoomKind::LectureHall,
    },
    Venue {
        name: "Science Auditorium",
        capacity: 300,
        kind: RoomKind::LectureHall,
    },
    Venue {
        name: "LT-1",
        capacity: 180,
        kind: RoomKind::LectureHall,
    },
    Venue {
        name: "LT-2",
        capacity: 150,
        kind: RoomKind::LectureHall,
    },
    Venue {
        name: "LT-3",
        capacity: 120,
        kind: RoomKind::LectureHall,
    },
    Venue {
        name: "SR-101",
        capacity: 60,
        kind: RoomKind::Seminar,
    },
    Venue {
        name: "SR-102",
        capacity: 45,
        kind: RoomKind::Seminar,
    },
    Venue {
        name: "SR-201",
        capacity: 40,
        kind: RoomKind::Seminar,
    },
    Venue {
        name: "Business Seminar",
        capacity: 50,
        kind: RoomKind::Seminar,
    },
    Venue {
        name: "Chemistry Lab",
        capacity: 30,
        kind: RoomKind::Lab,
    },
    Venue {
        name: "Computing Lab 1",
        capacity: 40,
        kind: RoomKind::Lab,
    },
    Venue {
        name: "Computing Lab 2",
        capacity: 35,
        kind: RoomKind::Lab,
    },
    Venue {
        name: "Art Studio",
        capacity: 25,
        kind: RoomKind::Lab,
    },
    Venue {
        name: "Tutorial Room 1",
        capacity: 20,
        kind: RoomKind::Tutorial,
    },
    Venue {
        name: "Tutorial Room 2",
        capacity: 24,
        kind: RoomKind::Tutorial,
    },
];

struct School {
    name: &'static str,
    base_rate: f64,
    /// Multiplier in exam weeks: revision lectures fill up in some schools, others study at home.
    exam_factor: f64,
}

const SCHOOLS: [School; 6] = [
    School {
        name: "Engineering",
        base_rate: 0.88,
        exam_factor: 1.5,
    },
    School {
        name: "Science",
        base_rate: 0.86,
        exam_factor: 1.4,
    },
    School {
        name: "Medicine",
        base_rate: 0.95,
        exam_factor: 1.25,
    },
    School {
        name: "Business",
        base_rate: 0.80,
        exam_factor: 0.6,
    },
    School {
        name: "Law",
        base_rate: 0.84,
        exam_factor: 0.7,
    },
    School {
        name: "Arts",
        base_rate: 0.76,
        exam_factor: 0.55,
    },
];

const WEEKDAYS: [(&str, f64); 5] = [
    ("Monday", 0.95),
    ("Tuesday", 1.0),
    ("Wednesday", 0.97),
    ("Thursday", 0.9),
    ("Friday", 0.72),
];

/// Start times (minutes) and their attendance factor: a U shape no straight line fits.
const SLOTS: [(u16, f64); 8] = [
    (8 * 60, 0.62),
    (9 * 60 + 30, 0.90),
    (11 * 60, 1.0),
    (12 * 60 + 30, 0.93),
    (14 * 60, 0.95),
    (15 * 60 + 30, 0.88),
    (17 * 60, 0.80),
    (18 * 60 + 30, 0.6),
];

struct Course {
    school: usize,
    venue: usize,
    enrolled: u32,
    /// (weekday index, slot index) of each weekly meeting.
    meetings: Vec<(usize, usize)>,
    rate: f64,
    /// Share of enrolment that turns up on top of enrolled students (popular lecturers).
    walk_in: f64,
}

fn is_exam_week(week: u32, semester_weeks: u32) -> bool {
    // A mid-term week in the middle and the last two weeks.
    week == semester_weeks / 2 || week + 2 >= semester_weeks
}

fn round2(value: f64) -> f64 {
    // Adding 0.0 turns -0.0 into 0.0 so the CSV never says "-0".
    (value * 100.0).round() / 100.0 + 0.0
}

fn make_course(rng: &mut Rng) -> Course {
    let kind = match rng.below(10) {
        0..=3 => RoomKind::LectureHall,
        4..=6 => RoomKind::Seminar,
        7..=8 => RoomKind::Lab,
        _ => RoomKind::Tutorial,
    };
    let candidates: Vec<usize> = (0..VENUES.len())
        .filter(|v| VENUES.get(*v).is_some_and(|v| v.kind == kind))
        .collect();
    let venue = candidates
        .get(rng.index(candidates.len()))
        .copied()
        .unwrap_or(0);
    let capacity = VENUES.get(venue).map_or(30, |v| v.capacity);
    // Rooms are booked from enrolment, and enrolment often grows past the room after booking.
    let fill = if kind == RoomKind::Lab {
        rng.uniform(0.7, 1.1)
    } else {
        rng.uniform(0.7, 1.85)
    };
    let enrolled = (f64::from(capacity) * fill).round().max(5.0) as u32;
    let n_meetings = 1 + rng.below(3) as usize;
    let mut meetings: Vec<(usize, usize)> = Vec::with_capacity(n_meetings);
    while meetings.len() < n_meetings {
        let weekday = rng.index(WEEKDAYS.len());
        if meetings.iter().all(|(d, _)| *d != weekday) {
            meetings.push((weekday, rng.index(SLOTS.len())));
        }
    }
    meetings.sort_unstable();
    let walk_in = if rng.below(10) == 0 {
        rng.uniform(0.1, 0.3)
    } else {
        0.0
    };
    Course {
        school: rng.index(SCHOOLS.len()),
        venue,
        enrolled,
        meetings,
        rate: rng.uniform(0.85, 1.2),
        walk_in,
    }
}

/// Generates `config.n_sessions` sessions, ordered by date and time.
pub fn generate(config: &GenerateConfig) -> Vec<Session> {
    let mut rng = Rng::new(config.seed);
    let weeks = config.semester_weeks.max(1);
    // (semester_day, time, course, session) so the final order does not depend on course order.
    let mut keyed: Vec<(u32, u16, usize, Session)> = Vec::with_capacity(config.n_sessions);
    let mut course_idx = 0;
    while keyed.len() < config.n_sessions {
        let course = make_course(&mut rng);
        let (Some(school), Some(venue)) = (SCHOOLS.get(course.school), VENUES.get(course.venue))
        else {
            break;
        };
        let mut history: Vec<f64> = Vec::new();
        let mut mood = 0.0;
        'weeks: for week in 0..weeks {
            let exam_week = is_exam_week(week, weeks);
            for (weekday_idx, slot_idx) in &course.meetings {
                if keyed.len() >= config.n_sessions {
                    break 'weeks;
                }
                let (Some((weekday, weekday_factor)), Some((time, slot_factor))) =
                    (WEEKDAYS.get(*weekday_idx), SLOTS.get(*slot_idx))
                else {
                    continue;
                };
                // Mood: an AR(1) drift shared by a course's consecutive sessions.
                mood = 0.75 * mood + 0.06 * rng.normal12();
                let mut rate =
                    school.base_rate * course.rate * weekday_factor * slot_factor * (1.0 + mood);
                if *weekday_idx == 4 && *time >= 15 * 60 {
                    rate *= 0.8;
                }
                if week < 2 {
                    rate *= 1.08;
                } else {
                    rate *= 1.0 - 0.015 * f64::from(week);
                }
                if exam_week && venue.kind != RoomKind::Lab {
                    rate *= school.exam_factor;
                }
                // Students who found the room packed last time stay away: a threshold on the
                // lag features that no linear model can express.
                if history
                    .last()
                    .is_some_and(|prev| *prev > f64::from(venue.capacity))
                {
                    rate *= 0.75;
                }
                let enrolled = f64::from(course.enrolled);
                let mut demand =
                    enrolled * (rate.min(1.0) + course.walk_in) * (1.0 + 0.05 * rng.normal12());
                let capacity = f64::from(venue.capacity);
                if demand > capacity {
                    // A packed room turns part of the overflow away at the door.
                    demand = capacity + 0.5 * (demand - capacity);
                }
                let actual = demand.round().max(0.0);

                let prev = history.last().copied().unwrap_or(0.0);
                let mean_last = |n: usize| {
                    let tail = &history[history.len().saturating_sub(n)..];
                    if tail.is_empty() {
                        0.0
                    } else {
                        tail.iter().sum::<f64>() / tail.len() as f64
                    }
                };
                let rolling_avg_3 = round2(mean_last(3));
                let rolling_avg_5 = round2(mean_last(5));
                let day = week * 7 + *weekday_idx as u32;
                let input = SessionInput {
                    date: format_date(config.start_day + i64::from(day)),
                    time_minutes: *time,
                    school: school.name.to_owned(),
                    venue: venue.name.to_owned(),
                    venue_capacity: venue.capacity,
                    weekday: (*weekday).to_owned(),
                    semester_day: day + 1,
                    exam_week,
                    enrolled_students: course.enrolled,
                    prev_attendance: prev,
                    rolling_avg_3,
                    rolling_avg_5,
                    trend_delta: round2(rolling_avg_3 - rolling_avg_5),
                };
                history.push(actual);
                keyed.push((
                    day,
                    *time,
                    course_idx,
                    Session {
                        input,
                        actual_attendance: actual as u32,
                    },
                ));
            }
        }
        course_idx += 1;
    }
    keyed.sort_by_key(|(day, time, course, _)| (*day, *time, *course));
    keyed
        .into_iter()
        .map(|(_, _, _, session)| session)
        .collect()
}

/// `YYYY-MM-DD` for days since 1970-01-01.
pub fn format_date(days: i64) -> String {
    Date::from_days(days).to_string()
}

#[cfg(test)]
// A failing unwrap is a failing test.
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(format_date(0), "1970-01-01");
        assert_eq!(format_date(19_968), "2024-09-02");
        assert_eq!(format_date(19_968 + 120), "2024-12-31");
        assert_eq!(format_date(19_968 + 121), "2025-01-01");
    }
}
