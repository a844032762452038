//! SIPAS survey service: collect and analyse the index of citizens' satisfaction with the service
//! of state administrative bodies.
//!
//! Layers, dependencies pointing one way (ARCHITECTURE.md):
//! front doors (`web`, `cli`) → `service` (actions) → capabilities (`collecting`, `reporting`,
//! `administration`) and the shared domain (`forms`, `auth`, `domain`) → `platform`, `store`.
//! `startup` assembles them.

pub mod administration;
pub mod auth;
pub mod cli;
pub mod collecting;
pub mod demo;
pub mod domain;
pub mod forms;
pub mod platform;
pub mod reporting;
pub mod service;
pub mod startup;
pub mod store;
pub mod web;
