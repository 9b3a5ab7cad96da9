//! Dashboard aggregates: attendance by weekday, time slot, school and exam week, and venue
//! utilisation (attendance ÷ capacity) per venue and time slot for the heat map.

use serde::{Deserialize, Serialize};

use crate::session::{Session, format_time};

/// One bar of a grouped chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupStats {
    pub key: String,
    pub n_sessions: usize,
    pub mean_attendance: f64,
    /// Mean of attendance ÷ capacity.
    pub mean_utilisation: f64,
    /// Share of sessions with more people than seats.
    pub overcrowded_share: f64,
}

/// One cell of the venue × time-slot heat map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UtilisationCell {
    pub venue: String,
    /// `HH:MM`.
    pub slot: String,
    pub n_sessions: usize,
    pub mean_utilisation: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analytics {
    pub n_sessions: usize,
    pub overcrowded_share: f64,
    /// Monday first when the usual names are used, otherwise alphabetical.
    pub by_weekday: Vec<GroupStats>,
    /// Chronological.
    pub by_time_slot: Vec<GroupStats>,
    pub by_school: Vec<GroupStats>,
    /// `False` then `True`.
    pub by_exam_week: Vec<GroupStats>,
    /// Venues alphabetically, slots chronologically; only cells with sessions.
    pub utilisation: Vec<UtilisationCell>,
}

#[derive(Default)]
struct Sums {
    n: usize,
    attendance: f64,
    utilisation: f64,
    overcrowded: usize,
}

impl Sums {
    fn add(&mut self, session: &Session) {
        self.n += 1;
        self.attendance += f64::from(session.actual_attendance);
        self.utilisation += utilisation(session);
        self.overcrowded += usize::from(session.overcrowded());
    }

    fn stats(&self, key: String) -> GroupStats {
        let n = self.n.max(1) as f64;
        GroupStats {
            key,
            n_sessions: self.n,
            mean_attendance: self.attendance / n,
            mean_utilisation: self.utilisation / n,
            overcrowded_share: self.overcrowded as f64 / n,
        }
    }
}

fn utilisation(session: &Session) -> f64 {
    // A zero-capacity room (a data error) counts as fully used rather than dividing by zero.
    f64::from(session.actual_attendance) / f64::from(session.input.venue_capacity.max(1))
}

const WEEK: [&str; 7] = campus_schema::date::WEEKDAYS;

/// A weekday's place in the week (Monday first, any case); unknown names sort after Sunday.
pub fn weekday_rank(day: &str) -> usize {
    WEEK.iter()
        .position(|w| w.eq_ignore_ascii_case(day))
        .unwrap_or(WEEK.len())
}

/// Groups with a sort key; `BTreeMap` keeps the output order deterministic.
fn group<K: Ord>(sessions: &[Session], key: impl Fn(&Session) -> (K, String)) -> Vec<GroupStats> {
    let mut groups: std::collections::BTreeMap<K, (String, Sums)> =
        std::collections::BTreeMap::new();
    for session in sessions {
        let (sort_key, label) = key(session);
        groups
            .entry(sort_key)
            .or_insert_with(|| (label, Sums::default()))
            .1
            .add(session);
    }
    groups
        .into_values()
        .map(|(label, sums)| sums.stats(label))
        .collect()
}

pub fn analytics(sessions: &[Session]) -> Analytics {
    let mut cells: std::collections::BTreeMap<(String, u16), Sums> =
        std::collections::BTreeMap::new();
    for session in sessions {
        cells
            .entry((session.input.venue.clone(), session.input.time_minutes))
            .or_default()
            .add(session);
    }
    let overcrowded = sessions.iter().filter(|s| s.overcrowded()).count();
    Analytics {
        n_sessions: sessions.len(),
        overcrowded_share: overcrowded as f64 / sessions.len().max(1) as f64,
        by_weekday: group(sessions, |s| {
            let day = &s.input.weekday;
            ((weekday_rank(day), day.clone()), day.clone())
        }),
        by_time_slot: group(sessions, |s| {
            (s.input.time_minutes, format_time(s.input.time_minutes))
        }),
        by_school: group(sessions, |s| {
            (s.input.school.clone(), s.input.school.clone())
        }),
        by_exam_week: group(sessions, |s| {
            (
                s.input.exam_week,
                if s.input.exam_week {
                    "True".to_owned()
                } else {
                    "False".to_owned()
                },
            )
        }),
        utilisation: cells
            .into_iter()
            .map(|((venue, minutes), sums)| UtilisationCell {
                venue,
                slot: format_time(minutes),
                n_sessions: sums.n,
                mean_utilisation: sums.utilisation / sums.n.max(1) as f64,
            })
            .collect(),
    }
}
