//! `servicedesk seed-demo`: a living demo region.

mod data;
mod history;
mod script;
mod seed;
mod today;

pub use seed::*;
