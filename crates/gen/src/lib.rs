//! Seeded, referentially consistent University Management System data, one row at a time.
//!
//! [`Ums`] plans a dataset from a [`Config`] and implements [`campus_schema::Dataset`]: any row of
//! any table is a pure function of (seed, table, row number), so tables and row ranges can be
//! produced on their own, streaming, in any order, on any target, with byte-identical results.
//! Rows that depend on other rows (a student's enrollments, an applicant who became a student)
//! recompute what they need from the other row's number instead of remembering it.
//!
//! `campus_gen` knows nothing about SQL or CSV; writers consume rows through [`campus_schema::RowSink`].
//!
//! Interesting modules: [`schema`] (the table list), `rows.rs` (one function per table),
//! [`check`] (integrity checks driven by the schema), [`exports`] and [`sessions`] (the
//! registrar's exports and lectures of the same university). Every generator draws from
//! [`campus_schema::rng`].

pub mod check;
pub mod exports;
mod names;
mod rows;
pub mod schema;
pub mod sessions;

use campus_schema::rng;

use campus_schema::{Dataset, RowSink, Table};
use serde::{Deserialize, Serialize};

pub use schema::TableId;

/// What to generate. Every count can be set; [`Config::default`] gives the classic dataset and
/// [`Config::scaled`] grows every size with one knob.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    pub seed: u64,
    /// The calendar year of the academic year every enrollment falls in.
    pub academic_year: i32,
    pub levels: u32,
    pub qualifications: u32,
    pub departments: u32,
    pub courses_per_department: u32,
    pub modules_per_course_level: u32,
    pub staff: u64,
    pub students: u64,
    pub enrollments_per_student: u32,
    /// Students with a room in residence (at most `students`).
    pub residential_students: u64,
    pub shuttle_points: u32,
    pub buses: u32,
    pub bus_allocations: u64,
    pub applicants: u64,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            seed: 42,
            academic_year: 2024,
            levels: 4,
            qualifications: 6,
            departments: 6,
            courses_per_department: 7,
            modules_per_course_level: 1,
            staff: 300,
            students: 5_000,
            enrollments_per_student: 4,
            residential_students: 5_000,
            shuttle_points: 12,
            buses: 20,
            bus_allocations: 60,
            applicants: 300,
        }
    }
}

/// The largest sizes accepted: beyond these a typo is likelier than intent.
pub const MAX_STUDENTS: u64 = 20_000_000;
pub const MAX_ROWS_PER_TABLE: u64 = 100_000_000;

impl Config {
    /// The default dataset with every people-count scaled to `students` students.
    pub fn scaled(students: u64) -> Config {
        let base = Config::default();
        let scale =
            |n: u64| (u128::from(n) * u128::from(students) / u128::from(base.students)) as u64;
        let buses = scale(u64::from(base.buses)).clamp(1, 100_000) as u32;
        Config {
            students,
            staff: scale(base.staff).max(u64::from(base.departments) + 4),
            residential_students: students,
            applicants: scale(base.applicants).max(200),
            buses,
            bus_allocations: u64::from(buses) * 3,
            ..base
        }
    }

    /// Checks every size against what the generator can make sense of.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let limit = |field: ConfigField, value: u64, min: u64, max: u64| {
            if value < min || value > max {
                Err(ConfigError::OutOfRange {
                    field,
                    value,
                    min,
                    max,
                })
            } else {
                Ok(())
            }
        };
        limit(
            ConfigField::AcademicYear,
            self.academic_year.max(0) as u64,
            1950,
            2100,
        )?;
        limit(
            ConfigField::Levels,
            self.levels.into(),
            1,
            names::LEVELS.len() as u64,
        )?;
        limit(
            ConfigField::Qualifications,
            self.qualifications.into(),
            1,
            names::QUALIFICATIONS.len() as u64,
        )?;
        limit(
            ConfigField::Departments,
            self.departments.into(),
            1,
            names::DEPARTMENTS.len() as u64,
        )?;
        let subjects = names::DEPARTMENTS
            .iter()
            .map(|(_, s)| s.len())
            .min()
            .unwrap_or(0) as u64;
        limit(
            ConfigField::CoursesPerDepartment,
            self.courses_per_department.into(),
            1,
            subjects,
        )?;
        limit(
            ConfigField::ModulesPerCourseLevel,
            self.modules_per_course_level.into(),
            1,
            26,
        )?;
        limit(ConfigField::Students, self.students, 1, MAX_STUDENTS)?;
        limit(
            ConfigField::Staff,
            self.staff,
            u64::from(self.departments) + 4,
            MAX_ROWS_PER_TABLE,
        )?;
        let modules_per_course = u64::from(self.levels) * u64::from(self.modules_per_course_level);
        limit(
            ConfigField::EnrollmentsPerStudent,
            self.enrollments_per_student.into(),
            0,
            modules_per_course,
        )?;
        limit(
            ConfigField::ResidentialStudents,
            self.residential_students,
            0,
            self.students,
        )?;
        limit(
            ConfigField::ShuttlePoints,
            self.shuttle_points.into(),
            1,
            10_000,
        )?;
        limit(ConfigField::Buses, self.buses.into(), 1, 100_000)?;
        limit(
            ConfigField::BusAllocations,
            self.bus_allocations,
            0,
            MAX_ROWS_PER_TABLE,
        )?;
        limit(
            ConfigField::Applicants,
            self.applicants,
            0,
            MAX_ROWS_PER_TABLE,
        )?;
        let enrollments = self.students * u64::from(self.enrollments_per_student);
        limit(
            ConfigField::StudentsTimesEnrollments,
            enrollments,
            0,
            MAX_ROWS_PER_TABLE,
        )?;
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("{field} must be between {min} and {max}, got {value}")]
    OutOfRange {
        field: ConfigField,
        value: u64,
        min: u64,
        max: u64,
    },
}

/// The quantity of a [`Config`] that a [`ConfigError`] is about: a field, or (for the
/// enrollment total) a product of two.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ConfigField {
    AcademicYear,
    Levels,
    Qualifications,
    Departments,
    CoursesPerDepartment,
    ModulesPerCourseLevel,
    Students,
    Staff,
    EnrollmentsPerStudent,
    ResidentialStudents,
    ShuttlePoints,
    Buses,
    BusAllocations,
    Applicants,
    StudentsTimesEnrollments,
}

impl ConfigField {
    /// The [`Config`] field's name (`students × enrollments_per_student` for the product); the
    /// error's text uses it.
    pub fn name(self) -> &'static str {
        match self {
            ConfigField::AcademicYear => "academic_year",
            ConfigField::Levels => "levels",
            ConfigField::Qualifications => "qualifications",
            ConfigField::Departments => "departments",
            ConfigField::CoursesPerDepartment => "courses_per_department",
            ConfigField::ModulesPerCourseLevel => "modules_per_course_level",
            ConfigField::Students => "students",
            ConfigField::Staff => "staff",
            ConfigField::EnrollmentsPerStudent => "enrollments_per_student",
            ConfigField::ResidentialStudents => "residential_students",
            ConfigField::ShuttlePoints => "shuttle_points",
            ConfigField::Buses => "buses",
            ConfigField::BusAllocations => "bus_allocations",
            ConfigField::Applicants => "applicants",
            ConfigField::StudentsTimesEnrollments => "students × enrollments_per_student",
        }
    }

    /// The name in words, for people: `bus allocations`.
    pub fn label(self) -> &'static str {
        match self {
            ConfigField::AcademicYear => "academic year",
            ConfigField::Levels => "levels",
            ConfigField::Qualifications => "qualifications",
            ConfigField::Departments => "departments",
            ConfigField::CoursesPerDepartment => "courses per department",
            ConfigField::ModulesPerCourseLevel => "modules per course level",
            ConfigField::Students => "students",
            ConfigField::Staff => "staff",
            ConfigField::EnrollmentsPerStudent => "enrollments per student",
            ConfigField::ResidentialStudents => "residential students",
            ConfigField::ShuttlePoints => "shuttle points",
            ConfigField::Buses => "buses",
            ConfigField::BusAllocations => "bus allocations",
            ConfigField::Applicants => "applicants",
            ConfigField::StudentsTimesEnrollments => "students × enrollments per student",
        }
    }
}

impl std::fmt::Display for ConfigField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A planned dataset: the config, the schema and the row count of every table.
///
/// The config is read through [`Ums::config`]: the layout and row counts are derived from it
/// once, so changing it afterwards would describe a dataset other than the one written.
#[derive(Clone, Debug)]
pub struct Ums {
    config: Config,
    tables: Vec<Table>,
    counts: [u64; TableId::ALL.len()],
    layout: rows::Layout,
}

impl Ums {
    pub fn new(config: Config) -> Result<Ums, ConfigError> {
        config.validate()?;
        let layout = rows::Layout::new(&config);
        let counts = TableId::ALL.map(|t| layout.count(t));
        Ok(Ums {
            config,
            tables: schema::tables(),
            counts,
            layout,
        })
    }

    /// The (validated) config this dataset was planned from.
    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn count(&self, table: TableId) -> u64 {
        self.counts[table.index()]
    }

    pub fn table(&self, table: TableId) -> &Table {
        &self.tables[table.index()]
    }

    /// The table with this name, if the schema has one.
    pub fn tables_by_name(&self, name: &str) -> Option<TableId> {
        self.tables
            .iter()
            .position(|t| t.name == name)
            .and_then(TableId::from_index)
    }

    pub fn total_rows(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Writes one row; `row_idx` must be below [`Ums::count`] (rows past the end are written as
    /// the last row's neighbours would be, never panicking).
    pub fn write(&self, table: TableId, row_idx: u64, sink: &mut dyn RowSink) {
        rows::write_row(&self.layout, table, row_idx, sink);
    }
}

impl Dataset for Ums {
    fn tables(&self) -> &[Table] {
        &self.tables
    }

    fn n_rows(&self, table_idx: usize) -> u64 {
        self.counts.get(table_idx).copied().unwrap_or(0)
    }

    fn write_row(&self, table_idx: usize, row_idx: u64, sink: &mut dyn RowSink) {
        if let Some(table) = TableId::from_index(table_idx) {
            self.write(table, row_idx, sink);
        }
    }

    fn provenance(&self) -> Vec<String> {
        let c = &self.config;
        vec![
            format!("seed={} academic_year={}", c.seed, c.academic_year),
            format!(
                "students={} enrollments_per_student={} staff={} applicants={} residential_students={}",
                c.students,
                c.enrollments_per_student,
                c.staff,
                c.applicants,
                c.residential_students
            ),
            format!(
                "levels={} qualifications={} departments={} courses_per_department={} modules_per_course_level={}",
                c.levels,
                c.qualifications,
                c.departments,
                c.courses_per_department,
                c.modules_per_course_level
            ),
            format!(
                "shuttle_points={} buses={} bus_allocations={}",
                c.shuttle_points, c.buses, c.bus_allocations
            ),
        ]
    }
}
