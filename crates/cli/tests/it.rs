//! Integration tests of the `campus` binary: one test binary, one module per topic.
//!
//! `mariadb` starts a throwaway MariaDB server (or uses the one named by `CAMPUS_MYSQL_SOCKET`)
//! and loads what the CLI writes into it; `postgres` does the same with a throwaway PostgreSQL
//! cluster (or `CAMPUS_PG_SOCKET_DIR`); `sqlite` opens the CLI's SQLite file in the stock
//! `sqlite3` tool and `sqlite_script` loads `--dialect sqlite` scripts with it. `loaded` holds the
//! checks all three share. `parquet` reads the Parquet files with DuckDB from the project's venv.

mod support;

mod columns;
mod etl;
mod generate;
mod lesson;
mod loaded;
mod malformed;
mod mariadb;
mod occupancy;
mod parquet;
mod postgres;
mod safe;
mod sqlite;
mod sqlite_script;
mod threads;
