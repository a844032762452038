//! Server-rendered pages for citizens: work without JavaScript, Vietnamese, mobile-first.

pub mod dashboard;
pub mod form;
pub mod fragments;
pub mod layout;
pub mod pages;
