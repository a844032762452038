//! JSON endpoints under `/api/v1` (and `/healthz`).

pub mod audit;
pub mod auth;
pub mod charts;
pub mod exports;
pub mod forms;
pub mod forms_admin;
pub mod health;
pub mod imports;
pub mod invitations;
pub mod kiosks;
pub mod paper;
pub mod paper_checks;
pub mod paper_entries;
pub mod qr;
pub mod report_docx;
pub mod reports;
pub mod responses;
pub mod units;
pub mod users;
