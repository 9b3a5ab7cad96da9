//! Streaming CSV for every part of the studio.
//!
//! [`read`] is a push-based reader on csv-core (bytes in chunks of any size, typed errors with
//! line and column); [`infer`] guesses column types; [`write`] turns rows from a
//! [`campus_schema::RowSink`] into RFC 4180 text; [`table`] streams a whole table of a
//! [`campus_schema::Dataset`] in chunks.

pub mod infer;
pub mod read;
pub mod table;
pub mod write;

pub use read::{CsvError, CsvErrorKind, CsvReader, Headers, OnRow, ReadOptions, Row, RowHandler};
pub use table::TableCsv;
pub use write::{CsvWriter, LineEnd};
