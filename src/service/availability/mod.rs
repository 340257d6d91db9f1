//! Outages of services and their availability (docs/sla.md "Availability").

mod budgets;
mod figures;
mod outages;

pub(in crate::service) use figures::service_figures;
pub use figures::{AvailabilityView, BudgetBreachView};
pub use outages::{NewOutage, OutageEnd, OutageQuery, OutageView};
