//! `GET /api/v1/exports/{form_id}.{csv|xlsx|parquet}` (being written).
