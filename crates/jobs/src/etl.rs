//! The ETL job: the two-pass pipeline (ingest, analyse, export) over the four exports.
