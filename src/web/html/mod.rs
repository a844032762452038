//! Server-rendered pages for citizens: work without JavaScript, Vietnamese, mobile-first.

pub mod access;
pub mod admin;
pub mod assets;
pub mod dashboard;
pub mod dashboard_report;
mod dashboard_tables;
pub mod entry;
pub mod error;
pub mod form;
pub mod layout;
pub mod pages;
pub mod static_files;
pub mod submit;
