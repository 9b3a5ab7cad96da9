//! SQLite DDL from the schema model: the same [`Table`] the MySQL DDL and CSV headers come from.

use campus_schema::{ColumnType, Table};

/// The SQLite type a column is declared with. Dates and times are ISO text (SQLite's date
/// functions read them); decimals are REAL so that sums and averages are plain numbers (NUMERIC
/// would store 75.00 as the integer 75).
pub fn sqlite_type(ty: ColumnType) -> &'static str {
    match ty {
        ColumnType::Int | ColumnType::BigInt | ColumnType::Bool => "INTEGER",
        ColumnType::VarChar(_) | ColumnType::Text | ColumnType::Date | ColumnType::Time => "TEXT",
        ColumnType::Decimal { .. } | ColumnType::Double => "REAL",
    }
}

/// An identifier in double quotes, with inner quotes doubled.
pub fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `CREATE TABLE` with types, NOT NULL, the primary key (a rowid alias), UNIQUE and REFERENCES.
pub fn create_table(table: &Table) -> String {
    let mut sql = format!("CREATE TABLE {} (\n", quote(&table.name));
    let mut first = true;
    for column in &table.columns {
        if !first {
            sql += ",\n";
        }
        first = false;
        sql += "  ";
        sql += &quote(&column.name);
        sql += " ";
        sql += sqlite_type(column.ty);
        if column.primary_key {
            sql += " PRIMARY KEY";
        } else {
            if !column.nullable {
                sql += " NOT NULL";
            }
            if column.unique {
                sql += " UNIQUE";
            }
        }
        if let Some(fk) = &column.references {
            sql += &format!(" REFERENCES {}({})", quote(&fk.table), quote(&fk.column));
        }
    }
    sql += "\n)";
    sql
}

/// One index per foreign-key column, so joins and parent deletes do not scan the child table.
/// Built after loading, which is faster than maintaining them row by row.
#[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
pub fn foreign_key_indexes(table: &Table) -> Vec<String> {
    table
        .foreign_keys()
        .filter(|(column, _)| !column.unique)
        .map(|(column, _)| {
            format!(
                "CREATE INDEX {} ON {}({})",
                quote(&format!("{}_{}_idx", table.name, column.name)),
                quote(&table.name),
                quote(&column.name)
            )
        })
        .collect()
}

/// An `INSERT` of every column, one `?` per column, in schema order.
#[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
pub fn insert(table: &Table) -> String {
    let columns: Vec<String> = table.column_names().map(quote).collect();
    let params = vec!["?"; columns.len()].join(", ");
    format!(
        "INSERT INTO {} ({}) VALUES ({params})",
        quote(&table.name),
        columns.join(", ")
    )
}

/// The whole schema as one script, for display.
pub fn schema_script(tables: &[Table]) -> String {
    let mut out = String::new();
    for table in tables {
        out += &create_table(table);
        out += ";\n\n";
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use campus_schema::Column;

    #[test]
    fn ddl_has_types_and_keys() {
        let table = Table::new(
            "t\"x",
            vec![
                Column::id("id"),
                Column::new("name", ColumnType::VarChar(10))
                    .nullable()
                    .unique(),
                Column::fk("p", "parents", "parent_id"),
                Column::new(
                    "score",
                    ColumnType::Decimal {
                        precision: 5,
                        scale: 2,
                    },
                ),
            ],
        );
        assert_eq!(
            create_table(&table),
            "CREATE TABLE \"t\"\"x\" (\n  \"id\" INTEGER PRIMARY KEY,\n  \"name\" TEXT UNIQUE,\n  \"p\" INTEGER NOT NULL REFERENCES \"parents\"(\"parent_id\"),\n  \"score\" REAL NOT NULL\n)"
        );
        assert_eq!(
            insert(&table),
            "INSERT INTO \"t\"\"x\" (\"id\", \"name\", \"p\", \"score\") VALUES (?, ?, ?, ?)"
        );
        assert_eq!(foreign_key_indexes(&table).len(), 1);
    }
}
