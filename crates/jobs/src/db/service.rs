//! The database service: owns one SQLite connection and runs the [`DbRequest`]s. Behind the
//! `db` feature, since it links SQLite's C.

use campus_db::exercises;
use campus_db::{Database, Loader, QueryOptions, TableLoader};
use campus_gen::Ums;

use super::{DbEvent, DbRequest, TableRows};
use crate::{JobError, Service, Step};

/// Rows per load step: a few milliseconds of work, so a cancel is seen at once.
const LOAD_STEP_ROWS: u64 = 20_000;
/// CSV bytes per step of a tables load: about as long as a step of rows.
const LOAD_STEP_BYTES: usize = 1 << 20;

enum Pending {
    Idle,
    Loading(Box<Loader<Ums>>),
    LoadingTables(Box<TableLoader>),
    Once(DbRequest),
}

/// The database service: owns one connection (SQLite in the page is single-threaded).
pub struct DbService {
    db: Database,
    pending: Pending,
    /// The database changed since the shell last asked ([`DbService::take_changed`]).
    changed: bool,
}

impl DbService {
    pub fn new() -> Result<DbService, JobError> {
        Ok(DbService {
            db: Database::open_in_memory().map_err(job_error)?,
            pending: Pending::Idle,
            changed: false,
        })
    }

    /// Whether the database changed (a load, an open, a statement that wrote or altered the
    /// schema) since the last call: a shell that keeps a copy (the page's private file system)
    /// saves then.
    pub fn take_changed(&mut self) -> bool {
        std::mem::take(&mut self.changed)
    }

    /// The database as `.sqlite` bytes (for a shell that keeps a copy).
    pub fn to_bytes(&mut self) -> Result<Vec<u8>, JobError> {
        self.db.to_bytes().map_err(job_error)
    }

    /// Replaces the database with a kept copy, without an event (a shell restoring its copy
    /// before the first request). The copy is not marked as changed.
    pub fn restore(&mut self, bytes: &[u8]) -> Result<(), JobError> {
        self.db = Database::from_bytes(bytes).map_err(job_error)?;
        Ok(())
    }

    fn ready(&self) -> Result<DbEvent, JobError> {
        let mut tables = Vec::new();
        for name in self.db.table_names().map_err(job_error)? {
            let rows = self.db.count_rows(&name).map_err(job_error)?;
            tables.push(TableRows { name, rows });
        }
        let rows = tables.iter().map(|t| t.rows).sum();
        Ok(DbEvent::Ready { tables, rows })
    }

    fn run_once(&mut self, request: DbRequest) -> Result<DbEvent, JobError> {
        Ok(match request {
            DbRequest::Load(_) | DbRequest::LoadTables(_) => {
                return Err(JobError::new("a load runs in steps"));
            }
            DbRequest::Run { sql, options } => {
                let before = self.db.change_marker().map_err(job_error)?;
                let result = self.db.run_script(&sql, &options);
                // A script that failed half way may have written before it failed.
                if self.db.change_marker().map_err(job_error)? != before {
                    self.changed = true;
                }
                match result {
                    Ok(results) => DbEvent::Results(results),
                    Err(err) => DbEvent::QueryFailed(err),
                }
            }
            DbRequest::Status => self.ready()?,
            DbRequest::Check { exercise, answer } => {
                let Some(exercise) = exercises::pack().into_iter().find(|e| e.id == exercise)
                else {
                    return Err(JobError::new(format!("there is no exercise `{exercise}`")));
                };
                let tables = self.db.table_names().map_err(job_error)?;
                if let Some(missing) = exercise
                    .requires
                    .iter()
                    .find(|t| !tables.iter().any(|n| n == *t))
                {
                    return Err(JobError::new(format!(
                        "this exercise reads {missing}: load the ETL's staging tables first"
                    )));
                }
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
                self.changed = true;
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
                // The old database is gone, whatever becomes of this load.
                self.changed = true;
                Pending::Loading(Box::new(Loader::new(ums)))
            }
            DbRequest::LoadTables(files) => {
                let loader = TableLoader::new(files).map_err(job_error)?;
                Pending::LoadingTables(Box::new(loader))
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
                    self.changed = true;
                    Ok(Step::Finished(self.ready()?))
                } else {
                    self.pending = Pending::Loading(loader);
                    Ok(Step::Event(DbEvent::Progress(progress)))
                }
            }
            Pending::LoadingTables(mut loader) => {
                let progress = loader.step(&mut self.db, LOAD_STEP_BYTES);
                // Even a failed load may have replaced tables before it rolled back.
                self.changed = true;
                let progress = progress.map_err(job_error)?;
                if progress.finished {
                    Ok(Step::Finished(self.ready()?))
                } else {
                    self.pending = Pending::LoadingTables(loader);
                    Ok(Step::Event(DbEvent::Progress(progress)))
                }
            }
            Pending::Once(request) => Ok(Step::Finished(self.run_once(request)?)),
        }
    }

    fn cancel(&mut self) {
        match std::mem::replace(&mut self.pending, Pending::Idle) {
            // A failed rollback leaves a database the next load replaces anyway.
            Pending::Loading(mut loader) => {
                let _ = loader.cancel(&mut self.db);
            }
            // The rollback restores the tables as they were before the load.
            Pending::LoadingTables(mut loader) => {
                let _ = loader.cancel(&mut self.db);
            }
            Pending::Idle | Pending::Once(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Verdict;
    use crate::{Outcome, drive};
    use campus_gen::Config;

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
            matches!(events.last(), Some(DbEvent::Ready { tables, rows }) if tables.len() == 18 && *rows == total && tables.iter().map(|t| t.rows).sum::<u64>() == total)
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

    #[test]
    fn changes_are_reported_once_and_a_kept_copy_restores() {
        let mut service = DbService::new().unwrap_or_else(|e| panic!("{e}"));
        assert!(!service.take_changed());
        let events = run(&mut service, DbRequest::Status);
        assert!(matches!(&events[..], [DbEvent::Ready { tables, rows: 0 }] if tables.is_empty()));
        run(&mut service, DbRequest::Load(Config::scaled(2_000)));
        assert!(service.take_changed(), "a load changes the database");
        assert!(!service.take_changed(), "reported once");
        let select = |sql: &str| DbRequest::Run {
            sql: sql.to_owned(),
            options: QueryOptions::default(),
        };
        run(&mut service, select("SELECT count(*) FROM students"));
        assert!(!service.take_changed(), "a query changes nothing");
        run(&mut service, select("CREATE TABLE notes (note TEXT)"));
        assert!(service.take_changed(), "a new table is a change");
        run(
            &mut service,
            select("INSERT INTO notes VALUES ('a'); SELECT 1 +"),
        );
        assert!(
            service.take_changed(),
            "a write before a failure is a change"
        );

        let bytes = service.to_bytes().unwrap_or_else(|e| panic!("{e}"));
        let mut other = DbService::new().unwrap_or_else(|e| panic!("{e}"));
        other.restore(&bytes).unwrap_or_else(|e| panic!("{e}"));
        assert!(!other.take_changed(), "a restored copy is not a change");
        let events = run(&mut other, DbRequest::Status);
        assert!(
            matches!(&events[..], [DbEvent::Ready { tables, .. }] if tables.len() == 19 && tables.iter().any(|t| t.name == "notes" && t.rows == 1))
        );
        assert!(other.restore(b"not a database").is_err());
    }
}

#[cfg(test)]
#[path = "tables_tests.rs"]
mod tables_tests;
