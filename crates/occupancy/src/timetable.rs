//! Sessions from a timetable kept elsewhere (such as the generated university's): fills in the
//! lag features of the shared layout from each course's earlier sessions.

use crate::session::Session;

/// Rounds to the cent, as the layout's lag columns are written; `-0.0` becomes `0.0`.
fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0 + 0.0
}

/// Sets `prev_attendance`, `rolling_avg_3`, `rolling_avg_5` and `trend_delta` of every session
/// from the earlier sessions of the same course, as the session generator defines them.
///
/// `sessions` pairs a course key with a session and must be in chronological order; the lag
/// columns given are overwritten, everything else is kept, and so is the order.
pub fn with_lag_features(sessions: Vec<(u64, Session)>) -> Vec<Session> {
    let mut history: std::collections::BTreeMap<u64, Vec<f64>> = Default::default();
    sessions
        .into_iter()
        .map(|(course, mut session)| {
            let past = history.entry(course).or_default();
            let mean_last = |n: usize| {
                let tail = past.get(past.len().saturating_sub(n)..).unwrap_or_default();
                if tail.is_empty() {
                    0.0
                } else {
                    tail.iter().sum::<f64>() / tail.len() as f64
                }
            };
            let input = &mut session.input;
            input.prev_attendance = past.last().copied().unwrap_or(0.0);
            input.rolling_avg_3 = round2(mean_last(3));
            input.rolling_avg_5 = round2(mean_last(5));
            input.trend_delta = round2(input.rolling_avg_3 - input.rolling_avg_5);
            past.push(f64::from(session.actual_attendance));
            session
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::SessionInput;

    fn session(actual: u32) -> Session {
        Session {
            input: SessionInput {
                date: "2024-03-18".into(),
                time_minutes: 480,
                school: "Science".into(),
                venue: "Science LT-1".into(),
                venue_capacity: 120,
                weekday: "Monday".into(),
                semester_day: 1,
                exam_week: false,
                enrolled_students: 100,
                prev_attendance: 9.0,
                rolling_avg_3: 9.0,
                rolling_avg_5: 9.0,
                trend_delta: 9.0,
            },
            actual_attendance: actual,
        }
    }

    #[test]
    fn lags_follow_each_course_on_its_own() {
        let rows = vec![
            (1, session(10)),
            (2, session(50)),
            (1, session(20)),
            (1, session(30)),
            (1, session(41)),
        ];
        let out = with_lag_features(rows);
        let lags: Vec<[f64; 4]> = out
            .iter()
            .map(|s| {
                let i = &s.input;
                [
                    i.prev_attendance,
                    i.rolling_avg_3,
                    i.rolling_avg_5,
                    i.trend_delta,
                ]
            })
            .collect();
        assert_eq!(
            lags,
            vec![
                [0.0, 0.0, 0.0, 0.0],
                [0.0, 0.0, 0.0, 0.0],
                [10.0, 10.0, 10.0, 0.0],
                [20.0, 15.0, 15.0, 0.0],
                [30.0, 20.0, 20.0, 0.0],
            ]
        );
        assert_eq!(out[1].actual_attendance, 50);
    }
}
