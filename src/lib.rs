//! SIPAS survey service: collect and analyse the index of citizens' satisfaction with the service
//! of state administrative bodies.
//!
//! Layers, dependencies pointing one way: `web` → domain (`forms`, `auth`, `units`) → `store`.

pub mod access;
pub mod analytics;
pub mod audit;
pub mod auth;
pub mod charts;
pub mod cli;
pub mod config;
pub mod demo;
pub mod domain;
pub mod exports;
pub mod forms;
pub mod ingest;
pub mod keys;
pub mod limits;
pub mod memory;
pub mod privacy;
pub mod qr;
pub mod report_folder;
pub mod reports;
pub mod retention;
pub mod startup;
pub mod store;
pub mod submission;
pub mod units;
pub mod web;
