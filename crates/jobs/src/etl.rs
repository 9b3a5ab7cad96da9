//! The ETL job: the two-pass pipeline (ingest, analyse, export) over the four exports, as one
//! code path for the CLI's `campus etl` and the page's ETL section.
//!
//! [`EtlService`] answers [`Request`]s with [`Event`]s and keeps a run's state between them;
//! [`Plan`] says which file a shell reads next and how (load order, what stops a run, which
//! files pass two skips; the decisions are on [`plan`]). A shell only reads files in chunks,
//! moves bytes to its outputs and shows what happens. The page's section follows the plan through
//! [`run`] (its commands as async code over the browser's I/O) and keeps its state in [`page`]:
//!
//! ```
//! use campus_etl::sample::{SampleOptions, generate};
//! use campus_etl::FileKind;
//! use campus_jobs::Bytes;
//! use campus_jobs::etl::{Ack, EtlService, Exported, FileDone, Input, Next, Plan, Request, ask, ask_for};
//!
//! let sample = generate(&SampleOptions { students_per_program: 2, sessions_per_course: 2, ..SampleOptions::default() });
//! let files = sample.files();
//! let bytes = |file: usize| Bytes(files.get(file).map_or(&[][..], |(_, bytes)| *bytes).to_vec());
//! let inputs = files.iter().zip(FileKind::ALL).map(|((name, _), kind)| Input { kind, name: (*name).into() });
//! let mut plan = Plan::new(inputs.collect())?;
//! let mut service = EtlService::default();
//! let (mut sql, mut csv) = (Vec::new(), Vec::new());
//! loop {
//!     match plan.next_step() {
//!         Next::Read { file, begin } => {
//!             ask_for::<Ack>(&mut service, begin)?;
//!             ask_for::<Ack>(&mut service, Request::Chunk { bytes: bytes(file) })?; // each chunk
//!             let done: FileDone = ask_for(&mut service, Request::EndFile)?;
//!             plan.read(file, &done.report)?; // show the report first
//!         }
//!         Next::Analyze => { ask(&mut service, Request::Analyze)?; }
//!         Next::Ddl => sql = ask_for::<Bytes>(&mut service, Request::StagingDdl { database: None, dialect: campus_sql::Dialect::MySql })?.0,
//!         Next::Export(export) => {
//!             ask_for::<Ack>(&mut service, export.begin)?;
//!             for request in [Request::ExportChunk { bytes: bytes(export.file) }, Request::ExportEnd] {
//!                 let out: Exported = ask_for(&mut service, request)?;
//!                 csv.extend(out.csv.0);
//!                 sql.extend(out.sql.0);
//!             }
//!         }
//!         Next::Done => break,
//!     }
//! }
//! assert!(String::from_utf8_lossy(&sql).contains("INSERT INTO `stg_attendance`"));
//! assert!(csv.starts_with(b"student_hash,"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod columns;
pub mod grade;
pub mod page;
pub mod plan;
mod protocol;
pub mod run;
mod service;
pub mod spread;
pub mod steps;

pub use plan::{
    Export, Input, Next, Plan, PlanError, kind_from_name, load_order, next_attack_step,
};
pub use protocol::{
    Ack, AnalysisView, Analyzed, AttackState, Bars, Event, Exported, FileDone, FileSlicing,
    PREVIEW_ROWS, PieceRead, PieceSeedOf, Preview, Request, RunOptions, SCATTER_POINTS,
    SampleFiles, Seed, SliceJob, preview,
};
pub use service::{EtlService, ask, ask_for, etl_options, parse_semester};

#[cfg(test)]
mod tests;
