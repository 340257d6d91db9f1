//! Background work inside `serve`: the SLA engine, the mail dispatcher, the event hub and the
//! keeper of the server's hold on its database. Each job runs on
//! its own thread over the use cases of `service`.

mod event_hub;
mod hold_keeper;
mod mail_dispatcher;
mod sla_engine;

pub use event_hub::EventHub;
pub use hold_keeper::HoldKeeper;
pub use mail_dispatcher::MailDispatcher;
pub use sla_engine::SlaEngine;
