//! Tickets' SLA clocks: calendars, the clocks each ticket keeps, the alerts they owe, how they
//! look to a caller, and the engine's due work.

mod alerts;
pub mod bell;
mod calendars;
mod clocks;
mod view;

pub(in crate::service) use calendars::*;
pub(in crate::service) use clocks::*;
pub use view::*;
