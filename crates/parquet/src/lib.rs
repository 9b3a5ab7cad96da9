//! Parquet files of any [`Dataset`]: one file per table (or per table and part), with real types,
//! written in row groups of a bounded number of rows through the Apache `parquet` crate's column
//! writers, so memory is a function of the row group, never of the table.
//!
//! Types: `Int` is INT32, `BigInt` INT64, text is BYTE_ARRAY annotated STRING, a decimal is an
//! INT64 of its units annotated DECIMAL(precision, scale) (exact, as the CSV's digits), `Double`
//! is DOUBLE, `Bool` BOOLEAN, a date INT32 DATE (days since 1970-01-01) and a time of day INT64
//! TIME(MICROS, not adjusted to UTC). Nullable columns are OPTIONAL, the others REQUIRED.
//! Pages are compressed with Snappy, as Spark writes them by default.

use std::io::Write;
use std::sync::Arc;

use bytes::Bytes;

use campus_schema::{ColumnType, Dataset, Date, RowSink, Table, Time};
use parquet::basic::{Compression, LogicalType, Repetition, TimeUnit, Type as Physical};
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int32Type, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::ColumnPath;
use parquet::schema::types::{Type, TypePtr};

/// Rows per row group unless told otherwise: a few megabytes of the widest tables.
pub const DEFAULT_ROW_GROUP_ROWS: usize = 65_536;

#[derive(Debug, thiserror::Error)]
pub enum ParquetError {
    #[error("parquet: {0}")]
    Parquet(#[from] parquet::errors::ParquetError),
    #[error("table {table}, column {column}: {found} given for a {expected:?} column")]
    TypeMismatch {
        table: String,
        column: String,
        found: &'static str,
        expected: ColumnType,
    },
    #[error("table {table}: a row with {found} values where the table has {expected} columns")]
    RowWidth {
        table: String,
        found: usize,
        expected: usize,
    },
    #[error("table {table} index {index} is not in the dataset")]
    NoSuchTable { table: String, index: usize },
}

/// How files are written.
#[derive(Clone, Debug)]
pub struct ParquetOptions {
    /// Rows per row group (at least 1): the bound on what is held in memory.
    pub row_group_rows: usize,
}

impl Default for ParquetOptions {
    fn default() -> Self {
        ParquetOptions {
            row_group_rows: DEFAULT_ROW_GROUP_ROWS,
        }
    }
}

/// The Parquet schema of `table`.
pub fn schema(table: &Table) -> Result<Type, ParquetError> {
    let fields = table
        .columns
        .iter()
        .map(|column| {
            let repetition = if column.nullable {
                Repetition::OPTIONAL
            } else {
                Repetition::REQUIRED
            };
            let (physical, logical) = match column.ty {
                ColumnType::Int => (Physical::INT32, None),
                ColumnType::BigInt => (Physical::INT64, None),
                ColumnType::VarChar(_) | ColumnType::Text => {
                    (Physical::BYTE_ARRAY, Some(LogicalType::String))
                }
                ColumnType::Decimal { precision, scale } => (
                    Physical::INT64,
                    Some(LogicalType::decimal(i32::from(scale), i32::from(precision))),
                ),
                ColumnType::Double => (Physical::DOUBLE, None),
                ColumnType::Bool => (Physical::BOOLEAN, None),
                ColumnType::Date => (Physical::INT32, Some(LogicalType::Date)),
                ColumnType::Time => (
                    Physical::INT64,
                    Some(LogicalType::time(false, TimeUnit::MICROS)),
                ),
            };
            let mut builder = Type::primitive_type_builder(&column.name, physical)
                .with_repetition(repetition)
                .with_logical_type(logical);
            if let ColumnType::Decimal { precision, scale } = column.ty {
                builder = builder
                    .with_precision(i32::from(precision))
                    .with_scale(i32::from(scale));
            }
            Ok(Arc::new(builder.build()?))
        })
        .collect::<Result<Vec<TypePtr>, ParquetError>>()?;
    Ok(Type::group_type_builder(&table.name)
        .with_fields(fields)
        .build()?)
}

/// Writes rows `rows` (a half-open range of row indexes) of table `table_idx` of `dataset` to
/// `out` as one Parquet file, calling `progress` with the rows written after each row group, and
/// gives `out` back.
pub fn write_table<W: Write + Send>(
    dataset: &dyn Dataset,
    table_idx: usize,
    rows: (u64, u64),
    out: W,
    options: &ParquetOptions,
    progress: &mut dyn FnMut(u64),
) -> Result<W, ParquetError> {
    let table = dataset
        .tables()
        .get(table_idx)
        .ok_or_else(|| ParquetError::NoSuchTable {
            table: String::new(),
            index: table_idx,
        })?;
    let mut writer = TableWriter::new(table, out, options)?;
    let group_rows = options.row_group_rows.max(1) as u64;
    let (start, end) = rows;
    let mut at = start;
    while at < end {
        let stop = end.min(at.saturating_add(group_rows));
        for row_idx in at..stop {
            dataset.write_row(table_idx, row_idx, &mut writer);
        }
        writer.flush()?;
        progress(stop - at);
        at = stop;
    }
    writer.finish()
}

/// Rows of the first row group looked at to choose, per column, whether a dictionary pays.
const DICTIONARY_SAMPLE: usize = 4096;

/// A Parquet file written row by row through [`RowSink`] (one call per column, then `end_row`):
/// rows are buffered by column and written as a row group whenever `row_group_rows` are held,
/// so memory is bounded by the row group whatever the number of rows.
///
/// Whether a column is dictionary-encoded is chosen from the first row group (the first
/// [`DICTIONARY_SAMPLE`] values): a dictionary for columns with few distinct values (codes,
/// statuses, dates), plain encoding for nearly unique ones (ids, names, hashes), where a
/// dictionary only costs hashing every value before the writer falls back from it. The choice
/// depends on the rows only, so the same rows give the same bytes.
pub struct TableWriter<W: Write + Send> {
    state: State<W>,
    group: RowGroup,
    group_rows: usize,
    rows_in_group: usize,
    /// The first error of an automatic flush at `end_row`, reported by the next call that can.
    error: Option<ParquetError>,
}

enum State<W: Write + Send> {
    /// Nothing written yet: the schema and the output, until the first row group chooses the
    /// encodings.
    Pending {
        schema: Arc<Type>,
        out: W,
    },
    Writing(SerializedFileWriter<W>),
    /// Only while switching from one state to the other, or after an error there.
    Broken,
}

impl<W: Write + Send> TableWriter<W> {
    pub fn new(table: &Table, out: W, options: &ParquetOptions) -> Result<Self, ParquetError> {
        Ok(TableWriter {
            state: State::Pending {
                schema: Arc::new(schema(table)?),
                out,
            },
            group: RowGroup::new(table),
            group_rows: options.row_group_rows.max(1),
            rows_in_group: 0,
            error: None,
        })
    }

    /// Writes the rows held as a row group (nothing when none is held).
    pub fn flush(&mut self) -> Result<(), ParquetError> {
        if let Some(error) = self.error.take() {
            return Err(error);
        }
        if self.rows_in_group == 0 {
            return Ok(());
        }
        let writer = writer(&mut self.state, &self.group)?;
        self.group.write(writer)?;
        self.group.clear();
        self.rows_in_group = 0;
        Ok(())
    }

    /// Writes what is held and the footer, and gives the output back.
    pub fn finish(mut self) -> Result<W, ParquetError> {
        self.flush()?;
        writer(&mut self.state, &self.group)?;
        match std::mem::replace(&mut self.state, State::Broken) {
            State::Writing(writer) => Ok(writer.into_inner()?),
            _ => Err(broken()),
        }
    }
}

/// The file writer of `state`, created on first use with the encodings the rows `group` holds
/// call for.
fn writer<'a, W: Write + Send>(
    state: &'a mut State<W>,
    group: &RowGroup,
) -> Result<&'a mut SerializedFileWriter<W>, ParquetError> {
    if let State::Pending { .. } = state {
        let State::Pending { schema, out } = std::mem::replace(state, State::Broken) else {
            return Err(broken());
        };
        let mut properties = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_created_by(format!("campus {}", env!("CARGO_PKG_VERSION")));
        for column in &group.columns {
            let path = ColumnPath::new(vec![column.name.clone()]);
            properties =
                properties.set_column_dictionary_enabled(path, column.few_distinct_values());
        }
        let writer = SerializedFileWriter::new(out, schema, Arc::new(properties.build()))?;
        *state = State::Writing(writer);
    }
    match state {
        State::Writing(writer) => Ok(writer),
        _ => Err(broken()),
    }
}

fn broken() -> ParquetError {
    ParquetError::Parquet(parquet::errors::ParquetError::General(
        "the file writer failed earlier".into(),
    ))
}

impl<W: Write + Send> RowSink for TableWriter<W> {
    fn int(&mut self, value: i64) {
        self.group.int(value);
    }
    fn text(&mut self, value: &str) {
        self.group.text(value);
    }
    fn decimal(&mut self, units: i64, scale: u8) {
        self.group.decimal(units, scale);
    }
    fn float(&mut self, value: f64) {
        self.group.float(value);
    }
    fn bool(&mut self, value: bool) {
        self.group.bool(value);
    }
    fn date(&mut self, value: Date) {
        self.group.date(value);
    }
    fn time(&mut self, value: Time) {
        self.group.time(value);
    }
    fn null(&mut self) {
        self.group.null();
    }
    fn end_row(&mut self) {
        self.group.end_row();
        self.rows_in_group += 1;
        if self.rows_in_group >= self.group_rows
            && self.error.is_none()
            && let Err(error) = self.flush()
        {
            self.error = Some(error);
        }
    }
}

/// One column's values of a row group, in the physical type it is written as.
enum Values {
    Int32(Vec<i32>),
    Int64(Vec<i64>),
    Double(Vec<f64>),
    Bool(Vec<bool>),
    /// Text: every value's bytes one after the other, and where each value ends. The values
    /// are handed to the writer as slices of one shared buffer, never one allocation each.
    Bytes {
        data: Vec<u8>,
        ends: Vec<usize>,
    },
}

struct ColumnBuffer {
    name: String,
    ty: ColumnType,
    values: Values,
    /// Definition levels of an OPTIONAL column (1 present, 0 null); `None` for REQUIRED ones.
    levels: Option<Vec<i16>>,
}

impl ColumnBuffer {
    /// Whether the first values held have few enough distinct ones (at most a quarter) for a
    /// dictionary to pay.
    fn few_distinct_values(&self) -> bool {
        fn few<T: std::hash::Hash + Eq>(values: impl Iterator<Item = T>) -> bool {
            let mut seen = std::collections::HashSet::new();
            let mut n = 0usize;
            for value in values.take(DICTIONARY_SAMPLE) {
                seen.insert(value);
                n += 1;
            }
            seen.len() * 4 <= n
        }
        match &self.values {
            Values::Int32(v) => few(v.iter()),
            Values::Int64(v) => few(v.iter()),
            Values::Double(v) => few(v.iter().map(|x| x.to_bits())),
            // Two values at most: a dictionary never beats a bit each.
            Values::Bool(_) => false,
            Values::Bytes { data, ends } => few(ends.iter().scan(0usize, |start, &end| {
                let value = data.get(*start..end).unwrap_or_default();
                *start = end;
                Some(value)
            })),
        }
    }
}

/// A row group being filled through [`RowSink`]: one call per column, then `end_row`.
struct RowGroup {
    table: String,
    columns: Vec<ColumnBuffer>,
    /// The column the next value is for.
    next: usize,
    /// The first mistake of a producer (a value of the wrong type, a row of the wrong width):
    /// reported when the group is written, never a panic.
    error: Option<ParquetError>,
    /// Reused between row groups: the text values of the column being written.
    slices: Vec<ByteArray>,
}

impl RowGroup {
    fn new(table: &Table) -> RowGroup {
        let columns = table
            .columns
            .iter()
            .map(|column| ColumnBuffer {
                name: column.name.to_string(),
                ty: column.ty,
                values: match column.ty {
                    ColumnType::Int | ColumnType::Date => Values::Int32(Vec::new()),
                    ColumnType::BigInt | ColumnType::Decimal { .. } | ColumnType::Time => {
                        Values::Int64(Vec::new())
                    }
                    ColumnType::VarChar(_) | ColumnType::Text => Values::Bytes {
                        data: Vec::new(),
                        ends: Vec::new(),
                    },
                    ColumnType::Double => Values::Double(Vec::new()),
                    ColumnType::Bool => Values::Bool(Vec::new()),
                },
                levels: column.nullable.then(Vec::new),
            })
            .collect();
        RowGroup {
            table: table.name.to_string(),
            columns,
            next: 0,
            error: None,
            slices: Vec::new(),
        }
    }

    fn clear(&mut self) {
        for column in &mut self.columns {
            match &mut column.values {
                Values::Int32(v) => v.clear(),
                Values::Int64(v) => v.clear(),
                Values::Double(v) => v.clear(),
                Values::Bool(v) => v.clear(),
                Values::Bytes { data, ends } => {
                    data.clear();
                    ends.clear();
                }
            }
            if let Some(levels) = &mut column.levels {
                levels.clear();
            }
        }
        self.next = 0;
    }

    /// Puts one value into the next column; `found` names the value's kind for errors.
    fn put(&mut self, found: &'static str, value: Cell<'_>) {
        let table = &self.table;
        let Some(column) = self.columns.get_mut(self.next) else {
            self.next += 1;
            return;
        };
        self.next += 1;
        let stored = match (&mut column.values, value, column.ty) {
            (_, Cell::Null, _) => match &mut column.levels {
                Some(levels) => {
                    levels.push(0);
                    return;
                }
                None => false,
            },
            (Values::Int32(v), Cell::Int(x), ColumnType::Int) => {
                i32::try_from(x).map(|x| v.push(x)).is_ok()
            }
            (Values::Int32(v), Cell::Date(d), ColumnType::Date) => {
                i32::try_from(d.to_days()).map(|x| v.push(x)).is_ok()
            }
            (Values::Int64(v), Cell::Int(x), ColumnType::BigInt) => {
                v.push(x);
                true
            }
            (Values::Int64(v), Cell::Int(x), ColumnType::Decimal { scale, .. }) => {
                rescale(x, 0, scale).map(|x| v.push(x)).is_some()
            }
            (Values::Int64(v), Cell::Decimal(units, from), ColumnType::Decimal { scale, .. }) => {
                rescale(units, from, scale).map(|x| v.push(x)).is_some()
            }
            (Values::Int64(v), Cell::Time(t), ColumnType::Time) => {
                v.push(i64::from(t.seconds) * 1_000_000);
                true
            }
            (Values::Double(v), Cell::Float(x), _) => {
                v.push(x);
                true
            }
            (Values::Double(v), Cell::Int(x), _) => {
                v.push(x as f64);
                true
            }
            (Values::Bool(v), Cell::Bool(x), _) => {
                v.push(x);
                true
            }
            (Values::Bytes { data, ends }, Cell::Text(x), _) => {
                data.extend_from_slice(x.as_bytes());
                ends.push(data.len());
                true
            }
            _ => false,
        };
        if stored {
            if let Some(levels) = &mut column.levels {
                levels.push(1);
            }
        } else if self.error.is_none() {
            self.error = Some(ParquetError::TypeMismatch {
                table: table.clone(),
                column: column.name.clone(),
                found,
                expected: column.ty,
            });
        }
    }

    fn write<W: Write + Send>(
        &mut self,
        writer: &mut SerializedFileWriter<W>,
    ) -> Result<(), ParquetError> {
        if let Some(error) = self.error.take() {
            return Err(error);
        }
        let mut group = writer.next_row_group()?;
        let mut buffers = self.columns.iter_mut();
        while let Some(mut column) = group.next_column()? {
            let Some(buffer) = buffers.next() else {
                break;
            };
            let levels = buffer.levels.as_deref();
            match &mut buffer.values {
                Values::Int32(v) => column.typed::<Int32Type>().write_batch(v, levels, None)?,
                Values::Int64(v) => column.typed::<Int64Type>().write_batch(v, levels, None)?,
                Values::Double(v) => column.typed::<DoubleType>().write_batch(v, levels, None)?,
                Values::Bool(v) => column.typed::<BoolType>().write_batch(v, levels, None)?,
                Values::Bytes { data, ends } => {
                    // One buffer for the whole column, each value a counted slice of it.
                    let shared = Bytes::from(std::mem::take(data));
                    self.slices.clear();
                    let mut start = 0;
                    for &end in ends.iter() {
                        self.slices.push(ByteArray::from(shared.slice(start..end)));
                        start = end;
                    }
                    let written =
                        column
                            .typed::<ByteArrayType>()
                            .write_batch(&self.slices, levels, None)?;
                    self.slices.clear();
                    // The buffer comes back for the next row group when no slice holds it.
                    *data = Vec::from(shared);
                    written
                }
            };
            column.close()?;
        }
        group.close()?;
        Ok(())
    }
}

/// `units / 10^from` as units of `10^-to`, if exact and in range.
fn rescale(units: i64, from: u8, to: u8) -> Option<i64> {
    if to >= from {
        10i64
            .checked_pow(u32::from(to - from))
            .and_then(|f| units.checked_mul(f))
    } else {
        let f = 10i64.checked_pow(u32::from(from - to))?;
        (units % f == 0).then_some(units / f)
    }
}

/// A value as a producer hands it over.
#[derive(Clone, Copy)]
enum Cell<'a> {
    Int(i64),
    Text(&'a str),
    Decimal(i64, u8),
    Float(f64),
    Bool(bool),
    Date(Date),
    Time(Time),
    Null,
}

impl RowSink for RowGroup {
    fn int(&mut self, value: i64) {
        self.put("an integer", Cell::Int(value));
    }
    fn text(&mut self, value: &str) {
        self.put("text", Cell::Text(value));
    }
    fn decimal(&mut self, units: i64, scale: u8) {
        self.put("a decimal", Cell::Decimal(units, scale));
    }
    fn float(&mut self, value: f64) {
        self.put("a float", Cell::Float(value));
    }
    fn bool(&mut self, value: bool) {
        self.put("a boolean", Cell::Bool(value));
    }
    fn date(&mut self, value: Date) {
        self.put("a date", Cell::Date(value));
    }
    fn time(&mut self, value: Time) {
        self.put("a time", Cell::Time(value));
    }
    fn null(&mut self) {
        self.put("NULL", Cell::Null);
    }
    fn end_row(&mut self) {
        if self.next != self.columns.len() && self.error.is_none() {
            self.error = Some(ParquetError::RowWidth {
                table: self.table.clone(),
                found: self.next,
                expected: self.columns.len(),
            });
        }
        self.next = 0;
    }
}
