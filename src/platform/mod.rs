//! What every capability stands on: configuration, the server key, privacy of addresses, rate
//! limits, the audit log, QR codes, memory.

pub mod audit;
pub mod config;
pub mod keys;
pub mod limits;
pub mod memory;
pub mod privacy;
pub mod qr;
