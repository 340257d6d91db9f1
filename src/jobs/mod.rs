//! Background work inside `serve`: the SLA engine (and, next, the mail dispatcher). Each job
//! runs on its own thread over the use cases of `service`.

mod sla_engine;

pub use sla_engine::SlaEngine;
