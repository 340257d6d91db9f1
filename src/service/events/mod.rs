//! Ticket events as integrations read them: the stream and its backlog.

pub mod record;
pub mod stream;
pub mod view;
