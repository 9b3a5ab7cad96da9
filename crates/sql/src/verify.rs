//! `verify.sql`: after a load, the database recounts every table and recomputes a checksum of its
//! values, and reports, table by table, whether both match what the generator wrote, as the MySQL
//! Employees sample's check does.
//!
//! The checksum is one that all three dialects can recompute exactly from their own column
//! types. Each value becomes an integer: an integer itself, a decimal's units (75.25 in a
//! `DECIMAL(5,2)` is 7525), a text's length in characters, a date's days since 1970-01-01, a
//! time's seconds since midnight, a boolean's 0 or 1 (a floating-point value counts only as
//! present, since databases round it differently). A row's value is
//! `(key mod 1009 + 1) × Σ column_number × (value + 1)` (a NULL adds nothing), taken mod
//! 1,000,000,007, and the table's checksum is the sum of its rows' values: it changes when a row
//! is missing, added, or has a value changed, moved to another column or to another row's key.

use campus_schema::{ColumnType, Dataset, Date, RowSink, Table, Time};

use crate::Dialect;
use crate::ddl::use_database_in;
use crate::escape::{push_ident_in, push_literal_in};

/// Rows' values are reduced modulo this prime, so the sum of a table's rows fits in 64 bits in
/// every database (SQLite's `SUM` fails on overflow rather than widening).
pub const ROW_MODULUS: i64 = 1_000_000_007;
/// Keys are reduced modulo this prime before they weight a row.
pub const KEY_MODULUS: i64 = 1_009;

/// What a loaded table must hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableCheck {
    pub name: String,
    pub rows: u64,
    pub checksum: i64,
}

/// The count and checksum of every table of `dataset`, in table order (one pass over its rows).
pub fn checksums(dataset: &dyn Dataset) -> Vec<TableCheck> {
    dataset
        .tables()
        .iter()
        .enumerate()
        .map(|(idx, table)| {
            let mut sum = RowSum::new(table);
            for row in 0..dataset.n_rows(idx) {
                dataset.write_row(idx, row, &mut sum);
            }
            TableCheck {
                name: table.name.to_string(),
                rows: sum.rows,
                checksum: sum.total,
            }
        })
        .collect()
}

/// A [`RowSink`] that folds rows into the checksum.
struct RowSum {
    key_column: Option<usize>,
    column: usize,
    key: i64,
    row: i128,
    rows: u64,
    total: i64,
}

impl RowSum {
    fn new(table: &Table) -> RowSum {
        RowSum {
            key_column: table.columns.iter().position(|c| c.primary_key),
            column: 0,
            key: 0,
            row: 0,
            rows: 0,
            total: 0,
        }
    }

    fn value(&mut self, value: i64) {
        if Some(self.column) == self.key_column {
            self.key = value;
        }
        self.column += 1;
        self.row += self.column as i128 * (i128::from(value) + 1);
    }
}

impl RowSink for RowSum {
    fn int(&mut self, value: i64) {
        self.value(value);
    }
    fn text(&mut self, value: &str) {
        self.value(value.chars().count() as i64);
    }
    fn decimal(&mut self, units: i64, _scale: u8) {
        self.value(units);
    }
    fn float(&mut self, _value: f64) {
        self.value(0);
    }
    fn bool(&mut self, value: bool) {
        self.value(i64::from(value));
    }
    fn date(&mut self, value: Date) {
        self.value(value.to_days());
    }
    fn time(&mut self, value: Time) {
        self.value(i64::from(value.seconds % 86_400));
    }
    fn null(&mut self) {
        self.column += 1;
    }
    fn end_row(&mut self) {
        let weight = if self.key_column.is_some() {
            self.key.rem_euclid(KEY_MODULUS) + 1
        } else {
            1
        };
        let row = (i128::from(weight) * self.row).rem_euclid(i128::from(ROW_MODULUS));
        self.total += row as i64;
        self.rows += 1;
        self.column = 0;
        self.key = 0;
        self.row = 0;
    }
}

/// The integer a column's value becomes, as `dialect` computes it from the loaded column.
fn value_expr(dialect: Dialect, column: &str, ty: ColumnType) -> String {
    let int = match dialect {
        Dialect::MySql => "SIGNED",
        Dialect::Postgres => "BIGINT",
        Dialect::Sqlite => "INTEGER",
    };
    let expr = match (ty, dialect) {
        (ColumnType::Int | ColumnType::BigInt, _) => column.to_owned(),
        (ColumnType::Bool, Dialect::Postgres) => format!("CAST({column} AS INTEGER)"),
        (ColumnType::Bool, _) => column.to_owned(),
        (ColumnType::Decimal { scale, .. }, _) => {
            format!("ROUND({column} * 1{})", "0".repeat(usize::from(scale)))
        }
        (ColumnType::Double, _) => format!("CASE WHEN {column} IS NULL THEN NULL ELSE 0 END"),
        (ColumnType::VarChar(_) | ColumnType::Text, Dialect::Sqlite) => format!("LENGTH({column})"),
        (ColumnType::VarChar(_) | ColumnType::Text, _) => format!("CHAR_LENGTH({column})"),
        (ColumnType::Date, Dialect::MySql) => format!("(TO_DAYS({column}) - 719528)"),
        (ColumnType::Date, Dialect::Postgres) => format!("({column} - DATE '1970-01-01')"),
        (ColumnType::Date, Dialect::Sqlite) => {
            format!("(julianday({column}) - 2440587.5)")
        }
        (ColumnType::Time, Dialect::MySql) => format!("TIME_TO_SEC({column})"),
        (ColumnType::Time, Dialect::Postgres) => format!("EXTRACT(EPOCH FROM {column})"),
        (ColumnType::Time, Dialect::Sqlite) => format!(
            "(CAST(substr({column}, 1, 2) AS INTEGER) * 3600 + CAST(substr({column}, 4, 2) AS INTEGER) * 60 + CAST(substr({column}, 7, 2) AS INTEGER))"
        ),
    };
    format!("CAST({expr} AS {int})")
}

/// The `SELECT` that recomputes one table's count and checksum and compares them.
fn table_query(dialect: Dialect, table: &Table, check: &TableCheck) -> String {
    let ident = |name: &str| {
        let mut out = Vec::new();
        push_ident_in(dialect, &mut out, name);
        String::from_utf8_lossy(&out).into_owned()
    };
    let terms: Vec<String> = table
        .columns
        .iter()
        .enumerate()
        .map(|(idx, column)| {
            let value = value_expr(dialect, &ident(&column.name), column.ty);
            format!("COALESCE(({value} + 1) * {}, 0)", idx + 1)
        })
        .collect();
    let weight = match table.primary_key() {
        Some(pk) => format!(
            "(({} % {KEY_MODULUS} + {KEY_MODULUS}) % {KEY_MODULUS} + 1)",
            ident(&pk.name)
        ),
        None => "1".into(),
    };
    // `%` keeps the dividend's sign in SQL (dates before 1970 are negative): add the modulus
    // once more for the remainder Rust's `rem_euclid` gives.
    let row = format!(
        "(({weight} * ({})) % {ROW_MODULUS} + {ROW_MODULUS}) % {ROW_MODULUS}",
        terms.join(" + ")
    );
    let mut name = Vec::new();
    push_literal_in(dialect, &mut name, &table.name);
    let name = String::from_utf8_lossy(&name);
    let (rows, sum) = (check.rows, check.checksum);
    format!(
        "SELECT {name} AS table_name, {rows} AS expected_rows, COUNT(*) AS found_rows, \
         {sum} AS expected_checksum, COALESCE(SUM({row}), 0) AS found_checksum, \
         CASE WHEN COUNT(*) = {rows} AND COALESCE(SUM({row}), 0) = {sum} THEN 'OK' ELSE 'MISMATCH' END AS result \
         FROM {}",
        ident(&table.name)
    )
}

/// `verify.sql` for `dialect`: one result row per table (name, expected and found rows, expected
/// and found checksum, `OK` or `MISMATCH`), then one row saying whether every table matched.
pub fn verify_script(
    dialect: Dialect,
    database: &str,
    tables: &[Table],
    checks: &[TableCheck],
) -> Vec<u8> {
    let mut out = b"-- verify.sql: after loading, checks that every table holds the rows the generator wrote\n\
         -- (a count and a checksum per table, recomputed by the database; see the README).\n\
         -- Every row of the first result should say OK, and the last line ALL TABLES MATCH.\n"
        .to_vec();
    use_database_in(dialect, &mut out, database);
    let queries: Vec<String> = tables
        .iter()
        .zip(checks)
        .map(|(table, check)| table_query(dialect, table, check))
        .collect();
    out.extend_from_slice(b"SELECT * FROM (\n");
    out.extend_from_slice(queries.join("\nUNION ALL\n").as_bytes());
    out.extend_from_slice(b"\n) checks;\n");
    out.extend_from_slice(b"SELECT CASE WHEN SUM(CASE WHEN result = 'OK' THEN 0 ELSE 1 END) = 0 THEN 'ALL TABLES MATCH' ELSE 'SOME TABLES DIFFER' END AS verdict FROM (\n");
    out.extend_from_slice(queries.join("\nUNION ALL\n").as_bytes());
    out.extend_from_slice(b"\n) checks;\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use campus_schema::{Column, Value};

    struct Rows(Vec<Table>, Vec<Vec<Value>>);

    impl Dataset for Rows {
        fn tables(&self) -> &[Table] {
            &self.0
        }
        fn n_rows(&self, _: usize) -> u64 {
            self.1.len() as u64
        }
        fn write_row(&self, _: usize, row: u64, sink: &mut dyn RowSink) {
            for value in self.1.get(row as usize).into_iter().flatten() {
                sink.value(value);
            }
            sink.end_row();
        }
    }

    fn sum(rows: Vec<Vec<Value>>) -> i64 {
        let table = Table::new(
            "t",
            vec![
                Column::id("id"),
                Column::new("a", ColumnType::Int).nullable(),
                Column::new("b", ColumnType::Int).nullable(),
            ],
        );
        checksums(&Rows(vec![table], rows))
            .first()
            .map_or(0, |c| c.checksum)
    }

    #[test]
    fn the_checksum_sees_moved_changed_and_missing_values() {
        use Value::{Int, Null};
        let base = sum(vec![
            vec![Int(1), Int(5), Int(9)],
            vec![Int(2), Int(7), Null],
        ]);
        let variants = [
            vec![vec![Int(1), Int(9), Int(5)], vec![Int(2), Int(7), Null]],
            vec![vec![Int(1), Int(7), Int(9)], vec![Int(2), Int(5), Null]],
            vec![vec![Int(1), Int(5), Int(9)], vec![Int(2), Int(7), Int(0)]],
            vec![vec![Int(1), Int(5), Int(9)]],
            vec![vec![Int(1), Int(5), Int(10)], vec![Int(2), Int(7), Null]],
        ];
        for rows in variants {
            assert_ne!(sum(rows.clone()), base, "{rows:?}");
        }
        // Dates before 1970 are negative and still give a remainder in [0, modulus).
        let old = Date::new(1961, 4, 12).map_or(0, Date::to_days);
        assert!(sum(vec![vec![Int(1), Int(old), Null]]) >= 0);
    }

    #[test]
    fn each_dialect_spells_the_same_computation() {
        let table = Table::new(
            "t",
            vec![
                Column::id("id"),
                Column::new("d", ColumnType::Date),
                Column::new(
                    "m",
                    ColumnType::Decimal {
                        precision: 5,
                        scale: 2,
                    },
                ),
            ],
        );
        let check = TableCheck {
            name: "t".into(),
            rows: 2,
            checksum: 12,
        };
        let mysql = String::from_utf8_lossy(&verify_script(
            Dialect::MySql,
            "db",
            std::slice::from_ref(&table),
            std::slice::from_ref(&check),
        ))
        .into_owned();
        assert!(mysql.contains("USE `db`;"));
        assert!(mysql.contains("CAST((TO_DAYS(`d`) - 719528) AS SIGNED)"));
        assert!(mysql.contains("CAST(ROUND(`m` * 100) AS SIGNED)"));
        let sqlite =
            String::from_utf8_lossy(&verify_script(Dialect::Sqlite, "db", &[table], &[check]))
                .into_owned();
        assert!(sqlite.contains("CAST((julianday(\"d\") - 2440587.5) AS INTEGER)"));
        assert!(sqlite.contains("2 AS expected_rows"));
        assert!(sqlite.ends_with("checks;\n"));
    }
}
