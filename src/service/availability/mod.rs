//! Outages of services and their availability.

mod outages;

pub use outages::*;
