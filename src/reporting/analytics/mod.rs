//! The SIPAS arithmetic of docs/method.md as pure functions: an answers frame (polars) in, index tables
//! out. No HTTP, no SQL.

pub mod frame;
pub mod indices;
mod passes;
pub mod stats;

pub use frame::{FrameBuilder, ResponseFields};
pub use indices::{compute, compute_grouped, Estimate, GroupResult};
pub use passes::Grouping;
pub use stats::Verdict;

#[derive(Debug, thiserror::Error)]
pub enum AnalyticsError {
    #[error("computation failed: {0}")]
    Polars(#[from] polars::error::PolarsError),
}

impl AnalyticsError {
    pub fn code(&self) -> &'static str {
        "analytics_failed"
    }
}
