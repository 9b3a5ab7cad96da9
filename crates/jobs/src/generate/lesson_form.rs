//! The lesson's settings on the generator page: the planted attendance-to-marks r, the dirt rate
//! and the overcrowding rate, as typed, parsed into [`ExportOptions`] with one message per bad
//! field; and the lesson path the page shows, step by step.

use campus_gen::exports::{Dirt, ExportOptions};

/// The lesson's fields, in display order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LessonField {
    AttendanceMarksR,
    Dirt,
    Overcrowding,
}

impl LessonField {
    pub const ALL: [LessonField; 3] = [
        LessonField::AttendanceMarksR,
        LessonField::Dirt,
        LessonField::Overcrowding,
    ];

    pub fn label(self) -> &'static str {
        match self {
            LessonField::AttendanceMarksR => "Attendance-to-marks r",
            LessonField::Dirt => "Dirt rate (per row)",
            LessonField::Overcrowding => "Overcrowded lectures (share)",
        }
    }

    /// What the field plants, shown under it.
    pub fn hint(self) -> &'static str {
        match self {
            LessonField::AttendanceMarksR => {
                "−1 to 1: the Pearson correlation the workbench should recover."
            }
            LessonField::Dirt => {
                "0 to 0.2: duplicate rows, orphan keys, bad dates, blank or non-numeric marks \
                 and padded keys at this rate, with an answer key."
            }
            LessonField::Overcrowding => {
                "0 to 1, or blank: rooms sized for expected attendance, only busy lectures overflow."
            }
        }
    }

    /// A stable id for HTML ids and `data-testid`s.
    pub fn key(self) -> &'static str {
        match self {
            LessonField::AttendanceMarksR => "lesson-r",
            LessonField::Dirt => "lesson-dirt",
            LessonField::Overcrowding => "lesson-overcrowding",
        }
    }

    /// (min, max, may be blank).
    fn range(self) -> (f64, f64, bool) {
        match self {
            LessonField::AttendanceMarksR => (-1.0, 1.0, false),
            LessonField::Dirt => (0.0, 0.2, false),
            LessonField::Overcrowding => (0.0, 1.0, true),
        }
    }
}

/// What the user has typed in the lesson's fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LessonInput {
    /// Text per [`LessonField::ALL`] entry, in that order.
    pub values: [String; 3],
}

impl Default for LessonInput {
    fn default() -> LessonInput {
        LessonInput {
            values: ["0.6".into(), "0".into(), String::new()],
        }
    }
}

/// A lesson field the page cannot use, and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{} must be a number from {min} to {max}", .field.label())]
pub struct LessonError {
    pub field: LessonField,
    pub min: String,
    pub max: String,
}

impl LessonInput {
    fn idx(field: LessonField) -> usize {
        LessonField::ALL
            .iter()
            .position(|f| *f == field)
            .unwrap_or(0)
    }

    pub fn value(&self, field: LessonField) -> &str {
        self.values
            .get(LessonInput::idx(field))
            .map_or("", String::as_str)
    }

    pub fn set_value(&mut self, field: LessonField, text: String) {
        if let Some(slot) = self.values.get_mut(LessonInput::idx(field)) {
            *slot = text;
        }
    }

    /// One field: `Ok(None)` for an allowed blank.
    fn number(&self, field: LessonField) -> Result<Option<f64>, LessonError> {
        let (min, max, blank) = field.range();
        let text = self.value(field).trim().replace('−', "-");
        if text.is_empty() && blank {
            return Ok(None);
        }
        match text.parse::<f64>() {
            Ok(v) if v >= min && v <= max => Ok(Some(v)),
            _ => Err(LessonError {
                field,
                min: format!("{min}"),
                max: format!("{max}"),
            }),
        }
    }

    /// The export options, or every problem found.
    pub fn parse(&self) -> Result<ExportOptions, Vec<LessonError>> {
        let [r, dirt, over] = LessonField::ALL.map(|f| self.number(f));
        match (r, dirt, over) {
            (Ok(r), Ok(dirt), Ok(overcrowding_rate)) => Ok(ExportOptions {
                attendance_marks_r: r.unwrap_or(0.6),
                dirt: Dirt::uniform(dirt.unwrap_or(0.0)),
                overcrowding_rate,
                ..ExportOptions::default()
            }),
            (r, dirt, over) => Err([r.err(), dirt.err(), over.err()]
                .into_iter()
                .flatten()
                .collect()),
        }
    }

    /// The CLI flags that make the same files: `campus generate --format exports` plus these.
    pub fn cli_flags(options: &ExportOptions) -> String {
        let mut flags = format!("--attendance-marks-r {:?}", options.attendance_marks_r);
        if options.dirt.duplicate_rows > 0.0 {
            flags.push_str(&format!(" --dirt {:?}", options.dirt.duplicate_rows));
        }
        if let Some(rate) = options.overcrowding_rate {
            flags.push_str(&format!(" --overcrowding-rate {rate:?}"));
        }
        flags
    }
}

/// One step of the lesson path: its title, what it does and why, and where it happens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LessonStep {
    pub title: &'static str,
    pub text: &'static str,
    /// The page's address for the step's section.
    pub href: &'static str,
}

/// The path a teacher walks in front of a class, from a generated university to a model.
pub const LESSON_PATH: [LessonStep; 5] = [
    LessonStep {
        title: "Generate the university",
        text: "Make the database, then prepare its registrar's exports with the planted \
               attendance-to-marks r (and dirt, if the class should hunt defects). The seed fixes \
               every byte, so each student's laptop and the CLI make the same files.",
        href: "#/generator",
    },
    LessonStep {
        title: "Open the exports in the ETL workbench",
        text: "The button hands the four AKTU-style files to the workbench as if chosen by hand. \
               This is the Extract step: the files are what a registrar would send, not the database.",
        href: "#/etl",
    },
    LessonStep {
        title: "Pseudonymise, check and correlate",
        text: "Run the workbench: it replaces identities with hashes, reports every quality \
               problem and measures how attendance relates to marks. The Pearson it shows should \
               be close to the r you planted, and with dirt on the grading shows each defect found.",
        href: "#/etl",
    },
    LessonStep {
        title: "Load into SQL",
        text: "Load the staged tables into a database and query them. Transform is only useful \
               once the cleaned data can be asked questions.",
        href: "#/sql",
    },
    LessonStep {
        title: "Train occupancy models on the lectures",
        text: "Use the generated university's lectures: the same enrollments and attendance, as \
               class sessions with rooms. Train the models and see which lectures overflow their room.",
        href: "#/occupancy",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lesson_settings_parse_into_export_options() {
        let mut input = LessonInput::default();
        let options = input.parse();
        assert_eq!(options, Ok(ExportOptions::default()));
        input.set_value(LessonField::AttendanceMarksR, "−0.3".into());
        input.set_value(LessonField::Dirt, "0.01".into());
        input.set_value(LessonField::Overcrowding, " 0.25 ".into());
        let Ok(options) = input.parse() else {
            panic!("{:?}", input.parse())
        };
        assert_eq!(options.attendance_marks_r, -0.3);
        assert_eq!(options.dirt, Dirt::uniform(0.01));
        assert_eq!(options.overcrowding_rate, Some(0.25));
        assert_eq!(
            LessonInput::cli_flags(&options),
            "--attendance-marks-r -0.3 --dirt 0.01 --overcrowding-rate 0.25"
        );
        assert!(options.validate().is_ok());
    }

    #[test]
    fn bad_lesson_settings_name_their_field() {
        let mut input = LessonInput::default();
        input.set_value(LessonField::AttendanceMarksR, "1.5".into());
        input.set_value(LessonField::Dirt, "lots".into());
        input.set_value(LessonField::Overcrowding, "".into());
        let errors = input.parse().err().unwrap_or_default();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            vec![LessonField::AttendanceMarksR, LessonField::Dirt]
        );
        assert_eq!(
            errors.first().map(ToString::to_string).as_deref(),
            Some("Attendance-to-marks r must be a number from -1 to 1")
        );
    }

    #[test]
    fn the_lesson_path_says_two_sentences_a_step() {
        assert_eq!(LESSON_PATH.len(), 5);
        for step in LESSON_PATH {
            let sentences = step.text.matches(". ").count() + 1;
            assert!(sentences <= 3, "{}", step.title);
            assert!(step.href.starts_with("#/"));
        }
        assert!(LESSON_PATH.iter().any(|s| s.href == "#/sql"));
    }
}
