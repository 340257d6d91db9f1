//! Tickets: recording, reading, listing, editing, moving and commenting.

pub mod actions;
pub(in crate::service) mod change;
pub(in crate::service) mod checks;
mod create;
pub(in crate::service) mod draft;
mod edit;
mod engine;
pub(in crate::service) mod insert;
mod read;
pub mod requests;
pub mod view;
pub(in crate::service) mod writer;

pub use create::NewTicket;
pub use edit::TicketChanges;
pub use engine::SlaEngineWork;
pub use read::TicketQuery;
