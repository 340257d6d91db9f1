//! What the region offers and on what terms: units (PD), services, business calendars and SLA
//! policies.

pub mod calendars;
pub mod services;
pub mod sla_policies;
pub mod units;
