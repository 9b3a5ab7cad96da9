//! The generator's delivery (worker side) and job bookkeeping (page side).

use super::*;
use crate::Service;
use crate::generate::GenerateService;

/// A file on a simulated disk.
#[derive(Debug, Default)]
struct Memory {
    bytes: Vec<u8>,
    full_after: Option<usize>,
}

impl Disk for &mut Memory {
    fn write(&mut self, bytes: &[u8]) -> Result<(), JobError> {
        if self
            .full_after
            .is_some_and(|max| self.bytes.len() + bytes.len() > max)
        {
            return Err(JobError::new("the disk is full"));
        }
        self.bytes.extend_from_slice(bytes);
        Ok(())
    }

    fn finish(self) -> Result<(), JobError> {
        Ok(())
    }
}

fn small_config() -> Config {
    Config::scaled(40)
}

/// Runs the SQL job through a delivery; returns the chunks sent to the page and the last event.
fn deliver<D: Disk>(delivery: &mut Delivery<D>) -> Result<(Vec<u8>, Vec<WorkerEvent>), JobError> {
    let mut service = GenerateService::default();
    service.start(Request::Sql {
        config: small_config(),
        script: ScriptChoices::default(),
    })?;
    let (mut chunks, mut events) = (Vec::new(), Vec::new());
    loop {
        match delivery.step(service.step()?, 25.0)? {
            Step::Working => {}
            Step::Event(WorkerEvent::Chunk { bytes, .. }) => chunks.extend(bytes.0),
            Step::Event(event) => events.push(event),
            Step::Finished(event) => {
                events.push(event);
                return Ok((chunks, events));
            }
        }
    }
}

#[test]
fn without_a_disk_the_page_gets_every_byte_in_chunks() {
    let mut delivery = Delivery::<&mut Memory>::new(None, 5.0);
    let Ok((chunks, events)) = deliver(&mut delivery) else {
        panic!("the job failed")
    };
    assert!(chunks.starts_with(b"-- "), "the script's bytes");
    let Some(WorkerEvent::Done {
        elapsed_ms,
        disk_file,
        ..
    }) = events.last()
    else {
        panic!("the job ends with Done")
    };
    assert_eq!((*elapsed_ms, disk_file.as_deref()), (20.0, None));
}

#[test]
fn with_a_disk_the_page_gets_progress_and_the_same_bytes_land_on_disk() {
    let Ok((in_chunks, _)) = deliver(&mut Delivery::<&mut Memory>::new(None, 0.0)) else {
        panic!("the job failed")
    };
    let mut disk = Memory::default();
    let mut delivery = Delivery::new(Some((&mut disk, SQL_FILE)), 0.0);
    let Ok((chunks, events)) = deliver(&mut delivery) else {
        panic!("the job failed")
    };
    assert!(chunks.is_empty());
    let progress: Vec<u64> = events
        .iter()
        .filter_map(|e| match e {
            WorkerEvent::Progress { bytes, .. } => Some(*bytes),
            _ => None,
        })
        .collect();
    assert!(
        progress.windows(2).all(|w| w[0] < w[1]),
        "bytes so far grow"
    );
    assert!(
        matches!(events.last(), Some(WorkerEvent::Done { disk_file: Some(name), .. }) if name == SQL_FILE)
    );
    assert_eq!(progress.last().copied(), Some(disk.bytes.len() as u64));
    assert!(
        disk.bytes == in_chunks,
        "the disk holds the bytes the page would have"
    );
}

#[test]
fn a_full_disk_fails_the_job() {
    let mut disk = Memory {
        full_after: Some(10),
        ..Memory::default()
    };
    let mut delivery = Delivery::new(Some((&mut disk, SQL_FILE)), 0.0);
    let failed = deliver(&mut delivery).err().map(|e| e.message);
    assert_eq!(failed.as_deref(), Some("the disk is full"));
}

/// Starts a job of `kind` on the small config, at `now_ms`.
fn start(
    jobs: &mut Jobs<Vec<u8>>,
    kind: JobKind,
    now_ms: f64,
) -> (u32, Request, Option<RequestId>) {
    jobs.start(
        kind,
        small_config(),
        ScriptChoices::default(),
        Vec::new(),
        now_ms,
    )
}

#[test]
fn the_request_names_its_file() {
    let config = small_config();
    let script = ScriptChoices::default();
    assert_eq!(file_name(&Request::CsvZip { config, script }), ZIP_FILE);
    let mut jobs = Jobs::<Vec<u8>>::default();
    let (_, request, _) = start(&mut jobs, JobKind::Sql, 0.0);
    assert_eq!(file_name(&request), SQL_FILE);
    assert_eq!(
        (mime(JobKind::Sql), mime(JobKind::CsvZip)),
        ("application/sql", "application/zip")
    );
}

#[test]
fn a_new_job_replaces_the_current_one_whose_news_is_then_ignored() {
    let mut jobs = Jobs::<Vec<u8>>::default();
    let (first, _, replaced) = start(&mut jobs, JobKind::Sql, 0.0);
    assert_eq!(replaced, None);
    jobs.sent(first, 7);
    let (second, request, replaced) = start(&mut jobs, JobKind::CsvZip, 0.0);
    assert!(matches!(request, Request::CsvZip { .. }));
    assert_eq!((second, replaced), (first + 1, Some(7)));
    jobs.sent(second, 8);
    let chunk = |bytes: &[u8]| {
        Reply::Event(WorkerEvent::Chunk {
            bytes: Bytes(bytes.to_vec()),
            rows_done: 1,
            rows_total: 2,
        })
    };
    // A chunk of the old job is to keep, but there is nothing to keep it in.
    let Todo::Keep { bytes, .. } = jobs.reply(first, chunk(b"old")) else {
        panic!("a chunk is kept")
    };
    let push = |file: &mut Vec<u8>| {
        file.extend_from_slice(&bytes.0);
        Ok(file.len() as u64)
    };
    assert_eq!(jobs.keep(first, (1, 2), push), Todo::Nothing);
    let push = |file: &mut Vec<u8>| {
        file.extend_from_slice(b"new");
        Ok(file.len() as u64)
    };
    assert_eq!(
        jobs.keep(second, (1, 2), push),
        Todo::Dispatch(Action::Progress {
            job_id: second,
            rows_done: 1,
            rows_total: 2,
            bytes: 3
        })
    );
    assert_eq!(
        jobs.current(second).map(|job| job.file.clone()),
        Some(b"new".to_vec())
    );
}

#[test]
fn a_finished_job_is_offered_once_with_its_times() {
    let mut jobs = Jobs::<Vec<u8>>::default();
    let (job_id, _, _) = start(&mut jobs, JobKind::Sql, 100.0);
    jobs.sent(job_id, 3);
    let done = || {
        Reply::Event(WorkerEvent::Done {
            summary: Summary::default(),
            elapsed_ms: 40.0,
            disk_file: Some(SQL_FILE.into()),
        })
    };
    let Todo::Finish {
        job,
        worker_ms,
        disk_file,
        summary,
    } = jobs.reply(job_id, done())
    else {
        panic!("the job finishes")
    };
    assert_eq!((worker_ms, disk_file.as_deref()), (40.0, Some(SQL_FILE)));
    assert_eq!(jobs.reply(job_id, done()), Todo::Nothing, "offered once");
    assert_eq!(jobs.reply(job_id, Reply::Finished), Todo::Nothing);
    let Action::SqlDone { output, .. } = job.done("blob:1".into(), summary, worker_ms, true, 250.0)
    else {
        panic!("an SQL job is offered as SQL")
    };
    assert_eq!(
        (
            output.url.as_str(),
            output.file_name.as_str(),
            output.page_ms,
            output.on_disk
        ),
        ("blob:1", SQL_FILE, 150.0, true)
    );
}

#[test]
fn a_failure_cancels_the_request_and_a_death_forgets_the_job() {
    let mut jobs = Jobs::<Vec<u8>>::default();
    let (job_id, _, _) = start(&mut jobs, JobKind::Sql, 0.0);
    jobs.sent(job_id, 4);
    let failed = Action::Failed {
        job_id: Some(job_id),
        message: "no room".into(),
    };
    assert_eq!(
        jobs.reply(job_id, Reply::Failed("no room".into())),
        Todo::Fail(Some(4), failed)
    );
    assert_eq!(
        jobs.reply(job_id, Reply::Failed("again".into())),
        Todo::Nothing
    );
    let (job_id, _, _) = start(&mut jobs, JobKind::Sql, 0.0);
    assert_eq!(
        jobs.reply(job_id, Reply::Died("crash".into())),
        Todo::Nothing
    );
    assert_eq!(jobs.stop(), None, "the dead worker's job is gone");
    let (job_id, _, _) = start(&mut jobs, JobKind::Sql, 0.0);
    jobs.sent(job_id, 9);
    let fail = |_: &mut Vec<u8>| Err("the browser refused a chunk".to_owned());
    assert!(matches!(
        jobs.keep(job_id, (0, 1), fail),
        Todo::Fail(Some(9), _)
    ));
    assert!(jobs.current(job_id).is_none());
}

#[test]
fn a_new_script_never_overwrites_the_one_on_offer() {
    let sql = Request::Sql {
        config: Config::default(),
        script: ScriptChoices::default(),
    };
    let zip = Request::CsvZip {
        config: Config::default(),
        script: ScriptChoices::default(),
    };
    let mut names = DiskNames::default();
    let first = names.for_request(&sql);
    // Cancelled runs write to the same name again; the offered file is untouched.
    assert_eq!(names.for_request(&sql), first);
    names.completed(first);
    let second = names.for_request(&sql);
    assert_ne!(second, first);
    names.completed(ZIP_FILE);
    assert_eq!(names.for_request(&sql), second);
    names.completed(second);
    assert_eq!(names.for_request(&sql), first);
    assert_eq!(names.for_request(&zip), ZIP_FILE);
}
