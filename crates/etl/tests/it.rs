//! Integration tests of the ETL core, one module per topic; fixtures live in `tests/data/`.
//!
//! `data/padded/` has key fields with surrounding spaces and their hashes as pandas computes them.
//! `data/aktu/` is a small dirty sample (seed 7) with `pandas_reference.json` and
//! `expected_hashes.csv` written once by `data/pandas_reference.py`; `data/malformed/` holds one
//! broken file per kind of read error.

mod it {
    pub mod attack;
    pub mod bounds;
    pub mod chunking;
    pub mod export;
    pub mod hashing;
    pub mod lesson;
    pub mod malformed;
    pub mod pandas;
    pub mod quality;
    pub mod sample;
    pub mod support;
}
