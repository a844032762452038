//! The integration tests, one binary: through the real stack (HTTP on a real port, a real SQLite
//! file, a real PostgreSQL database), grouped by capability as `src/` is. Every HTTP test runs on
//! both backends (`both_backends!`); the helpers are in `tests/common`.
//!
//! `cargo test --test it` runs them all; `cargo test --test it -- reporting::` one capability.
//! The browser tests are a binary of their own (`tests/browser`), and so is the request-log test
//! (`tests/privacy_log.rs`: it installs a global log subscriber).

#[macro_use]
#[path = "../common/mod.rs"]
mod common;

mod administration;
mod collecting;
mod forms;
mod platform;
mod reporting;
mod soak;
