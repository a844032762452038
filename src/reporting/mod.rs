//! Reporting: the indices (`analytics`), reports over stored answers (`reports`), charts, exports
//! and the report folder.

pub mod analytics;
pub mod charts;
pub mod exports;
pub mod folder;
pub mod fragments;
pub mod reports;
