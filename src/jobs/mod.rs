//! Background work inside `serve`: the SLA engine, the mail dispatcher, the event hub and the
//! keeper of the server's hold on its database. Each job runs on
//! its own thread over the use cases of `service`; the engine's and the dispatcher's work can
//! also be driven by the caller instead (see [`JobDriver`]).

mod driven;
mod event_hub;
mod hold_keeper;
mod mail_dispatcher;
mod sla_engine;

pub use driven::JobDriver;
pub use event_hub::EventHub;
pub use hold_keeper::HoldKeeper;
pub use mail_dispatcher::{Dispatched, MailDispatcher};
pub use sla_engine::{SlaEngine, run_due_sla};
