//! `campus etl`: the student-records pipeline over files, and `campus etl sample`.

use std::fs::{self, File};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use campus_etl::attack::{AttackOptions, DictionaryAttack};
use campus_etl::export::{Export, ExportOptions, staging_ddl};
use campus_etl::sample::{SampleOptions, generate};
use campus_etl::{Etl, EtlOptions, FileKind, FindingKind, HashMode, analyze, report};
use campus_schema::Date;
use clap::{Args, Subcommand};

/// Read the four AKTU-style exports, pseudonymise, join, check quality, correlate attendance
/// with marks, and write transformed CSVs, MySQL staging SQL and a Markdown report.
///
/// Students come first (every other file joins to them); several attendance, exam or
/// placement files may be given. Files stream in 1 MiB chunks, so size is no limit.
///
/// Examples:
///   campus etl sample --out data/ --dirty
///   campus etl --students data/students_master.csv --attendance data/attendance_2024_odd.csv \
///     --exams data/exam_results_2024_odd.csv --placements data/placements_2024.csv --out out/
///   CAMPUS_SECRET=... campus etl ... --secret-env CAMPUS_SECRET --deidentify --out out/
#[derive(Args, Debug)]
#[command(verbatim_doc_comment, args_conflicts_with_subcommands = true)]
pub struct EtlArgs {
    #[command(subcommand)]
    command: Option<EtlCommand>,
    /// The students master file (roll_no, dob, college_code, program_code, …).
    #[arg(long)]
    students: Option<PathBuf>,
    /// Attendance files (college_code, roll_no, dob, course_code, date, status).
    #[arg(long, num_args = 1..)]
    attendance: Vec<PathBuf>,
    /// Exam result files (college_code, roll_no, dob, course_code, internal, external, total).
    #[arg(long, num_args = 1..)]
    exams: Vec<PathBuf>,
    /// Placement files (college_code, roll_no, dob, and placement columns such as placed).
    #[arg(long, num_args = 1..)]
    placements: Vec<PathBuf>,
    /// Output folder for the transformed CSVs, staging.sql and report.md.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Key the hash with HMAC-SHA-256, reading the secret from this environment variable
    /// (never from the command line, where other users could see it; never written anywhere).
    #[arg(long, value_name = "VAR")]
    secret_env: Option<String>,
    /// Drop roll_no and dob from every output after hashing.
    #[arg(long)]
    deidentify: bool,
    /// Field delimiter for every file (default: sniffed per file among `,` `;` tab).
    #[arg(long)]
    delimiter: Option<char>,
    /// Semester as FIRST:LAST (ISO dates); attendance outside it is reported.
    #[arg(long, value_name = "FIRST:LAST")]
    semester: Option<String>,
    /// Start staging.sql with `CREATE DATABASE IF NOT EXISTS` and `USE` for this database.
    #[arg(long, value_name = "NAME")]
    database: Option<String>,
    /// Also run the dictionary attack on the unkeyed hashes and report what it recovers.
    #[arg(long)]
    attack: bool,
}

#[derive(Subcommand, Debug)]
enum EtlCommand {
    /// Write a realistic, seeded sample of the four files.
    Sample(SampleArgs),
}

#[derive(Args, Debug)]
struct SampleArgs {
    /// Output folder.
    #[arg(long)]
    out: PathBuf,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Plant typical dirt: duplicates, orphans, blank totals, a bad status, a BOM, CRLF.
    #[arg(long)]
    dirty: bool,
    #[arg(long, default_value_t = 3)]
    colleges: u32,
    /// Students per college and programme (4 programmes).
    #[arg(long, default_value_t = 25)]
    students_per_program: u32,
    /// Class sessions per course (5 courses per student).
    #[arg(long, default_value_t = 30)]
    sessions: u32,
}

const CHUNK: usize = 1 << 20;

pub fn run(args: &EtlArgs) -> anyhow::Result<()> {
    match &args.command {
        Some(EtlCommand::Sample(sample)) => run_sample(sample),
        None => run_pipeline(args),
    }
}

fn run_sample(args: &SampleArgs) -> anyhow::Result<()> {
    let options = SampleOptions {
        seed: args.seed,
        n_colleges: args.colleges,
        students_per_program: args.students_per_program,
        sessions_per_course: args.sessions,
        dirty: args.dirty,
    };
    fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    for (name, bytes) in generate(&options).files() {
        let path = args.out.join(name);
        fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("wrote {} ({} bytes)", path.display(), bytes.len());
    }
    Ok(())
}

/// Streams a file through `feed` in 1 MiB chunks.
fn stream(path: &Path, mut feed: impl FnMut(&[u8]) -> anyhow::Result<()>) -> anyhow::Result<()> {
    let mut file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = file
            .read(&mut buf)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let Some(chunk) = buf.get(..n) else { break };
        if chunk.is_empty() {
            break;
        }
        feed(chunk)?;
    }
    Ok(())
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

fn options(args: &EtlArgs) -> anyhow::Result<EtlOptions> {
    let hash = match &args.secret_env {
        None => HashMode::Sha256,
        Some(var) => {
            let secret = std::env::var(var)
                .with_context(|| format!("environment variable {var} is not set"))?;
            if secret.is_empty() {
                bail!("environment variable {var} is empty: a keyed hash needs a secret");
            }
            HashMode::Keyed {
                secret: secret.into_bytes(),
            }
        }
    };
    let semester = match &args.semester {
        None => None,
        Some(text) => {
            let parsed = text
                .split_once(':')
                .and_then(|(a, b)| Some((Date::parse_iso(a)?, Date::parse_iso(b)?)));
            let Some(range) = parsed else {
                bail!("--semester wants FIRST:LAST as ISO dates, e.g. 2024-08-01:2024-12-15")
            };
            Some(range)
        }
    };
    let delimiter = match args.delimiter {
        None => None,
        Some(c) if c.is_ascii() => Some(c as u8),
        Some(c) => bail!("--delimiter must be one ASCII character, not {c:?}"),
    };
    Ok(EtlOptions {
        hash,
        deidentify: args.deidentify,
        semester,
        delimiter,
        ..EtlOptions::default()
    })
}

fn run_pipeline(args: &EtlArgs) -> anyhow::Result<()> {
    let (Some(students), Some(out)) = (&args.students, &args.out) else {
        bail!(
            "give --students FILE and --out DIR (and usually --attendance, --exams, --placements); or use `campus etl sample`"
        );
    };
    let started = Instant::now();
    let mut etl = Etl::new(options(args)?);
    let mut inputs: Vec<(FileKind, &PathBuf)> = vec![(FileKind::Students, students)];
    inputs.extend(args.attendance.iter().map(|p| (FileKind::Attendance, p)));
    inputs.extend(args.exams.iter().map(|p| (FileKind::Exams, p)));
    inputs.extend(args.placements.iter().map(|p| (FileKind::Placements, p)));

    // Pass 1: read, hash, join, check.
    let mut n_bytes = 0u64;
    for (kind, path) in &inputs {
        etl.begin_file(*kind, &file_name(path))?;
        stream(path, |chunk| Ok(etl.feed(chunk)?))?;
        let report = etl.end_file()?;
        n_bytes += report.n_bytes;
        eprintln!(
            "{:<12} {}: {} rows, {} errors, {} orphans",
            kind.label(),
            path.display(),
            report.n_rows,
            report.n_errors,
            report.findings.count(FindingKind::Orphans)
        );
        for error in &report.errors {
            eprintln!("  {error}");
        }
        if report.unusable && *kind == FileKind::Students {
            bail!("the students file could not be used, so nothing can be joined");
        }
    }
    let read_seconds = started.elapsed().as_secs_f64();
    let analysis = analyze(&etl);

    // Pass 2: transformed CSVs and staging SQL, streamed straight to disk.
    fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let sql_path = out.join("staging.sql");
    let mut sql = BufWriter::new(
        File::create(&sql_path).with_context(|| format!("cannot create {}", sql_path.display()))?,
    );
    if let Some(database) = &args.database {
        let mut header = b"CREATE DATABASE IF NOT EXISTS ".to_vec();
        campus_sql::escape::push_ident(&mut header, database);
        header.extend_from_slice(b" CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;\nUSE ");
        campus_sql::escape::push_ident(&mut header, database);
        header.extend_from_slice(b";\n");
        sql.write_all(&header)?;
    }
    sql.write_all(&staging_ddl(&etl))?;
    let mut csv_files: Vec<(FileKind, BufWriter<File>)> = Vec::new();
    for (kind, path) in &inputs {
        if etl
            .state()
            .reports
            .iter()
            .any(|r| r.kind == *kind && r.unusable && r.file_name == file_name(path))
        {
            continue;
        }
        let first_of_kind = !csv_files.iter().any(|(k, _)| k == kind);
        if first_of_kind {
            let csv_path = out.join(format!("{}.csv", kind.staging_table()));
            let file = File::create(&csv_path)
                .with_context(|| format!("cannot create {}", csv_path.display()))?;
            csv_files.push((*kind, BufWriter::new(file)));
        }
        let Some((_, csv)) = csv_files.iter_mut().find(|(k, _)| k == kind) else {
            continue;
        };
        let options = ExportOptions {
            csv_header: first_of_kind,
            ..ExportOptions::default()
        };
        let mut export = Export::begin(&etl, *kind, &file_name(path), options)?;
        stream(path, |chunk| {
            export.feed(&etl, chunk);
            csv.write_all(export.csv_buf())?;
            sql.write_all(export.sql_buf())?;
            export.csv_buf().clear();
            export.sql_buf().clear();
            Ok(())
        })?;
        export.finish(&etl);
        csv.write_all(export.csv_buf())?;
        sql.write_all(export.sql_buf())?;
    }
    for (_, mut csv) in csv_files {
        csv.flush()?;
    }
    sql.flush()?;
    let report_path = out.join("report.md");
    fs::write(&report_path, report::markdown(&etl, &analysis))
        .with_context(|| format!("cannot write {}", report_path.display()))?;

    println!("students: {}", etl.state().students().len());
    for kind in [FileKind::Attendance, FileKind::Exams, FileKind::Placements] {
        let reports = etl.state().reports.iter().filter(|r| r.kind == kind);
        let (rows, orphans) = reports.fold((0, 0), |(n, o), r| {
            (n + r.n_rows, o + r.findings.count(FindingKind::Orphans))
        });
        println!("{}: {rows} rows, {orphans} without a student", kind.label());
    }
    match analysis.pearson {
        Some(r) => println!(
            "pearson(attendance_pct, total_marks) = {r:?} over {} pairs",
            analysis.n_complete_pairs
        ),
        None => {
            println!("pearson(attendance_pct, total_marks) = n/a (fewer than two complete pairs)")
        }
    }
    if let Some(rho) = analysis.spearman {
        println!("spearman = {rho:?}");
    }
    println!(
        "read {:.1} MB in {read_seconds:.2} s ({:.1} MB/s); wrote {}",
        n_bytes as f64 / 1e6,
        n_bytes as f64 / 1e6 / read_seconds.max(1e-9),
        out.display()
    );
    if args.attack {
        let attack_started = Instant::now();
        let mut attack = DictionaryAttack::new(&etl, &AttackOptions::default());
        let progress = attack.run();
        let seconds = attack_started.elapsed().as_secs_f64();
        println!(
            "dictionary attack: recovered {} of {} hashes by trying {} candidates in {seconds:.2} s ({:.0} hashes/s)",
            progress.n_recovered,
            progress.n_targets,
            progress.n_tried,
            progress.rate(seconds).unwrap_or(0.0)
        );
    }
    Ok(())
}
