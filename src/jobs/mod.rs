//! Background work inside `serve`: the SLA engine and the mail dispatcher. Each job runs on
//! its own thread over the use cases of `service`.

mod mail_dispatcher;
mod sla_engine;

pub use mail_dispatcher::MailDispatcher;
pub use sla_engine::SlaEngine;
