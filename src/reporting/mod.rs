//! Reporting: the indices (`analytics`), reports over stored answers (`reports`), charts, exports,
//! the report folder and the written báo cáo (`document`: its text and the Word file); the paper campaign's numbers (`paper_checks`: re-check error rates,
//! response rate per unit).

pub mod analytics;
pub mod charts;
pub mod command;
pub mod document;
pub mod exports;
pub mod folder;
pub mod fragments;
pub mod paper_checks;
pub mod reports;
