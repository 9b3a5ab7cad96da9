//! The web worker: every byte of SQL and CSV is produced here, in chunks, so the page stays responsive.
//!
//! [`Generator`] is a yew-agent reactor registered by `src/bin/worker.rs`. The page sends
//! [`Request::Start`], and the worker answers with [`Response::Chunk`]s and finally
//! [`Response::Done`]. Flow control is by credit: the worker starts with [`INITIAL_CREDITS`]
//! chunks in hand and produces one more per [`Request::More`], so neither side ever holds more
//! than a few chunks, and a [`Request::Cancel`] is seen between two chunks.
//!
//! Where the browser has an origin private file system the worker writes the file there itself and
//! sends only [`Response::Progress`]; the credits then just pace the work so that a cancel is seen.
//!
//! Interesting modules: [`jobs`] (the chunk sources), [`stats`] (chart figures gathered while the
//! SQL is written), [`disk`] (output files in the private file system).

use futures::{SinkExt, StreamExt};
use serde::{Deserialize, Serialize};
use yew_agent::prelude::*;

use campus_gen::Config;

use super::{jobs, stats};
use crate::shared::{disk, now_ms};

pub use jobs::{ChunkSource, SqlChoices};
pub use stats::Stats;

/// Bytes per chunk: big enough that messaging costs nothing, small enough to bound memory.
pub const CHUNK_BYTES: usize = 4 << 20;
/// Chunks the worker may produce before the page has acknowledged any.
pub const INITIAL_CREDITS: u32 = 2;

/// What the page can ask for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Request {
    Start {
        job_id: u32,
        job: Job,
    },
    /// The page has taken one chunk of this job: produce one more.
    More {
        job_id: u32,
    },
    Cancel {
        job_id: u32,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Job {
    /// `Create_FullDB.sql`, with chart figures gathered on the way.
    Sql { config: Config, sql: SqlChoices },
    /// Every table as a CSV file, in one zip.
    CsvZip { config: Config },
}

/// What the worker reports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Response {
    /// The worker has loaded and is listening.
    Ready,
    /// The next chunk of the file, for the page to keep.
    Chunk {
        job_id: u32,
        bytes: Bytes,
        rows_done: u64,
        rows_total: u64,
    },
    /// The worker has written more of the file to disk itself.
    Progress {
        job_id: u32,
        bytes: u64,
        rows_done: u64,
        rows_total: u64,
    },
    /// The file is complete: in the chunks sent, or on disk under `disk_file` in the origin
    /// private file system.
    Done {
        job_id: u32,
        summary: Summary,
        disk_file: Option<String>,
    },
    Cancelled {
        job_id: u32,
    },
    Failed {
        job_id: u32,
        message: String,
    },
}

/// The figures shown when a job has finished.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// (table name, rows) in schema order.
    pub tables: Vec<(String, u64)>,
    pub bytes: u64,
    /// Time spent producing the output in the worker, in milliseconds.
    pub elapsed_ms: f64,
    /// Present for SQL jobs that include the data section.
    pub stats: Option<Stats>,
}

/// A byte buffer that serialises as one byte string instead of a sequence of numbers, which keeps
/// messages cheap to encode (bincode copies it in one go).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bytes(pub Vec<u8>);

impl Serialize for Bytes {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(&self.0)
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Bytes, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Bytes;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a byte string")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Bytes, E> {
                Ok(Bytes(v.to_vec()))
            }
            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Bytes, E> {
                Ok(Bytes(v))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Bytes, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(b) = seq.next_element()? {
                    out.push(b);
                }
                Ok(Bytes(out))
            }
        }
        deserializer.deserialize_byte_buf(Visitor)
    }
}

/// The worker's main loop: one job at a time; a new `Start` replaces the running job.
#[reactor(Generator)]
pub async fn generator(mut scope: ReactorScope<Request, Response>) {
    disk::remove_files(&[Job::SQL_FILE, Job::ZIP_FILE]).await;
    if scope.send(Response::Ready).await.is_err() {
        return;
    }
    warm_up();
    let mut next = None;
    loop {
        let request = match next.take() {
            Some(request) => request,
            None => match scope.next().await {
                Some(request) => request,
                None => return,
            },
        };
        if let Request::Start { job_id, job } = request {
            next = run_job(&mut scope, job_id, job).await;
        }
        // `More`/`Cancel` for a job that is no longer running are stale: ignore them.
    }
}

/// Writes a tiny dataset and throws it away, so the browser has compiled the hot code before the
/// first real generation (which then takes about half as long).
fn warm_up() {
    let Ok(ums) = campus_gen::Ums::new(Config::scaled(200)) else {
        return;
    };
    let tapped = stats::Tapped::new(&ums);
    if let Ok(mut source) = jobs::SqlSource::new(&tapped, &SqlChoices::default()) {
        let mut chunk = Vec::new();
        while matches!(source.fill(&mut chunk, 1 << 16), Ok(true)) {
            chunk.clear();
        }
    }
}

/// Runs one job to its end, its cancellation, or the arrival of another `Start` (returned).
async fn run_job(
    scope: &mut ReactorScope<Request, Response>,
    job_id: u32,
    job: Job,
) -> Option<Request> {
    let started = now_ms();
    let ums = match campus_gen::Ums::new(job.config().clone()) {
        Ok(ums) => ums,
        Err(err) => {
            let _ = scope
                .send(Response::Failed {
                    job_id,
                    message: err.to_string(),
                })
                .await;
            return None;
        }
    };
    let tapped = stats::Tapped::new(&ums);
    let mut source: Box<dyn ChunkSource + '_> = match &job {
        Job::Sql { sql, .. } => match jobs::SqlSource::new(&tapped, sql) {
            Ok(source) => Box::new(source),
            Err(err) => {
                let _ = scope
                    .send(Response::Failed {
                        job_id,
                        message: err.to_string(),
                    })
                    .await;
                return None;
            }
        },
        Job::CsvZip { .. } => Box::new(jobs::ZipSource::new(&ums)),
    };
    let mut on_disk = match disk::DiskFile::create(job.file_name()).await {
        Some(Ok(file)) => Some(file),
        // Another tab may hold the file; chunks to the page still work.
        Some(Err(_)) | None => None,
    };
    let mut credits = INITIAL_CREDITS;
    let mut bytes_total = 0u64;
    loop {
        while credits > 0 {
            let mut chunk = Vec::with_capacity(CHUNK_BYTES + (64 << 10));
            let more = match source.fill(&mut chunk, CHUNK_BYTES) {
                Ok(more) => more,
                Err(message) => {
                    let _ = scope.send(Response::Failed { job_id, message }).await;
                    return None;
                }
            };
            bytes_total += chunk.len() as u64;
            let (rows_done, rows_total) = source.progress();
            if !chunk.is_empty() {
                let response = match on_disk.as_mut() {
                    Some(file) => {
                        if let Err(message) = file.write(&chunk) {
                            let _ = scope.send(Response::Failed { job_id, message }).await;
                            return None;
                        }
                        Response::Progress {
                            job_id,
                            bytes: bytes_total,
                            rows_done,
                            rows_total,
                        }
                    }
                    None => Response::Chunk {
                        job_id,
                        bytes: Bytes(chunk),
                        rows_done,
                        rows_total,
                    },
                };
                if scope.send(response).await.is_err() {
                    return None;
                }
                credits -= 1;
            }
            if !more {
                let disk_file = match on_disk.take().map(disk::DiskFile::finish) {
                    Some(Ok(())) => Some(job.file_name().to_owned()),
                    Some(Err(message)) => {
                        let _ = scope.send(Response::Failed { job_id, message }).await;
                        return None;
                    }
                    None => None,
                };
                let summary = Summary {
                    tables: campus_gen::TableId::ALL
                        .iter()
                        .map(|&t| (ums.table(t).name.to_string(), ums.count(t)))
                        .collect(),
                    bytes: bytes_total,
                    elapsed_ms: now_ms() - started,
                    stats: match job {
                        Job::Sql { ref sql, .. } if sql.data => Some(tapped.stats()),
                        _ => None,
                    },
                };
                let _ = scope
                    .send(Response::Done {
                        job_id,
                        summary,
                        disk_file,
                    })
                    .await;
                return None;
            }
        }
        match scope.next().await {
            Some(Request::More { job_id: id }) if id == job_id => credits += 1,
            Some(Request::Cancel { job_id: id }) if id == job_id => {
                let _ = scope.send(Response::Cancelled { job_id }).await;
                return None;
            }
            Some(request @ Request::Start { .. }) => return Some(request),
            Some(_) => {}
            None => return None,
        }
    }
}

impl Job {
    /// The name the file is offered under.
    pub const SQL_FILE: &str = "Create_FullDB.sql";
    pub const ZIP_FILE: &str = "university_csv.zip";

    pub fn file_name(&self) -> &'static str {
        match self {
            Job::Sql { .. } => Job::SQL_FILE,
            Job::CsvZip { .. } => Job::ZIP_FILE,
        }
    }

    pub fn config(&self) -> &Config {
        match self {
            Job::Sql { config, .. } | Job::CsvZip { config } => config,
        }
    }
}

/// Registers the reactor; called by the worker binary.
pub fn register() {
    Generator::registrar().register();
}
