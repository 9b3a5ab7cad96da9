//! The live prediction form's text fields and their parsing into a [`SessionInput`], with a
//! typed error per field at fault.

use campus_occupancy::SessionInput;
use campus_occupancy::analytics::weekday_rank;
use campus_occupancy::features::FeatureEncoder;

/// Weekdays in week order, then any others alphabetically.
pub fn week_order(days: &[String]) -> Vec<String> {
    let mut days = days.to_vec();
    days.sort_by_key(|d| (weekday_rank(d), d.clone()));
    days
}

/// The capacity of `venue` in a venue → capacity list.
fn capacity_of(capacities: &[(String, u32)], venue: &str) -> Option<u32> {
    capacities.iter().find(|(v, _)| v == venue).map(|(_, c)| *c)
}

/// One of the form's choices among the values the model knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Choice {
    School,
    Venue,
    Weekday,
}

/// One form field, for error messages and test ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Field {
    Capacity,
    Time,
    SemesterDay,
    Enrolled,
    PrevAttendance,
    RollingAvg3,
    RollingAvg5,
}

impl Field {
    /// Every field, in form order.
    pub const ALL: [Field; 7] = [
        Field::Capacity,
        Field::Time,
        Field::SemesterDay,
        Field::Enrolled,
        Field::PrevAttendance,
        Field::RollingAvg3,
        Field::RollingAvg5,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Field::Capacity => "capacity",
            Field::Time => "time",
            Field::SemesterDay => "day",
            Field::Enrolled => "enrolled",
            Field::PrevAttendance => "prev",
            Field::RollingAvg3 => "r3",
            Field::RollingAvg5 => "r5",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Field::Capacity => "Venue capacity",
            Field::Time => "Start time",
            Field::SemesterDay => "Semester day",
            Field::Enrolled => "Enrolled students",
            Field::PrevAttendance => "Previous attendance",
            Field::RollingAvg3 => "Average of the last 3",
            Field::RollingAvg5 => "Average of the last 5",
        }
    }
}

/// A problem with one field of the prediction form.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FieldError {
    pub field: Field,
    pub message: String,
}

/// What the user typed.
#[derive(Clone, Debug, PartialEq)]
pub struct PredictForm {
    pub school: String,
    pub venue: String,
    pub capacity: String,
    pub time: String,
    pub weekday: String,
    pub semester_day: String,
    pub exam_week: bool,
    pub enrolled: String,
    pub prev_attendance: String,
    pub rolling_avg_3: String,
    pub rolling_avg_5: String,
}

impl PredictForm {
    /// A typical mid-semester session in the first school and venue the model knows.
    pub fn typical(school: &str, venue: &str, capacity: u32, weekday: &str) -> PredictForm {
        PredictForm {
            school: school.to_owned(),
            venue: venue.to_owned(),
            capacity: capacity.to_string(),
            time: "10:00".to_owned(),
            weekday: weekday.to_owned(),
            semester_day: "30".to_owned(),
            exam_week: false,
            enrolled: "80".to_owned(),
            prev_attendance: "60".to_owned(),
            rolling_avg_3: "60".to_owned(),
            rolling_avg_5: "60".to_owned(),
        }
    }

    /// A typical session for `encoder`'s model: its first school, venue and weekday (in week
    /// order), and the venue's capacity when the dataset knows it (else 100).
    pub fn for_model(encoder: &FeatureEncoder, capacities: &[(String, u32)]) -> PredictForm {
        let school = encoder.schools.first().cloned().unwrap_or_default();
        let venue = encoder.venues.first().cloned().unwrap_or_default();
        let weekday = week_order(&encoder.weekdays)
            .first()
            .cloned()
            .unwrap_or_default();
        let capacity = capacity_of(capacities, &venue).unwrap_or(100);
        PredictForm::typical(&school, &venue, capacity, &weekday)
    }

    /// Sets a choice; a newly chosen venue the dataset knows brings its capacity along.
    pub fn choose(&mut self, choice: Choice, value: String, capacities: &[(String, u32)]) {
        match choice {
            Choice::School => self.school = value,
            Choice::Weekday => self.weekday = value,
            Choice::Venue => {
                if value != self.venue
                    && let Some(capacity) = capacity_of(capacities, &value)
                {
                    self.capacity = capacity.to_string();
                }
                self.venue = value;
            }
        }
    }

    pub fn value(&self, field: Field) -> &str {
        match field {
            Field::Capacity => &self.capacity,
            Field::Time => &self.time,
            Field::SemesterDay => &self.semester_day,
            Field::Enrolled => &self.enrolled,
            Field::PrevAttendance => &self.prev_attendance,
            Field::RollingAvg3 => &self.rolling_avg_3,
            Field::RollingAvg5 => &self.rolling_avg_5,
        }
    }

    pub fn set(&mut self, field: Field, text: String) {
        match field {
            Field::Capacity => self.capacity = text,
            Field::Time => self.time = text,
            Field::SemesterDay => self.semester_day = text,
            Field::Enrolled => self.enrolled = text,
            Field::PrevAttendance => self.prev_attendance = text,
            Field::RollingAvg3 => self.rolling_avg_3 = text,
            Field::RollingAvg5 => self.rolling_avg_5 = text,
        }
    }

    /// The session to predict, or every field's problem.
    pub fn parse(&self) -> Result<SessionInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut whole = |field: Field, max: u32| match parse_whole(self.value(field), max) {
            Ok(v) => v,
            Err(message) => {
                errors.push(FieldError {
                    field,
                    message: format!("{} {message}", field.label()),
                });
                0
            }
        };
        let capacity = whole(Field::Capacity, 100_000);
        let semester_day = whole(Field::SemesterDay, 366);
        let enrolled = whole(Field::Enrolled, 100_000);
        let mut number = |field: Field| match parse_number(self.value(field)) {
            Ok(v) => v,
            Err(message) => {
                errors.push(FieldError {
                    field,
                    message: format!("{} {message}", field.label()),
                });
                0.0
            }
        };
        let prev = number(Field::PrevAttendance);
        let r3 = number(Field::RollingAvg3);
        let r5 = number(Field::RollingAvg5);
        let time_minutes = match parse_time(&self.time) {
            Ok(t) => t,
            Err(message) => {
                errors.push(FieldError {
                    field: Field::Time,
                    message,
                });
                0
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(SessionInput {
            date: String::new(),
            time_minutes,
            school: self.school.clone(),
            venue: self.venue.clone(),
            venue_capacity: capacity,
            weekday: self.weekday.clone(),
            semester_day,
            exam_week: self.exam_week,
            enrolled_students: enrolled,
            prev_attendance: prev,
            rolling_avg_3: r3,
            rolling_avg_5: r5,
            trend_delta: r3 - r5,
        })
    }
}

/// A start time as minutes after midnight, read by the one time parser the session import uses
/// (`campus_schema::Time::parse`: `H:MM`, `HH:MM` or `HH:MM:SS` on a 24-hour clock).
pub fn parse_time(text: &str) -> Result<u16, String> {
    let text = text.trim();
    campus_schema::Time::parse(text)
        .and_then(|time| u16::try_from(time.minute_of_day()).ok())
        .ok_or_else(|| {
            format!("Start time must be HH:MM on a 24-hour clock, like 09:30; found {text:?}")
        })
}

fn parse_whole(text: &str, max: u32) -> Result<u32, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("is required".to_owned());
    }
    if text.starts_with('-') {
        return Err("cannot be negative".to_owned());
    }
    let value: u32 = text
        .parse()
        .map_err(|_| "must be a whole number".to_owned())?;
    if value > max {
        return Err(format!("must be at most {max}"));
    }
    Ok(value)
}

fn parse_number(text: &str) -> Result<f64, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("is required (0 when there is no history)".to_owned());
    }
    let value: f64 = text.parse().map_err(|_| "must be a number".to_owned())?;
    if !value.is_finite() || value < 0.0 {
        return Err("must be a number of 0 or more".to_owned());
    }
    Ok(value)
}
