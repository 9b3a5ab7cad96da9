//! SQL output for any [`campus_schema::Dataset`]: MySQL 8 / MariaDB, PostgreSQL and SQLite
//! ([`Dialect`]).
//!
//! [`escape`] writes literals that round-trip any Unicode and any control byte; [`create_table`]
//! turns a [`campus_schema::Table`] into `CREATE TABLE` (`ddl.rs`); [`ScriptWriter`] streams a
//! whole seed script in chunks whose bytes do not depend on the chunk size (`script.rs`);
//! [`InsertWriter`] is the row sink behind it, also used on its own for staging tables
//! (`insert.rs`).
//!
//! `campus_sql` knows nothing about how rows are generated or parsed.

pub mod bulk;
mod ddl;
mod dialect;
pub mod escape;
mod insert;
mod script;
pub mod verify;

pub use ddl::{
    Routine, add_foreign_keys, add_keys, add_secondary_keys, create_and_use_database,
    create_and_use_database_in, create_table, create_table_in, create_table_primary_only,
    create_table_unkeyed, enroll_student, foreign_key_indexes, type_name, type_name_in,
    use_database_in,
};
pub use dialect::Dialect;
pub use insert::{
    BATCHES_PER_TRANSACTION, InsertWriter, MAX_BATCH_ROWS, MAX_STATEMENT_BYTES, SqlValue,
    batch_rows,
};
pub use script::{
    DATA_BEGIN, DATA_END, Part, SYSTEM_DATABASES, ScriptOptions, ScriptWriter, SqlError,
    is_system_database, part_postlude, part_prelude,
};
