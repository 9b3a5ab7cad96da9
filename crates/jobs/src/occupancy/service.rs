//! [`OccupancyService`]: generation, CSV import, training, cross-validation and batch prediction
//! as one steppable service.

use serde::{Deserialize, Serialize};

use campus_occupancy::forest::{ChunkFitter, FittedChunk, ForestJob};
use campus_occupancy::progress::{Hooks, Progress, Stage};
use campus_occupancy::session::{PREDICTION_HEADER, write_row_with_predictions};
use campus_occupancy::split::{Split, k_folds};
use campus_occupancy::train::{Fit, FitStep, FoldMetrics, MIN_ROWS, Training};
use campus_occupancy::{
    GenerateConfig, InputRow, ModelBundle, Session, TrainConfig, TrainError, generate,
    parse_inputs, parse_sessions,
};

use super::Timings;
use super::import_stream::ImportStream;
use super::predict_stream::{PredictStream, PredictSummary};
use crate::{Bytes, JobError, Service, Step};

/// How many rows one step of a batch prediction predicts.
pub const PREDICT_BATCH: usize = 4096;

/// What a shell asks of the occupancy service.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Seeded sessions; answered by one [`Event::Sessions`].
    Generate { config: GenerateConfig },
    /// A CSV file in the shared session layout; answered by one [`Event::Sessions`].
    Import { file_name: String, bytes: Vec<u8> },
    /// Starts importing a CSV file sent in chunks ([`Request::ImportChunk`], then
    /// [`Request::ImportEnd`]); answered by [`Event::ImportRead`]. The service keeps the
    /// import between these requests; a new one replaces it.
    ImportBegin { file_name: String },
    /// The next chunk of the file; answered by [`Event::ImportRead`].
    ImportChunk { bytes: Bytes },
    /// Ends the file; answered by [`Event::Imported`].
    ImportEnd,
    /// All three models; [`Event::Progress`] per stage and per batch of trees, then
    /// [`Event::Trained`]. `created_at` is stored in the version as given.
    Train {
        sessions: Vec<Session>,
        config: TrainConfig,
        created_at: String,
    },
    /// [`Request::Train`] with the forest's chunks of trees fitted by several workers: it
    /// stops at the forest, answered by [`Event::ForestPaused`] with the forest's job (the
    /// service then fits chunks of it, [`Request::ForestChunk`]), and goes on with
    /// [`Request::TrainResume`]. The trained version is [`Request::Train`]'s bit for bit.
    TrainSpread {
        sessions: Vec<Session>,
        config: TrainConfig,
        created_at: String,
    },
    /// The forest's job of another worker's training (sent once per training), whose chunks
    /// [`Request::ForestChunk`] then fits; answered by [`Event::ForestBegun`].
    ForestBegin { job: ForestJob },
    /// Chunk `idx` of the forest's trees; answered by [`Event::ForestChunk`].
    ForestChunk { idx: usize },
    /// Goes on with the training stopped at its forest ([`Request::TrainSpread`]) with every
    /// chunk of trees fitted ([`Event::ForestChunk`]'s bytes, in chunk order): progress, then
    /// [`Event::Trained`].
    TrainResume { chunks: Vec<Bytes> },
    /// k-fold cross-validation, one fold's fit step at a time; answered by
    /// [`Event::CrossValidated`].
    CrossValidate {
        sessions: Vec<Session>,
        config: TrainConfig,
        folds: usize,
    },
    /// Predictions for every readable row of a CSV (`actual_attendance` may be empty) with a
    /// saved model; answered by [`Event::Predicted`].
    Predict {
        model_name: String,
        model: Vec<u8>,
        file_name: String,
        bytes: Vec<u8>,
    },
    /// Starts a prediction from a file sent in chunks ([`Request::PredictChunk`], then
    /// [`Request::PredictEnd`]) with a saved model; answered by [`Event::PredictedRows`] with
    /// the CSV header. The service keeps the prediction between these requests.
    PredictBegin {
        model_name: String,
        model: Vec<u8>,
        file_name: String,
    },
    /// The next chunk of the file; answered by [`Event::PredictedRows`] with the CSV lines of
    /// the rows it completed.
    PredictChunk { bytes: Bytes },
    /// The sessions as an SQL script ([`super::sql::script`], titled [`super::sql::SQL_FILE`]),
    /// with the version `model` when it was trained on them; answered by [`Event::Sql`].
    Sql {
        sessions: Vec<Session>,
        model: Option<Vec<u8>>,
        dialect: campus_sql::Dialect,
        database: String,
    },
    /// Ends the file; answered by [`Event::PredictDone`].
    PredictEnd,
}

/// What the occupancy service reports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Event {
    /// Sessions generated or imported, with the import's located errors (the first
    /// [`campus_occupancy::import::MAX_KEPT_ERRORS`]) and the number of bad rows.
    Sessions {
        sessions: Vec<Session>,
        errors: Vec<String>,
        n_bad_rows: usize,
    },
    /// How many sessions an import in chunks has read so far.
    ImportRead {
        n_sessions: usize,
    },
    /// The sessions of a file imported in chunks, as [`Event::Sessions`] gives them for the
    /// whole file, with the file's SHA-256 ([`super::guard::content_hash`]).
    Imported {
        sessions: Vec<Session>,
        errors: Vec<String>,
        n_bad_rows: usize,
        content_hash: String,
    },
    Progress(Progress),
    /// A trained version in the saved-model format, with how long each stage took.
    Trained {
        bundle: Vec<u8>,
        timings: Timings,
    },
    /// The training stopped at its forest ([`Request::TrainSpread`]): the forest's job and
    /// how many chunks of trees it is fitted in.
    ForestPaused {
        job: ForestJob,
        chunks: usize,
    },
    /// The forest's job is kept ([`Request::ForestBegin`]).
    ForestBegun,
    /// A chunk of trees, fitted ([`campus_occupancy::forest::FittedChunk`]'s bytes).
    ForestChunk {
        idx: usize,
        fitted: Bytes,
    },
    CrossValidated {
        folds: Vec<FoldMetrics>,
    },
    /// The predictions CSV ([`PREDICTION_HEADER`] and one row per readable input row).
    Predicted {
        /// When the model was trained.
        created_at: String,
        csv: String,
        n_predicted: usize,
        n_overcrowded: usize,
        errors: Vec<String>,
        n_bad_rows: usize,
    },
    /// CSV lines of a prediction from a file in chunks (the header, for its first answer).
    PredictedRows {
        csv: Bytes,
    },
    /// An SQL script of the sessions, and whether it holds the version and its predictions.
    Sql {
        script: Bytes,
        with_version: bool,
    },
    /// The last CSV lines of a prediction from a file in chunks, and what it did.
    PredictDone {
        csv: Bytes,
        summary: PredictSummary,
    },
}

/// A clock in milliseconds, supplied by the shell (the core reads none).
pub type Clock = Box<dyn FnMut() -> f64>;

/// The occupancy job. Between requests it keeps only a prediction or an import from a file in
/// chunks.
pub struct OccupancyService {
    clock: Clock,
    job: Job,
    stream: Option<Box<PredictStream>>,
    import: Option<Box<ImportStream>>,
    /// Where training fits the forest's chunks of trees (one by one unless a shell says).
    spread: Option<std::sync::Arc<dyn campus_occupancy::forest::Spread>>,
    /// A training stopped at its forest ([`Request::TrainSpread`]), and when it stopped.
    paused: Option<(Box<TrainingJob>, f64)>,
    /// The forest whose chunks [`Request::ForestChunk`] fits.
    fitter: Option<ChunkFitter>,
}

impl Default for OccupancyService {
    /// A service whose clock stands still: timings come out as zero.
    fn default() -> OccupancyService {
        OccupancyService::with_clock(Box::new(|| 0.0))
    }
}

enum Job {
    Idle,
    /// A request answered in one step.
    Once(Request),
    StartTraining {
        sessions: Vec<Session>,
        config: TrainConfig,
        created_at: String,
        /// Stop at the forest ([`Request::TrainSpread`]).
        pause_at_forest: bool,
    },
    Training(Box<TrainingJob>),
    CrossValidating(Box<CrossValidation>),
    Predicting(Box<Prediction>),
}

struct TrainingJob {
    training: Training,
    /// The stage whose start was last reported.
    announced: Stage,
    timings: Timings,
    started: f64,
    /// Stop at the forest ([`Request::TrainSpread`]).
    pause_at_forest: bool,
}

struct CrossValidation {
    sessions: Vec<Session>,
    config: TrainConfig,
    splits: std::vec::IntoIter<Split>,
    fit: Option<Fit>,
    folds: Vec<FoldMetrics>,
}

struct Prediction {
    bundle: ModelBundle,
    rows: Vec<InputRow>,
    done: usize,
    csv: String,
    n_overcrowded: usize,
    errors: Vec<String>,
    n_bad_rows: usize,
}

fn failed(error: impl std::fmt::Display) -> JobError {
    JobError::new(error.to_string())
}

/// Runs `f` with hooks that keep the last progress reported and never cancel (a service is
/// cancelled between steps).
pub(super) fn with_progress<T>(f: impl FnOnce(&mut Hooks<'_>) -> T) -> (T, Option<Progress>) {
    let mut last = None;
    let mut keep = |p: Progress| last = Some(p);
    let never = || false;
    let mut hooks = Hooks {
        on_progress: &mut keep,
        is_cancelled: &never,
    };
    let out = f(&mut hooks);
    (out, last)
}

fn progress_event(progress: Progress) -> Step<Event> {
    Step::Event(Event::Progress(progress))
}

/// The progress of the start of `stage`.
fn stage_start(stage: Stage) -> Option<Progress> {
    with_progress(|hooks| hooks.report(stage, 0.0)).1
}

impl OccupancyService {
    pub fn with_clock(clock: Clock) -> OccupancyService {
        OccupancyService {
            clock,
            job: Job::Idle,
            stream: None,
            import: None,
            spread: None,
            paused: None,
            fitter: None,
        }
    }

    /// Trains the forest's chunks of trees on `spread` (natively, a thread pool, `Pool` in
    /// `campus_jobs::parallel`); the trained version is the same bit for bit.
    pub fn set_spread(&mut self, spread: std::sync::Arc<dyn campus_occupancy::forest::Spread>) {
        self.spread = Some(spread);
    }

    /// Answers a request of a prediction from a file in chunks or of a chunk of trees; others
    /// go to `answer_once`.
    fn answer(&mut self, request: Request) -> Result<Step<Event>, JobError> {
        const NO_STREAM: &str = "no prediction from a file was started";
        let event = match request {
            Request::ForestBegin { job } => {
                self.fitter = Some(ChunkFitter::new(&job).map_err(failed)?);
                Event::ForestBegun
            }
            Request::ForestChunk { idx } => {
                let fitter = (self.fitter.as_ref())
                    .ok_or_else(|| JobError::new("no forest's job was sent to this worker"))?;
                let fitted = fitter.fit(idx).map_err(failed)?;
                Event::ForestChunk {
                    idx,
                    fitted: Bytes(fitted.to_bytes().map_err(failed)?),
                }
            }
            Request::PredictBegin {
                model_name,
                model,
                file_name,
            } => {
                let stream = PredictStream::load(&model_name, &model, &file_name)?;
                self.stream = Some(Box::new(stream));
                Event::PredictedRows {
                    csv: Bytes(PredictStream::header().as_bytes().to_vec()),
                }
            }
            Request::PredictChunk { bytes } => {
                let stream = self
                    .stream
                    .as_mut()
                    .ok_or_else(|| JobError::new(NO_STREAM))?;
                let fed = stream.feed(&bytes.0);
                if fed.is_err() {
                    self.stream = None;
                }
                let csv = fed?;
                Event::PredictedRows {
                    csv: Bytes(csv.into_bytes()),
                }
            }
            Request::PredictEnd => {
                let stream = self.stream.take().ok_or_else(|| JobError::new(NO_STREAM))?;
                let (csv, summary) = stream.finish()?;
                Event::PredictDone {
                    csv: Bytes(csv.into_bytes()),
                    summary,
                }
            }
            once => return self.answer_import(once),
        };
        Ok(Step::Finished(event))
    }

    /// Answers a request of an import from a file in chunks; others go to `answer_once`.
    fn answer_import(&mut self, request: Request) -> Result<Step<Event>, JobError> {
        const NO_IMPORT: &str = "no import from a file was started";
        let event = match request {
            Request::ImportBegin { file_name } => {
                self.import = Some(Box::new(ImportStream::new(&file_name)));
                Event::ImportRead { n_sessions: 0 }
            }
            Request::ImportChunk { bytes } => {
                let import = self
                    .import
                    .as_mut()
                    .ok_or_else(|| JobError::new(NO_IMPORT))?;
                Event::ImportRead {
                    n_sessions: import.feed(&bytes.0),
                }
            }
            Request::ImportEnd => {
                let import = self.import.take().ok_or_else(|| JobError::new(NO_IMPORT))?;
                let done = import.finish();
                Event::Imported {
                    sessions: done.imported.rows,
                    errors: done
                        .imported
                        .errors
                        .iter()
                        .map(ToString::to_string)
                        .collect(),
                    n_bad_rows: done.imported.n_bad_rows,
                    content_hash: done.content_hash,
                }
            }
            once => return OccupancyService::answer_once(once),
        };
        Ok(Step::Finished(event))
    }

    fn answer_once(request: Request) -> Result<Step<Event>, JobError> {
        Ok(Step::Finished(match request {
            Request::Generate { config } => Event::Sessions {
                sessions: generate(&config),
                errors: Vec::new(),
                n_bad_rows: 0,
            },
            Request::Sql {
                sessions,
                model,
                dialect,
                database,
            } => {
                let bundle = match model {
                    Some(bytes) => Some(ModelBundle::from_bytes(&bytes).map_err(failed)?),
                    None => None,
                };
                let bundle = bundle.filter(|b| super::sql::trained_on(b, &sessions));
                let title = super::sql::SQL_FILE;
                let script =
                    super::sql::script(&sessions, bundle.as_ref(), dialect, &database, title)?;
                Event::Sql {
                    script: Bytes(script),
                    with_version: bundle.is_some(),
                }
            }
            Request::Import { file_name, bytes } => {
                let imported = parse_sessions(&bytes, &file_name);
                Event::Sessions {
                    sessions: imported.rows,
                    errors: imported.errors.iter().map(ToString::to_string).collect(),
                    n_bad_rows: imported.n_bad_rows,
                }
            }
            _ => return Err(JobError::new("this request is not answered in one step")),
        }))
    }

    fn start_training(
        &mut self,
        sessions: &[Session],
        config: &TrainConfig,
        created_at: &str,
        pause_at_forest: bool,
    ) -> Result<Step<Event>, JobError> {
        let started = (self.clock)();
        let (training, progress) =
            with_progress(|hooks| Training::start(sessions, config, created_at, hooks));
        let mut timings = Timings::default();
        let now = (self.clock)();
        timings.add(Stage::Encoding, now - started);
        let mut training = training.map_err(failed)?;
        if let Some(spread) = &self.spread {
            training.set_spread(spread.clone());
        }
        self.job = Job::Training(Box::new(TrainingJob {
            training,
            announced: Stage::Encoding,
            timings,
            started,
            pause_at_forest,
        }));
        Ok(progress.map_or(Step::Working, progress_event))
    }

    /// Stops the running training at its forest: keeps it, and the forest's job to fit chunks
    /// of, and answers with the job.
    fn pause_training(&mut self) -> Result<Step<Event>, JobError> {
        let Job::Training(mut job) = std::mem::replace(&mut self.job, Job::Idle) else {
            return Err(JobError::new("no training runs"));
        };
        let forest = (job.training.forest_job())
            .ok_or_else(|| JobError::new("the training is not at its forest"))?;
        let fitter = ChunkFitter::new(&forest).map_err(failed)?;
        let chunks = fitter.n_chunks();
        self.fitter = Some(fitter);
        job.pause_at_forest = false;
        self.paused = Some((job, (self.clock)()));
        Ok(Step::Finished(Event::ForestPaused {
            job: forest,
            chunks,
        }))
    }

    /// Adds the chunks of trees to the training stopped at its forest, which goes on.
    fn resume_training(&mut self, chunks: &[Bytes]) -> Result<Job, JobError> {
        let (mut job, paused_at) = (self.paused.take())
            .ok_or_else(|| JobError::new("no training waits for its forest"))?;
        self.fitter = None;
        let (accepted, _) = with_progress(|hooks| {
            chunks.iter().try_for_each(|bytes| {
                let chunk = FittedChunk::from_bytes(&bytes.0).map_err(failed)?;
                job.training.accept_chunk(chunk, hooks).map_err(failed)
            })
        });
        accepted?;
        if job.training.stage() == Stage::Forest {
            return Err(JobError::new("chunks of trees are missing"));
        }
        let now = (self.clock)();
        job.timings.add(Stage::Forest, now - paused_at);
        Ok(Job::Training(job))
    }

    fn step_training(&mut self) -> Result<Step<Event>, JobError> {
        let Job::Training(job) = &mut self.job else {
            return Ok(Step::Working);
        };
        let stage = job.training.stage();
        if stage != job.announced {
            job.announced = stage;
            return Ok(stage_start(stage).map_or(Step::Working, progress_event));
        }
        if job.pause_at_forest && stage == Stage::Forest {
            return self.pause_training();
        }
        let before = (self.clock)();
        let (result, progress) = with_progress(|hooks| job.training.step(hooks));
        let now = (self.clock)();
        job.timings.add(stage, now - before);
        let Some(bundle) = result.map_err(failed)? else {
            return Ok(progress.map_or(Step::Working, progress_event));
        };
        let mut timings = job.timings;
        timings.total_ms = now - job.started;
        let bytes = bundle.to_bytes().map_err(failed)?;
        self.job = Job::Idle;
        Ok(Step::Finished(Event::Trained {
            bundle: bytes,
            timings,
        }))
    }

    fn start_cross_validation(
        sessions: Vec<Session>,
        config: TrainConfig,
        folds: usize,
    ) -> Result<Job, JobError> {
        let needed = MIN_ROWS.max(folds);
        if sessions.len() < needed {
            return Err(failed(TrainError::TooFewRows {
                needed,
                found: sessions.len(),
            }));
        }
        let splits = k_folds(sessions.len(), folds, config.split_seed);
        Ok(Job::CrossValidating(Box::new(CrossValidation {
            sessions,
            config,
            splits: splits.into_iter(),
            fit: None,
            folds: Vec::new(),
        })))
    }

    fn start_prediction(
        model_name: &str,
        model: &[u8],
        file_name: &str,
        bytes: &[u8],
    ) -> Result<Job, JobError> {
        let bundle = ModelBundle::from_bytes(model)
            .map_err(|e| JobError::new(format!("cannot load {model_name}: {e}")))?;
        let imported = parse_inputs(bytes, file_name);
        Ok(Job::Predicting(Box::new(Prediction {
            bundle,
            csv: PREDICTION_HEADER.to_owned(),
            done: 0,
            n_overcrowded: 0,
            errors: imported.errors.iter().map(ToString::to_string).collect(),
            n_bad_rows: imported.n_bad_rows,
            rows: imported.rows,
        })))
    }
}

impl CrossValidation {
    fn step(&mut self) -> Result<Step<Event>, JobError> {
        let Some(fit) = self.fit.as_mut() else {
            let Some(split) = self.splits.next() else {
                return Ok(Step::Finished(Event::CrossValidated {
                    folds: std::mem::take(&mut self.folds),
                }));
            };
            let sessions = &self.sessions;
            let config = &self.config;
            let (fit, _) = with_progress(|hooks| Fit::start(sessions, &split, config, hooks));
            self.fit = Some(fit);
            return Ok(Step::Working);
        };
        let (result, _) = with_progress(|hooks| fit.step(hooks));
        if let FitStep::Done(fitted) = result.map_err(failed)? {
            let evaluation = fitted.1;
            self.folds.push(FoldMetrics {
                linear: evaluation.linear,
                forest: evaluation.forest,
                svm: evaluation.svm,
            });
            self.fit = None;
        }
        Ok(Step::Working)
    }
}

impl Prediction {
    fn step(&mut self) -> Result<Step<Event>, JobError> {
        let end = (self.done + PREDICT_BATCH).min(self.rows.len());
        let batch = self.rows.get(self.done..end).unwrap_or_default();
        let predictions = self
            .bundle
            .models
            .predict_many(batch.iter().map(|r| &r.input))
            .map_err(failed)?;
        for (row, prediction) in batch.iter().zip(&predictions) {
            write_row_with_predictions(
                &mut self.csv,
                &row.input,
                row.actual_attendance,
                prediction,
            );
        }
        self.n_overcrowded += predictions.iter().filter(|p| p.overcrowded).count();
        self.done = end;
        if self.done < self.rows.len() {
            return Ok(Step::Working);
        }
        Ok(Step::Finished(Event::Predicted {
            created_at: self.bundle.created_at.clone(),
            csv: std::mem::take(&mut self.csv),
            n_predicted: self.rows.len(),
            n_overcrowded: self.n_overcrowded,
            errors: std::mem::take(&mut self.errors),
            n_bad_rows: self.n_bad_rows,
        }))
    }
}

impl Service for OccupancyService {
    type Request = Request;
    type Event = Event;

    fn start(&mut self, request: Request) -> Result<(), JobError> {
        if !matches!(
            request,
            Request::ForestBegin { .. } | Request::ForestChunk { .. } | Request::TrainResume { .. }
        ) {
            // A training waiting for its forest, or another's forest, is over.
            self.paused = None;
            self.fitter = None;
        }
        self.job = match request {
            Request::Train {
                sessions,
                config,
                created_at,
            } => Job::StartTraining {
                sessions,
                config,
                created_at,
                pause_at_forest: false,
            },
            Request::TrainSpread {
                sessions,
                config,
                created_at,
            } => Job::StartTraining {
                sessions,
                config,
                created_at,
                pause_at_forest: true,
            },
            Request::TrainResume { chunks } => self.resume_training(&chunks)?,
            Request::CrossValidate {
                sessions,
                config,
                folds,
            } => OccupancyService::start_cross_validation(sessions, config, folds)?,
            Request::Predict {
                model_name,
                model,
                file_name,
                bytes,
            } => OccupancyService::start_prediction(&model_name, &model, &file_name, &bytes)?,
            once => Job::Once(once),
        };
        Ok(())
    }

    fn step(&mut self) -> Result<Step<Event>, JobError> {
        let step = match std::mem::replace(&mut self.job, Job::Idle) {
            Job::Idle => Err(JobError::new(
                "the occupancy service has no request to work on",
            )),
            Job::Once(request) => self.answer(request),
            Job::StartTraining {
                sessions,
                config,
                created_at,
                pause_at_forest,
            } => self.start_training(&sessions, &config, &created_at, pause_at_forest),
            job @ Job::Training(_) => {
                self.job = job;
                self.step_training()
            }
            Job::CrossValidating(mut job) => {
                let step = job.step();
                self.job = Job::CrossValidating(job);
                step
            }
            Job::Predicting(mut job) => {
                let step = job.step();
                self.job = Job::Predicting(job);
                step
            }
        };
        if !matches!(step, Ok(Step::Event(_) | Step::Working)) {
            self.job = Job::Idle;
        }
        step
    }

    fn cancel(&mut self) {
        self.job = Job::Idle;
    }
}
