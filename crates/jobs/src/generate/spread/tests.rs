//! The spread job natively: k simulated workers, pieces answered out of order, cancels and
//! failures; the file and its summary are one worker's.

use std::collections::VecDeque;

use campus_gen::Config;
use campus_sql::Dialect;

use super::*;
use crate::generate::page::Action;
use crate::generate::shell::{Jobs, Todo, WorkerEvent, WorkerRequest};
use crate::generate::{Event, GenerateService, Request};
use crate::wire::Reply;

fn config() -> Config {
    Config::scaled(300)
}

/// The script and its summary as one worker's service writes them.
fn one_worker(script: &ScriptChoices) -> (Vec<u8>, Summary) {
    let mut service = GenerateService::with_chunk_bytes(1 << 16);
    let (mut bytes, mut summary) = (Vec::new(), None);
    let request = Request::Sql {
        config: config(),
        script: script.clone(),
    };
    let driven = crate::drive(&mut service, request, |event| {
        match event {
            Event::Chunk { bytes: chunk, .. } => bytes.extend(chunk.0),
            Event::Done(done) => summary = Some(done),
            _ => {}
        }
        true
    });
    assert!(driven.is_ok());
    (bytes, summary.unwrap_or_else(|| panic!("no summary")))
}

/// One request run to its end on a worker's service.
fn answer(service: &mut PieceService, request: PieceRequest) -> Reply<WorkerEvent> {
    let mut last = None;
    match crate::drive(service, request, |event| {
        last = Some(event);
        true
    }) {
        Ok(_) => last.map_or(Reply::Finished, |e| Reply::Event(WorkerEvent::Piece(e))),
        Err(err) => Reply::Failed(err.message),
    }
}

/// k simulated workers, each running its queue in order; which worker answers next is drawn
/// from `seed`, so pieces arrive out of order.
struct Workers {
    services: Vec<PieceService>,
    queues: Vec<VecDeque<(RequestId, usize, PieceRequest)>>,
    next_id: RequestId,
    seed: u64,
}

impl Workers {
    fn new(k: usize, seed: u64) -> Workers {
        Workers {
            services: (0..k)
                .map(|_| PieceService::with_rows_per_piece(97))
                .collect(),
            queues: vec![VecDeque::new(); k],
            next_id: 0,
            seed,
        }
    }

    fn send(&mut self, jobs: &mut Jobs<Vec<u8>>, job_id: u32, handouts: Vec<Handout>) {
        for handout in handouts {
            self.next_id += 1;
            jobs.piece_sent(job_id, handout.idx, self.next_id);
            let queue = &mut self.queues[handout.worker];
            queue.push_back((self.next_id, handout.idx, handout.request));
            assert!(
                queue.len() <= IN_FLIGHT,
                "worker {} queued {}",
                handout.worker,
                queue.len()
            );
        }
    }

    /// The next answer: (worker, request id, reply), or `None` when every queue is empty.
    fn next(&mut self) -> Option<(usize, RequestId, Reply<WorkerEvent>)> {
        self.seed = self
            .seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let busy: Vec<usize> = (0..self.queues.len())
            .filter(|&w| !self.queues[w].is_empty())
            .collect();
        let worker = *busy.get((self.seed >> 33) as usize % busy.len().max(1))?;
        let (id, _, request) = self.queues[worker].pop_front()?;
        Some((worker, id, answer(&mut self.services[worker], request)))
    }
}

fn push(file: &mut Vec<u8>, bytes: &[u8]) -> Result<(), String> {
    file.extend_from_slice(bytes);
    Ok(())
}

/// The script spread over `k` workers: its bytes, its summary, the most pieces held early.
fn spread(script: &ScriptChoices, k: usize, seed: u64) -> (Vec<u8>, Summary, usize) {
    let mut jobs = Jobs::default();
    let mut workers = Workers::new(k, seed);
    let (job_id, plan) = jobs.start_spread(config(), script.clone(), k, Vec::new(), 10.0);
    let WorkerRequest::Piece(plan) = plan else {
        panic!("not a plan request")
    };
    let mut todo = jobs.spread_reply(job_id, answer(&mut workers.services[0], plan), push, 11.0);
    let mut most_early = 0;
    loop {
        match todo {
            Todo::Spread { handouts, .. } => workers.send(&mut jobs, job_id, handouts),
            Todo::Finish {
                job,
                summary,
                disk_file,
                ..
            } => {
                assert_eq!(disk_file, None);
                return (job.file, summary, most_early);
            }
            other => panic!("unexpected {other:?}"),
        }
        let Some((_, _, reply)) = workers.next() else {
            panic!("the job stalled")
        };
        todo = jobs.spread_reply(job_id, reply, push, 12.0);
        if let Todo::Spread { .. } = &todo {
            most_early = most_early.max(jobs.early_pieces());
        }
    }
}

fn choices(dialect: Dialect, schema: bool, data: bool) -> ScriptChoices {
    ScriptChoices {
        schema,
        data,
        drop_existing: schema,
        dialect,
        ..ScriptChoices::default()
    }
}

#[test]
fn the_page_runs_one_worker_per_core_up_to_a_cap_unless_told() {
    assert_eq!(worker_count("", Some(2.0)), 2);
    assert_eq!(worker_count("", Some(16.0)), MAX_WORKERS);
    assert_eq!(worker_count("", None), 1);
    assert_eq!(worker_count("", Some(0.0)), 1);
    assert_eq!(worker_count("", Some(f64::NAN)), 1);
    assert_eq!(worker_count("?workers=1", Some(8.0)), 1);
    assert_eq!(worker_count("?a=b&workers=3", Some(2.0)), 3);
    assert_eq!(worker_count("?workers=0", Some(2.0)), 1);
    assert_eq!(worker_count("?workers=999", Some(2.0)), MAX_FORCED_WORKERS);
    assert_eq!(worker_count("?workers=x", Some(2.0)), 2);
}

#[test]
fn one_to_four_workers_write_the_one_worker_script_in_every_dialect() {
    for dialect in [Dialect::MySql, Dialect::Postgres, Dialect::Sqlite] {
        for (schema, data) in [(true, true), (false, true), (true, false)] {
            let script = choices(dialect, schema, data);
            let (expected, summary) = one_worker(&script);
            for k in 1..=4 {
                for seed in [1, 7] {
                    let (bytes, spread_summary, _) = spread(&script, k, seed);
                    let what = format!("{dialect:?} schema {schema} data {data} k {k}");
                    assert!(bytes == expected, "{what}: bytes differ");
                    assert_eq!(spread_summary, summary, "{what}");
                }
            }
        }
    }
}

#[test]
fn pieces_arriving_out_of_order_wait_within_the_window() {
    let script = ScriptChoices::default();
    let (expected, _) = one_worker(&script);
    let mut saw_early = false;
    for seed in 0..6 {
        let (bytes, _, most_early) = spread(&script, 4, seed);
        assert!(bytes == expected);
        assert!(most_early <= 4 * (IN_FLIGHT + 1), "{most_early} held");
        saw_early |= most_early > 0;
    }
    assert!(saw_early, "no piece ever arrived early");
}

#[test]
fn the_assembly_puts_pieces_back_in_order_and_refuses_strays() {
    let job = PieceJob {
        config: config(),
        script: ScriptChoices::default(),
    };
    let plan = Plan {
        pieces: 5,
        rows_total: 50,
        tables: Vec::new(),
        labels: None,
    };
    let mut assembly = Assembly::new(job, plan, 2);
    let handouts = assembly.hand_out();
    assert_eq!(
        handouts
            .iter()
            .map(|h| (h.worker, h.idx))
            .collect::<Vec<_>>(),
        [(0, 0), (1, 1), (0, 2), (1, 3)]
    );
    for h in &handouts {
        assembly.sent(h.idx, 100 + h.idx as RequestId);
    }
    let piece = |idx: usize| Piece {
        idx,
        bytes: Bytes(vec![b'a' + idx as u8]),
        rows: 10,
        counts: None,
    };
    assert_eq!(assembly.arrived(piece(3)), Ok(Vec::new()));
    assert_eq!(assembly.arrived(piece(1)), Ok(Vec::new()));
    assert!(
        assembly.arrived(piece(4)).is_err(),
        "piece 4 was never asked for"
    );
    assert_eq!(assembly.early(), 2);
    assert_eq!(assembly.open_requests(), [(0, 100), (0, 102)]);
    let ready = assembly.arrived(piece(0));
    assert_eq!(ready, Ok(vec![Bytes(b"a".to_vec()), Bytes(b"b".to_vec())]));
    assert_eq!(assembly.rows(), (20, 50));
    assert_eq!(assembly.bytes(), 2);
    assert!(assembly.arrived(piece(0)).is_err(), "piece 0 came twice");
    // The last piece goes to the idle worker.
    let more = assembly.hand_out();
    assert_eq!(
        more.iter().map(|h| (h.worker, h.idx)).collect::<Vec<_>>(),
        [(1, 4)]
    );
    // Piece 2 releases piece 3, which came early.
    assert_eq!(assembly.arrived(piece(2)).map(|r| r.len()), Ok(2));
    assert!(!assembly.is_complete());
    assert_eq!(assembly.arrived(piece(4)).map(|r| r.len()), Ok(1));
    assert!(assembly.is_complete());
    assert!(assembly.hand_out().is_empty());
}

#[test]
fn a_cancel_stops_every_worker_and_the_next_job_is_whole() {
    let script = ScriptChoices::default();
    let mut jobs = Jobs::default();
    let mut workers = Workers::new(2, 3);
    let (job_id, plan) = jobs.start_spread(config(), script.clone(), 2, Vec::new(), 0.0);
    jobs.sent(job_id, 1);
    let WorkerRequest::Piece(plan) = plan else {
        panic!("not a plan request")
    };
    let Todo::Spread { handouts, .. } =
        jobs.spread_reply(job_id, answer(&mut workers.services[0], plan), push, 1.0)
    else {
        panic!("no pieces handed out")
    };
    assert_eq!(handouts.len(), 2 * IN_FLIGHT);
    workers.send(&mut jobs, job_id, handouts);
    // One piece arrives, then the user cancels: every request still open is cancelled, on both
    // workers.
    let Some((_, _, reply)) = workers.next() else {
        panic!("nothing queued")
    };
    assert!(matches!(
        jobs.spread_reply(job_id, reply, push, 2.0),
        Todo::Spread { .. }
    ));
    let mut open = jobs.stop_all();
    open.sort_unstable();
    let mut queued: Vec<(usize, RequestId)> = (0..2)
        .flat_map(|w| workers.queues[w].iter().map(move |(id, _, _)| (w, *id)))
        .collect();
    queued.sort_unstable();
    assert_eq!(open, queued);
    assert!(open.iter().any(|(w, _)| *w == 0) && open.iter().any(|(w, _)| *w == 1));
    // Late answers to the cancelled job change nothing.
    while let Some((_, _, reply)) = workers.next() {
        assert!(matches!(
            jobs.spread_reply(job_id, reply, push, 3.0),
            Todo::Nothing
        ));
    }
    assert!(matches!(
        jobs.spread_reply(job_id, Reply::Cancelled, push, 3.0),
        Todo::Nothing
    ));
    assert!(jobs.stop_all().is_empty());
    // The next job, on the same workers (whose services kept the last job open), is whole.
    let (expected, summary) = one_worker(&script);
    let (bytes, spread_summary, _) = spread(&script, 2, 5);
    assert!(bytes == expected);
    assert_eq!(spread_summary, summary);
}

#[test]
fn a_failed_or_dead_worker_abandons_the_job_and_cancels_the_rest() {
    for reply in [
        Reply::Failed("out of memory".into()),
        Reply::Died("crashed".into()),
    ] {
        let mut jobs = Jobs::default();
        let mut workers = Workers::new(3, 9);
        let (job_id, plan) =
            jobs.start_spread(config(), ScriptChoices::default(), 3, Vec::new(), 0.0);
        let WorkerRequest::Piece(plan) = plan else {
            panic!("not a plan request")
        };
        let Todo::Spread { handouts, .. } =
            jobs.spread_reply(job_id, answer(&mut workers.services[0], plan), push, 1.0)
        else {
            panic!("no pieces handed out")
        };
        workers.send(&mut jobs, job_id, handouts);
        let Todo::Abandon(
            open,
            Action::Failed {
                job_id: failed,
                message,
            },
        ) = jobs.spread_reply(job_id, reply, push, 2.0)
        else {
            panic!("not abandoned")
        };
        assert_eq!(failed, Some(job_id));
        assert!(message.contains("out of memory") || message.contains("crashed"));
        assert_eq!(open.len(), 3 * IN_FLIGHT);
        assert!(jobs.stop_all().is_empty());
    }
}

#[test]
fn a_worker_refuses_a_piece_of_an_impossible_script() {
    let mut service = PieceService::default();
    let job = PieceJob {
        config: config(),
        script: ScriptChoices {
            schema: false,
            data: true,
            drop_existing: true,
            ..ScriptChoices::default()
        },
    };
    assert!(matches!(
        answer(&mut service, PieceRequest::Plan(job)),
        Reply::Failed(_)
    ));
}

#[test]
fn the_page_says_how_many_workers_a_job_runs_on() {
    use crate::generate::page::{JobKind, State};
    let mut state = State::default();
    state.apply(Action::Started {
        job_id: 3,
        kind: JobKind::Sql,
    });
    assert_eq!(state.running.as_ref().map(|r| r.workers), Some(1));
    // News of another job changes nothing.
    state.apply(Action::Workers {
        job_id: 2,
        workers: 4,
    });
    assert_eq!(state.running.as_ref().map(|r| r.workers), Some(1));
    state.apply(Action::Workers {
        job_id: 3,
        workers: 2,
    });
    assert_eq!(state.running.as_ref().map(|r| r.workers), Some(2));
}
