//! The SQL script's options, spelled once for both shells: the page's form and `campus generate`
//! turn their inputs into a [`ScriptChoices`], and only [`ScriptChoices::script_options`] turns
//! that into the writer's options, so the page's file and the CLI's are byte-identical.

use campus_schema::Dataset;
use campus_sql::{Dialect, Part, ScriptOptions, ScriptWriter, SqlError, enroll_student};
use serde::{Deserialize, Serialize};

/// The script's name, and the title on its first line whatever file it is saved under.
pub const SQL_FILE: &str = "Create_FullDB.sql";
/// The zip of every table as CSV, with [`LOAD_FILE`] and [`VERIFY_FILE`].
pub const ZIP_FILE: &str = "university_csv.zip";
/// The script that loads the CSV files with the dialect's bulk loader.
pub const LOAD_FILE: &str = "load.sql";
/// The script that recomputes each table's count and checksum after a load.
pub const VERIFY_FILE: &str = "verify.sql";

/// What a user can choose about the script.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScriptChoices {
    /// The database the script creates if missing and uses.
    pub database: String,
    /// The `CREATE TABLE` statements and the stored procedure.
    pub schema: bool,
    /// The `INSERT` statements.
    pub data: bool,
    /// Drop the tables first and create them again; needs `schema`.
    pub drop_existing: bool,
    /// Only this slice of the data section (the CLI's `--part`; the page never asks for one).
    pub part: Option<Part>,
    /// MySQL/MariaDB, PostgreSQL or SQLite.
    pub dialect: Dialect,
}

impl Default for ScriptChoices {
    fn default() -> ScriptChoices {
        let options = ScriptOptions::default();
        ScriptChoices {
            database: options.database,
            schema: options.schema,
            data: options.data,
            drop_existing: options.drop_existing,
            part: options.part,
            dialect: options.dialect,
        }
    }
}

impl ScriptChoices {
    /// The writer's options: the fixed title and the `enroll_student` procedure beside the choices.
    pub fn script_options(&self) -> ScriptOptions {
        ScriptOptions {
            database: self.database.clone(),
            title: SQL_FILE.into(),
            schema: self.schema,
            data: self.data,
            drop_existing: self.drop_existing,
            routines: vec![enroll_student()],
            part: self.part,
            dialect: self.dialect,
            csv_data: false,
        }
    }

    pub fn validate(&self) -> Result<(), SqlError> {
        self.script_options().validate()
    }

    /// The options of [`LOAD_FILE`]: these choices' database, dialect and drop, creating the
    /// tables and loading every CSV file (a load script always loads the whole dataset).
    pub fn load_options(&self) -> ScriptOptions {
        ScriptOptions {
            title: LOAD_FILE.into(),
            schema: true,
            data: true,
            part: None,
            csv_data: true,
            ..self.script_options()
        }
    }
}

/// [`LOAD_FILE`] and [`VERIFY_FILE`] for `dataset` in the dialect of `choices`, as `campus
/// generate --format load` writes them beside the CSV files and the page's zip holds them.
pub fn load_scripts<D: Dataset>(
    dataset: &D,
    choices: &ScriptChoices,
) -> Result<[(&'static str, Vec<u8>); 2], SqlError> {
    let options = choices.load_options();
    let mut load = Vec::new();
    let mut writer = ScriptWriter::new(dataset, options.clone())?;
    while writer.fill(&mut load, usize::MAX) {}
    let verify = campus_sql::verify::verify_script(
        options.dialect,
        &options.database,
        dataset.tables(),
        &campus_sql::verify::checksums(dataset),
    );
    Ok([(LOAD_FILE, load), (VERIFY_FILE, verify)])
}
