//! Reporting: the indices (`analytics`), reports over stored answers (`reports`), charts, exports
//! and the report folder; the paper campaign's numbers (`paper_checks`: re-check error rates,
//! response rate per unit).

pub mod analytics;
pub mod charts;
pub mod exports;
pub mod folder;
pub mod fragments;
pub mod paper_checks;
pub mod reports;
