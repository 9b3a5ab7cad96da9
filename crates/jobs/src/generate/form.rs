//! The generator form as data: raw text per field, parsed and checked into a [`Config`] and
//! [`ScriptChoices`], with one typed [`FormError`] per bad field, each knowing its field.

use campus_gen::{Config, ConfigError, ConfigField, MAX_ROWS_PER_TABLE};
use campus_sql::{Dialect, SqlError};

use crate::format::group;
use crate::generate::ScriptChoices;

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

    /// The form field behind the `Config` field a [`ConfigError`] names, if the form shows it.
    fn of_config_error(error: &ConfigError) -> Option<Field> {
        let ConfigError::OutOfRange { field, .. } = error;
        match field {
            ConfigField::AcademicYear => Some(Field::AcademicYear),
            ConfigField::Students => Some(Field::Students),
            ConfigField::Staff => Some(Field::Staff),
            ConfigField::EnrollmentsPerStudent => Some(Field::EnrollmentsPerStudent),
            ConfigField::ResidentialStudents => Some(Field::ResidentialStudents),
            ConfigField::Buses => Some(Field::Buses),
            ConfigField::BusAllocations => Some(Field::BusAllocations),
            ConfigField::Applicants => Some(Field::Applicants),
            // The product of two fields is no one field's error: the form shows it on its own.
            ConfigField::StudentsTimesEnrollments
            | ConfigField::Levels
            | ConfigField::Qualifications
            | ConfigField::Departments
            | ConfigField::CoursesPerDepartment
            | ConfigField::ModulesPerCourseLevel
            | ConfigField::ShuttlePoints => None,
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

    /// Said after "at most N" when the page's limit is lower than the generator's.
    fn limit_hint(self) -> &'static str {
        match self {
            Field::Students => " in the browser (use the CLI for more)",
            _ => "",
        }
    }
}

/// What is wrong with the form: each error knows its field ([`FormError::field`]), and its
/// `Display` is the message shown beside it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    #[error("{} is required", .0.label())]
    Required(Field),
    #[error("{} cannot be negative", .0.label())]
    Negative(Field),
    #[error("{} must be a whole number, like {}", .0.label(), .0.get(&Config::default()))]
    NotWhole(Field),
    #[error("{} must be at most {}{}", .0.label(), group(.0.max()), .0.limit_hint())]
    TooBig(Field),
    /// A cross-field check failed ([`Config::validate`]) for a field on the form; `max` is
    /// the lower of the generator's bound and the form's ([`Field::max`]).
    #[error("{} must be between {} and {}{}", .field.label(), group(*.min), group(*.max), .field.limit_hint())]
    OutOfRange { field: Field, min: u64, max: u64 },
    /// A cross-field check failed for a size the form does not show.
    #[error("{}", out_of_range(.0))]
    Config(ConfigError),
    /// The SQL options do not make a script; about the form as a whole.
    #[error("{}", capitalise(&.0.to_string()))]
    Script(SqlError),
}

impl FormError {
    /// The field the error is about; `None` for the form as a whole.
    pub fn field(&self) -> Option<Field> {
        match self {
            FormError::Required(field)
            | FormError::Negative(field)
            | FormError::NotWhole(field)
            | FormError::TooBig(field)
            | FormError::OutOfRange { field, .. } => Some(*field),
            FormError::Config(_) | FormError::Script(_) => None,
        }
    }

    fn from_config(error: ConfigError) -> FormError {
        let ConfigError::OutOfRange { min, max, .. } = error;
        match Field::of_config_error(&error) {
            Some(field) => FormError::OutOfRange {
                field,
                min,
                max: max.min(field.max()),
            },
            None => FormError::Config(error),
        }
    }
}

fn out_of_range(error: &ConfigError) -> String {
    let ConfigError::OutOfRange {
        field, min, max, ..
    } = error;
    format!(
        "{} must be between {} and {}",
        field.label(),
        group(*min),
        group(*max)
    )
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
    /// MySQL/MariaDB, PostgreSQL or SQLite.
    pub dialect: Dialect,
}

impl Default for FormInput {
    fn default() -> FormInput {
        FormInput::from_config(&Config::default(), &ScriptChoices::default())
    }
}

impl FormInput {
    pub fn from_config(config: &Config, sql: &ScriptChoices) -> FormInput {
        FormInput {
            values: Field::ALL
                .iter()
                .map(|f| f.get(config).to_string())
                .collect(),
            database: sql.database.clone(),
            schema: sql.schema,
            data: sql.data,
            drop_existing: sql.drop_existing,
            dialect: sql.dialect,
        }
    }

    pub fn value(&self, field: Field) -> &str {
        let idx = Field::ALL.iter().position(|f| *f == field);
        debug_assert!(idx.is_some(), "{field:?} missing from Field::ALL");
        let idx = idx.unwrap_or(0);
        self.values.get(idx).map_or("", String::as_str)
    }

    pub fn set_value(&mut self, field: Field, text: String) {
        if let Some(idx) = Field::ALL.iter().position(|f| *f == field)
            && let Some(slot) = self.values.get_mut(idx)
        {
            *slot = text;
        }
    }

    /// Turns the schema section on or off; dropping tables without recreating them is not an
    /// option the writer offers, so turning it off also turns off the drop.
    pub fn set_schema(&mut self, on: bool) {
        self.schema = on;
        if !on {
            self.drop_existing = false;
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
            values: FormInput::from_config(&config, &ScriptChoices::default()).values,
            ..self.clone()
        }
    }

    /// The config and SQL options, or every problem found.
    pub fn parse(&self) -> Result<(Config, ScriptChoices), Vec<FormError>> {
        let mut config = Config::default();
        let mut errors = Vec::new();
        for field in Field::ALL {
            match parse_count(field, self.value(field)) {
                Ok(v) => field.set(&mut config, v),
                Err(error) => errors.push(error),
            }
        }
        let sql = ScriptChoices {
            database: self.database.trim().to_owned(),
            schema: self.schema,
            data: self.data,
            drop_existing: self.drop_existing,
            part: None,
            dialect: self.dialect,
        };
        if let Err(err) = sql.validate() {
            errors.push(FormError::Script(err));
        }
        // Cross-field checks only make sense once every number parsed.
        if errors.is_empty()
            && let Err(err) = config.validate()
        {
            errors.push(FormError::from_config(err));
        }
        if errors.is_empty() {
            Ok((config, sql))
        } else {
            Err(errors)
        }
    }
}

/// Parses a whole, non-negative number no larger than the field allows.
pub fn parse_count(field: Field, text: &str) -> Result<u64, FormError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(FormError::Required(field));
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
        return Err(FormError::Negative(field));
    }
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(FormError::NotWhole(field));
    }
    let value: u64 = digits.parse().map_err(|_| FormError::TooBig(field))?;
    if value > field.max() {
        return Err(FormError::TooBig(field));
    }
    Ok(value)
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
