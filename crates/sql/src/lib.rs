//! MySQL 8 / MariaDB output for any [`campus_schema::Dataset`].
//!
//! [`escape`] writes literals that round-trip any Unicode and any control byte; [`ddl`] turns a
//! [`campus_schema::Table`] into `CREATE TABLE`; [`script`] streams a whole seed script in chunks
//! whose bytes do not depend on the chunk size; [`InsertWriter`] is the row sink behind it, also
//! used on its own for staging tables.
//!
//! `campus_sql` knows nothing about how rows are generated or parsed.

pub mod ddl;
pub mod escape;
pub mod insert;
pub mod script;

pub use ddl::{Routine, create_and_use_database, create_table, enroll_student};
pub use insert::InsertWriter;
pub use script::{Part, ScriptOptions, ScriptWriter, SqlError};
