//! The generator form as data: raw text per field, parsed and checked into a [`Config`] and
//! [`SqlChoices`], with one message per bad field. Pure, so the browser tests can drive it.

use campus_gen::{Config, ConfigError, MAX_ROWS_PER_TABLE};

use crate::agent::SqlChoices;

/// The most students the page will generate: beyond this the files are too big for a browser
/// tab to hold comfortably; the CLI has no such limit.
pub const PAGE_MAX_STUDENTS: u64 = 2_000_000;

/// The numeric fields of the form, in display order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    Seed,
    Students,
    EnrollmentsPerStudent,
    Staff,
    Applicants,
    ResidentialStudents,
    Buses,
    BusAllocations,
    AcademicYear,
}

impl Field {
    pub const ALL: [Field; 9] = [
        Field::Seed,
        Field::Students,
        Field::EnrollmentsPerStudent,
        Field::Staff,
        Field::Applicants,
        Field::ResidentialStudents,
        Field::Buses,
        Field::BusAllocations,
        Field::AcademicYear,
    ];

    /// The label shown to the user.
    pub fn label(self) -> &'static str {
        match self {
            Field::Seed => "Seed",
            Field::Students => "Students",
            Field::EnrollmentsPerStudent => "Enrollments per student",
            Field::Staff => "Staff",
            Field::Applicants => "Applicants",
            Field::ResidentialStudents => "Students in residence",
            Field::Buses => "Buses",
            Field::BusAllocations => "Bus allocations",
            Field::AcademicYear => "Academic year",
        }
    }

    /// A stable id for HTML ids and `data-testid`s.
    pub fn key(self) -> &'static str {
        match self {
            Field::Seed => "seed",
            Field::Students => "students",
            Field::EnrollmentsPerStudent => "enrollments",
            Field::Staff => "staff",
            Field::Applicants => "applicants",
            Field::ResidentialStudents => "residential",
            Field::Buses => "buses",
            Field::BusAllocations => "bus-allocations",
            Field::AcademicYear => "academic-year",
        }
    }

    /// The `Config` field name `ConfigError` reports for this form field.
    fn config_name(self) -> &'static str {
        match self {
            Field::Seed => "seed",
            Field::Students => "students",
            Field::EnrollmentsPerStudent => "enrollments_per_student",
            Field::Staff => "staff",
            Field::Applicants => "applicants",
            Field::ResidentialStudents => "residential_students",
            Field::Buses => "buses",
            Field::BusAllocations => "bus_allocations",
            Field::AcademicYear => "academic_year",
        }
    }

    /// The largest value accepted before the cross-field checks.
    pub fn max(self) -> u64 {
        match self {
            Field::Seed => u64::MAX,
            Field::Students => PAGE_MAX_STUDENTS,
            Field::EnrollmentsPerStudent => 1_000,
            Field::Buses => 100_000,
            Field::AcademicYear => 2100,
            _ => MAX_ROWS_PER_TABLE,
        }
    }

    fn get(self, config: &Config) -> u64 {
        match self {
            Field::Seed => config.seed,
            Field::Students => config.students,
            Field::EnrollmentsPerStudent => config.enrollments_per_student.into(),
            Field::Staff => config.staff,
            Field::Applicants => config.applicants,
            Field::ResidentialStudents => config.residential_students,
            Field::Buses => config.buses.into(),
            Field::BusAllocations => config.bus_allocations,
            Field::AcademicYear => config.academic_year.max(0) as u64,
        }
    }

    /// Sets the field; values were checked against [`Field::max`], which fits every type.
    fn set(self, config: &mut Config, value: u64) {
        let small = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
        match self {
            Field::Seed => config.seed = value,
            Field::Students => config.students = value,
            Field::EnrollmentsPerStudent => config.enrollments_per_student = small(value),
            Field::Staff => config.staff = value,
            Field::Applicants => config.applicants = value,
            Field::ResidentialStudents => config.residential_students = value,
            Field::Buses => config.buses = small(value),
            Field::BusAllocations => config.bus_allocations = value,
            Field::AcademicYear => config.academic_year = i32::try_from(value).unwrap_or(i32::MAX),
        }
    }
}

/// What the user has typed, exactly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormInput {
    /// Text per [`Field::ALL`] entry, in that order.
    pub values: Vec<String>,
    pub database: String,
    pub schema: bool,
    pub data: bool,
    pub drop_existing: bool,
}

impl Default for FormInput {
    fn default() -> FormInput {
        FormInput::from_config(&Config::default(), &SqlChoices::default())
    }
}

/// A problem with one field (or with the form as a whole when `field` is `None`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: Option<Field>,
    pub message: String,
}

impl FormInput {
    pub fn from_config(config: &Config, sql: &SqlChoices) -> FormInput {
        FormInput {
            values: Field::ALL
                .iter()
                .map(|f| f.get(config).to_string())
                .collect(),
            database: sql.database.clone(),
            schema: sql.schema,
            data: sql.data,
            drop_existing: sql.drop_existing,
        }
    }

    pub fn value(&self, field: Field) -> &str {
        let idx = Field::ALL.iter().position(|f| *f == field).unwrap_or(0);
        self.values.get(idx).map_or("", String::as_str)
    }

    pub fn set_value(&mut self, field: Field, text: String) {
        if let Some(idx) = Field::ALL.iter().position(|f| *f == field)
            && let Some(slot) = self.values.get_mut(idx)
        {
            *slot = text;
        }
    }

    /// Every other size rescaled for the number of students typed (as `campus generate
    /// --students` does), keeping the seed, year and SQL options.
    pub fn scaled_to_students(&self) -> FormInput {
        let Ok(students) = parse_count(Field::Students, self.value(Field::Students)) else {
            return self.clone();
        };
        let mut config = Config::scaled(students);
        for field in [Field::Seed, Field::AcademicYear] {
            if let Ok(v) = parse_count(field, self.value(field)) {
                field.set(&mut config, v);
            }
        }
        FormInput {
            values: FormInput::from_config(&config, &SqlChoices::default()).values,
            ..self.clone()
        }
    }

    /// The config and SQL options, or every problem found.
    pub fn parse(&self) -> Result<(Config, SqlChoices), Vec<FieldError>> {
        let mut config = Config::default();
        let mut errors = Vec::new();
        for field in Field::ALL {
            match parse_count(field, self.value(field)) {
                Ok(v) => field.set(&mut config, v),
                Err(message) => errors.push(FieldError {
                    field: Some(field),
                    message,
                }),
            }
        }
        let sql = SqlChoices {
            database: self.database.trim().to_owned(),
            schema: self.schema,
            data: self.data,
            drop_existing: self.drop_existing,
        };
        if let Err(err) = sql.validate() {
            errors.push(FieldError {
                field: None,
                message: capitalise(&err.to_string()),
            });
        }
        // Cross-field checks only make sense once every number parsed.
        if errors.is_empty()
            && let Err(ConfigError::OutOfRange {
                field, min, max, ..
            }) = config.validate()
        {
            let form_field = Field::ALL
                .iter()
                .copied()
                .find(|f| f.config_name() == field.name());
            let message = match form_field {
                Some(f) => format!(
                    "{} must be between {} and {}",
                    f.label(),
                    group(min),
                    group(max)
                ),
                None => format!(
                    "{} must be between {} and {}",
                    field.label(),
                    group(min),
                    group(max)
                ),
            };
            errors.push(FieldError {
                field: form_field,
                message,
            });
        }
        if errors.is_empty() {
            Ok((config, sql))
        } else {
            Err(errors)
        }
    }
}

/// Parses a whole, non-negative number no larger than the field allows, with a message a
/// student can act on.
pub fn parse_count(field: Field, text: &str) -> Result<u64, String> {
    let text = text.trim();
    let label = field.label();
    if text.is_empty() {
        return Err(format!("{label} is required"));
    }
    // Allow digit grouping as people type it: 1,000,000 or 1_000_000 or 1 000 000.
    let digits: String = text
        .chars()
        .filter(|c| !matches!(c, ',' | '_' | ' '))
        .collect();
    if let Some(rest) = digits.strip_prefix('-')
        && !rest.is_empty()
        && rest.chars().all(|c| c.is_ascii_digit())
    {
        return Err(format!("{label} cannot be negative"));
    }
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("{label} must be a whole number, like 42"));
    }
    let too_big = || {
        let hint = if field == Field::Students {
            " in the browser (use the CLI for more)"
        } else {
            ""
        };
        format!("{label} must be at most {}{hint}", group(field.max()))
    };
    let value: u64 = digits.parse().map_err(|_| too_big())?;
    if value > field.max() {
        return Err(too_big());
    }
    Ok(value)
}

/// 1234567 → "1,234,567".
pub fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (idx, c) in digits.chars().enumerate() {
        if idx > 0 && (digits.len() - idx).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
