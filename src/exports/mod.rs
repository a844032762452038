//! Exports of a selection: CSV, XLSX, Parquet (being written).
