//! The schema model every output is driven by: tables, columns, types and keys as data.
//!
//! One [`Table`] value produces the DDL, the INSERT column lists, the CSV header and the
//! integrity checks, so these can never disagree. Rows never exist as owned records on the hot
//! path: a producer writes each field straight into a [`RowSink`] (an SQL or CSV writer, or a
//! [`ValueRow`] collector for previews and tests).
//!
//! Interesting modules: [`date`] (civil dates without a time-zone library), [`sink`] (the field
//! writer trait and the owned [`Value`]), [`rng`] (the one portable random stream every
//! generator draws from), [`spread`] (independent tasks a shell may run on its threads).

pub mod date;
pub mod rng;
pub mod sink;
pub mod spread;

use std::borrow::Cow;

pub use date::{Date, Time};
pub use sink::{RowSink, Value, ValueRow};

/// A logical column type; dialect writers map it to their own spelling.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ColumnType {
    /// A 32-bit signed integer.
    Int,
    /// A 64-bit signed integer.
    BigInt,
    /// Variable-length text of at most this many characters.
    VarChar(u16),
    /// Unbounded text.
    Text,
    /// A fixed-point number with `precision` digits, `scale` of them after the point.
    Decimal { precision: u8, scale: u8 },
    /// A double-precision float.
    Double,
    /// True or false, written as 1 or 0.
    Bool,
    /// A calendar date.
    Date,
    /// A time of day.
    Time,
}

impl ColumnType {
    /// The longest text this type can produce in UTF-8, before any escaping.
    pub fn max_text_bytes(self) -> usize {
        match self {
            ColumnType::Int => 11,
            ColumnType::BigInt => 20,
            // Four bytes is the longest UTF-8 sequence of one character.
            ColumnType::VarChar(n) => usize::from(n) * 4,
            ColumnType::Text => 65_535,
            ColumnType::Decimal { precision, .. } => usize::from(precision) + 2,
            ColumnType::Double => 24,
            ColumnType::Bool => 1,
            ColumnType::Date => 10,
            ColumnType::Time => 8,
        }
    }
}

/// A reference from a column to the primary key of another table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForeignKey {
    pub table: Cow<'static, str>,
    pub column: Cow<'static, str>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    pub name: Cow<'static, str>,
    pub ty: ColumnType,
    pub nullable: bool,
    pub unique: bool,
    /// The table's primary key; always an auto-increment integer in our schemas.
    pub primary_key: bool,
    pub references: Option<ForeignKey>,
}

impl Column {
    /// A non-null column with no key.
    pub fn new(name: impl Into<Cow<'static, str>>, ty: ColumnType) -> Column {
        Column {
            name: name.into(),
            ty,
            nullable: false,
            unique: false,
            primary_key: false,
            references: None,
        }
    }

    /// The auto-increment integer primary key.
    pub fn id(name: impl Into<Cow<'static, str>>) -> Column {
        Column {
            primary_key: true,
            ..Column::new(name, ColumnType::Int)
        }
    }

    /// A non-null integer referencing `table(column)`.
    pub fn fk(
        name: impl Into<Cow<'static, str>>,
        table: impl Into<Cow<'static, str>>,
        column: impl Into<Cow<'static, str>>,
    ) -> Column {
        let references = Some(ForeignKey {
            table: table.into(),
            column: column.into(),
        });
        Column {
            references,
            ..Column::new(name, ColumnType::Int)
        }
    }

    pub fn nullable(self) -> Column {
        Column {
            nullable: true,
            ..self
        }
    }

    pub fn unique(self) -> Column {
        Column {
            unique: true,
            ..self
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    pub name: Cow<'static, str>,
    pub columns: Vec<Column>,
}

impl Table {
    pub fn new(name: impl Into<Cow<'static, str>>, columns: Vec<Column>) -> Table {
        Table {
            name: name.into(),
            columns,
        }
    }

    pub fn column_names(&self) -> impl Iterator<Item = &str> {
        self.columns.iter().map(|c| c.name.as_ref())
    }

    pub fn primary_key(&self) -> Option<&Column> {
        self.columns.iter().find(|c| c.primary_key)
    }

    pub fn foreign_keys(&self) -> impl Iterator<Item = (&Column, &ForeignKey)> {
        self.columns
            .iter()
            .filter_map(|c| c.references.as_ref().map(|fk| (c, fk)))
    }

    /// The longest a row of this table can be as unescaped text, separators included.
    pub fn max_row_text_bytes(&self) -> usize {
        self.columns.iter().map(|c| c.ty.max_text_bytes() + 1).sum()
    }
}

/// A set of tables whose rows can be produced one at a time, by index, in any order.
///
/// Tables are listed in dependency order: a table only references tables before it.
pub trait Dataset {
    fn tables(&self) -> &[Table];
    fn n_rows(&self, table_idx: usize) -> u64;
    /// Writes row `row_idx` of table `table_idx` into `sink`, one call per column, then `end_row`.
    fn write_row(&self, table_idx: usize, row_idx: u64, sink: &mut dyn RowSink);
    /// Lines that describe how the data was made (seed, sizes), for file headers.
    fn provenance(&self) -> Vec<String> {
        Vec::new()
    }
}

/// Implements [`Dataset`] for a pointer to one by forwarding every method.
macro_rules! forward_dataset {
    ($($(#[$doc:meta])* $pointer:ty;)*) => {$(
        $(#[$doc])*
        impl<D: Dataset + ?Sized> Dataset for $pointer {
            fn tables(&self) -> &[Table] {
                (**self).tables()
            }
            fn n_rows(&self, table_idx: usize) -> u64 {
                (**self).n_rows(table_idx)
            }
            fn write_row(&self, table_idx: usize, row_idx: u64, sink: &mut dyn RowSink) {
                (**self).write_row(table_idx, row_idx, sink)
            }
            fn provenance(&self) -> Vec<String> {
                (**self).provenance()
            }
        }
    )*};
}

forward_dataset! {
    /// A borrowed dataset is a dataset, so writers can hold either a reference or an owner.
    &D;
    /// A shared dataset is a dataset: a job that owns its data and a writer over it holds an `Rc`.
    std::rc::Rc<D>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worst_case_row_width_counts_utf8_and_separators() {
        let table = Table::new(
            "t",
            vec![
                Column::id("id"),
                Column::new("name", ColumnType::VarChar(10)).nullable(),
            ],
        );
        assert_eq!(table.max_row_text_bytes(), (11 + 1) + (40 + 1));
        assert_eq!(table.primary_key().map(|c| c.name.as_ref()), Some("id"));
        assert_eq!(table.foreign_keys().count(), 0);
    }
}
