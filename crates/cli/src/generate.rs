//! `campus generate`: the University Management System seed script or CSVs.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use campus_gen::Config;
use campus_jobs::generate::{Event, GenerateService, Request, ScriptChoices, Summary};
use campus_sql::{Dialect, Part};

use crate::output::{Inputs, StagedFile, commit};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

/// Generate a seeded, referentially consistent university dataset.
///
/// The same seed and sizes always give the same bytes, here and in the web page. `--students`
/// scales every people-count of the classic dataset (5,000 students, 300 staff, 300 applicants,
/// 20 buses) to the size asked for; the other size flags then override single counts.
/// Load a script with `mysql -u root -p < Create_FullDB.sql` (MySQL 8 or MariaDB).
///
/// Examples:
///   campus generate --seed 42 --out Create_FullDB.sql
///   campus generate --students 1000000 --out big.sql
///   campus generate --format csv --out csv/
///   campus generate --format sqlite --out university.db
///   campus generate --format parquet --students 1000000 --part 2/4 --out parquet/
///   campus generate --students 1000000 --part 3/8 --out part3.sql   (data only; parts concatenate)
///   campus generate --schema-only --drop --out schema.sql
///   campus generate --format exports --students 100000 --out exports/   (AKTU-style exports)
///   campus generate --format exports --dirt 0.01 --out dirty/   (planted defects + answer_key.csv)
///   campus generate --format sessions --out sessions.csv   (lectures for the occupancy models)
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct GenerateArgs {
    /// Seed of the random stream; the same seed gives the same data.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Students; scales staff, applicants, residences and buses with it.
    #[arg(long, default_value_t = 5_000)]
    students: u64,
    /// Enrollments (and marks) per student.
    #[arg(long)]
    enrollments_per_student: Option<u32>,
    #[arg(long)]
    staff: Option<u64>,
    #[arg(long)]
    applicants: Option<u64>,
    /// Students with a residence room.
    #[arg(long)]
    residential: Option<u64>,
    #[arg(long)]
    buses: Option<u32>,
    #[arg(long)]
    bus_allocations: Option<u64>,
    #[arg(long)]
    shuttle_points: Option<u32>,
    #[arg(long)]
    departments: Option<u32>,
    #[arg(long)]
    courses_per_department: Option<u32>,
    #[arg(long)]
    levels: Option<u32>,
    #[arg(long)]
    qualifications: Option<u32>,
    #[arg(long)]
    modules_per_course_level: Option<u32>,
    /// Calendar year of the academic year the enrollments fall in.
    #[arg(long)]
    academic_year: Option<i32>,

    /// What to write.
    #[arg(long, value_enum, default_value_t = Format::Sql)]
    format: Format,
    /// The SQL file (`-` for standard output), or the folder for CSV files.
    #[arg(long, short)]
    out: PathBuf,
    /// The SQL dialect of the script: mysql (MySQL 8 and MariaDB), postgres (PostgreSQL 12 or
    /// newer; load with psql) or sqlite (load with the sqlite3 tool).
    /// Only for --format sql (the default).
    #[arg(long, value_parser = parse_dialect)]
    dialect: Option<Dialect>,
    /// Database the script creates if missing and uses (PostgreSQL: a schema; SQLite: unused, the
    /// database is the file the script is loaded into).
    #[arg(long, default_value_t = ScriptChoices::default().database)]
    database: String,
    /// Only CREATE TABLE statements and the stored procedure.
    #[arg(long, conflicts_with = "data_only")]
    schema_only: bool,
    /// Only the INSERT statements (the tables must exist).
    #[arg(long)]
    data_only: bool,
    /// Drop the tables first and create them again.
    #[arg(long)]
    drop: bool,
    /// Write only part K of N: disjoint slices of the data that concatenate, in order, to the
    /// data of the whole run (SQL: the data section, each part starting with `USE` of
    /// --database and the script's session settings, so `mysql < partK.sql` loads it into the
    /// tables of a --schema-only run; CSV: each table's file).
    #[arg(long, value_name = "K/N")]
    part: Option<String>,
    /// Check every foreign key, unique column and cross-table fact before writing (holds the
    /// whole dataset in memory; for up to a few hundred thousand students).
    #[arg(long)]
    check: bool,
    /// No progress bar and no summary.
    #[arg(long, short)]
    quiet: bool,
    /// Threads that produce the SQL, the CSV files (of `csv`, `load` and `exports`), count the
    /// enrollments of `sessions`, or write the Parquet files one table each (default: every
    /// core); the bytes are the same at every count. `sqlite` is written on one (SQLite has one
    /// writer).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
    /// Rows per piece of work on the threads (tests make it small to cut many pieces).
    #[arg(long, hide = true, default_value_t = campus_jobs::generate::pieces::ROWS_PER_PIECE, value_parser = clap::value_parser!(u64).range(1..))]
    piece_rows: u64,
    #[command(flatten)]
    lesson: crate::exports::LessonArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    /// One MySQL/MariaDB script (Create_FullDB.sql).
    Sql,
    /// One RFC 4180 CSV file per table, with a header row.
    Csv,
    /// The registrar's AKTU-style exports of this university (students master, attendance, exam
    /// results, placements) into the folder --out, as the ETL workbench and the pandas notebook
    /// read them; with --dirt, also answer_key.csv.
    Exports,
    /// This university's lectures as class sessions in the occupancy layout, in the file --out.
    Sessions,
    /// One SQLite database file (keys enforced; open it with `sqlite3 university.db`).
    Sqlite,
    /// verify.sql for --dialect: run after loading, it recounts every table and recomputes a
    /// checksum of its values, and says OK or MISMATCH per table.
    Verify,
    /// Fast load into the folder --out: every table as CSV, load.sql that creates the tables
    /// and bulk-loads the files (LOAD DATA LOCAL INFILE, psql's \copy or sqlite3's .import, by
    /// --dialect), and verify.sql.
    Load,
    /// One Parquet file per table into the folder --out (typed columns, Snappy, row groups of
    /// 65,536 rows), TABLE.parquet; with --part K/N, TABLE.partKofN.parquet, so parts made
    /// apart read as one dataset.
    Parquet,
}

impl GenerateArgs {
    fn config(&self) -> Config {
        let mut config = Config {
            seed: self.seed,
            ..Config::scaled(self.students)
        };
        macro_rules! set {
            ($($field:ident <- $arg:ident),*) => { $( if let Some(v) = self.$arg { config.$field = v; } )* };
        }
        set!(enrollments_per_student <- enrollments_per_student, staff <- staff, applicants <- applicants,
            residential_students <- residential, buses <- buses, bus_allocations <- bus_allocations,
            shuttle_points <- shuttle_points, departments <- departments,
            courses_per_department <- courses_per_department, levels <- levels,
            qualifications <- qualifications, modules_per_course_level <- modules_per_course_level,
            academic_year <- academic_year);
        config
    }

    /// The script the flags ask for: a part holds data only.
    fn script(&self, part: Option<Part>) -> anyhow::Result<ScriptChoices> {
        if part.is_some() && self.schema_only {
            bail!("--part slices the data; it cannot be combined with --schema-only");
        }
        Ok(ScriptChoices {
            database: self.database.clone(),
            schema: !self.data_only && part.is_none(),
            data: !self.schema_only,
            drop_existing: self.drop,
            part,
            dialect: self.dialect.unwrap_or_default(),
        })
    }

    pub(crate) fn is_stdout(&self) -> bool {
        self.out.as_os_str() == "-"
    }

    pub(crate) fn threads(&self) -> usize {
        self.threads
            .map_or_else(campus_jobs::parallel::default_threads, usize::from)
    }

    pub(crate) fn piece_rows(&self) -> u64 {
        self.piece_rows
    }

    pub(crate) fn out(&self) -> &Path {
        &self.out
    }

    pub(crate) fn quiet(&self) -> bool {
        self.quiet
    }
}

fn parse_dialect(text: &str) -> Result<Dialect, String> {
    Dialect::parse(text).map_err(|e| e.to_string())
}

/// Drives the generator and moves its chunks to the files (or standard output).
pub fn run(args: &GenerateArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let config = args.config();
    let part = args.part.as_deref().map(Part::parse).transpose()?;
    if campus_sql::is_system_database(&args.database) {
        return Err(campus_sql::SqlError::SystemDatabase(args.database.clone()).into());
    }
    let mut service = GenerateService::with_chunk_bytes(1 << 20);
    if args.check {
        check(&mut service, config.clone())?;
    }
    // A folder given for the script fails here, before any work; a device is written directly.
    if args.format == Format::Sql {
        crate::output::target(&args.out)?;
    }
    if args.dialect.is_some() && !matches!(args.format, Format::Sql | Format::Verify | Format::Load)
    {
        bail!(
            "--dialect chooses the SQL's dialect: it applies to --format sql, verify and load only"
        );
    }
    let request = match args.format {
        Format::Sql => Request::Sql {
            config,
            script: args.script(part)?,
        },
        Format::Csv | Format::Load => {
            if args.format == Format::Load && (part.is_some() || args.schema_only || args.data_only)
            {
                bail!(
                    "--format load writes the whole database: --part, --schema-only and --data-only do not apply"
                );
            }
            if args.is_stdout() {
                bail!("CSV output is one file per table: give a folder with --out");
            }
            fs::create_dir_all(&args.out)
                .with_context(|| format!("cannot create folder {}", args.out.display()))?;
            Request::CsvFiles { config, part }
        }
        // Exports and sessions list their own files; they are not the database's tables.
        Format::Exports => {
            let pieces = (args.threads(), args.piece_rows());
            crate::exports::write_exports(config, &args.lesson, &args.out, args.quiet, pieces)?;
            return Ok(());
        }
        Format::Sessions => {
            crate::exports::write_sessions(
                config,
                &args.lesson,
                &args.out,
                args.quiet,
                args.threads,
            )?;
            return Ok(());
        }
        Format::Verify => {
            if part.is_some() || args.schema_only || args.data_only {
                bail!(
                    "--format verify checks the whole database: --part, --schema-only and --data-only do not apply"
                );
            }
            let ums = campus_gen::Ums::new(config).context("invalid sizes")?;
            let dialect = args.dialect.unwrap_or_default();
            let checks = campus_sql::verify::checksums(&ums);
            let script = campus_sql::verify::verify_script(
                dialect,
                &args.script(None)?.database,
                campus_schema::Dataset::tables(&ums),
                &checks,
            );
            crate::output::write_whole(&args.out, &script, &Inputs::default())?;
            return Ok(());
        }
        Format::Sqlite => {
            if part.is_some() || args.schema_only || args.data_only {
                bail!(
                    "--format sqlite writes the whole database: --part, --schema-only and --data-only do not apply"
                );
            }
            let ums = campus_gen::Ums::new(config).context("invalid sizes")?;
            crate::sqlite::write(&ums, &args.out, args.quiet)?;
            return Ok(());
        }
        Format::Parquet => {
            if args.schema_only || args.data_only {
                bail!(
                    "--format parquet writes the data of every table: --schema-only and --data-only do not apply"
                );
            }
            if args.is_stdout() {
                bail!("Parquet output is one file per table: give a folder with --out");
            }
            crate::output::check_folder(&args.out)?;
            fs::create_dir_all(&args.out)
                .with_context(|| format!("cannot create folder {}", args.out.display()))?;
            let ums = campus_gen::Ums::new(config).context("invalid sizes")?;
            let written = crate::parquet::write(&ums, part, &args.out, args.quiet, args.threads())?;
            if !args.quiet {
                let seconds = started.elapsed().as_secs_f64();
                eprintln!(
                    "{} Parquet files, {} rows, {} bytes in {} ({seconds:.2} s, {:.1} MB/s)",
                    written.files,
                    written.rows,
                    written.bytes,
                    args.out.display(),
                    written.bytes as f64 / seconds.max(1e-9) / 1e6
                );
            }
            return Ok(());
        }
    };
    // A part starts with the database it loads into, so `mysql < part.sql` works on its own.
    // ... and a PostgreSQL part ends by moving the identities past the ids it loaded.
    let (prelude, postlude) = match (args.format, part) {
        (Format::Sql, Some(part)) => {
            let dialect = args.dialect.unwrap_or_default();
            let ums = campus_gen::Ums::new(args.config()).context("invalid sizes")?;
            let tables = campus_schema::Dataset::tables(&ums);
            (
                campus_sql::part_prelude(dialect, &args.database, part),
                campus_sql::part_postlude(dialect, tables),
            )
        }
        _ => (Vec::new(), Vec::new()),
    };
    let bulk = matches!(request, Request::CsvFiles { .. }) && args.format == Format::Load;
    let summary = match crate::parallel::generate(args, &request, (&prelude, &postlude))? {
        Some(summary) => summary,
        None => write(args, &mut service, request, (&prelude, &postlude))?,
    };
    if bulk {
        write_load_scripts(args)?;
    }
    if !args.quiet {
        print_summary(&summary, started.elapsed().as_secs_f64());
    }
    Ok(())
}

/// `--format load`: load.sql and verify.sql beside the CSV files just written.
/// The same scripts as the page's zip holds ([`campus_jobs::generate::load_scripts`]).
fn write_load_scripts(args: &GenerateArgs) -> anyhow::Result<()> {
    let ums = campus_gen::Ums::new(args.config()).context("invalid sizes")?;
    let none = Inputs::default();
    for (name, bytes) in campus_jobs::generate::load_scripts(&ums, &args.script(None)?)? {
        crate::output::write_whole(&args.out.join(name), &bytes, &none)?;
    }
    Ok(())
}

/// `--check`: every foreign key, unique column and cross-table fact, before anything is written.
fn check(service: &mut GenerateService, config: Config) -> anyhow::Result<()> {
    let mut problems = Vec::new();
    campus_jobs::drive(service, Request::Check { config }, |event| {
        if let Event::Checked { problems: found } = event {
            problems = found;
        }
        true
    })?;
    if !problems.is_empty() {
        bail!(
            "the dataset fails {} integrity checks:\n  {}",
            problems.len(),
            problems.join("\n  ")
        );
    }
    Ok(())
}

pub(crate) fn progress_bar(quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    let style = ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} rows ({per_sec}, {eta} left)")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}

/// Where the chunks go: standard output, the script file, or one of the CSV files, which are
/// staged and moved into place together when the last is complete.
pub(crate) enum Output {
    None,
    Stdout(io::StdoutLock<'static>),
    File(AtomicFile),
    Staged(StagedFile),
}

impl Output {
    pub(crate) fn write(&mut self, bytes: &[u8]) -> anyhow::Result<()> {
        match self {
            Output::None => Ok(()),
            Output::Stdout(out) => out
                .write_all(bytes)
                .context("cannot write to standard output"),
            Output::File(file) => file.write(bytes),
            Output::Staged(file) => file.write(bytes),
        }
    }

    /// Completes the current output: flushed, and a file moved into place; a staged file is
    /// added to `staged`, to be moved with the others.
    pub(crate) fn finish(&mut self, staged: &mut Vec<StagedFile>) -> anyhow::Result<()> {
        match std::mem::replace(self, Output::None) {
            Output::Staged(file) => {
                staged.push(file);
                Ok(())
            }
            Output::None => Ok(()),
            Output::Stdout(mut out) => out.flush().context("cannot write to standard output"),
            Output::File(file) => file.commit(),
        }
    }
}

/// Runs the request, writing each file it produces (each starting with `prelude`, the last
/// ending with `postlude`); returns its
/// summary.
fn write(
    args: &GenerateArgs,
    service: &mut GenerateService,
    request: Request,
    (prelude, postlude): (&[u8], &[u8]),
) -> anyhow::Result<Summary> {
    let bar = progress_bar(args.quiet);
    let mut output = Output::None;
    let mut staged = Vec::new();
    let mut summary = None;
    let mut failure = None;
    let mut on_event = |event: Event| -> anyhow::Result<()> {
        match event {
            Event::File { name } => {
                output.finish(&mut staged)?;
                output = if args.is_stdout() {
                    Output::Stdout(io::stdout().lock())
                } else if args.format == Format::Sql {
                    // The script goes where --out says; its title stays Create_FullDB.sql.
                    Output::File(AtomicFile::create(&args.out)?)
                } else {
                    // One file per table: all of them appear, or none.
                    let path = args.out.join(name);
                    Output::Staged(StagedFile::create(&path, &Inputs::default())?)
                };
                output.write(prelude)?;
            }
            Event::Chunk {
                bytes,
                rows_done,
                rows_total,
            } => {
                output.write(&bytes.0)?;
                bar.set_length(rows_total);
                bar.set_position(rows_done);
            }
            Event::Done(done) => {
                output.write(postlude)?;
                output.finish(&mut staged)?;
                commit(std::mem::take(&mut staged), &[])?;
                summary = Some(done);
            }
            Event::Checked { .. } => {}
        }
        Ok(())
    };
    campus_jobs::drive(service, request, |event| match on_event(event) {
        Ok(()) => true,
        Err(err) => {
            failure = Some(err);
            false
        }
    })?;
    bar.finish_and_clear();
    if let Some(err) = failure {
        return Err(err);
    }
    summary.context("the generator stopped before the end")
}

/// A file written through a temporary file beside it and renamed into place when complete, so
/// a failed or interrupted run never leaves a truncated file under the real name. A device or
/// FIFO (`/dev/null`) is written directly and never replaced.
pub(crate) struct AtomicFile {
    path: PathBuf,
    temp: PathBuf,
    out: Option<BufWriter<File>>,
    direct: bool,
}

impl AtomicFile {
    pub(crate) fn create(path: &Path) -> anyhow::Result<AtomicFile> {
        if crate::output::target(path)? == crate::output::Target::Special {
            let file = fs::OpenOptions::new()
                .write(true)
                .open(path)
                .with_context(|| format!("cannot open {}", path.display()))?;
            return Ok(AtomicFile {
                path: path.to_owned(),
                temp: path.to_owned(),
                out: Some(BufWriter::with_capacity(1 << 20, file)),
                direct: true,
            });
        }
        let mut temp_name = path.file_name().unwrap_or_default().to_os_string();
        temp_name.push(".partial");
        let temp = path.with_file_name(temp_name);
        let file =
            File::create(&temp).with_context(|| format!("cannot create {}", path.display()))?;
        Ok(AtomicFile {
            path: path.to_owned(),
            temp,
            out: Some(BufWriter::with_capacity(1 << 20, file)),
            direct: false,
        })
    }

    fn write(&mut self, bytes: &[u8]) -> anyhow::Result<()> {
        let written = match self.out.as_mut() {
            Some(out) => out.write_all(bytes),
            None => Ok(()),
        };
        written.with_context(|| format!("cannot write {}", self.path.display()))
    }

    fn commit(mut self) -> anyhow::Result<()> {
        let Some(out) = self.out.take() else {
            return Ok(());
        };
        if self.direct {
            return out
                .into_inner()
                .map(drop)
                .map_err(|e| e.into_error())
                .with_context(|| format!("cannot write {}", self.path.display()));
        }
        let synced = out
            .into_inner()
            .map_err(|e| e.into_error())
            .and_then(|file| file.sync_all());
        if let Err(err) = synced {
            let _ = fs::remove_file(&self.temp);
            return Err(err).with_context(|| format!("cannot write {}", self.path.display()));
        }
        fs::rename(&self.temp, &self.path)
            .with_context(|| format!("cannot move the finished file to {}", self.path.display()))
    }
}

impl Drop for AtomicFile {
    /// An uncommitted file (the run failed or stopped) leaves nothing behind.
    fn drop(&mut self) {
        if self.out.take().is_some() && !self.direct {
            let _ = fs::remove_file(&self.temp);
        }
    }
}

fn print_summary(summary: &Summary, seconds: f64) {
    let mut lines = String::new();
    for (name, n) in &summary.tables {
        lines += &format!("  {name:<28} {n:>12}\n");
    }
    let rows: u64 = summary.tables.iter().map(|(_, n)| n).sum();
    let bytes = summary.bytes;
    eprint!(
        "{lines}  {:<28} {:>12}\nwrote {:.1} MB in {:.2} s ({:.0} rows/s, {:.1} MB/s)\n",
        "total rows",
        rows,
        bytes as f64 / 1e6,
        seconds,
        rows as f64 / seconds.max(1e-9),
        bytes as f64 / 1e6 / seconds.max(1e-9)
    );
}
