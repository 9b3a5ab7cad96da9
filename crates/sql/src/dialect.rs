//! The SQL dialects a script can be written in, and what differs between them: quoting, escaping,
//! types, booleans, auto-increment, transactions and how a script picks its database.

use serde::{Deserialize, Serialize};

use crate::SqlError;

/// A database family the scripts load into.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Dialect {
    /// MySQL 8 and MariaDB: back-quoted names, backslash escapes, `TINYINT(1)` booleans.
    #[default]
    MySql,
    /// PostgreSQL 12 or newer: double-quoted names, standard strings, identity columns, a schema
    /// in place of a database, foreign keys added after the data (as `pg_dump` does).
    Postgres,
    /// SQLite 3.8.3 or newer (the stock `sqlite3` tool): rowid primary keys, ISO text dates,
    /// REAL decimals, the same types `campus generate --format sqlite` declares.
    Sqlite,
}

impl Dialect {
    pub const ALL: [Dialect; 3] = [Dialect::MySql, Dialect::Postgres, Dialect::Sqlite];

    /// The name `--dialect` takes.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::MySql => "mysql",
            Dialect::Postgres => "postgres",
            Dialect::Sqlite => "sqlite",
        }
    }

    /// The name people know the family by.
    pub fn label(self) -> &'static str {
        match self {
            Dialect::MySql => "MySQL / MariaDB",
            Dialect::Postgres => "PostgreSQL",
            Dialect::Sqlite => "SQLite",
        }
    }

    /// Reads a `--dialect` value: `mysql` (or `mariadb`), `postgres` (or `postgresql`, `pg`),
    /// `sqlite` (or `sqlite3`), in any case.
    pub fn parse(text: &str) -> Result<Dialect, SqlError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "mysql" | "mariadb" => Ok(Dialect::MySql),
            "postgres" | "postgresql" | "pg" => Ok(Dialect::Postgres),
            "sqlite" | "sqlite3" => Ok(Dialect::Sqlite),
            _ => Err(SqlError::BadDialect(text.to_owned())),
        }
    }

    /// The statement that opens a transaction (SQLite has no `START TRANSACTION`).
    pub fn begin(self) -> &'static [u8] {
        match self {
            Dialect::MySql | Dialect::Postgres => b"START TRANSACTION;\n",
            Dialect::Sqlite => b"BEGIN;\n",
        }
    }

    /// A boolean literal: PostgreSQL's `boolean` takes no numbers.
    pub fn bool_literal(self, value: bool) -> &'static [u8] {
        match (self, value) {
            (Dialect::Postgres, true) => b"TRUE",
            (Dialect::Postgres, false) => b"FALSE",
            (_, true) => b"1",
            (_, false) => b"0",
        }
    }
}

impl std::fmt::Display for Dialect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_aliases_parse() {
        for dialect in Dialect::ALL {
            assert_eq!(Dialect::parse(dialect.name()), Ok(dialect));
        }
        assert_eq!(Dialect::parse("PostgreSQL"), Ok(Dialect::Postgres));
        assert_eq!(Dialect::parse("mariadb"), Ok(Dialect::MySql));
        assert_eq!(Dialect::parse("sqlite3"), Ok(Dialect::Sqlite));
        assert!(matches!(
            Dialect::parse("oracle"),
            Err(SqlError::BadDialect(name)) if name == "oracle"
        ));
    }
}
