//! `--max-bad-rows N` or `N%`: how many rejected rows a run may have and still succeed; shared
//! with the page (campus_jobs::bad_rows).

pub use campus_jobs::bad_rows::MaxBadRows;
