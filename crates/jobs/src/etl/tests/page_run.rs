//! The page's commands ([`super::run`]) driven natively: a shell whose worker is the service
//! itself (every message through postcard), whose files are byte vectors and whose clock ticks
//! by itself; its outputs must be the CLI's to the byte, and its reducer must end where the page
//! ends.

use std::cell::{Cell, RefCell};
use std::future::{Future, Ready, ready};
use std::pin::pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use super::*;
use crate::etl::page::{Action, InputFile, State, csv_test_id};
use crate::etl::run::{Answering, Command, Output, Shell as RunShell, Stop, perform};
use crate::wire::Reply;

type File = Rc<Vec<u8>>;

/// The browser, simulated.
#[derive(Default)]
struct Page {
    service: RefCell<EtlService>,
    state: RefCell<State<File>>,
    outputs: Outputs,
    /// Staging CSVs in the order they were opened.
    csv_order: Vec<FileKind>,
    /// Stop after this many slices have been read.
    cancel_after_reads: Option<usize>,
    reads: Cell<usize>,
    clock: Cell<f64>,
    /// Helper workers, each its own service (worker `i + 1`).
    helpers: Vec<RefCell<EtlService>>,
    /// A helper that dies on its first request (its answer says so).
    dead_helper: Option<usize>,
    /// Slices exported, by worker.
    slices_by_worker: RefCell<BTreeMap<usize, usize>>,
    /// Pieces of pass one read, by worker.
    pieces_by_worker: RefCell<BTreeMap<usize, usize>>,
}

impl Page {
    /// A page running `workers` workers: its own and `workers - 1` helpers.
    fn with_workers(workers: usize) -> Page {
        Page {
            helpers: (1..workers).map(|_| RefCell::default()).collect(),
            ..Page::default()
        }
    }
}

impl RunShell for Page {
    type File = File;
    type Answer = Ready<Result<Event, Stop>>;

    fn post(&self, request: Request) -> Self::Answer {
        self.post_to(0, request)
    }

    fn workers(&self) -> usize {
        1 + self.helpers.len()
    }

    fn post_to(&self, worker: usize, request: Request) -> Self::Answer {
        let counted = match request {
            Request::ExportSlice(_) => Some(&self.slices_by_worker),
            Request::ReadPiece { .. } => Some(&self.pieces_by_worker),
            _ => None,
        };
        if let Some(counted) = counted {
            *counted.borrow_mut().entry(worker).or_default() += 1;
        }
        if worker > 0 && self.dead_helper == Some(worker) {
            return ready(Err(Stop::from(crate::wire::Unanswered::Died(
                "out of memory".into(),
            ))));
        }
        let service = match worker.checked_sub(1) {
            None => &self.service,
            Some(helper) => match self.helpers.get(helper) {
                Some(service) => service,
                None => return ready(Err(Stop::Failed(format!("no worker {worker}")))),
            },
        };
        ready(wire(&mut service.borrow_mut(), request).map_err(Stop::from))
    }

    fn read(
        &self,
        file: &File,
        begin: u64,
        end: u64,
    ) -> impl Future<Output = Result<Vec<u8>, Stop>> {
        self.reads.set(self.reads.get() + 1);
        let range = usize::try_from(begin).unwrap_or(usize::MAX)..usize::try_from(end).unwrap_or(0);
        ready(Ok(file.get(range).unwrap_or_default().to_vec()))
    }

    fn keep(&self, bytes: Vec<u8>) -> Result<(File, f64), Stop> {
        let size = bytes.len() as f64;
        Ok((Rc::new(bytes), size))
    }

    fn output(&mut self, output: Output<'_>) -> Result<(), Stop> {
        let name = |kind: FileKind| format!("{}.csv", kind.staging_table());
        match output {
            Output::Begin => self.outputs = Outputs::default(),
            Output::Sql(bytes) => self.outputs.sql.extend_from_slice(bytes),
            Output::NewCsv(kind) => {
                self.csv_order.push(kind);
                self.outputs.csv.insert(name(kind), Vec::new());
            }
            Output::Csv(kind, bytes) => match self.outputs.csv.get_mut(&name(kind)) {
                Some(csv) => csv.extend_from_slice(bytes),
                None => return Err(Stop::Failed(format!("no CSV is open for {}", kind.label()))),
            },
            Output::Report(bytes) => self.outputs.report = bytes.to_vec(),
            Output::Done => {}
        }
        Ok(())
    }

    fn dispatch(&self, action: Action<File>) {
        self.state.borrow_mut().apply(action);
    }

    fn cancelled(&self) -> bool {
        self.cancel_after_reads
            .is_some_and(|after| self.reads.get() >= after)
    }

    fn now_ms(&self) -> f64 {
        self.clock.set(self.clock.get() + 10.0);
        self.clock.get()
    }
}

/// Runs a future whose every part is ready at once (the simulated page never waits).
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the simulated page never waits"),
    }
}

fn inputs(files: &[(FileKind, String, Vec<u8>)]) -> Vec<InputFile<File>> {
    files
        .iter()
        .map(|(kind, name, bytes)| InputFile {
            kind: *kind,
            name: name.clone(),
            file: Rc::new(bytes.clone()),
            size: bytes.len() as f64,
        })
        .collect()
}

#[test]
fn the_pages_run_writes_the_clis_bytes_and_its_state_ends_finished() {
    // Big enough that the attendance file spans several slices, with two in flight.
    let files = sample_files(&SampleOptions {
        students_per_program: 60,
        sessions_per_course: 40,
        dirty: true,
        ..SampleOptions::default()
    });
    let options = RunOptions {
        keyed_secret: Some("s3cret".into()),
        ..RunOptions::default()
    };
    let Ok(cli) = Shell::CLI.run(&files, options.clone()) else {
        panic!("the CLI's run failed")
    };
    let mut page = Page::default();
    let inputs = inputs(&files);
    block_on(perform(&mut page, Command::Run { inputs, options }));
    let state = page.state.borrow();
    assert_eq!(state.error, None);
    assert_same(&page.outputs, &cli);
    assert!(
        page.reads.get() > files.len(),
        "some file took several slices"
    );
    assert_eq!((state.run_id, state.running.is_none()), (1, true));
    assert_eq!(state.files.len(), files.len());
    assert_eq!(state.analysis.as_ref().map(|a| a.n_students), Some(720));
    assert_eq!(
        state.markdown.as_deref().map(str::as_bytes),
        Some(&cli.report[..])
    );
    let Some((rows, bytes, ms, compute)) = state.throughput else {
        panic!("the first pass has a throughput")
    };
    let total: usize = files.iter().map(|(_, _, bytes)| bytes.len()).sum();
    assert_eq!(bytes, total as f64);
    assert!(rows > 0 && ms > 0.0 && compute == 0.0);
    assert_eq!(page.csv_order.first(), Some(&FileKind::Students));
    assert_eq!(csv_test_id(FileKind::Exams), "etl-download-exams");
    shows_what_the_run_did(&state, &page.outputs);
}

/// The steps the page shows come from the bytes the run wrote: the SQL excerpt is the output's
/// first statements, and the hashes after the step are the staging CSV's first hashes.
fn shows_what_the_run_did(state: &State<File>, outputs: &Outputs) {
    let Some(steps) = state.steps.as_ref() else {
        panic!("a finished run shows its steps")
    };
    let keys: Vec<_> = steps.steps.iter().map(|s| s.key).collect();
    assert_eq!(
        keys,
        ["hash", "join-attendance", "join-exams", "join-placements"]
    );
    let Some(sql) = steps.sql.as_ref() else {
        panic!("and the first statements of its SQL")
    };
    let written = String::from_utf8_lossy(&outputs.sql);
    let Some(insert) = sql.text.find("INSERT INTO `stg_students`") else {
        panic!("the excerpt reaches the first INSERT: {}", sql.text)
    };
    assert!(written.starts_with(&sql.text[..insert]));
    assert!(sql.text.contains("),\n(") && sql.text.contains(");\n-- "));
    let stg = String::from_utf8_lossy(&outputs.csv["stg_students.csv"]);
    let first_hash = stg.lines().nth(1).and_then(|l| l.split(',').next());
    let Some(after) = steps.steps[0].after.as_ref() else {
        panic!("the hashing step has an after table")
    };
    assert_eq!(after.rows[0][0].full.as_deref(), first_hash);
}

#[test]
fn the_sample_command_loads_the_sample_then_runs_it() {
    let mut page = Page::default();
    let options = RunOptions::default();
    block_on(perform(
        &mut page,
        Command::Sample {
            dirty: true,
            options,
        },
    ));
    let state = page.state.borrow();
    assert_eq!(state.error, None);
    assert_eq!(
        state.inputs.iter().map(|f| f.kind).collect::<Vec<_>>(),
        FileKind::ALL.to_vec()
    );
    assert_eq!(state.run_id, 1);
    assert_eq!(page.outputs.csv.len(), 4);
    assert!(!page.outputs.report.is_empty());
}

#[test]
fn a_cancel_between_slices_stops_the_run_and_says_so() {
    let files = sample_files(&SampleOptions::default());
    let mut page = Page {
        cancel_after_reads: Some(1),
        ..Page::default()
    };
    let inputs = inputs(&files);
    let options = RunOptions::default();
    block_on(perform(&mut page, Command::Run { inputs, options }));
    let state = page.state.borrow();
    assert_eq!(
        state.error.as_deref(),
        Some("Cancelled. What was read before is shown below; run again for the rest.")
    );
    assert_eq!((state.run_id, state.running.is_none()), (1, true));
    assert!(page.outputs.csv.is_empty());
}

#[test]
fn a_run_without_students_fails_with_the_plans_message() {
    let files = sample_files(&SampleOptions::default());
    let mut page = Page::default();
    let inputs = inputs(files.get(1..).unwrap_or_default());
    let options = RunOptions::default();
    block_on(perform(&mut page, Command::Run { inputs, options }));
    assert_eq!(
        page.state.borrow().error.as_deref(),
        Some("give a students file: every other file is joined to it")
    );
}

#[test]
fn the_attack_runs_in_steps_until_done_and_then_stops_running() {
    let mut page = Page::default();
    load_small_sample(&mut page.service.borrow_mut());
    block_on(perform(&mut page, Command::Attack));
    let state = page.state.borrow();
    let Some(attack) = state.attack.as_ref() else {
        panic!("the attack is shown")
    };
    assert!(!attack.running);
    assert!(attack.progress.done());
    assert!(attack.progress.n_recovered > 0);
    assert!(attack.elapsed_ms > 0.0, "the clock timed the steps");
}

#[test]
fn an_answer_is_the_last_event_once_the_request_finishes() {
    let mut answering = Answering::default();
    assert_eq!(answering.reply(Reply::Event(Event::Ack(Ack))), None);
    assert_eq!(answering.reply(Reply::Finished), Some(Ok(Event::Ack(Ack))));
    assert_eq!(
        answering.reply(Reply::Finished),
        Some(Err(Stop::Failed("The ETL worker gave no answer.".into())))
    );
    assert_eq!(
        answering.reply(Reply::Cancelled),
        Some(Err(Stop::Cancelled))
    );
    assert_eq!(
        answering.reply(Reply::Died("boom".into())),
        Some(Err(Stop::Failed(
            "The ETL worker stopped (boom); it has been restarted, so run again.".into()
        )))
    );
}

/// A run whose attendance spans several slices (about 8.6 MB).
fn spread_files() -> Vec<(FileKind, String, Vec<u8>)> {
    sample_files(&SampleOptions {
        students_per_program: 60,
        sessions_per_course: 40,
        dirty: true,
        ..SampleOptions::default()
    })
}

#[test]
fn a_second_pass_spread_over_helpers_writes_one_workers_bytes() {
    let files = spread_files();
    let options = RunOptions {
        keyed_secret: Some("s3cret".into()),
        deidentify: true,
        ..RunOptions::default()
    };
    let Ok(cli) = Shell::CLI.run(&files, options.clone()) else {
        panic!("the CLI's run failed")
    };
    for workers in [1, 2, 3, 4] {
        let mut page = Page::with_workers(workers);
        let inputs = inputs(&files);
        let options = options.clone();
        block_on(perform(&mut page, Command::Run { inputs, options }));
        let state = page.state.borrow();
        assert_eq!(state.error, None, "{workers} workers");
        assert_same(&page.outputs, &cli);
        shows_what_the_run_did(&state, &page.outputs);
        let pieces = page.pieces_by_worker.borrow();
        let applied = page.service.borrow().etl().pieces_read_apart();
        if workers < 3 {
            assert!(
                pieces.is_empty(),
                "one worker, or one helper, reads files whole"
            );
        } else {
            // Every helper read pieces of pass one, the section's own none; it applied them.
            let helpers: Vec<usize> = pieces.keys().copied().collect();
            assert_eq!(helpers, (1..workers).collect::<Vec<_>>(), "{pieces:?}");
            let read: usize = pieces.values().sum();
            assert_eq!(applied, read as u64, "every piece read was applied");
        }
        let by_worker = page.slices_by_worker.borrow();
        if workers == 1 {
            assert!(by_worker.is_empty(), "one worker exports files whole");
        } else {
            // Every worker exported slices, the section's own too, in turn.
            assert_eq!(by_worker.len(), workers, "{by_worker:?}");
            let counts: Vec<usize> = by_worker.values().copied().collect();
            let (least, most) = (counts.iter().min(), counts.iter().max());
            assert!(
                most.zip(least).is_some_and(|(m, l)| m - l <= 1),
                "{counts:?}"
            );
        }
    }
}

#[test]
fn a_helper_that_dies_ends_the_run_with_a_message() {
    let files = spread_files();
    let mut page = Page {
        dead_helper: Some(2),
        ..Page::with_workers(3)
    };
    let inputs = inputs(&files);
    let options = RunOptions::default();
    block_on(perform(&mut page, Command::Run { inputs, options }));
    let state = page.state.borrow();
    assert_eq!(
        state.error.as_deref(),
        Some("The ETL worker stopped (out of memory); it has been restarted, so run again.")
    );
    assert_eq!((state.run_id, state.running.is_none()), (1, true));
}

#[test]
fn a_cancel_during_a_spread_second_pass_stops_the_run() {
    let files = spread_files();
    let total: usize = files.iter().map(|(_, _, bytes)| bytes.len()).sum();
    // Pass one reads every file in 4 MiB slices; stop a few slices into pass two.
    let pass_one: usize = files
        .iter()
        .map(|(_, _, b)| b.len().div_ceil(4 << 20))
        .sum();
    let mut page = Page {
        cancel_after_reads: Some(pass_one + 4),
        ..Page::with_workers(2)
    };
    let inputs = inputs(&files);
    let options = RunOptions::default();
    block_on(perform(&mut page, Command::Run { inputs, options }));
    let state = page.state.borrow();
    assert_eq!(
        state.error.as_deref(),
        Some("Cancelled. What was read before is shown below; run again for the rest.")
    );
    assert!(
        !page.slices_by_worker.borrow().is_empty(),
        "pass two had begun"
    );
    assert!(total > 0);
}
