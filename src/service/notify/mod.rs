//! Who is told: the mail outbox and its dispatch.

mod outbox;

pub use outbox::*;
