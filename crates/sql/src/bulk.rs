//! Fast loading: the statement that reads one table's CSV file (`TABLE.csv`, RFC 4180 with a
//! header row and CRLF line ends, as `campus generate --format csv` writes it) with the dialect's
//! bulk loader, which is many times faster than parsing INSERT statements.
//!
//! An empty field is NULL in a nullable column and an empty string elsewhere, which is how the
//! CSV writer spells them.

use campus_schema::{ColumnType, Table};

use crate::Dialect;
use crate::escape::{push_ident_in, push_literal_in};

/// The file a table's rows are loaded from, beside the load script.
pub fn csv_file_name(table: &Table) -> String {
    format!("{}.csv", table.name)
}

fn ident(dialect: Dialect, name: &str) -> String {
    let mut out = Vec::new();
    push_ident_in(dialect, &mut out, name);
    String::from_utf8_lossy(&out).into_owned()
}

fn literal(dialect: Dialect, value: &str) -> String {
    let mut out = Vec::new();
    push_literal_in(dialect, &mut out, value);
    String::from_utf8_lossy(&out).into_owned()
}

/// Appends the statements that load `table` from its CSV file:
/// - MySQL/MariaDB: `LOAD DATA LOCAL INFILE` (the client needs `--local-infile=1`, the server
///   `local_infile` on, as MariaDB has it by default), no backslash escapes, `NULLIF` for
///   nullable columns;
/// - PostgreSQL: psql's `\copy … FROM` in CSV format (an unquoted empty field is NULL;
///   `FORCE_NOT_NULL` keeps empty text in NOT NULL columns);
/// - SQLite: the `sqlite3` tool's `.import --csv` into a scratch table, then one INSERT … SELECT
///   with `NULLIF` for nullable columns (`.import` stores empty fields as empty text).
pub fn load_table(dialect: Dialect, out: &mut Vec<u8>, table: &Table) {
    let file = csv_file_name(table);
    let name = ident(dialect, &table.name);
    let text = match dialect {
        Dialect::MySql => {
            let mut columns = Vec::new();
            let mut nulls = Vec::new();
            for (idx, column) in table.columns.iter().enumerate() {
                if column.nullable {
                    columns.push(format!("@c{idx}"));
                    nulls.push(format!(
                        "{} = NULLIF(@c{idx}, '')",
                        ident(dialect, &column.name)
                    ));
                } else {
                    columns.push(ident(dialect, &column.name));
                }
            }
            let set = if nulls.is_empty() {
                String::new()
            } else {
                format!("\n  SET {}", nulls.join(", "))
            };
            format!(
                "LOAD DATA LOCAL INFILE {} INTO TABLE {name} CHARACTER SET utf8mb4\n  \
                 FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '\"' ESCAPED BY ''\n  \
                 LINES TERMINATED BY '\\r\\n' IGNORE 1 LINES\n  ({}){set};\n",
                literal(dialect, &file),
                columns.join(", ")
            )
        }
        Dialect::Postgres => {
            let columns: Vec<String> = table
                .columns
                .iter()
                .map(|c| ident(dialect, &c.name))
                .collect();
            let keep_empty: Vec<String> = table
                .columns
                .iter()
                .filter(|c| {
                    !c.nullable && matches!(c.ty, ColumnType::VarChar(_) | ColumnType::Text)
                })
                .map(|c| ident(dialect, &c.name))
                .collect();
            let force = if keep_empty.is_empty() {
                String::new()
            } else {
                format!(", FORCE_NOT_NULL ({})", keep_empty.join(", "))
            };
            // A psql meta-command: one line, no semicolon.
            format!(
                "\\copy {name} ({}) FROM {} WITH (FORMAT csv, HEADER true, ENCODING 'UTF8'{force})\n",
                columns.join(", "),
                literal(dialect, &file)
            )
        }
        Dialect::Sqlite => {
            // `.import` into a new table takes its columns from the header and stores every
            // field as text; the INSERT then turns empty fields of nullable columns into NULL
            // (before a unique key could see two empty strings) and the columns' types convert
            // the rest. A dot-command takes plain words: our file and table names need no quotes.
            let staging = format!("_load_{}", table.name);
            let columns: Vec<String> = table
                .columns
                .iter()
                .map(|c| ident(dialect, &c.name))
                .collect();
            let values: Vec<String> = table
                .columns
                .iter()
                .zip(&columns)
                .map(|(c, name)| {
                    if c.nullable {
                        format!("NULLIF({name}, '')")
                    } else {
                        name.clone()
                    }
                })
                .collect();
            let staging_name = ident(dialect, &staging);
            format!(
                "DROP TABLE IF EXISTS {staging_name};\n.import --csv {file} {staging}\n\
                 INSERT INTO {name} ({}) SELECT {} FROM {staging_name};\nDROP TABLE {staging_name};\n",
                columns.join(", "),
                values.join(", ")
            )
        }
    };
    out.extend_from_slice(text.as_bytes());
}
