//! `campus etl`: the student-records pipeline over files, and `campus etl sample`.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use anyhow::{Context, bail};
use campus_etl::sample::SampleOptions;
use campus_etl::slices::{SliceOut, Slicing};
use campus_etl::{ColumnMap, FileKind, FileReport, FindingKind};
use campus_jobs::Bytes;
use campus_jobs::etl::{
    Ack, AnalysisView, Analyzed, AttackState, EtlService, Exported, FileDone, FileSlicing, Input,
    Next, Plan, Request, RunOptions, SampleFiles, SliceJob, ask_for, parse_semester, spread,
};
use campus_jobs::parallel::in_order;
use clap::{Args, Subcommand};

use crate::bad_rows::MaxBadRows;
use crate::etl_parquet::{self, StagingParquet};
use crate::output::{Inputs, StagedFile, check_folder, commit};
use crate::spool::Spool;

/// Read the four AKTU-style exports, pseudonymise, join, check quality, correlate attendance
/// with marks, and write transformed CSVs, MySQL staging SQL and a Markdown report.
///
/// Students come first (every other file joins to them); several attendance, exam or
/// placement files may be given. Files stream in 1 MiB chunks: memory grows with the students
/// and their (student, course) pairs, not with the rows.
///
/// Every file's account (rows read, kept, rejected by reason) is printed and written to
/// report.md; the run fails when rows were rejected, unless --max-bad-rows allows them.
/// The outputs are written to hidden temporary files in --out and moved into place together
/// when all are complete; a staging CSV this run does not write (no file of its kind) is
/// removed (and so is a staging Parquet file this run does not write), so the folder never
/// mixes two runs. An output may not be one of the inputs.
///
/// Examples:
///   campus etl sample --out data/ --dirty
///   campus etl --students data/students_master.csv --attendance data/attendance_2024_odd.csv \
///     --exams data/exam_results_2024_odd.csv --placements data/placements_2024.csv --out out/
///   CAMPUS_SECRET=... campus etl ... --secret-env CAMPUS_SECRET --deidentify --out out/
///   campus etl ... --out out/ --sqlite out/staging.sqlite
///   campus etl ... --out out/ --parquet
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
    /// Also write the staging tables into this SQLite database file (types as in staging.sql,
    /// a `student_hash` index per table), moved into place with the other outputs.
    #[arg(long, value_name = "FILE")]
    sqlite: Option<PathBuf>,
    /// Also write each staging table as Parquet next to its CSV (stg_students.parquet, …):
    /// the types of staging.sql (hashes and text as STRING, integers, exact decimals, booleans,
    /// dates), Snappy, row groups of 65,536 rows, moved into place with the other outputs.
    #[arg(long)]
    parquet: bool,
    /// Start staging.sql with `CREATE DATABASE IF NOT EXISTS` and `USE` for this database
    /// (PostgreSQL: `CREATE SCHEMA` and `SET search_path`; SQLite: ignored, the file is the
    /// database).
    #[arg(long, value_name = "NAME")]
    database: Option<String>,
    /// The SQL dialect of staging.sql: mysql (MySQL 8 / MariaDB, the default), postgres
    /// (PostgreSQL 12+, loaded with psql) or sqlite (the sqlite3 tool).
    #[arg(long, value_name = "DIALECT", default_value = "mysql", value_parser = parse_dialect)]
    dialect: campus_sql::Dialect,
    /// Also run the dictionary attack on the unkeyed hashes and report what it recovers.
    #[arg(long)]
    attack: bool,
    /// Threads (default: every core): with two or more, a large file's second pass runs as
    /// slices on all of them and two more threads write the outputs (the staging CSV and the
    /// SQL at once). The outputs are the same at every count.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
    /// Bytes per slice of a large file's second pass on the threads (tests make it small to
    /// cut many slices).
    #[arg(long, hide = true, default_value_t = spread::SLICE_BYTES, value_parser = clap::value_parser!(u64).range(1..))]
    slice_bytes: u64,
    /// Rejected rows (wrong field count, not UTF-8, lines not read after an unclosed quote)
    /// allowed before the run fails: a number, or a percentage of the rows read such as 0.5%.
    #[arg(long, value_name = "N|N%", default_value = "0")]
    max_bad_rows: MaxBadRows,
    /// A record longer than this many bytes stops its file (default 64 MiB): past it, a
    /// record is almost always an unclosed quote swallowing the rest of the file.
    #[arg(long, value_name = "BYTES")]
    max_record_bytes: Option<u64>,
    /// Column mapping for exports whose headers are not AKTU's: a file of `role = header`
    /// lines (roles: college_code, roll_no, dob, program_code, course_code, date, status,
    /// internal, external, total, placed, company; plus `present = VALUE` and
    /// `absent = VALUE` for the status). Roles it leaves out are guessed from the headers.
    #[arg(long, value_name = "FILE")]
    columns: Option<PathBuf>,
    /// One `role=header` (or `present=VALUE`, `absent=VALUE`) of the column mapping; may be
    /// repeated, and wins over the same role in --columns.
    #[arg(long, value_name = "ROLE=HEADER")]
    column: Vec<String>,
    /// Flagged lines the quality report lists per finding and file (default 5); a lesson's
    /// report, to be graded line by line against the answer key, wants them all (e.g. 20000).
    #[arg(long, value_name = "N")]
    flagged_lines: Option<u64>,
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
    let sample: SampleFiles = ask_for(&mut EtlService::default(), Request::Sample { options })?;
    for (name, bytes) in sample.files {
        let path = args.out.join(name);
        fs::write(&path, &bytes.0).with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("wrote {} ({} bytes)", path.display(), bytes.0.len());
    }
    Ok(())
}

/// Streams a file through `feed` in 1 MiB chunks (the last one shorter). Each chunk is read
/// into new, unfilled capacity: zeroing a megabyte first cost 3% of a run's instructions.
fn stream(path: &Path, mut feed: impl FnMut(Vec<u8>) -> anyhow::Result<()>) -> anyhow::Result<()> {
    let mut file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    loop {
        let mut buf = Vec::with_capacity(CHUNK);
        (&mut file)
            .take(CHUNK as u64)
            .read_to_end(&mut buf)
            .with_context(|| format!("cannot read {}", path.display()))?;
        if buf.is_empty() {
            break;
        }
        feed(buf)?;
    }
    Ok(())
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

fn options(args: &EtlArgs) -> anyhow::Result<RunOptions> {
    let keyed_secret = match &args.secret_env {
        None => None,
        Some(var) => {
            let secret = std::env::var(var)
                .with_context(|| format!("environment variable {var} is not set"))?;
            if secret.is_empty() {
                bail!("environment variable {var} is empty: a keyed hash needs a secret");
            }
            Some(secret)
        }
    };
    if let Some(text) = &args.semester
        && parse_semester(text).is_none()
    {
        bail!(
            "--semester wants FIRST:LAST as ISO dates, FIRST not after LAST, e.g. 2024-08-01:2024-12-15; found `{text}`"
        )
    }
    if let Some(name) = &args.database {
        check_database_name(name)?;
    }
    if args.max_record_bytes == Some(0) {
        bail!("--max-record-bytes must be at least 1");
    }
    let delimiter = match args.delimiter {
        None => None,
        Some(c) if c.is_ascii() => Some(c as u8),
        Some(c) => bail!("--delimiter must be one ASCII character, not {c:?}"),
    };
    Ok(RunOptions {
        keyed_secret,
        deidentify: args.deidentify,
        semester: args.semester.clone(),
        delimiter,
        max_record_bytes: args.max_record_bytes,
        columns: column_map(args)?,
        max_examples: args.flagged_lines,
    })
}

/// The column mapping of `--columns` and `--column`, one text read as a whole (later lines win).
fn column_map(args: &EtlArgs) -> anyhow::Result<ColumnMap> {
    let mut text = match &args.columns {
        None => String::new(),
        Some(path) => fs::read_to_string(path)
            .with_context(|| format!("cannot read the column mapping {}", path.display()))?,
    };
    for column in &args.column {
        text.push('\n');
        text.push_str(column);
    }
    ColumnMap::parse(&text).map_err(|err| anyhow::anyhow!("{err}"))
}

/// Names MariaDB accepts and the staging script can use unquoted in `USE`: 1 to 64 letters,
/// digits or underscores, not all digits, and not one of the server's own schemas.
fn check_database_name(name: &str) -> anyhow::Result<()> {
    let shape = (1..=64).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !name.bytes().all(|b| b.is_ascii_digit());
    if !shape {
        bail!(
            "--database: {name:?} must be 1 to 64 letters, digits or underscores, not only digits"
        );
    }
    let system = ["mysql", "information_schema", "performance_schema", "sys"];
    if system.iter().any(|s| s.eq_ignore_ascii_case(name)) {
        bail!("--database: {name:?} is one of the server's own schemas; choose another name");
    }
    Ok(())
}

/// The outputs of pass two, opened as the plan reaches them.
struct Outputs {
    sql: StagedFile,
    csv: Vec<(FileKind, StagedFile)>,
    /// Each staging CSV's bytes too, when a database file is wanted (`--sqlite`).
    kept: Option<Vec<(FileKind, Vec<u8>)>>,
    /// Each staging table as Parquet, when wanted (`--parquet`).
    parquet: Vec<StagingParquet>,
    /// The thread writing the staging CSVs and SQL, with two threads or more.
    spool: Option<Spool>,
}

/// Every name `campus etl` writes in its --out folder.
fn output_names() -> Vec<String> {
    let mut names: Vec<String> = FileKind::ALL
        .iter()
        .map(|kind| format!("{}.csv", kind.staging_table()))
        .collect();
    names.extend(
        FileKind::ALL
            .iter()
            .map(|&kind| etl_parquet::file_name(kind)),
    );
    names.extend(["staging.sql".to_owned(), "report.md".to_owned()]);
    names
}

/// What the run has produced for the summary.
#[derive(Default)]
struct Summary {
    reports: Vec<FileReport>,
    n_bytes: u64,
    read_seconds: f64,
    analysis: Option<(AnalysisView, String)>,
}

fn run_pipeline(args: &EtlArgs) -> anyhow::Result<()> {
    let (Some(students), Some(out)) = (&args.students, &args.out) else {
        bail!(
            "give --students FILE and --out DIR (and usually --attendance, --exams, --placements); or use `campus etl sample`"
        );
    };
    let started = Instant::now();
    let mut service = EtlService::default();
    let threads = args
        .threads
        .map_or_else(campus_jobs::parallel::default_threads, usize::from);
    // With two threads or more, all but one format batches of rows and two more write (the
    // kernel's copy into the page cache is most of a large output's cost, and the staging CSV
    // and the SQL are copied at once).
    let formatting = u16::try_from(threads.saturating_sub(1)).unwrap_or(u16::MAX);
    if let Some(spread) = crate::parallel::spread(Some(formatting)) {
        service.set_spread(spread);
    }
    // Pass one runs alone: it reads on every thread.
    if let Some(spread) = crate::parallel::spread(Some(u16::try_from(threads).unwrap_or(u16::MAX)))
    {
        service.set_read_spread(spread);
    }
    ask_for::<Ack>(
        &mut service,
        Request::Reset {
            options: options(args)?,
        },
    )?;
    let mut paths: Vec<(FileKind, &PathBuf)> = vec![(FileKind::Students, students)];
    paths.extend(args.attendance.iter().map(|p| (FileKind::Attendance, p)));
    paths.extend(args.exams.iter().map(|p| (FileKind::Exams, p)));
    paths.extend(args.placements.iter().map(|p| (FileKind::Placements, p)));
    // Every output is checked before any work: none may be an input, under any name.
    check_folder(out)?;
    let input_files = Inputs::new(paths.iter().map(|(_, p)| p.as_path()));
    for name in output_names() {
        input_files.check_output(&out.join(name))?;
    }
    if let Some(path) = &args.sqlite {
        crate::output::target(path)?;
        input_files.check_output(path)?;
    }
    let inputs = paths
        .iter()
        .map(|(kind, path)| Input {
            kind: *kind,
            name: file_name(path),
        })
        .collect();
    let mut plan = Plan::new(inputs)?;
    let path = |file: usize| paths.get(file).map(|(_, path)| path.as_path());
    let mut summary = Summary::default();
    let mut outputs: Option<Outputs> = None;
    // Where pass one found each large file may be cut, for a second pass on the threads.
    let mut slicings: HashMap<usize, Slicing> = HashMap::new();
    loop {
        match plan.next_step() {
            Next::Read { file, begin } => {
                let Some(path) = path(file) else { continue };
                let cut = (threads, args.slice_bytes);
                let (report, slicing) = read_file(&mut service, path, begin, cut)?;
                if let Some(slicing) = slicing {
                    slicings.insert(file, slicing);
                }
                summary.n_bytes += report.n_bytes;
                print_file_report(path, &report);
                let read = plan.read(file, &report);
                summary.reports.push(report);
                read?;
            }
            Next::Analyze => {
                summary.read_seconds = started.elapsed().as_secs_f64();
                let analyzed: Analyzed = ask_for(&mut service, Request::Analyze)?;
                summary.analysis = Some((analyzed.view, analyzed.markdown));
            }
            Next::Ddl => {
                fs::create_dir_all(out)
                    .with_context(|| format!("cannot create {}", out.display()))?;
                let mut sql = StagedFile::create(&out.join("staging.sql"), &input_files)?;
                let request = Request::StagingDdl {
                    database: args.database.clone(),
                    dialect: args.dialect,
                };
                let ddl: Bytes = ask_for(&mut service, request)?;
                sql.write(&ddl.0)?;
                outputs = Some(Outputs {
                    sql,
                    csv: Vec::new(),
                    kept: args.sqlite.as_ref().map(|_| Vec::new()),
                    parquet: Vec::new(),
                    spool: if threads >= 2 { Spool::start(2) } else { None },
                });
            }
            Next::Export(export) => {
                let (Some(path), Some(outputs)) = (path(export.file), outputs.as_mut()) else {
                    continue;
                };
                if export.new_csv {
                    let csv_path = out.join(format!("{}.csv", export.kind.staging_table()));
                    let file = StagedFile::create(&csv_path, &input_files)?;
                    outputs.csv.push((export.kind, file));
                    if let Some(kept) = outputs.kept.as_mut() {
                        kept.push((export.kind, Vec::new()));
                    }
                    if args.parquet {
                        let Some(layout) = campus_etl::export::layout(service.etl(), export.kind)
                        else {
                            bail!("no staging table for {}", export.kind.label());
                        };
                        let file =
                            StagingParquet::create(export.kind, layout.table, out, &input_files)?;
                        outputs.parquet.push(file);
                    }
                }
                let on = Sliced {
                    threads,
                    slicing: slicings.get(&export.file),
                };
                export_file(&mut service, path, export.begin, outputs, on)?;
            }
            Next::Done => break,
        }
    }
    let Some((view, markdown)) = &summary.analysis else {
        bail!("the run ended before its analysis");
    };
    fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut report = StagedFile::create(&out.join("report.md"), &input_files)?;
    report.write(markdown.as_bytes())?;
    let mut files = vec![report];
    let mut written = Vec::new();
    let mut written_parquet = Vec::new();
    if let Some(mut outputs) = outputs {
        // Every queued byte is in its file before any file is completed.
        if let Some(spool) = outputs.spool.take() {
            spool.finish()?;
        }
        if let (Some(path), Some(kept)) = (&args.sqlite, outputs.kept) {
            let tables = kept
                .into_iter()
                .map(|(kind, bytes)| campus_db::CsvTable::inferred(kind.staging_table(), bytes))
                .collect();
            let (file, rows) = crate::sqlite::stage_tables(tables, path, &input_files)?;
            eprintln!("{rows} staging rows into {}", path.display());
            files.push(file);
        }
        for (kind, csv) in outputs.csv {
            written.push(kind);
            files.push(csv);
        }
        for parquet in outputs.parquet {
            let kind = parquet.kind;
            let (file, rows) = parquet.finish()?;
            eprintln!(
                "{rows} rows into {}",
                out.join(etl_parquet::file_name(kind)).display()
            );
            written_parquet.push(kind);
            files.push(file);
        }
        files.push(outputs.sql);
    }
    let stale_csv = FileKind::ALL
        .iter()
        .filter(|kind| !written.contains(kind))
        .map(|kind| out.join(format!("{}.csv", kind.staging_table())));
    let stale_parquet = FileKind::ALL
        .iter()
        .filter(|kind| !written_parquet.contains(kind))
        .map(|&kind| out.join(etl_parquet::file_name(kind)));
    let stale: Vec<PathBuf> = stale_csv.chain(stale_parquet).collect();
    commit(files, &stale)?;
    print_summary(&summary, view, out);
    if args.attack {
        attack(&mut service)?;
    }
    check_rejected(&summary.reports, args.max_bad_rows)
}

/// Fails when the files lost more rows than `--max-bad-rows` allows.
fn check_rejected(reports: &[FileReport], max: MaxBadRows) -> anyhow::Result<()> {
    match campus_jobs::bad_rows::verdict(reports, max) {
        Ok(_) => Ok(()),
        Err(failed) => bail!(
            "{failed}; the outputs and report.md were written, but the run counts as failed: fix the files, or allow the loss with --max-bad-rows N or N%"
        ),
    }
}

/// Pass one over a file: begin, chunks, end; returns its report, and where it may be cut when
/// it makes at least two slices of `every` bytes to export on several of `threads`.
fn read_file(
    service: &mut EtlService,
    path: &Path,
    begin: Request,
    (threads, every): (usize, u64),
) -> anyhow::Result<(FileReport, Option<Slicing>)> {
    ask_for::<Ack>(service, begin)?;
    let size = fs::metadata(path).map_or(0, |meta| meta.len());
    let cut = spread::worth_cutting_every(size as f64, threads, every);
    if cut {
        ask_for::<Ack>(service, Request::CutFile { every })?;
    }
    stream(path, |chunk| {
        ask_for::<Ack>(
            service,
            Request::Chunk {
                bytes: Bytes(chunk),
            },
        )?;
        Ok(())
    })?;
    let done: FileDone = ask_for(service, Request::EndFile)?;
    let slicing = match cut {
        true => ask_for::<FileSlicing>(service, Request::Cuts)?.slicing,
        false => None,
    };
    Ok((done.report, slicing))
}

/// How pass two may run on threads: their number, and where pass one found the file may be cut.
struct Sliced<'a> {
    threads: usize,
    slicing: Option<&'a Slicing>,
}

/// Pass two over a file: its transformed rows to the CSV of its kind, its INSERTs to the SQL.
/// A file pass one cut is exported a slice per task on the threads, the slices appended in
/// order ([`campus_jobs::etl::spread`]); any other in chunks.
fn export_file(
    service: &mut EtlService,
    path: &Path,
    begin: Request,
    outputs: &mut Outputs,
    on: Sliced<'_>,
) -> anyhow::Result<()> {
    let Request::ExportBegin {
        kind,
        name,
        csv_header,
    } = begin
    else {
        bail!("pass two began with another request than ExportBegin");
    };
    let Some((_, csv)) = outputs.csv.iter_mut().find(|(k, _)| *k == kind) else {
        bail!("no staging CSV is open for {}", kind.label());
    };
    let sql = &mut outputs.sql;
    let mut kept = outputs
        .kept
        .as_mut()
        .and_then(|kept| kept.iter_mut().find(|(k, _)| *k == kind));
    let mut parquet = outputs.parquet.iter_mut().find(|p| p.kind == kind);
    // With a spool, the bytes go to a second handle on each file, written on its thread.
    let spool = match outputs.spool.as_ref() {
        Some(spool) => Some((
            spool,
            csv.spool_file()?.on_lane(0),
            sql.spool_file()?.on_lane(1),
        )),
        None => None,
    };
    // Writes one answer's bytes; gives back the buffers to fill again.
    let mut write = |out: Exported| -> anyhow::Result<Vec<Vec<u8>>> {
        if let Some(parquet) = parquet.as_mut() {
            parquet.feed(&out.csv.0);
        }
        if let Some((_, bytes)) = kept.as_mut() {
            bytes.extend_from_slice(&out.csv.0);
        }
        match &spool {
            Some((spool, csv_file, sql_file)) => {
                spool.write(csv_file, out.csv.0)?;
                spool.write(sql_file, out.sql.0)?;
                Ok(std::iter::from_fn(|| spool.spare()).collect())
            }
            None => {
                csv.write(&out.csv.0)?;
                sql.write(&out.sql.0)?;
                Ok(vec![out.csv.0, out.sql.0])
            }
        }
    };
    let size = fs::metadata(path).map_or(0, |meta| meta.len());
    let slices = (on.threads > 1)
        .then_some(on.slicing)
        .flatten()
        .and_then(|slicing| Some((slicing, spread::slices(slicing, size)?)));
    if let Some((slicing, slices)) = slices {
        // Slices read, kept to read the next ones into.
        let inputs: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());
        // Each slice opens the file on its own, so threads read at once.
        let read = |begin: u64, end: u64| -> anyhow::Result<Vec<u8>> {
            let len = usize::try_from(end.saturating_sub(begin))?;
            let reused = inputs.lock().unwrap_or_else(PoisonError::into_inner).pop();
            let mut bytes = reused.unwrap_or_default();
            bytes.resize(len, 0);
            File::open(path)
                .and_then(|mut file| {
                    file.seek(SeekFrom::Start(begin))?;
                    file.read_exact(&mut bytes)
                })
                .with_context(|| {
                    format!("cannot read {} again for its second pass", path.display())
                })?;
            Ok(bytes)
        };
        let header = read(0, slicing.header_end)?;
        let service = &*service;
        // Buffers the writer is done with, filled again by the next slices.
        let spare: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());
        let reuse = || {
            let mut spare = spare.lock().unwrap_or_else(PoisonError::into_inner);
            let csv = spare.pop().unwrap_or_default();
            let sql = spare.pop().unwrap_or_default();
            SliceOut { csv, sql }
        };
        return in_order(
            on.threads,
            slices.len(),
            |idx| -> anyhow::Result<Exported> {
                let Some(at) = slices.get(idx) else {
                    bail!("no slice {idx}");
                };
                let job = SliceJob {
                    kind,
                    name: name.clone(),
                    csv_header: csv_header && idx == 0,
                    header: Bytes(header.clone()),
                    bytes: Bytes(read(at.begin, at.end)?),
                    first_row: at.first_row,
                    last: at.last,
                };
                let exported = service.slice(&job, reuse());
                let mut inputs = inputs.lock().unwrap_or_else(PoisonError::into_inner);
                if inputs.len() < 2 * on.threads {
                    inputs.push(job.bytes.0);
                }
                Ok(exported?)
            },
            |_, out| {
                let bufs = write(out?)?;
                let mut spare = spare.lock().unwrap_or_else(PoisonError::into_inner);
                // Two buffers for each slice in flight at most.
                let room = (2 * on.threads * 3).saturating_sub(spare.len());
                spare.extend(bufs.into_iter().take(room));
                Ok(())
            },
        );
    }
    let begin = Request::ExportBegin {
        kind,
        name,
        csv_header,
    };
    ask_for::<Ack>(service, begin)?;
    stream(path, |chunk| {
        let request = Request::ExportChunk {
            bytes: Bytes(chunk),
        };
        let out = ask_for(service, request)?;
        write(out)?.into_iter().for_each(|buf| service.recycle(buf));
        Ok(())
    })?;
    let out = ask_for(service, Request::ExportEnd)?;
    write(out)?.into_iter().for_each(|buf| service.recycle(buf));
    Ok(())
}

fn print_file_report(path: &Path, report: &FileReport) {
    eprintln!(
        "{:<12} {}: {} rows, {} errors, {} orphans",
        report.kind.label(),
        path.display(),
        report.n_rows,
        report.n_errors,
        report.findings.count(FindingKind::Orphans)
    );
    for error in &report.errors {
        eprintln!("  {error}");
    }
}

fn print_summary(summary: &Summary, view: &AnalysisView, out: &Path) {
    for report in &summary.reports {
        println!("{}: {}", report.file_name, report.account());
    }
    println!("students: {}", view.n_students);
    for kind in [FileKind::Attendance, FileKind::Exams, FileKind::Placements] {
        let reports = summary.reports.iter().filter(|r| r.kind == kind);
        let (rows, orphans) = reports.fold((0, 0), |(n, o), r| {
            (n + r.n_rows, o + r.findings.count(FindingKind::Orphans))
        });
        println!("{}: {rows} rows, {orphans} without a student", kind.label());
    }
    match view.pearson {
        Some(r) => println!(
            "pearson(attendance_pct, total_marks) = {r:?} over {} pairs",
            view.n_complete_pairs
        ),
        None if view.n_complete_pairs < 2 => {
            println!("pearson(attendance_pct, total_marks) = n/a (fewer than two complete pairs)")
        }
        // Pearson is undefined when either side does not vary.
        None => println!(
            "pearson(attendance_pct, total_marks) = n/a over {} pairs (attendance or total marks is the same for every pair)",
            view.n_complete_pairs
        ),
    }
    if let Some(rho) = view.spearman {
        println!("spearman = {rho:?}");
    }
    let (n_bytes, read_seconds) = (summary.n_bytes, summary.read_seconds);
    println!(
        "read {:.1} MB in {read_seconds:.2} s ({:.1} MB/s); wrote {}",
        n_bytes as f64 / 1e6,
        n_bytes as f64 / 1e6 / read_seconds.max(1e-9),
        out.display()
    );
}

/// Candidates per attack step: a terminal has nothing to draw between steps.
const ATTACK_STEP: u64 = 1 << 16;

fn attack(service: &mut EtlService) -> anyhow::Result<()> {
    let attack_started = Instant::now();
    let begun: AttackState = ask_for(service, Request::AttackBegin)?;
    let mut progress = begun.progress;
    while !progress.done() {
        let request = Request::AttackStep {
            candidates: ATTACK_STEP,
        };
        let next = ask_for::<AttackState>(service, request)?.progress;
        let stalled = next.n_tried == progress.n_tried;
        progress = next;
        if stalled {
            break;
        }
    }
    let seconds = attack_started.elapsed().as_secs_f64();
    println!(
        "dictionary attack: recovered {} of {} hashes by trying {} candidates in {seconds:.2} s ({:.0} hashes/s)",
        progress.n_recovered,
        progress.n_targets,
        progress.n_tried,
        progress.rate(seconds).unwrap_or(0.0)
    );
    Ok(())
}

fn parse_dialect(text: &str) -> Result<campus_sql::Dialect, String> {
    campus_sql::Dialect::parse(text).map_err(|e| e.to_string())
}
