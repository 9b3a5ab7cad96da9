//! `campus occupancy`: generate class sessions, train the three occupancy models, predict.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use campus_jobs::drive;
use campus_jobs::occupancy::predict_stream::{PREDICT_CHUNK, PredictStream};
use campus_jobs::occupancy::{Event, OccupancyService, Request, Timings};
use campus_occupancy::features::FAR_FROM_TRAINING;
use campus_occupancy::forest::{FeaturesPerSplit, ForestConfig};
use campus_occupancy::generate::format_date;
use campus_occupancy::metrics::RegressionMetrics;
use campus_occupancy::progress::Stage;
use campus_occupancy::svm::{ClassWeight, Gamma, KernelConfig, SvmConfig};
use campus_occupancy::train::FoldMetrics;
use campus_occupancy::{GenerateConfig, ModelBundle, Session, TrainConfig, write_csv};
use campus_sql::Dialect;
use clap::{Args, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

use crate::bad_rows::MaxBadRows;
use crate::output::{Inputs, StagedFile, Target, commit, target, write_whole};

/// Classroom occupancy: attendance forecasts and overcrowding alerts.
///
/// Examples:
///   campus occupancy generate --seed 42 --sessions 5000 --out sessions.csv
///   campus occupancy generate --seed 42 --format sqlite --out sessions.sqlite
///   campus occupancy train --data sessions.csv --out model.bin
///   campus occupancy predict --model model.bin --data new_sessions.csv --out predictions.csv
#[derive(Subcommand, Debug)]
#[command(verbatim_doc_comment)]
pub enum OccupancyCommand {
    Generate(GenerateArgs),
    Train(TrainArgs),
    Predict(PredictArgs),
}

/// Generate seeded class sessions in the shared CSV layout (the same bytes as the web page).
#[derive(Args, Debug)]
pub struct GenerateArgs {
    #[arg(long, default_value_t = 42)]
    seed: u64,
    #[arg(long, default_value_t = 5_000)]
    sessions: usize,
    /// The CSV file (or SQLite database), or `-` for standard output.
    #[arg(long, short)]
    out: PathBuf,
    /// `csv`; `sqlite`: one database file with the table `occupancy_sessions`; or `sql`: a
    /// script that creates and fills that table, in the dialect of --dialect.
    #[arg(long, value_enum, default_value_t = SessionsFormat::Csv)]
    format: SessionsFormat,
    /// The SQL dialect of --format sql: mysql (MySQL 8 / MariaDB), postgres or sqlite.
    #[arg(long, value_name = "DIALECT", default_value = "mysql", value_parser = parse_dialect)]
    dialect: Dialect,
    /// The database (PostgreSQL: schema) the SQL script creates and uses.
    #[arg(long, value_name = "NAME", default_value = campus_jobs::occupancy::sql::DEFAULT_DATABASE)]
    database: String,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum SessionsFormat {
    Csv,
    Sqlite,
    Sql,
}

fn parse_dialect(text: &str) -> Result<Dialect, String> {
    Dialect::parse(text).map_err(|e| e.to_string())
}

/// A drop-and-recreate script of the sessions (and the version trained on them) in `dialect`,
/// into `database`, titled with the name of the file it goes to: the page's bytes for the same
/// name ([`campus_jobs::occupancy::sql`]).
fn sql_script(
    sessions: &[Session],
    bundle: Option<&ModelBundle>,
    dialect: Dialect,
    database: &str,
    title: &Path,
) -> anyhow::Result<Vec<u8>> {
    let title = title.file_name().map_or_else(
        || campus_jobs::occupancy::sql::SQL_FILE.to_owned(),
        |name| name.to_string_lossy().into_owned(),
    );
    Ok(campus_jobs::occupancy::sql::script(
        sessions, bundle, dialect, database, &title,
    )?)
}

/// Train linear regression, a random forest and an SVM classifier; print every metric on the
/// held-back split and save the version to a model file.
#[derive(Args, Debug)]
pub struct TrainArgs {
    /// Sessions in the shared CSV layout.
    #[arg(long)]
    data: PathBuf,
    /// The model file to write.
    #[arg(long, short)]
    out: PathBuf,
    /// Train on the rows that parse and list the others, however many, instead of stopping.
    #[arg(long)]
    skip_bad_rows: bool,
    /// Bad rows allowed before stopping: a number, or a percentage of the rows read (0.5%).
    #[arg(long, value_name = "N|N%", default_value = "0")]
    max_bad_rows: MaxBadRows,
    /// Share of rows held back for evaluation.
    #[arg(long, default_value_t = 0.2)]
    test_fraction: f64,
    /// Seed of the train/test split and of the forest.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    #[arg(long, default_value_t = 100)]
    trees: usize,
    /// Maximum tree depth; 0 for unbounded (large model files).
    #[arg(long, default_value_t = 14)]
    max_depth: u16,
    #[arg(long, default_value_t = 3)]
    min_samples_leaf: usize,
    /// Features tried per split: all, sqrt, third, or a number.
    #[arg(long, default_value = "third")]
    features_per_split: String,
    #[arg(long, value_enum, default_value_t = KernelArg::Rbf)]
    kernel: KernelArg,
    /// SVM regularisation.
    #[arg(long, default_value_t = 1.0)]
    c: f64,
    /// RBF width: `scale` (1 / (features · variance), as scikit-learn) or a number.
    #[arg(long, default_value = "scale")]
    gamma: String,
    #[arg(long, value_enum, default_value_t = ClassWeightArg::Balanced)]
    class_weight: ClassWeightArg,
    /// Also run k-fold cross-validation with this many folds and print its mean metrics.
    #[arg(long)]
    cv: Option<usize>,
    /// Also write an SQL script holding the sessions (`occupancy_sessions`), this model version
    /// with its metrics (`occupancy_model_versions`) and its predictions for the held-back
    /// sessions (`occupancy_predictions`).
    #[arg(long, value_name = "FILE")]
    sql: Option<PathBuf>,
    /// The dialect of --sql: mysql (MySQL 8 / MariaDB), postgres or sqlite.
    #[arg(long, value_name = "DIALECT", default_value = "mysql", value_parser = parse_dialect)]
    dialect: Dialect,
    /// The database (PostgreSQL: schema) the --sql script creates and uses.
    #[arg(long, value_name = "NAME", default_value = campus_jobs::occupancy::sql::DEFAULT_DATABASE)]
    database: String,
    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
    /// Threads that fit the forest's trees (default: every core); the model is the same at
    /// every count.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum KernelArg {
    Rbf,
    Linear,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum ClassWeightArg {
    Balanced,
    None,
}

/// Predict attendance (both regressors) and the overcrowding verdict for sessions in a CSV.
#[derive(Args, Debug)]
pub struct PredictArgs {
    #[arg(long)]
    model: PathBuf,
    /// Sessions in the shared layout; `actual_attendance` may be missing or empty.
    #[arg(long)]
    data: PathBuf,
    /// Where to write the predictions CSV; standard output when absent.
    #[arg(long, short)]
    out: Option<PathBuf>,
    /// Bad rows allowed (skipped) before the run fails: a number, or a percentage of the rows
    /// read (0.5%).
    #[arg(long, value_name = "N|N%", default_value = "0")]
    max_bad_rows: MaxBadRows,
}

pub fn run(cmd: &OccupancyCommand) -> anyhow::Result<()> {
    match cmd {
        OccupancyCommand::Generate(args) => run_generate(args),
        OccupancyCommand::Train(args) => run_train(args),
        OccupancyCommand::Predict(args) => run_predict(args),
    }
}

/// Checks, before any work, that `out` can be written and is none of `inputs`.
fn check_output(out: &Path, inputs: &Inputs) -> anyhow::Result<()> {
    if target(out)? != Target::Stdout {
        inputs.check_output(out)?;
    }
    Ok(())
}

fn run_generate(args: &GenerateArgs) -> anyhow::Result<()> {
    let start = Instant::now();
    let (sessions, _) = load_sessions(Request::Generate {
        config: GenerateConfig {
            seed: args.seed,
            n_sessions: args.sessions,
            ..GenerateConfig::default()
        },
    })?;
    let bytes = match args.format {
        SessionsFormat::Csv => write_csv(&sessions).into_bytes(),
        SessionsFormat::Sqlite => {
            let table = campus_jobs::db::sessions_table(&sessions);
            crate::sqlite::tables_database(vec![table])?.0
        }
        SessionsFormat::Sql => {
            sql_script(&sessions, None, args.dialect, &args.database, &args.out)?
        }
    };
    write_whole(&args.out, &bytes, &Inputs::default())?;
    let overcrowded = sessions.iter().filter(|s| s.overcrowded()).count();
    eprintln!(
        "{} sessions ({} overcrowded, {:.1}%) in {:.2} s",
        sessions.len(),
        overcrowded,
        100.0 * overcrowded as f64 / sessions.len().max(1) as f64,
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

/// A service whose clock is the process's.
fn service() -> OccupancyService {
    let start = Instant::now();
    OccupancyService::with_clock(Box::new(move || start.elapsed().as_secs_f64() * 1000.0))
}

/// Runs one request and gives its last event.
fn answer(request: Request, on_event: impl FnMut(&Event)) -> anyhow::Result<Event> {
    answer_on(&mut service(), request, on_event)
}

/// Runs one request on `service` and gives its last event.
fn answer_on(
    service: &mut OccupancyService,
    request: Request,
    mut on_event: impl FnMut(&Event),
) -> anyhow::Result<Event> {
    let mut last = None;
    drive(service, request, |event| {
        on_event(&event);
        last = Some(event);
        true
    })?;
    last.context("the occupancy job gave no answer")
}

/// The sessions a generate or import request gives, and the import's problems.
fn load_sessions(request: Request) -> anyhow::Result<(Vec<Session>, BadRows)> {
    match answer(request, |_| {})? {
        Event::Sessions {
            sessions,
            errors,
            n_bad_rows,
        } => Ok((sessions, BadRows { errors, n_bad_rows })),
        other => bail!("unexpected answer from the occupancy job: {other:?}"),
    }
}

/// The located errors an import kept, and how many bad rows there were.
struct BadRows {
    errors: Vec<String>,
    n_bad_rows: usize,
}

/// Prints the kept errors of an import; says how many more there were.
fn report_errors(bad: &BadRows) {
    for error in bad.errors.iter().take(20) {
        eprintln!("  {error}");
    }
    if bad.n_bad_rows > 20 {
        eprintln!("  … {} bad rows in all", bad.n_bad_rows);
    }
}

fn train_config(args: &TrainArgs) -> anyhow::Result<TrainConfig> {
    let features_per_split = match args.features_per_split.as_str() {
        "all" => FeaturesPerSplit::All,
        "sqrt" => FeaturesPerSplit::Sqrt,
        "third" => FeaturesPerSplit::Third,
        n => FeaturesPerSplit::Count(n.parse().with_context(|| {
            format!("--features-per-split: expected all, sqrt, third or a number, found `{n}`")
        })?),
    };
    let gamma = match args.gamma.as_str() {
        "scale" => Gamma::Scale,
        g => Gamma::Value(
            g.parse()
                .with_context(|| format!("--gamma: expected `scale` or a number, found `{g}`"))?,
        ),
    };
    Ok(TrainConfig {
        test_fraction: args.test_fraction,
        split_seed: args.seed,
        forest: ForestConfig {
            n_trees: args.trees,
            max_depth: (args.max_depth > 0).then_some(args.max_depth),
            min_samples_leaf: args.min_samples_leaf,
            features_per_split,
            seed: args.seed,
            ..ForestConfig::default()
        },
        svm: SvmConfig {
            kernel: match args.kernel {
                KernelArg::Rbf => KernelConfig::Rbf { gamma },
                KernelArg::Linear => KernelConfig::Linear,
            },
            c: args.c,
            class_weight: match args.class_weight {
                ClassWeightArg::Balanced => ClassWeight::Balanced,
                ClassWeightArg::None => ClassWeight::Uniform,
            },
            ..SvmConfig::default()
        },
        ..TrainConfig::default()
    })
}

/// `YYYY-MM-DDTHH:MM:SSZ` now; the core takes the time as a value.
fn now_utc() -> String {
    // SOURCE_DATE_EPOCH, as reproducible builds spell it, pins the time a model records, so two
    // runs can be compared byte for byte.
    let pinned = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok());
    let seconds = pinned.unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()) as i64
    });
    let (days, rest) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        format_date(days),
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

fn stage_name(stage: Stage) -> &'static str {
    match stage {
        Stage::Encoding => "encoding features",
        Stage::Linear => "linear regression",
        Stage::Forest => "random forest",
        Stage::Svm => "SVM",
        Stage::Evaluating => "evaluating",
    }
}

/// The time of every stage before the evaluation, as the summary prints it.
fn stage_times(timings: &Timings) -> String {
    [Stage::Encoding, Stage::Linear, Stage::Forest, Stage::Svm]
        .iter()
        .map(|s| format!("{} {:.2} s", stage_name(*s), timings.of(*s) / 1000.0))
        .collect::<Vec<_>>()
        .join(", ")
}

fn regression_line(name: &str, m: &RegressionMetrics) -> String {
    format!(
        "{name:<16} MAE {:>8.3}   RMSE {:>8.3}   R² {:>7.4}",
        m.mae, m.rmse, m.r2
    )
}

fn run_train(args: &TrainArgs) -> anyhow::Result<()> {
    let config = train_config(args)?;
    let inputs = Inputs::new([args.data.as_path()]);
    check_output(&args.out, &inputs)?;
    let bytes =
        fs::read(&args.data).with_context(|| format!("cannot read {}", args.data.display()))?;
    let (sessions, bad) = load_sessions(Request::Import {
        file_name: args.data.display().to_string(),
        bytes,
    })?;
    if bad.n_bad_rows > 0 {
        eprintln!(
            "{} row(s) of {} could not be read:",
            bad.n_bad_rows,
            args.data.display()
        );
        report_errors(&bad);
        let n_read = (sessions.len() + bad.n_bad_rows) as u64;
        let allowed = args.skip_bad_rows || args.max_bad_rows.allows(bad.n_bad_rows as u64, n_read);
        if !allowed || sessions.is_empty() {
            bail!(
                "{} has {} bad row(s) of {n_read}; fix them, or pass --max-bad-rows N (or N%) or --skip-bad-rows",
                args.data.display(),
                bad.n_bad_rows
            );
        }
    }
    let bar = if args.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(1000)
    };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {percent:>3}% {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let request = Request::Train {
        sessions: sessions.clone(),
        config: config.clone(),
        created_at: now_utc(),
    };
    let mut trainer = service();
    if let Some(spread) = crate::parallel::spread(args.threads) {
        trainer.set_spread(spread);
    }
    let trained = answer_on(&mut trainer, request, |event| {
        if let Event::Progress(p) = event {
            bar.set_position((p.overall * 1000.0) as u64);
            bar.set_message(stage_name(p.stage));
        }
    })?;
    bar.finish_and_clear();
    let Event::Trained {
        bundle: bytes,
        timings,
    } = trained
    else {
        bail!("unexpected answer from the occupancy job: {trained:?}");
    };
    let bundle = ModelBundle::from_bytes(&bytes).context("the trained model does not load")?;
    write_whole(&args.out, &bytes, &inputs)?;
    if let Some(path) = &args.sql {
        let script = sql_script(&sessions, Some(&bundle), args.dialect, &args.database, path)?;
        write_whole(path, &script, &inputs)?;
    }

    let e = &bundle.evaluation;
    println!(
        "Trained on {} sessions, evaluated on {} held back (split seed {}).",
        e.n_train, e.n_test, config.split_seed
    );
    for capped in campus_occupancy::features::capped_columns(sessions.iter().map(|s| &s.input)) {
        println!("Warning: {capped}");
    }
    println!();
    println!("Attendance regressors (held-back split):");
    println!("  {}", regression_line("linear", &e.linear));
    println!("  {}", regression_line("random forest", &e.forest));
    println!();
    let svm = &bundle.models.svm.stats;
    println!(
        "Overcrowding classifier (SVM, {} support vectors, {} iterations{}):",
        svm.n_support,
        svm.n_iterations,
        if svm.converged {
            ""
        } else {
            ", stopped at the iteration limit"
        }
    );
    for line in e.svm.report().lines() {
        if line.is_empty() {
            println!()
        } else {
            println!("  {line}")
        }
    }
    println!();
    println!("Confusion matrix:");
    for line in e.svm.confusion_text().lines() {
        if line.is_empty() {
            println!()
        } else {
            println!("  {line}")
        }
    }
    println!();
    println!("Forest feature importance (top 10):");
    for f in e.feature_importance.iter().take(10) {
        println!("  {:<28} {:.4}", f.feature, f.importance);
    }
    if let Some(k) = args.cv {
        let request = Request::CrossValidate {
            sessions,
            config: config.clone(),
            folds: k,
        };
        let Event::CrossValidated { folds } = answer(request, |_| {})? else {
            bail!("unexpected answer from the occupancy job to cross-validation");
        };
        let n = folds.len().max(1) as f64;
        let mean = |f: &dyn Fn(&FoldMetrics) -> f64| folds.iter().map(f).sum::<f64>() / n;
        println!();
        println!("{k}-fold cross-validation (means):");
        println!(
            "  linear        R² {:.4}   MAE {:.3}",
            mean(&|f| f.linear.r2),
            mean(&|f| f.linear.mae)
        );
        println!(
            "  random forest R² {:.4}   MAE {:.3}",
            mean(&|f| f.forest.r2),
            mean(&|f| f.forest.mae)
        );
        println!(
            "  SVM           accuracy {:.4}   overcrowded recall {:.4}   F1 {:.4}",
            mean(&|f| f.svm.accuracy),
            mean(&|f| f.svm.per_class[1].recall),
            mean(&|f| f.svm.per_class[1].f1)
        );
    }
    println!();
    println!(
        "Training took {:.2} s ({}).",
        timings.total_ms / 1000.0,
        stage_times(&timings)
    );
    println!(
        "Saved {} ({} bytes, data fingerprint {}).",
        args.out.display(),
        bytes.len(),
        bundle.data_fingerprint.get(..16).unwrap_or_default()
    );
    Ok(())
}

/// Reads a model file after checking, from its header, that its size is what it declares and
/// within the limit: a huge or foreign file is refused before it is read whole.
fn read_model(path: &Path) -> anyhow::Result<Vec<u8>> {
    use std::io::Read;

    let cannot_read = || format!("cannot read {}", path.display());
    let mut file = fs::File::open(path).with_context(cannot_read)?;
    let size = file.metadata().with_context(cannot_read)?.len();
    let mut header = Vec::with_capacity(campus_occupancy::bundle::HEADER_LEN);
    (&mut file)
        .take(campus_occupancy::bundle::HEADER_LEN as u64)
        .read_to_end(&mut header)
        .with_context(cannot_read)?;
    let expected = campus_occupancy::bundle::expected_len(&header)
        .with_context(|| format!("{} is not a usable model", path.display()))?;
    if size > expected {
        bail!(
            "{} is not a usable model: the model file is corrupt: {} unexpected bytes after the end",
            path.display(),
            size - expected
        );
    }
    let mut bytes = header;
    file.read_to_end(&mut bytes).with_context(cannot_read)?;
    Ok(bytes)
}

/// Where predictions go: a staged file (renamed into place only when the run succeeds) or
/// standard output, written as they come.
enum PredictionSink {
    File(StagedFile),
    Stdout(std::io::StdoutLock<'static>),
}

impl PredictionSink {
    fn write(&mut self, bytes: &[u8]) -> anyhow::Result<()> {
        use std::io::Write;
        match self {
            PredictionSink::File(file) => file.write(bytes),
            PredictionSink::Stdout(out) => out
                .write_all(bytes)
                .context("cannot write to standard output"),
        }
    }
}

/// Reads the data in chunks and predicts each chunk's rows as they come: memory holds a chunk,
/// not the file, whatever its size.
fn run_predict(args: &PredictArgs) -> anyhow::Result<()> {
    use std::io::Read;

    let inputs = Inputs::new([args.model.as_path(), args.data.as_path()]);
    if let Some(out) = &args.out {
        check_output(out, &inputs)?;
    }
    let model = read_model(&args.model)?;
    let bundle = ModelBundle::from_bytes(&model)
        .map_err(|e| anyhow::anyhow!("cannot load {}: {e}", args.model.display()))?;
    drop(model);
    let file_name = args.data.display().to_string();
    let mut data =
        fs::File::open(&args.data).with_context(|| format!("cannot read {file_name}"))?;
    let out = args.out.as_deref().unwrap_or(Path::new("-"));
    let mut sink = match target(out)? {
        Target::Stdout => PredictionSink::Stdout(std::io::stdout().lock()),
        _ => PredictionSink::File(StagedFile::create(out, &inputs)?),
    };
    sink.write(PredictStream::header().as_bytes())?;
    let mut stream = PredictStream::new(bundle, &file_name);
    let mut chunk = vec![0u8; PREDICT_CHUNK];
    loop {
        let n = match data.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e).with_context(|| format!("cannot read {file_name}")),
        };
        let csv = stream.feed(chunk.get(..n).unwrap_or_default())?;
        sink.write(csv.as_bytes())?;
    }
    let (csv, tally) = stream.finish()?;
    sink.write(csv.as_bytes())?;
    let n_bad_rows = tally.n_bad_rows;
    if n_bad_rows > 0 {
        eprintln!("{n_bad_rows} row(s) of {file_name} could not be read and were skipped:");
        let errors = tally.errors.clone();
        report_errors(&BadRows { errors, n_bad_rows });
        let partial = if matches!(sink, PredictionSink::Stdout(_)) {
            "the predictions above are incomplete"
        } else {
            "nothing was written"
        };
        if tally.n_predicted == 0 {
            bail!("{file_name} has no readable rows; {partial}");
        }
        let n_read = (tally.n_predicted + n_bad_rows) as u64;
        if !args.max_bad_rows.allows(n_bad_rows as u64, n_read) {
            bail!(
                "{file_name} has {n_bad_rows} bad row(s) of {n_read}; {partial}: fix them, or allow them with --max-bad-rows N (or N%)"
            );
        }
    }
    match sink {
        PredictionSink::File(file) => commit(vec![file], &[])?,
        PredictionSink::Stdout(mut out) => {
            use std::io::Write;
            out.flush().context("cannot write to standard output")?;
        }
    }
    if tally.n_far > 0 {
        eprintln!(
            "Warning: {} session(s) have inputs more than {FAR_FROM_TRAINING} standard deviations from the training data's mean: the models are guessing there. First ones:",
            tally.n_far
        );
        for example in &tally.far_examples {
            eprintln!("  {example}");
        }
    }
    eprintln!(
        "{} sessions predicted with the model of {} ({} flagged overcrowded).",
        tally.n_predicted, tally.created_at, tally.n_overcrowded
    );
    Ok(())
}
