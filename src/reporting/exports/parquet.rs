//! Parquet through polars, one row group at a time.

use std::io::Write;

use polars::prelude::*;

use super::{ExportError, Table};

/// Rows per row group: bounds the strings built for `submitted_at` at any time.
pub const ROWS_PER_GROUP: usize = 65_536;

/// Writes the table as Parquet: `id`, `unit`, `channel`, `submitted_at` (local RFC 3339 text),
/// then the question columns (`Int8` for ratings and expectations, strings for choices and
/// comments; null when not answered). Returns the size of the file.
pub fn write<W: Write>(table: &Table, writer: W) -> Result<u64, ExportError> {
    let schema = table.frame_slice(0, 0)?.schema().as_ref().clone();
    let mut batched = ParquetWriter::new(writer)
        .with_compression(ParquetCompression::Zstd(None))
        .batched(&schema)?;
    let mut offset = 0;
    while offset < table.len() {
        let len = ROWS_PER_GROUP.min(table.len() - offset);
        let mut batch = table.frame_slice(offset, len)?;
        batch.align_chunks_par();
        batched.write_batch(&batch)?;
        offset += len;
    }
    Ok(batched.finish()?)
}
