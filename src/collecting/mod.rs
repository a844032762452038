//! Collecting answers: the ways into a form (public link, kiosk, invitation) and accepting,
//! checking and storing one response.

pub mod access;
pub mod paper;
pub mod submission;
