//! Paper sheets as a domain: drawing the printable sheets, comparing two entries of a sheet,
//! drawing a re-check sample. No SQL, no HTTP.

pub mod check;
pub mod entry;
pub mod print;
