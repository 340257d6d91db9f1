//! The service watching itself: readiness, metrics and its background workers' health.

pub mod health;
pub mod metrics;
pub mod workers;
