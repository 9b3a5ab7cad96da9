//! Parquet files of the generated university read back by the parquet crate's own row reader:
//! every value of every table equal to what the generator produced, the types as documented,
//! row groups bounded, and parts that together hold the whole table; and DuckDB (from PyPI, in
//! the venv scripts/setup.sh makes) reads the same rows as the CSV files hold.

// Tests fail by panicking; unwrap and expect are how they say so.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs::File;
use std::path::PathBuf;

use campus_gen::{Config, Ums};
use campus_parquet::{ParquetOptions, write_table};
use campus_schema::{ColumnType, Dataset, Value, ValueRow};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;

/// A scratch file unique to this test process and `name`.
fn scratch(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("campus-parquet-{}-{name}", std::process::id()))
}

/// Writes rows `rows` of `table_idx` to a file and reads it back as rows of fields.
fn round_trip(
    dataset: &dyn Dataset,
    table_idx: usize,
    rows: (u64, u64),
    options: &ParquetOptions,
) -> (Vec<Vec<Field>>, usize) {
    let path = scratch(&format!("{table_idx}-{}-{}", rows.0, rows.1));
    let file = File::create(&path).unwrap();
    let mut written = 0;
    write_table(dataset, table_idx, rows, file, options, &mut |n| {
        written += n
    })
    .unwrap();
    assert_eq!(written, rows.1 - rows.0);
    let reader = SerializedFileReader::new(File::open(&path).unwrap()).unwrap();
    let groups = reader.metadata().num_row_groups();
    let read = reader
        .get_row_iter(None)
        .unwrap()
        .map(|row| {
            row.unwrap()
                .get_column_iter()
                .map(|(_, field)| field.clone())
                .collect()
        })
        .collect();
    std::fs::remove_file(&path).unwrap();
    (read, groups)
}

/// Whether a field read back is the value the generator wrote for a column of type `ty`.
fn same(field: &Field, value: &Value, ty: ColumnType) -> bool {
    match (field, value) {
        (Field::Null, Value::Null) => true,
        (Field::Int(a), Value::Int(b)) => i64::from(*a) == *b,
        (Field::Long(a), Value::Int(b)) => a == b,
        (Field::Str(a), Value::Text(b)) => a == b,
        (Field::Double(a), Value::Float(b)) => a.to_bits() == b.to_bits(),
        (Field::Bool(a), Value::Bool(b)) => a == b,
        (Field::Date(a), Value::Date(b)) => i64::from(*a) == b.to_days(),
        (Field::TimeMicros(a), Value::Time(b)) => *a == i64::from(b.seconds) * 1_000_000,
        (Field::Decimal(d), Value::Decimal(units, scale)) => {
            let ColumnType::Decimal {
                scale: column_scale,
                precision,
            } = ty
            else {
                return false;
            };
            let bytes: [u8; 8] = d.data().try_into().unwrap();
            d.scale() == i32::from(column_scale)
                && d.precision() == i32::from(precision)
                && i64::from_be_bytes(bytes) == units * 10i64.pow(u32::from(column_scale - scale))
        }
        _ => false,
    }
}

fn expected_rows(dataset: &dyn Dataset, table_idx: usize, rows: (u64, u64)) -> Vec<Vec<Value>> {
    (rows.0..rows.1)
        .map(|row_idx| ValueRow::collect(|sink| dataset.write_row(table_idx, row_idx, sink)))
        .collect()
}

fn assert_rows(dataset: &dyn Dataset, table_idx: usize, rows: (u64, u64), read: &[Vec<Field>]) {
    let table = &dataset.tables()[table_idx];
    let expected = expected_rows(dataset, table_idx, rows);
    assert_eq!(read.len(), expected.len(), "{}", table.name);
    for (line, (got, want)) in read.iter().zip(&expected).enumerate() {
        assert_eq!(got.len(), table.columns.len());
        for ((field, value), column) in got.iter().zip(want).zip(&table.columns) {
            assert!(
                same(field, value, column.ty),
                "{}.{} row {line}: read {field:?}, generated {value:?}",
                table.name,
                column.name
            );
        }
    }
}

#[test]
fn every_table_reads_back_with_its_values_and_types() {
    let ums = Ums::new(Config::scaled(300)).unwrap();
    let mut seen_types = Vec::new();
    for (table_idx, table) in ums.tables().iter().enumerate() {
        let rows = (0, ums.n_rows(table_idx));
        let (read, _) = round_trip(&ums, table_idx, rows, &ParquetOptions::default());
        assert_rows(&ums, table_idx, rows, &read);
        seen_types.extend(table.columns.iter().map(|c| std::mem::discriminant(&c.ty)));
    }
    // The university exercises every type but the unbounded text and the float.
    for ty in [
        ColumnType::Int,
        ColumnType::VarChar(1),
        ColumnType::Decimal {
            precision: 1,
            scale: 0,
        },
        ColumnType::Date,
        ColumnType::Time,
    ] {
        assert!(seen_types.contains(&std::mem::discriminant(&ty)), "{ty:?}");
    }
}

#[test]
fn row_groups_are_bounded_and_parts_make_the_table() {
    let ums = Ums::new(Config::scaled(300)).unwrap();
    let (table_idx, n_rows) = (0..ums.tables().len())
        .map(|t| (t, ums.n_rows(t)))
        .max_by_key(|(_, n)| *n)
        .unwrap();
    assert!(n_rows > 1000, "{n_rows}");
    let small = ParquetOptions {
        row_group_rows: 1000,
    };
    let (read, groups) = round_trip(&ums, table_idx, (0, n_rows), &small);
    assert_eq!(groups as u64, n_rows.div_ceil(1000));
    assert_rows(&ums, table_idx, (0, n_rows), &read);
    // Three parts cut where the CSV's parts are cut hold the table between them.
    let mut all = Vec::new();
    for index in 1..=3 {
        let part = campus_sql::Part { index, count: 3 };
        let rows = part.table_range(n_rows);
        all.extend(round_trip(&ums, table_idx, rows, &small).0);
    }
    assert_rows(&ums, table_idx, (0, n_rows), &all);
}

#[test]
fn an_empty_range_is_a_valid_file_with_the_schema() {
    let ums = Ums::new(Config::scaled(300)).unwrap();
    let (read, groups) = round_trip(&ums, 0, (0, 0), &ParquetOptions::default());
    assert!(read.is_empty());
    assert_eq!(groups, 0);
}

/// The type DuckDB gives a column of type `ty` read from our Parquet.
fn duckdb_type(ty: ColumnType) -> String {
    match ty {
        ColumnType::Int => "INTEGER".into(),
        ColumnType::BigInt => "BIGINT".into(),
        ColumnType::VarChar(_) | ColumnType::Text => "VARCHAR".into(),
        ColumnType::Decimal { precision, scale } => format!("DECIMAL({precision},{scale})"),
        ColumnType::Double => "DOUBLE".into(),
        ColumnType::Bool => "BOOLEAN".into(),
        ColumnType::Date => "DATE".into(),
        ColumnType::Time => "TIME".into(),
    }
}

#[test]
fn duckdb_reads_what_the_csv_holds() {
    let python = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../.venv/bin/python"
    ));
    assert!(
        python.exists(),
        "no {} with DuckDB: run scripts/setup.sh",
        python.display()
    );
    let ums = Ums::new(Config::scaled(1000)).unwrap();
    let folder = scratch("duckdb");
    std::fs::create_dir_all(&folder).unwrap();
    let options = ParquetOptions {
        row_group_rows: 4096,
    };
    let mut expected = Vec::new();
    for (table_idx, table) in ums.tables().iter().enumerate() {
        let n_rows = ums.n_rows(table_idx);
        let mut csv = campus_csv::TableCsv::new(&ums, table_idx);
        let mut bytes = Vec::new();
        while csv.fill(&mut bytes, 1 << 20) {}
        std::fs::write(folder.join(format!("{}.csv", table.name)), bytes).unwrap();
        let file = File::create(folder.join(format!("{}.parquet", table.name))).unwrap();
        write_table(&ums, table_idx, (0, n_rows), file, &options, &mut |_| {}).unwrap();
        for index in 1..=3 {
            let rows = campus_sql::Part { index, count: 3 }.table_range(n_rows);
            let name = format!("{}.part{index}of3.parquet", table.name);
            let file = File::create(folder.join(name)).unwrap();
            write_table(&ums, table_idx, rows, file, &options, &mut |_| {}).unwrap();
        }
        let columns: Vec<String> = table
            .columns
            .iter()
            .map(|c| format!("[\"{}\", \"{}\"]", c.name, duckdb_type(c.ty)))
            .collect();
        expected.push(format!("\"{}\": [{}]", table.name, columns.join(", ")));
    }
    std::fs::write(
        folder.join("expected.json"),
        format!("{{{}}}", expected.join(", ")),
    )
    .unwrap();
    let output = std::process::Command::new(&python)
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/duckdb_check.py"
        ))
        .arg(&folder)
        .output()
        .unwrap();
    std::fs::remove_dir_all(&folder).unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = String::from_utf8(output.stdout).unwrap();
    for (table_idx, table) in ums.tables().iter().enumerate() {
        let n = ums.n_rows(table_idx);
        let types: Vec<String> = table
            .columns
            .iter()
            .map(|c| format!("[\"{}\", \"{}\"]", c.name, duckdb_type(c.ty)))
            .collect();
        let start = report
            .find(&format!("\"{}\": {{", table.name))
            .unwrap_or_else(|| panic!("{} not in {report}", table.name));
        let entry = &report[start..];
        let entry = &entry[..entry.find('}').unwrap()];
        for fact in [
            format!("\"parquet_rows\": {n},"),
            format!("\"csv_rows\": {n},"),
            format!("\"types\": [{}]", types.join(", ")),
            "\"only_in_parquet\": 0,".into(),
            "\"only_in_csv\": 0,".into(),
            format!("\"parts_rows\": {n},"),
            "\"only_in_parts\": 0,".into(),
            "\"missing_from_parts\": 0".into(),
        ] {
            assert!(
                entry.contains(&fact),
                "{}: no {fact} in {entry}",
                table.name
            );
        }
        let checksum = |key: &str| {
            let at = entry.find(key).unwrap() + key.len();
            entry[at..].split('"').nth(1).unwrap().to_owned()
        };
        assert_eq!(
            checksum("\"parquet_checksum\":"),
            checksum("\"csv_checksum\":"),
            "{}",
            table.name
        );
    }
}

#[test]
fn dictionaries_only_for_columns_with_few_distinct_values() {
    use campus_parquet::TableWriter;
    use campus_schema::{Column, RowSink, Table};
    let table = Table::new(
        "t",
        vec![
            Column::id("id"),
            Column::new("code", ColumnType::VarChar(4)),
            Column::new("hash", ColumnType::VarChar(64)),
            Column::new("day", ColumnType::Date).nullable(),
        ],
    );
    let options = ParquetOptions {
        row_group_rows: 3000,
    };
    let mut writer = TableWriter::new(&table, Vec::new(), &options).unwrap();
    let day = campus_schema::Date::parse_iso("2024-08-01").unwrap();
    for i in 0..10_000i64 {
        writer.int(i);
        writer.text(["A", "B", "C"][(i % 3) as usize]);
        writer.text(&format!("{:064x}", i * 7919));
        if i % 5 == 0 {
            writer.null();
        } else {
            writer.date(day);
        }
        writer.end_row();
    }
    let bytes = writer.finish().unwrap();
    let reader = SerializedFileReader::new(bytes::Bytes::from(bytes)).unwrap();
    let metadata = reader.metadata();
    assert_eq!(metadata.num_row_groups(), 4);
    for group in metadata.row_groups() {
        let dictionary = |idx: usize| group.column(idx).dictionary_page_offset().is_some();
        assert!(!dictionary(0), "id");
        assert!(dictionary(1), "code");
        assert!(!dictionary(2), "hash");
        assert!(dictionary(3), "day");
    }
    let rows: Vec<_> = reader.get_row_iter(None).unwrap().collect();
    assert_eq!(rows.len(), 10_000);
    let last = rows.last().unwrap().as_ref().unwrap().to_string();
    assert!(last.contains(&format!("{:064x}", 9999 * 7919)), "{last}");
}

#[test]
fn a_value_of_the_wrong_type_is_an_error_not_a_panic() {
    use campus_parquet::TableWriter;
    use campus_schema::{Column, RowSink, Table};
    let table = Table::new("t", vec![Column::new("n", ColumnType::Int)]);
    let mut writer = TableWriter::new(&table, Vec::new(), &ParquetOptions::default()).unwrap();
    writer.text("seven");
    writer.end_row();
    let error = writer.finish().err().unwrap().to_string();
    assert!(error.contains("table t, column n"), "{error}");
}
