//! The ETL worker: every byte of the four CSV files is parsed, hashed and joined here, and the
//! outputs are written here, so the page only slices files and renders.
//!
//! The worker is `campus_jobs::etl::EtlService` behind the shared worker protocol; it keeps a
//! run's state between requests. The service times its own work with the worker's clock, so the
//! page can show compute time apart from waiting.

use campus_jobs::etl::EtlService;

use crate::shared::now_ms;
use crate::shared::worker::{Core, serve};

/// Runs the ETL service in this worker; called by `src/bin/etl_worker.rs`.
pub fn run() {
    serve(Core(EtlService::with_clock(now_ms)));
}
