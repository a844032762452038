//! Paper campaigns (docs/paper.md): printing numbered sheets, entering them (double entry and
//! reconciliation), re-checking a sample (phúc tra). Importing answers collected elsewhere is
//! `service::imports`.

pub mod check;
pub mod entry;
pub mod print;
pub mod reconcile;
