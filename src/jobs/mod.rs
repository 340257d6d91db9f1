//! Background work inside `serve`: the SLA engine, the mail dispatcher and the event hub. Each job runs on
//! its own thread over the use cases of `service`.

mod event_hub;
mod mail_dispatcher;
mod sla_engine;

pub use event_hub::EventHub;
pub use mail_dispatcher::MailDispatcher;
pub use sla_engine::SlaEngine;
