//! Administration: the unit tree and its changes.

pub mod units;
