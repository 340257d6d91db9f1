//! Tickets: recording, reading, listing, editing, moving and commenting.

pub mod actions;
mod checks;
mod records;
pub mod requests;
pub mod view;
pub(in crate::service) mod writer;

pub use records::*;
