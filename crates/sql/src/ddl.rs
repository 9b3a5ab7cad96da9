//! `CREATE TABLE` statements and stored routines, derived from the schema model.

use campus_schema::{Column, ColumnType, ForeignKey, Table};

use crate::Dialect;
use crate::escape::{push_ident, push_ident_in};

/// The MySQL spelling of a logical type.
pub fn type_name(ty: ColumnType) -> String {
    match ty {
        ColumnType::Int => "INT".into(),
        ColumnType::BigInt => "BIGINT".into(),
        ColumnType::VarChar(n) => format!("VARCHAR({n})"),
        ColumnType::Text => "TEXT".into(),
        ColumnType::Decimal { precision, scale } => format!("DECIMAL({precision},{scale})"),
        ColumnType::Double => "DOUBLE".into(),
        ColumnType::Bool => "TINYINT(1)".into(),
        ColumnType::Date => "DATE".into(),
        ColumnType::Time => "TIME".into(),
    }
}

/// The spelling of a logical type in `dialect`. SQLite's are the types `campus generate --format
/// sqlite` declares: dates and times are ISO text, decimals REAL (so sums are plain numbers).
pub fn type_name_in(dialect: Dialect, ty: ColumnType) -> String {
    match dialect {
        Dialect::MySql => type_name(ty),
        Dialect::Postgres => match ty {
            ColumnType::Int => "INTEGER".into(),
            ColumnType::BigInt => "BIGINT".into(),
            ColumnType::VarChar(n) => format!("VARCHAR({n})"),
            ColumnType::Text => "TEXT".into(),
            ColumnType::Decimal { precision, scale } => format!("NUMERIC({precision},{scale})"),
            ColumnType::Double => "DOUBLE PRECISION".into(),
            ColumnType::Bool => "BOOLEAN".into(),
            ColumnType::Date => "DATE".into(),
            ColumnType::Time => "TIME".into(),
        },
        Dialect::Sqlite => match ty {
            ColumnType::Int | ColumnType::BigInt | ColumnType::Bool => "INTEGER",
            ColumnType::VarChar(_) | ColumnType::Text | ColumnType::Date | ColumnType::Time => {
                "TEXT"
            }
            ColumnType::Decimal { .. } | ColumnType::Double => "REAL",
        }
        .into(),
    }
}

/// Appends `CREATE TABLE` for `table` in `dialect`.
///
/// - MySQL: [`create_table`].
/// - PostgreSQL: an identity primary key and named unique keys; the foreign keys come after the
///   data ([`add_foreign_keys`]), as `pg_dump` writes them, so rows load in any order and every
///   key is checked once, when its constraint is added.
/// - SQLite: the primary key is the rowid (which numbers new rows), keys and references inline;
///   the `sqlite3` tool checks references only with `PRAGMA foreign_keys = ON`, and
///   `PRAGMA foreign_key_check` lists any row that breaks one.
pub fn create_table_in(dialect: Dialect, out: &mut Vec<u8>, table: &Table, if_not_exists: bool) {
    if dialect == Dialect::MySql {
        return create_table(out, table, if_not_exists);
    }
    create_table_standard(dialect, out, table, if_not_exists, true);
}

/// PostgreSQL, for a bulk load: `CREATE TABLE` with the columns only (types, NOT NULL, the
/// identity), no primary or unique key. [`add_keys`] adds them after `\copy`, so each index is
/// built once from the loaded rows instead of updated row by row.
pub fn create_table_unkeyed(out: &mut Vec<u8>, table: &Table, if_not_exists: bool) {
    create_table_standard(Dialect::Postgres, out, table, if_not_exists, false);
}

/// PostgreSQL: one `ALTER TABLE` giving a table made by [`create_table_unkeyed`] the primary and
/// unique keys [`create_table_in`] declares, named as it names them (`TABLE_pkey`,
/// `uq_TABLE_COLUMN`), so the two schemas are the same. Nothing for a table without keys.
pub fn add_keys(out: &mut Vec<u8>, table: &Table) {
    let dialect = Dialect::Postgres;
    let clauses = postgres_key_clauses(table, b"  ADD ");
    if clauses.is_empty() {
        return;
    }
    out.extend_from_slice(b"ALTER TABLE ");
    push_ident_in(dialect, out, &table.name);
    out.push(b'\n');
    out.extend_from_slice(&clauses.join(&b",\n"[..]));
    out.extend_from_slice(b";\n");
}

/// PostgreSQL's primary key and unique keys of `table` (named `uq_TABLE_COLUMN`), one clause
/// each after `lead` (indentation, and `ADD ` in an `ALTER TABLE`).
fn postgres_key_clauses(table: &Table, lead: &[u8]) -> Vec<Vec<u8>> {
    let dialect = Dialect::Postgres;
    let mut clauses = Vec::new();
    if let Some(pk) = table.primary_key() {
        let mut line = [lead, b"PRIMARY KEY ("].concat();
        push_ident_in(dialect, &mut line, &pk.name);
        line.push(b')');
        clauses.push(line);
    }
    for column in table.columns.iter().filter(|c| c.unique && !c.primary_key) {
        let mut line = [lead, b"CONSTRAINT "].concat();
        push_ident_in(
            dialect,
            &mut line,
            &format!("uq_{}_{}", table.name, column.name),
        );
        line.extend_from_slice(b" UNIQUE (");
        push_ident_in(dialect, &mut line, &column.name);
        line.push(b')');
        clauses.push(line);
    }
    clauses
}

/// PostgreSQL and SQLite `CREATE TABLE`; `keys` false leaves out PostgreSQL's primary and unique
/// keys.
fn create_table_standard(
    dialect: Dialect,
    out: &mut Vec<u8>,
    table: &Table,
    if_not_exists: bool,
    keys: bool,
) {
    out.extend_from_slice(b"CREATE TABLE ");
    if if_not_exists {
        out.extend_from_slice(b"IF NOT EXISTS ");
    }
    push_ident_in(dialect, out, &table.name);
    out.extend_from_slice(b" (\n");
    let mut lines: Vec<Vec<u8>> = Vec::new();
    for column in &table.columns {
        let mut line = b"  ".to_vec();
        push_ident_in(dialect, &mut line, &column.name);
        line.push(b' ');
        line.extend_from_slice(type_name_in(dialect, column.ty).as_bytes());
        match (dialect, column.primary_key) {
            (Dialect::Sqlite, true) => line.extend_from_slice(b" PRIMARY KEY"),
            (_, true) => line.extend_from_slice(b" NOT NULL GENERATED BY DEFAULT AS IDENTITY"),
            (_, false) if !column.nullable => line.extend_from_slice(b" NOT NULL"),
            (_, false) => {}
        }
        if dialect == Dialect::Sqlite && column.unique && !column.primary_key {
            line.extend_from_slice(b" UNIQUE");
        }
        if let (Dialect::Sqlite, Some(fk)) = (dialect, &column.references) {
            line.extend_from_slice(b" REFERENCES ");
            push_ident_in(dialect, &mut line, &fk.table);
            line.push(b'(');
            push_ident_in(dialect, &mut line, &fk.column);
            line.push(b')');
        }
        lines.push(line);
    }
    if dialect == Dialect::Postgres && keys {
        lines.extend(postgres_key_clauses(table, b"  "));
    }
    out.extend_from_slice(&lines.join(&b",\n"[..]));
    out.extend_from_slice(b"\n);\n");
}

/// PostgreSQL: `ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY` for each reference of `table`, which
/// checks every row already loaded. Named as MySQL names them.
pub fn add_foreign_keys(out: &mut Vec<u8>, table: &Table) {
    let dialect = Dialect::Postgres;
    for (column, fk) in table.foreign_keys() {
        out.extend_from_slice(b"ALTER TABLE ");
        push_ident_in(dialect, out, &table.name);
        out.extend_from_slice(b" ADD CONSTRAINT ");
        push_ident_in(dialect, out, &format!("fk_{}_{}", table.name, column.name));
        out.extend_from_slice(b" FOREIGN KEY (");
        push_ident_in(dialect, out, &column.name);
        out.extend_from_slice(b") REFERENCES ");
        push_ident_in(dialect, out, &fk.table);
        out.extend_from_slice(b" (");
        push_ident_in(dialect, out, &fk.column);
        out.extend_from_slice(b");\n");
    }
}

/// PostgreSQL and SQLite: an index on each foreign-key column that is not unique, which InnoDB
/// makes by itself and the others do not (joins and parent deletes would scan the child table).
pub fn foreign_key_indexes(dialect: Dialect, out: &mut Vec<u8>, table: &Table) {
    for (column, _) in table.foreign_keys().filter(|(c, _)| !c.unique) {
        out.extend_from_slice(b"CREATE INDEX IF NOT EXISTS ");
        push_ident_in(dialect, out, &format!("{}_{}_idx", table.name, column.name));
        out.extend_from_slice(b" ON ");
        push_ident_in(dialect, out, &table.name);
        out.extend_from_slice(b" (");
        push_ident_in(dialect, out, &column.name);
        out.extend_from_slice(b");\n");
    }
}

/// Appends `CREATE TABLE` for `table`: InnoDB, utf8mb4, primary, unique and foreign keys.
///
/// Key names carry the table name because MySQL requires foreign-key names to be unique in a
/// database, not just in a table.
pub fn create_table(out: &mut Vec<u8>, table: &Table, if_not_exists: bool) {
    create_table_keyed(out, table, if_not_exists, true);
}

/// MySQL, for a bulk load: `CREATE TABLE` with the primary key only. The unique keys, the
/// foreign keys and their indexes come after the rows ([`add_secondary_keys`]): InnoDB then builds
/// each index once from sorted rows instead of updating it row by row.
pub fn create_table_primary_only(out: &mut Vec<u8>, table: &Table, if_not_exists: bool) {
    create_table_keyed(out, table, if_not_exists, false);
}

/// MySQL: the `ALTER TABLE` that gives a table made by [`create_table_primary_only`] the keys
/// [`create_table`] declares, with the same names, and the server's default statistics again, so
/// `SHOW CREATE TABLE` reads the same. Nothing for a table without secondary keys (it was created
/// whole). With `FOREIGN_KEY_CHECKS = 0` the references are added in
/// place, without copying the table (and without checking the rows, as `mysqldump` reloads do).
pub fn add_secondary_keys(out: &mut Vec<u8>, table: &Table) {
    let mut clauses: Vec<Vec<u8>> = Vec::new();
    for column in table.columns.iter().filter(|c| c.unique && !c.primary_key) {
        clauses.push(key_clause(
            b"  ADD UNIQUE KEY ",
            &format!("uq_{}_{}", table.name, column.name),
            column,
        ));
    }
    // InnoDB's own index for a reference: on each foreign-key column no other key starts with,
    // named after the constraint, as it names the one it makes when the table is created.
    for (column, _) in table
        .foreign_keys()
        .filter(|(c, _)| !c.unique && !c.primary_key)
    {
        clauses.push(key_clause(
            b"  ADD KEY ",
            &format!("fk_{}_{}", table.name, column.name),
            column,
        ));
    }
    for (column, fk) in table.foreign_keys() {
        clauses.push(foreign_key_clause(b"  ADD CONSTRAINT ", table, column, fk));
    }
    if clauses.is_empty() {
        return;
    }
    clauses.push(b"  STATS_AUTO_RECALC=DEFAULT".to_vec());
    out.extend_from_slice(b"ALTER TABLE ");
    push_ident(out, &table.name);
    out.push(b'\n');
    out.extend_from_slice(&clauses.join(&b",\n"[..]));
    out.extend_from_slice(b";\n");
}

/// Whether [`add_secondary_keys`] has keys to add to `table`.
/// `{prefix}name (column)`: a key's clause of a MySQL `CREATE` or `ALTER TABLE`.
fn key_clause(prefix: &[u8], name: &str, column: &Column) -> Vec<u8> {
    let mut line = prefix.to_vec();
    push_ident(&mut line, name);
    line.extend_from_slice(b" (");
    push_ident(&mut line, &column.name);
    line.push(b')');
    line
}

/// `{prefix}fk_table_column FOREIGN KEY (column) REFERENCES parent (key)`.
fn foreign_key_clause(prefix: &[u8], table: &Table, column: &Column, fk: &ForeignKey) -> Vec<u8> {
    let mut line = prefix.to_vec();
    push_ident(&mut line, &format!("fk_{}_{}", table.name, column.name));
    line.extend_from_slice(b" FOREIGN KEY (");
    push_ident(&mut line, &column.name);
    line.extend_from_slice(b") REFERENCES ");
    push_ident(&mut line, &fk.table);
    line.extend_from_slice(b" (");
    push_ident(&mut line, &fk.column);
    line.push(b')');
    line
}

fn has_secondary_keys(table: &Table) -> bool {
    table.columns.iter().any(|c| c.unique && !c.primary_key)
        || table.foreign_keys().next().is_some()
}

fn create_table_keyed(out: &mut Vec<u8>, table: &Table, if_not_exists: bool, secondary: bool) {
    out.extend_from_slice(b"CREATE TABLE ");
    if if_not_exists {
        out.extend_from_slice(b"IF NOT EXISTS ");
    }
    push_ident(out, &table.name);
    out.extend_from_slice(b" (\n");
    let mut lines: Vec<Vec<u8>> = Vec::new();
    for column in &table.columns {
        let mut line = b"  ".to_vec();
        push_ident(&mut line, &column.name);
        line.push(b' ');
        line.extend_from_slice(type_name(column.ty).as_bytes());
        line.extend_from_slice(if column.nullable {
            b" NULL"
        } else {
            b" NOT NULL"
        });
        if column.primary_key {
            line.extend_from_slice(b" AUTO_INCREMENT");
        }
        lines.push(line);
    }
    if let Some(pk) = table.primary_key() {
        let mut line = b"  PRIMARY KEY (".to_vec();
        push_ident(&mut line, &pk.name);
        line.push(b')');
        lines.push(line);
    }
    for column in table
        .columns
        .iter()
        .filter(|c| secondary && c.unique && !c.primary_key)
    {
        lines.push(key_clause(
            b"  UNIQUE KEY ",
            &format!("uq_{}_{}", table.name, column.name),
            column,
        ));
    }
    for (column, fk) in table.foreign_keys().filter(|_| secondary) {
        lines.push(foreign_key_clause(b"  CONSTRAINT ", table, column, fk));
    }
    out.extend_from_slice(&lines.join(&b",\n"[..]));
    out.extend_from_slice(b"\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci");
    if !secondary && has_secondary_keys(table) {
        // InnoDB would otherwise recompute the table's statistics again and again while the
        // rows pour in, which costs as much as storing them.
        out.extend_from_slice(b" STATS_AUTO_RECALC=0");
    }
    out.extend_from_slice(b";\n");
}

/// `CREATE DATABASE IF NOT EXISTS` (in utf8mb4) and `USE` for `database`, one statement a line:
/// how every script this crate's users write (seed script, staging SQL) picks its database.
pub fn create_and_use_database(out: &mut Vec<u8>, database: &str) {
    out.extend_from_slice(b"CREATE DATABASE IF NOT EXISTS ");
    push_ident(out, database);
    out.extend_from_slice(b" CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;\nUSE ");
    push_ident(out, database);
    out.extend_from_slice(b";\n");
}

/// How a script in `dialect` picks its database: MySQL's [`create_and_use_database`]; for
/// PostgreSQL a schema of that name on the search path (a database is chosen when connecting,
/// `psql -d`); nothing for SQLite, whose database is the file the script is loaded into.
pub fn create_and_use_database_in(dialect: Dialect, out: &mut Vec<u8>, database: &str) {
    match dialect {
        Dialect::MySql => create_and_use_database(out, database),
        Dialect::Postgres => {
            out.extend_from_slice(b"CREATE SCHEMA IF NOT EXISTS ");
            push_ident_in(dialect, out, database);
            out.extend_from_slice(b";\n");
            use_database_in(dialect, out, database);
        }
        Dialect::Sqlite => {}
    }
}

/// Only the `USE` half: what a data-only part starts with, so it loads on its own.
pub fn use_database_in(dialect: Dialect, out: &mut Vec<u8>, database: &str) {
    match dialect {
        Dialect::MySql => {
            out.extend_from_slice(b"USE ");
            push_ident(out, database);
            out.extend_from_slice(b";\n");
        }
        Dialect::Postgres => {
            out.extend_from_slice(b"SET search_path TO ");
            push_ident_in(dialect, out, database);
            out.extend_from_slice(b";\n");
        }
        Dialect::Sqlite => {}
    }
}

/// A stored routine in every dialect: MySQL's `CREATE PROCEDURE` text (ending in `END`),
/// PostgreSQL's PL/pgSQL function, and for SQLite, which has neither, a comment saying what to
/// run instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Routine {
    pub name: String,
    pub create: String,
    /// `CREATE OR REPLACE FUNCTION … LANGUAGE plpgsql`, a whole statement ending in `;`.
    pub postgres: String,
    /// Comment lines (each starting `-- `) for SQLite scripts.
    pub sqlite: String,
}

impl Routine {
    /// Appends the routine as `dialect` loads it.
    pub fn write_in(&self, dialect: Dialect, out: &mut Vec<u8>) {
        match dialect {
            Dialect::MySql => self.write(out),
            Dialect::Postgres => {
                out.extend_from_slice(self.postgres.trim_end().as_bytes());
                out.push(b'\n');
            }
            Dialect::Sqlite => {
                out.extend_from_slice(self.sqlite.trim_end().as_bytes());
                out.push(b'\n');
            }
        }
    }

    /// Appends the routine wrapped in `DELIMITER` lines, so the stock `mysql` client can load it.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"DROP PROCEDURE IF EXISTS ");
        push_ident(out, &self.name);
        out.extend_from_slice(b";\nDELIMITER //\n");
        out.extend_from_slice(self.create.trim_end().as_bytes());
        out.extend_from_slice(b" //\nDELIMITER ;\n");
    }
}

/// The University Management System's `enroll_student`: one enrollment dated today with 0 credits.
pub fn enroll_student() -> Routine {
    Routine {
        name: "enroll_student".into(),
        create: "CREATE PROCEDURE `enroll_student`(
  IN p_student_id INT,
  IN p_course_id INT,
  IN p_module_id INT,
  IN p_level_id INT,
  IN p_qualification_id INT,
  IN p_academic_year INT,
  IN p_status VARCHAR(20)
)
BEGIN
  INSERT INTO `student_enrollment`
    (`student_id`, `course_id`, `module_id`, `academic_year`, `level_id`, `qualification_id`,
     `status`, `enrollment_date`, `credits`)
  VALUES
    (p_student_id, p_course_id, p_module_id, p_academic_year, p_level_id, p_qualification_id,
     p_status, CURDATE(), 0);
END"
        .into(),
        postgres: "CREATE OR REPLACE FUNCTION \"enroll_student\"(
  p_student_id INTEGER,
  p_course_id INTEGER,
  p_module_id INTEGER,
  p_level_id INTEGER,
  p_qualification_id INTEGER,
  p_academic_year INTEGER,
  p_status VARCHAR(20)
) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO \"student_enrollment\"
    (\"student_id\", \"course_id\", \"module_id\", \"academic_year\", \"level_id\", \"qualification_id\",
     \"status\", \"enrollment_date\", \"credits\")
  VALUES
    (p_student_id, p_course_id, p_module_id, p_academic_year, p_level_id, p_qualification_id,
     p_status, CURRENT_DATE, 0);
END
$$;"
        .into(),
        sqlite: "-- enroll_student: SQLite has no stored procedures. The MySQL script's procedure is this
-- one statement, with the seven values bound in the order shown:
--   INSERT INTO \"student_enrollment\"
--     (\"student_id\", \"course_id\", \"module_id\", \"level_id\", \"qualification_id\",
--      \"academic_year\", \"status\", \"enrollment_date\", \"credits\")
--   VALUES (?, ?, ?, ?, ?, ?, ?, date('now'), 0);"
            .into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use campus_schema::Column;

    fn students() -> Table {
        Table::new(
            "students",
            vec![
                Column::id("student_id"),
                Column::new("student_number", ColumnType::VarChar(20)).unique(),
                Column::fk("course_id", "courses", "course_id"),
            ],
        )
    }

    #[test]
    fn postgres_bulk_tables_are_bare_and_get_the_keys_of_create_table_after() {
        let table = students();
        let mut keyed = Vec::new();
        create_table_in(Dialect::Postgres, &mut keyed, &table, false);
        let mut bare = Vec::new();
        create_table_unkeyed(&mut bare, &table, false);
        assert_eq!(
            String::from_utf8_lossy(&bare),
            "CREATE TABLE \"students\" (
  \"student_id\" INTEGER NOT NULL GENERATED BY DEFAULT AS IDENTITY,
  \"student_number\" VARCHAR(20) NOT NULL,
  \"course_id\" INTEGER NOT NULL
);
"
        );
        let mut keys = Vec::new();
        add_keys(&mut keys, &table);
        assert_eq!(
            String::from_utf8_lossy(&keys),
            "ALTER TABLE \"students\"
  ADD PRIMARY KEY (\"student_id\"),
  ADD CONSTRAINT \"uq_students_student_number\" UNIQUE (\"student_number\");
"
        );
        // The keyed table declares the same keys under the same names.
        let keyed = String::from_utf8_lossy(&keyed);
        assert!(keyed.contains("  PRIMARY KEY (\"student_id\")"), "{keyed}");
        assert!(
            keyed.contains("CONSTRAINT \"uq_students_student_number\" UNIQUE (\"student_number\")"),
            "{keyed}"
        );
        let mut none = Vec::new();
        add_keys(
            &mut none,
            &Table::new("t", vec![Column::new("x", ColumnType::Int)]),
        );
        assert!(none.is_empty());
    }

    #[test]
    fn create_table_has_every_key() {
        let table = Table::new(
            "students",
            vec![
                Column::id("student_id"),
                Column::new("student_number", ColumnType::VarChar(20)).unique(),
                Column::fk("course_id", "courses", "course_id"),
                Column::new(
                    "score",
                    ColumnType::Decimal {
                        precision: 5,
                        scale: 2,
                    },
                )
                .nullable(),
            ],
        );
        let mut out = Vec::new();
        create_table(&mut out, &table, false);
        let expected = "CREATE TABLE `students` (
  `student_id` INT NOT NULL AUTO_INCREMENT,
  `student_number` VARCHAR(20) NOT NULL,
  `course_id` INT NOT NULL,
  `score` DECIMAL(5,2) NULL,
  PRIMARY KEY (`student_id`),
  UNIQUE KEY `uq_students_student_number` (`student_number`),
  CONSTRAINT `fk_students_course_id` FOREIGN KEY (`course_id`) REFERENCES `courses` (`course_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
";
        assert_eq!(String::from_utf8_lossy(&out), expected);
    }
}
