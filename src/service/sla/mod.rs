//! Tickets' SLA clocks: calendars, the clocks each ticket keeps, the alerts they owe and the
//! engine's due work.

mod clocks;
pub mod due;

pub use clocks::*;
