//! The page's commands (a run over chosen files, a run over sample files, the dictionary attack)
//! as async code over a [`Shell`]: it follows the [`Plan`], slices files with two slices in
//! flight, spreads the second pass of large files over the shell's helper workers
//! ([`super::spread`]), adapts the attack's steps to a clock and reports every change to the
//! section's reducer. The shell only posts requests to its workers, reads slices and keeps
//! outputs.

use std::collections::VecDeque;
use std::future::Future;

use campus_etl::FileKind;
use campus_etl::sample::SampleOptions;
use campus_etl::slices::Slicing;
use campus_sql::Dialect;

use super::page::{Action, AttackView, FileView, InputFile};
use super::spread::{self, SliceAt};
use super::steps::Glimpse;
use super::{
    Ack, Analyzed, AttackState, Event, Exported, FileDone, FileSlicing, Input, Next, PieceRead,
    PieceSeedOf, Plan, PlanError, Request, RunOptions, SampleFiles, Seed, SliceJob, kind_from_name,
    next_attack_step,
};
use crate::wire::{self, Reply, Unanswered};
use crate::{Bytes, JobError};

/// Bytes per slice of a file: big enough that messaging costs little, small enough to bound memory.
pub const SLICE_BYTES: u64 = 4 << 20;
/// Slices sent before the first answer is awaited: the shell reads and posts the next one while
/// the worker works on the current one, so neither waits for the other.
pub const IN_FLIGHT: usize = 2;
/// Time per attack step; short, so a stop is quick and progress is smooth.
pub const ATTACK_STEP_MS: f64 = 150.0;
/// Candidates in the first attack step; later steps adapt to [`ATTACK_STEP_MS`].
pub const FIRST_ATTACK_STEP: u64 = 1 << 16;

/// What the page asks of its ETL worker.
#[derive(Clone, Debug, PartialEq)]
pub enum Command<F> {
    Run {
        inputs: Vec<InputFile<F>>,
        options: RunOptions,
    },
    Sample {
        dirty: bool,
        options: RunOptions,
    },
    Attack,
}

/// Why a command stopped early.
#[derive(Clone, Debug, PartialEq)]
pub enum Stop {
    Cancelled,
    Failed(String),
}

impl From<JobError> for Stop {
    fn from(err: JobError) -> Stop {
        Stop::Failed(err.message)
    }
}

impl From<PlanError> for Stop {
    fn from(err: PlanError) -> Stop {
        Stop::Failed(err.to_string())
    }
}

/// An output of the run, as it fills.
#[derive(Debug, PartialEq)]
pub enum Output<'a> {
    /// A new run: forget the last run's outputs.
    Begin,
    /// More of `staging.sql`.
    Sql(&'a [u8]),
    /// Open the staging CSV of this kind.
    NewCsv(FileKind),
    /// More of the staging CSV of this kind.
    Csv(FileKind, &'a [u8]),
    /// The whole Markdown report.
    Report(&'a [u8]),
    /// The run is complete: offer the outputs.
    Done,
}

/// What the page does for a command: the browser's side.
pub trait Shell {
    /// A file to read (the page's `Blob`).
    type File: Clone;
    /// The answer to a request already posted.
    type Answer: Future<Output = Result<Event, Stop>>;

    /// Sends a request now; its answer is awaited later, so several can be in flight (the worker
    /// answers them in order).
    fn post(&self, request: Request) -> Self::Answer;
    /// Workers a file's second pass may be spread over: the section's own worker, which holds
    /// the run, and its helpers.
    fn workers(&self) -> usize {
        1
    }
    /// Sends a request to worker `worker`: 0 is the section's own ([`Shell::post`]), then the
    /// helpers.
    fn post_to(&self, worker: usize, request: Request) -> Self::Answer {
        let _ = worker;
        self.post(request)
    }
    /// Bytes `[begin, end)` of a file; fewer if the file shrank since it was chosen.
    fn read(
        &self,
        file: &Self::File,
        begin: u64,
        end: u64,
    ) -> impl Future<Output = Result<Vec<u8>, Stop>>;
    /// A file holding `bytes` (the sample files).
    fn keep(&self, bytes: Vec<u8>) -> Result<(Self::File, f64), Stop>;
    fn output(&mut self, output: Output<'_>) -> Result<(), Stop>;
    fn dispatch(&self, action: Action<Self::File>);
    /// Has the user asked to stop? Checked between slices and attack steps.
    fn cancelled(&self) -> bool;
    fn now_ms(&self) -> f64;
}

/// Turns the replies to one request into its answer: its last event, once it has finished
/// ([`wire::Answering`], with the ETL section's words for a missing answer).
#[derive(Debug, Default)]
pub struct Answering {
    inner: wire::Answering<Event>,
}

impl Answering {
    /// The answer, once `reply` ends the request.
    pub fn reply(&mut self, reply: Reply<Event>) -> Option<Result<Event, Stop>> {
        Some(self.inner.reply(reply)?.map_err(Stop::from))
    }
}

impl From<Unanswered> for Stop {
    fn from(unanswered: Unanswered) -> Stop {
        match unanswered {
            Unanswered::Empty => Stop::Failed("The ETL worker gave no answer.".into()),
            Unanswered::Failed(message) => Stop::Failed(message),
            Unanswered::Cancelled => Stop::Cancelled,
            Unanswered::Died(message) => Stop::Failed(format!(
                "The ETL worker stopped ({message}); it has been restarted, so run again."
            )),
            Unanswered::Gone => Stop::Failed("The ETL worker has stopped; reload the page.".into()),
        }
    }
}

/// Carries out one command and reports how it ended.
pub async fn perform<S: Shell>(shell: &mut S, command: Command<S::File>) {
    let outcome = match command {
        Command::Run { inputs, options } => run(shell, &inputs, options).await,
        Command::Sample { dirty, options } => sample(shell, dirty, options).await,
        Command::Attack => attack(shell).await,
    };
    match outcome {
        Ok(()) => {}
        Err(Stop::Cancelled) => shell.dispatch(Action::Cancelled),
        Err(Stop::Failed(message)) => shell.dispatch(Action::Failed(message)),
    }
}

async fn ask<S: Shell, T: TryFrom<Event, Error = JobError>>(
    shell: &S,
    request: Request,
) -> Result<T, Stop> {
    Ok(T::try_from(shell.post(request).await?)?)
}

async fn sample<S: Shell>(shell: &mut S, dirty: bool, options: RunOptions) -> Result<(), Stop> {
    let request = Request::Sample {
        options: SampleOptions {
            dirty,
            ..SampleOptions::default()
        },
    };
    let sample: SampleFiles = ask(shell, request).await?;
    let mut inputs = Vec::new();
    for (name, bytes) in sample.files {
        let Some(kind) = kind_from_name(&name) else {
            continue;
        };
        let (file, size) = shell.keep(bytes.0)?;
        inputs.push(InputFile {
            kind,
            name,
            file,
            size,
        });
    }
    shell.dispatch(Action::ClearInputs);
    shell.dispatch(Action::AddInputs(inputs.clone()));
    run(shell, &inputs, options).await
}

/// Both passes over `inputs`, as the plan says.
async fn run<S: Shell>(
    shell: &mut S,
    inputs: &[InputFile<S::File>],
    options: RunOptions,
) -> Result<(), Stop> {
    let planned = inputs.iter().map(|f| Input {
        kind: f.kind,
        name: f.name.clone(),
    });
    let mut plan = Plan::new(planned.collect())?;
    let mut glimpse = Glimpse::new(&options);
    let workers = shell.workers();
    let run_options = options.clone();
    let dialect = Dialect::MySql;
    // Where each file may be cut for a spread second pass, noted in pass one.
    let mut slicings: Vec<Option<Slicing>> = vec![None; inputs.len()];
    let seed_options = options.clone();
    let bytes_total: f64 = inputs.iter().map(|f| f.size).sum::<f64>() * 2.0;
    shell.dispatch(Action::Started { bytes_total });
    shell.output(Output::Begin)?;
    let _: Ack = ask(shell, Request::Reset { options }).await?;
    let mut bytes_done = 0.0;
    let input = |file: usize| {
        inputs
            .get(file)
            .ok_or_else(|| Stop::Failed(format!("the plan names file {file}, not given")))
    };
    loop {
        match plan.next_step() {
            Next::Read { file, begin } => {
                let input = input(file)?;
                let cut = spread::worth_cutting(input.size, workers);
                let apart = spread::worth_reading_apart(input.kind, input.size, workers)
                    .then_some(&run_options);
                let how = (begin, cut, apart);
                let (view, slicing) = read_file(shell, input, how, &mut bytes_done).await?;
                if let Some(slot) = slicings.get_mut(file) {
                    *slot = slicing;
                }
                let read = plan.read(file, &view.report);
                shell.dispatch(Action::FileDone(view));
                read?;
            }
            Next::Analyze => {
                let phase = "Correlating".to_owned();
                shell.dispatch(Action::Progress { phase, bytes_done });
                let analyzed: Analyzed = ask(shell, Request::Analyze).await?;
                shell.output(Output::Report(analyzed.markdown.as_bytes()))?;
                shell.dispatch(Action::Analyzed(analyzed));
            }
            Next::Ddl => {
                let ddl: Bytes = ask(
                    shell,
                    Request::StagingDdl {
                        database: None,
                        dialect,
                    },
                )
                .await?;
                glimpse.sql(&ddl.0);
                shell.output(Output::Sql(&ddl.0))?;
            }
            Next::Export(export) => {
                if export.new_csv {
                    glimpse.new_csv(export.kind);
                    shell.output(Output::NewCsv(export.kind))?;
                }
                let input = input(export.file)?;
                let spread = (slicings.get(export.file))
                    .and_then(Option::as_ref)
                    .and_then(|slicing| {
                        Some((slicing, spread::slices(slicing, input.size as u64)?))
                    });
                let (kind, begin) = (export.kind, export.begin);
                bytes_done = match spread {
                    Some((slicing, slices)) => {
                        let seed = (&seed_options, dialect);
                        let job = SpreadJob {
                            input,
                            kind,
                            new_csv: export.new_csv,
                            header_end: slicing.header_end,
                            slices,
                        };
                        spread_export(shell, job, seed, bytes_done, &mut glimpse).await?
                    }
                    None => {
                        let file = (input, kind, begin);
                        export_file(shell, file, bytes_done, &mut glimpse).await?
                    }
                };
            }
            Next::Done => break,
        }
    }
    shell.dispatch(Action::Transformed(glimpse));
    shell.output(Output::Done)?;
    shell.dispatch(Action::Finished);
    Ok(())
}

/// Pass one over a file: begin, slices, end; returns what the page shows of it, and where the
/// file may be cut when `cut` asked the worker to note it. With the run's options in `apart`,
/// the helpers read the pieces of its slices ([`read_apart`]).
async fn read_file<S: Shell>(
    shell: &mut S,
    input: &InputFile<S::File>,
    (begin, cut, apart): (Request, bool, Option<&RunOptions>),
    bytes_done: &mut f64,
) -> Result<(FileView, Option<Slicing>), Stop> {
    let started = shell.now_ms();
    let _: Ack = ask(shell, begin).await?;
    if cut {
        let every = spread::SLICE_BYTES;
        let _: Ack = ask(shell, Request::CutFile { every }).await?;
    }
    let phase = match apart {
        Some(_) => format!("Reading {} on {} workers", input.name, shell.workers()),
        None => format!("Reading {}", input.name),
    };
    *bytes_done = match apart {
        Some(options) => read_apart(shell, input, options, &phase, *bytes_done).await?,
        None => {
            let chunk = |bytes| Request::Chunk { bytes };
            let ignore = |_: &mut S, _: Ack| Ok(());
            send_slices(shell, input, &phase, *bytes_done, chunk, ignore).await?
        }
    };
    let done: FileDone = ask(shell, Request::EndFile).await?;
    let slicing = match cut {
        true => ask::<S, FileSlicing>(shell, Request::Cuts).await?.slicing,
        false => None,
    };
    let view = FileView {
        kind: input.kind,
        name: input.name.clone(),
        report: done.report,
        preview: done.preview,
        elapsed_ms: shell.now_ms() - started,
        compute_ms: done.compute_ms,
    };
    Ok((view, slicing))
}

/// Pass one over a file whose pieces the helpers read: the section's own worker reads the first
/// slice whole, then hands its helpers a piece seed (when that slice held the file's header and
/// the file may be read in pieces; otherwise it reads the rest whole too); from then on each
/// slice is cut into pieces (`campus_etl::pieces_of`), piece `i` read by helper
/// `i mod h`, and the slice and its pieces go to the section's own worker, which applies them
/// in file order. The helpers read the next slice's pieces while it applies, and it reads a
/// slice whole when its pieces do not fit, so the run is one worker's whatever the cut.
async fn read_apart<S: Shell>(
    shell: &mut S,
    input: &InputFile<S::File>,
    options: &RunOptions,
    phase: &str,
    bytes_done: f64,
) -> Result<f64, Stop> {
    let helpers = shell.workers().saturating_sub(1);
    let (mut asked_seed, mut seeded) = (false, false);
    let mut offset = 0.0;
    let mut in_flight = VecDeque::new();
    while let Some(bytes) = next_slice(shell, input, &mut offset).await? {
        let ranges = match seeded {
            true => campus_etl::pieces_of(&bytes, helpers),
            false => Vec::new(),
        };
        let asked: Vec<_> = (ranges.iter().enumerate())
            .map(|(idx, range)| {
                let piece = bytes.get(range.clone()).unwrap_or_default().to_vec();
                let request = Request::ReadPiece {
                    bytes: Bytes(piece),
                };
                shell.post_to(1 + idx % helpers.max(1), request)
            })
            .collect();
        let mut pieces = Vec::with_capacity(asked.len());
        for answer in asked {
            pieces.push(PieceRead::try_from(answer.await?)?.piece);
        }
        let request = match pieces.is_empty() {
            true => Request::Chunk {
                bytes: Bytes(bytes),
            },
            false => Request::ChunkApart {
                bytes: Bytes(bytes),
                pieces,
            },
        };
        in_flight.push_back(shell.post(request));
        if !asked_seed {
            asked_seed = true;
            while let Some(answer) = in_flight.pop_front() {
                Ack::try_from(answer.await?)?;
            }
            let PieceSeedOf { seed } = ask(shell, Request::PieceSeed).await?;
            if let Some(seed) = seed {
                let taken: Vec<_> = (1..=helpers)
                    .map(|helper| {
                        let request = Request::TakePieceSeed {
                            options: options.clone(),
                            seed: Box::new(seed.clone()),
                        };
                        shell.post_to(helper, request)
                    })
                    .collect();
                for answer in taken {
                    Ack::try_from(answer.await?)?;
                }
                seeded = true;
            }
        } else if in_flight.len() >= IN_FLIGHT
            && let Some(answer) = in_flight.pop_front()
        {
            Ack::try_from(answer.await?)?;
        }
        shell.dispatch(Action::Progress {
            phase: phase.to_owned(),
            bytes_done: bytes_done + offset,
        });
    }
    while let Some(answer) = in_flight.pop_front() {
        Ack::try_from(answer.await?)?;
    }
    Ok(bytes_done + input.size)
}

/// Pass two over a file: its rows to the CSV of its kind, its INSERTs to the SQL. Each answer
/// goes to the shell at once, so the page holds at most two slices' worth of output whatever
/// the file size.
async fn export_file<S: Shell>(
    shell: &mut S,
    (input, kind, begin): (&InputFile<S::File>, FileKind, Request),
    bytes_done: f64,
    glimpse: &mut Glimpse,
) -> Result<f64, Stop> {
    let mut keep = |shell: &mut S, out: Exported| -> Result<(), Stop> {
        glimpse.csv(kind, &out.csv.0);
        glimpse.sql(&out.sql.0);
        shell.output(Output::Csv(kind, &out.csv.0))?;
        shell.output(Output::Sql(&out.sql.0))
    };
    let _: Ack = ask(shell, begin).await?;
    let phase = format!("Writing outputs from {}", input.name);
    let chunk = |bytes| Request::ExportChunk { bytes };
    let bytes_done = send_slices(shell, input, &phase, bytes_done, chunk, &mut keep).await?;
    let last = ask(shell, Request::ExportEnd).await?;
    keep(shell, last)?;
    Ok(bytes_done)
}

/// A file whose second pass is spread over the shell's workers.
struct SpreadJob<'a, F> {
    input: &'a InputFile<F>,
    kind: FileKind,
    /// Whether its first slice opens the kind's staging CSV (with the header row).
    new_csv: bool,
    header_end: u64,
    slices: Vec<SliceAt>,
}

/// Pass two over a file spread over the shell's workers: the helpers take the run's seed, then
/// slice `i` goes to worker `i mod k`, [`spread::IN_FLIGHT`] per worker, and the answers are
/// kept in slice order, as [`export_file`] keeps one worker's.
async fn spread_export<S: Shell>(
    shell: &mut S,
    job: SpreadJob<'_, S::File>,
    (options, dialect): (&RunOptions, Dialect),
    bytes_done: f64,
    glimpse: &mut Glimpse,
) -> Result<f64, Stop> {
    let SpreadJob {
        input,
        kind,
        new_csv,
        header_end,
        slices,
    } = job;
    let workers = shell.workers().max(1);
    let Seed { seed } = ask(shell, Request::ExportSeed { kind }).await?;
    let seeded: Vec<_> = (1..workers)
        .map(|worker| {
            let request = Request::TakeSeed {
                options: options.clone(),
                dialect,
                seed: seed.clone(),
            };
            shell.post_to(worker, request)
        })
        .collect();
    drop(seed);
    for answer in seeded {
        let _: Ack = Ack::try_from(answer.await?)?;
    }
    let header = shell.read(&input.file, 0, header_end).await?;
    if header.len() as u64 != header_end {
        return Err(changed(input));
    }
    let mut keep = |shell: &mut S, out: Exported| -> Result<(), Stop> {
        glimpse.csv(kind, &out.csv.0);
        glimpse.sql(&out.sql.0);
        shell.output(Output::Csv(kind, &out.csv.0))?;
        shell.output(Output::Sql(&out.sql.0))
    };
    let phase = format!("Writing outputs from {} on {workers} workers", input.name);
    let mut in_flight = VecDeque::new();
    for slice in slices {
        if shell.cancelled() {
            return Err(Stop::Cancelled);
        }
        let bytes = shell.read(&input.file, slice.begin, slice.end).await?;
        if bytes.len() as u64 != slice.end - slice.begin {
            return Err(changed(input));
        }
        let request = Request::ExportSlice(SliceJob {
            kind,
            name: input.name.clone(),
            csv_header: new_csv && slice.idx == 0,
            header: Bytes(header.clone()),
            bytes: Bytes(bytes),
            first_row: slice.first_row,
            last: slice.last,
        });
        let worker = spread::worker_for(slice.idx, workers);
        in_flight.push_back(shell.post_to(worker, request));
        if in_flight.len() >= spread::window(workers)
            && let Some(answer) = in_flight.pop_front()
        {
            keep(shell, Exported::try_from(answer.await?)?)?;
        }
        shell.dispatch(Action::Progress {
            phase: phase.clone(),
            bytes_done: bytes_done + slice.end as f64,
        });
    }
    while let Some(answer) = in_flight.pop_front() {
        keep(shell, Exported::try_from(answer.await?)?)?;
    }
    Ok(bytes_done + input.size)
}

/// A file that no longer has the bytes pass one read: its cuts do not fit it.
fn changed<F>(input: &InputFile<F>) -> Stop {
    Stop::Failed(format!(
        "{} changed since it was read; choose it again and run again",
        input.name
    ))
}

/// The slice of `input` at `offset`, which moves past it; `None` at the end of the file (or of
/// what is left of it, if it shrank since it was chosen). A stop asked for ends the command.
async fn next_slice<S: Shell>(
    shell: &S,
    input: &InputFile<S::File>,
    offset: &mut f64,
) -> Result<Option<Vec<u8>>, Stop> {
    if *offset >= input.size {
        return Ok(None);
    }
    if shell.cancelled() {
        return Err(Stop::Cancelled);
    }
    // Offsets are whole numbers of bytes below the file's size, so the casts are exact.
    let end = (*offset + SLICE_BYTES as f64).min(input.size);
    let bytes = shell.read(&input.file, *offset as u64, end as u64).await?;
    *offset += bytes.len() as f64;
    Ok(Some(bytes).filter(|bytes| !bytes.is_empty()))
}

/// Sends a file slice by slice, [`IN_FLIGHT`] at a time, handing each answer to `on_answer` as
/// it arrives (in order); returns the new bytes done.
async fn send_slices<S: Shell, T: TryFrom<Event, Error = JobError>>(
    shell: &mut S,
    input: &InputFile<S::File>,
    phase: &str,
    bytes_done: f64,
    request: impl Fn(Bytes) -> Request,
    mut on_answer: impl FnMut(&mut S, T) -> Result<(), Stop>,
) -> Result<f64, Stop> {
    let mut offset = 0.0;
    let mut in_flight = VecDeque::new();
    while let Some(bytes) = next_slice(shell, input, &mut offset).await? {
        in_flight.push_back(shell.post(request(Bytes(bytes))));
        if in_flight.len() == IN_FLIGHT
            && let Some(answer) = in_flight.pop_front()
        {
            on_answer(shell, T::try_from(answer.await?)?)?;
        }
        shell.dispatch(Action::Progress {
            phase: phase.to_owned(),
            bytes_done: bytes_done + offset,
        });
    }
    while let Some(answer) = in_flight.pop_front() {
        on_answer(shell, T::try_from(answer.await?)?)?;
    }
    Ok(bytes_done + input.size)
}

/// The dictionary attack in steps of about [`ATTACK_STEP_MS`], until done or stopped.
async fn attack<S: Shell>(shell: &mut S) -> Result<(), Stop> {
    let begun: AttackState = ask(shell, Request::AttackBegin).await?;
    let mut view = AttackView {
        progress: begun.progress,
        elapsed_ms: 0.0,
        examples: begun.examples,
        running: true,
    };
    shell.dispatch(Action::Attack(view.clone()));
    let mut candidates = FIRST_ATTACK_STEP;
    while !view.progress.done() && !shell.cancelled() {
        let started = shell.now_ms();
        let step: AttackState = ask(shell, Request::AttackStep { candidates }).await?;
        let took_ms = shell.now_ms() - started;
        candidates = next_attack_step(candidates, took_ms, ATTACK_STEP_MS);
        let stalled = step.progress.n_tried == view.progress.n_tried;
        view = AttackView {
            progress: step.progress,
            elapsed_ms: view.elapsed_ms + took_ms,
            examples: step.examples,
            running: true,
        };
        shell.dispatch(Action::Attack(view.clone()));
        if stalled {
            break;
        }
    }
    view.running = false;
    shell.dispatch(Action::Attack(view));
    Ok(())
}
