//! `campus etl --parquet`: each staging table also as a Parquet file, `stg_students.parquet`
//! and so on, next to its CSV. The staging CSV's bytes are read back as they are written, typed
//! by the table the ETL inferred ([`campus_etl::typed`]), and written through
//! [`campus_parquet::TableWriter`] in bounded row groups; the file is staged with the other
//! outputs, so all of them appear, or none.

use std::path::Path;

use anyhow::Context;
use campus_etl::FileKind;
use campus_etl::typed::TypedCsv;
use campus_parquet::{ParquetOptions, TableWriter};
use campus_schema::Table;

use crate::output::{Inputs, StagedFile};
use crate::parquet::Counted;

/// The Parquet file of one staging table, fed the table's CSV as it is written.
pub struct StagingParquet {
    pub kind: FileKind,
    typed: TypedCsv,
    writer: TableWriter<Counted>,
    path: std::path::PathBuf,
}

/// The file name of `kind`'s staging Parquet.
pub fn file_name(kind: FileKind) -> String {
    format!("{}.parquet", kind.staging_table())
}

impl StagingParquet {
    /// Starts `kind`'s file in `dir`, for rows of `table`.
    pub fn create(
        kind: FileKind,
        table: Table,
        dir: &Path,
        inputs: &Inputs,
    ) -> anyhow::Result<StagingParquet> {
        let path = dir.join(file_name(kind));
        let file = StagedFile::create(&path, inputs)?;
        let out = Counted { file, bytes: 0 };
        let writer = TableWriter::new(&table, out, &ParquetOptions::default())
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(StagingParquet {
            kind,
            typed: TypedCsv::new(table),
            writer,
            path,
        })
    }

    /// The next bytes of the table's CSV.
    pub fn feed(&mut self, csv: &[u8]) {
        self.typed.feed(csv, &mut self.writer);
    }

    /// Ends the file; gives it to commit and the rows it holds.
    pub fn finish(mut self) -> anyhow::Result<(StagedFile, u64)> {
        let rows = self.typed.finish(&mut self.writer).with_context(|| {
            format!(
                "cannot read back the staging CSV for {}",
                self.path.display()
            )
        })?;
        let out = self
            .writer
            .finish()
            .with_context(|| format!("cannot write {}", self.path.display()))?;
        Ok((out.file, rows))
    }
}
