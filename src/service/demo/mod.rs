//! `servicedesk seed-demo`: a living demo region.

mod data;
mod history;
mod seed;

pub use seed::*;
