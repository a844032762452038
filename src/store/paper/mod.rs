//! The paper tables (migration 000007 and after): printed batches, entered sheets and their
//! entries, re-check samples.

pub mod batches;
pub mod checks;
pub mod entries;
pub mod sheets;
