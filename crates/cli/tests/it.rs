//! Integration tests of the `campus` binary: one test binary, one module per topic.
//!
//! `mariadb` starts a throwaway MariaDB server (or uses the one named by `CAMPUS_MYSQL_SOCKET`)
//! and loads what the CLI writes into it; `sqlite` opens the CLI's SQLite file in the stock
//! `sqlite3` tool.

mod support;

mod columns;
mod etl;
mod generate;
mod lesson;
mod malformed;
mod mariadb;
mod occupancy;
mod safe;
mod sqlite;
