//! `campus generate`: the University Management System seed script or CSVs.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use campus_gen::{Config, TableId, Ums};
use campus_sql::{Part, ScriptOptions, ScriptWriter, enroll_student};
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
///   campus generate --students 1000000 --part 3/8 --out part3.sql   (data only; parts concatenate)
///   campus generate --schema-only --drop --out schema.sql
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
    /// Database the script creates if missing and uses.
    #[arg(long, default_value = "university_system")]
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
    /// data of the whole run (SQL: the data section; CSV: each table's file).
    #[arg(long, value_name = "K/N")]
    part: Option<String>,
    /// Check every foreign key, unique column and cross-table fact before writing (holds the
    /// whole dataset in memory; for up to a few hundred thousand students).
    #[arg(long)]
    check: bool,
    /// No progress bar and no summary.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    /// One MySQL/MariaDB script (Create_FullDB.sql).
    Sql,
    /// One RFC 4180 CSV file per table, with a header row.
    Csv,
    /// One SQLite database file (keys enforced; open it with `sqlite3 university.db`).
    Sqlite,
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
}

pub fn run(args: &GenerateArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let ums = Ums::new(args.config()).context("invalid sizes")?;
    let part = args.part.as_deref().map(Part::parse).transpose()?;
    if args.check {
        let problems = campus_gen::check::check(&ums);
        if !problems.is_empty() {
            bail!(
                "the dataset fails {} integrity checks:\n  {}",
                problems.len(),
                problems.join("\n  ")
            );
        }
    }
    let bytes = match args.format {
        Format::Sql => write_sql(args, &ums, part)?,
        Format::Csv => write_csv(args, &ums, part)?,
        Format::Sqlite if part.is_some() || args.schema_only || args.data_only => {
            bail!(
                "--format sqlite writes the whole database: --part, --schema-only and --data-only do not apply"
            )
        }
        Format::Sqlite => crate::sqlite::write(&ums, &args.out, args.quiet)?,
    };
    if !args.quiet {
        summary(&ums, bytes, started.elapsed().as_secs_f64());
    }
    Ok(())
}

fn progress_bar(total: u64, quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    let style = ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} rows ({per_sec}, {eta} left)")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}

fn write_sql(args: &GenerateArgs, ums: &Ums, part: Option<Part>) -> anyhow::Result<u64> {
    let options = ScriptOptions {
        database: args.database.clone(),
        // The title is fixed, not the output's file name, so the bytes match the page's download.
        title: "Create_FullDB.sql".to_owned(),
        schema: !args.data_only && part.is_none(),
        data: !args.schema_only,
        drop_existing: args.drop,
        routines: vec![enroll_student()],
        part,
    };
    if part.is_some() && args.schema_only {
        bail!("--part slices the data; it cannot be combined with --schema-only");
    }
    let mut script = ScriptWriter::new(ums, options)?;
    let bar = progress_bar(script.rows_total(), args.quiet);
    let mut bytes = 0u64;
    let mut write = |out: &mut dyn Write| -> io::Result<()> {
        let mut chunk = Vec::with_capacity(1 << 20);
        loop {
            chunk.clear();
            let more = script.fill(&mut chunk, 1 << 20);
            out.write_all(&chunk)?;
            bytes += chunk.len() as u64;
            bar.set_position(script.rows_done());
            if !more {
                return out.flush();
            }
        }
    };
    if args.out.as_os_str() == "-" {
        write(&mut io::stdout().lock()).context("cannot write to standard output")?;
    } else {
        write_atomically(&args.out, |file| write(file))?;
    }
    bar.finish_and_clear();
    Ok(bytes)
}

fn write_csv(args: &GenerateArgs, ums: &Ums, part: Option<Part>) -> anyhow::Result<u64> {
    if args.out.as_os_str() == "-" {
        bail!("CSV output is one file per table: give a folder with --out");
    }
    fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create folder {}", args.out.display()))?;
    let bar = progress_bar(ums.total_rows(), args.quiet);
    let mut bytes = 0u64;
    for table in TableId::ALL {
        let n_rows = ums.count(table);
        let (start, end) = part.map_or((0, n_rows), |p| p.table_range(n_rows));
        let name = match part {
            Some(p) => format!("{}.part{}of{}.csv", ums.table(table).name, p.index, p.count),
            None => format!("{}.csv", ums.table(table).name),
        };
        let mut csv = campus_csv::TableCsv::rows(ums, table.index(), start, end);
        write_atomically(&args.out.join(name), |file| {
            let mut chunk = Vec::with_capacity(1 << 20);
            loop {
                chunk.clear();
                let more = csv.fill(&mut chunk, 1 << 20);
                file.write_all(&chunk)?;
                bytes += chunk.len() as u64;
                if !more {
                    return file.flush();
                }
            }
        })?;
        bar.inc(end - start);
    }
    bar.finish_and_clear();
    Ok(bytes)
}

/// Writes through a temporary file beside `path` and renames it into place, so a failed or
/// interrupted run never leaves a truncated file under the real name.
fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> anyhow::Result<()> {
    let mut temp_name = path.file_name().unwrap_or_default().to_os_string();
    temp_name.push(".partial");
    let temp = path.with_file_name(temp_name);
    let file = File::create(&temp).with_context(|| format!("cannot create {}", path.display()))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let written =
        write(&mut out).and_then(|()| out.into_inner().map_err(|e| e.into_error())?.sync_all());
    if let Err(err) = written {
        let _ = fs::remove_file(&temp);
        return Err(err).with_context(|| format!("cannot write {}", path.display()));
    }
    fs::rename(&temp, path)
        .with_context(|| format!("cannot move the finished file to {}", path.display()))
}

fn summary(ums: &Ums, bytes: u64, seconds: f64) {
    let mut lines = String::new();
    for table in TableId::ALL {
        lines += &format!("  {:<28} {:>12}\n", ums.table(table).name, ums.count(table));
    }
    let rows = ums.total_rows();
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
