//! The database job: loads the generated university into SQLite step by step, runs SQL, checks
//! exercise answers, saves the database as `.sqlite` bytes and opens such bytes back. The page's
//! database worker runs it; the core is `campus_db`.

use campus_db::exercises::{self, Verdict};
use campus_db::{Database, LoadProgress, Loader, QueryError, QueryOptions, ResultSet};
use campus_gen::{Config, Ums};
use serde::{Deserialize, Serialize};

use crate::{JobError, Service, Step};

/// Rows per load step: a few milliseconds of work, so a cancel is seen at once.
const LOAD_STEP_ROWS: u64 = 20_000;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum DbRequest {
    /// Replace the database with a fresh load of the university `Config` describes.
    Load(Config),
    /// Run every statement of a script (the console's "run all", or the one statement under the
    /// cursor).
    Run { sql: String, options: QueryOptions },
    /// Check an answer to the exercise with this id.
    Check { exercise: String, answer: String },
    /// The database as the bytes of a `.sqlite` file.
    Save,
    /// Replace the database with the one in these `.sqlite` bytes.
    Open(Vec<u8>),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum DbEvent {
    Progress(LoadProgress),
    /// A load or open finished: the tables now in the database.
    Ready {
        tables: Vec<String>,
        rows: u64,
    },
    /// Each statement's result, in order.
    Results(Vec<ResultSet>),
    /// SQL that failed: SQLite's message and position, or the step budget's stop.
    QueryFailed(QueryError),
    Verdict(Verdict),
    Saved(Vec<u8>),
}

enum Pending {
    Idle,
    Loading(Box<Loader<Ums>>),
    Once(DbRequest),
}

/// The database service: owns one connection (SQLite in the page is single-threaded).
pub struct DbService {
    db: Database,
    pending: Pending,
}

impl DbService {
    pub fn new() -> Result<DbService, JobError> {
        Ok(DbService {
            db: Database::open_in_memory().map_err(job_error)?,
            pending: Pending::Idle,
        })
    }

    fn ready(&self) -> Result<DbEvent, JobError> {
        let tables = self.db.table_names().map_err(job_error)?;
        let mut rows = 0;
        for table in &tables {
            rows += self.db.count_rows(table).map_err(job_error)?;
        }
        Ok(DbEvent::Ready { tables, rows })
    }

    fn run_once(&mut self, request: DbRequest) -> Result<DbEvent, JobError> {
        Ok(match request {
            DbRequest::Load(_) => return Err(JobError::new("a load runs in steps")),
            DbRequest::Run { sql, options } => match self.db.run_script(&sql, &options) {
                Ok(results) => DbEvent::Results(results),
                Err(err) => DbEvent::QueryFailed(err),
            },
            DbRequest::Check { exercise, answer } => {
                let Some(exercise) = exercises::pack().into_iter().find(|e| e.id == exercise)
                else {
                    return Err(JobError::new(format!("there is no exercise `{exercise}`")));
                };
                let verdict =
                    exercises::check(&mut self.db, &exercise, &answer, &QueryOptions::default())
                        .map_err(job_error)?;
                DbEvent::Verdict(verdict)
            }
            DbRequest::Save => DbEvent::Saved(self.db.to_bytes().map_err(job_error)?),
            DbRequest::Open(bytes) => {
                self.db = Database::from_bytes(&bytes).map_err(|err| {
                    JobError::new(format!("this file is not an SQLite database ({err})"))
                })?;
                self.ready()?
            }
        })
    }
}

fn job_error(err: impl std::fmt::Display) -> JobError {
    JobError::new(err.to_string())
}

impl Service for DbService {
    type Request = DbRequest;
    type Event = DbEvent;

    fn start(&mut self, request: DbRequest) -> Result<(), JobError> {
        self.pending = match request {
            DbRequest::Load(config) => {
                let ums = Ums::new(config).map_err(job_error)?;
                self.db = Database::open_in_memory().map_err(job_error)?;
                Pending::Loading(Box::new(Loader::new(ums)))
            }
            other => Pending::Once(other),
        };
        Ok(())
    }

    fn step(&mut self) -> Result<Step<DbEvent>, JobError> {
        match std::mem::replace(&mut self.pending, Pending::Idle) {
            Pending::Idle => Err(JobError::new("no request is running")),
            Pending::Loading(mut loader) => {
                let progress = loader
                    .step(&mut self.db, LOAD_STEP_ROWS)
                    .map_err(job_error)?;
                if progress.finished {
                    Ok(Step::Finished(self.ready()?))
                } else {
                    self.pending = Pending::Loading(loader);
                    Ok(Step::Event(DbEvent::Progress(progress)))
                }
            }
            Pending::Once(request) => Ok(Step::Finished(self.run_once(request)?)),
        }
    }

    fn cancel(&mut self) {
        if let Pending::Loading(mut loader) = std::mem::replace(&mut self.pending, Pending::Idle) {
            // A failed rollback leaves a database the next load replaces anyway.
            let _ = loader.cancel(&mut self.db);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Outcome, drive};

    fn run(service: &mut DbService, request: DbRequest) -> Vec<DbEvent> {
        let mut events = Vec::new();
        let outcome = drive(service, request, |event| {
            events.push(event);
            true
        });
        assert_eq!(outcome, Ok(Outcome::Finished));
        events
    }

    #[test]
    fn load_query_check_save_open() {
        let mut service = DbService::new().unwrap_or_else(|e| panic!("{e}"));
        let config = Config::scaled(4_000);
        let total = Ums::new(config.clone())
            .map(|u| u.total_rows())
            .unwrap_or(0);
        let events = run(&mut service, DbRequest::Load(config));
        assert!(events.len() > 2, "a load reports progress");
        assert!(
            matches!(events.last(), Some(DbEvent::Ready { tables, rows }) if tables.len() == 18 && *rows == total)
        );

        let events = run(
            &mut service,
            DbRequest::Run {
                sql: "SELECT count(*) FROM students; SELECT 1 +".to_owned(),
                options: QueryOptions::default(),
            },
        );
        assert!(
            matches!(&events[..], [DbEvent::QueryFailed(e)] if e.message.contains("incomplete input") || e.message.contains("syntax error"))
        );

        let events = run(
            &mut service,
            DbRequest::Check {
                exercise: "students-per-department".to_owned(),
                answer: "SELECT 1".to_owned(),
            },
        );
        assert!(matches!(
            &events[..],
            [DbEvent::Verdict(Verdict::Wrong { .. })]
        ));

        let events = run(&mut service, DbRequest::Save);
        let Some(DbEvent::Saved(bytes)) = events.into_iter().next() else {
            panic!("no bytes saved");
        };
        let mut other = DbService::new().unwrap_or_else(|e| panic!("{e}"));
        let events = run(&mut other, DbRequest::Open(bytes));
        assert!(matches!(events.last(), Some(DbEvent::Ready { rows, .. }) if *rows == total));
        assert!(drive(&mut other, DbRequest::Open(b"junk".to_vec()), |_| true).is_err());
    }

    #[test]
    fn a_cancelled_load_leaves_an_empty_database() {
        let mut service = DbService::new().unwrap_or_else(|e| panic!("{e}"));
        let outcome = drive(&mut service, DbRequest::Load(Config::scaled(4_000)), |_| {
            false
        });
        assert_eq!(outcome, Ok(Outcome::Cancelled));
        let events = run(
            &mut service,
            DbRequest::Run {
                sql: "SELECT count(*) FROM sqlite_schema".to_owned(),
                options: QueryOptions::default(),
            },
        );
        assert!(
            matches!(&events[..], [DbEvent::Results(r)] if r[0].rows == vec![vec![campus_db::Cell::Int(0)]])
        );
    }
}
