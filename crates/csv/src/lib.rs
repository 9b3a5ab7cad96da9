//! Streaming CSV for every part of the studio.
//!
//! [`CsvReader`] is a push-based reader on csv-core (bytes in chunks of any size, typed errors
//! with line and column; `read.rs`, with `read/plain.rs` for plain lines); [`infer`] guesses
//! column types; [`CsvWriter`] turns rows from a [`campus_schema::RowSink`] into RFC 4180 text
//! (`write.rs`); [`TableCsv`] streams a whole table of a [`campus_schema::Dataset`] in chunks
//! (`table.rs`).

pub mod infer;
mod read;
mod table;
mod write;

pub use read::{
    CsvError, CsvErrorKind, CsvReader, DEFAULT_MAX_RECORD_BYTES, Headers, MAX_FIELDS, OnRow,
    ReadAll, ReadOptions, ReadStats, Row, RowHandler, read_all, sniff_delimiter,
};
pub use table::TableCsv;
pub use write::{CsvWriter, LineEnd, push_text};
