//! SPBE Service Desk: the Tier 1 / Tier 2 service desk that Indonesian local governments run to
//! keep their ICT service promises (see README.md and `docs/`).

pub mod api;
pub mod app;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod domain;
#[cfg(debug_assertions)]
pub mod faults;
pub mod jobs;
pub mod mail;
pub mod service;
