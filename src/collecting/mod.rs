//! Collecting answers: the ways into a form (public link, kiosk, invitation) and accepting,
//! checking and storing one response; importing many from a file.

pub mod access;
pub mod import;
pub mod paper;
pub mod submission;
