//! Rows as stored, in the code's own types (see `columns.rs` for how they meet a column).

mod accounts;
mod catalogue;
mod outbox;
mod region;
mod tickets;
mod trail;

pub use accounts::{TokenRow, UserRow};
pub use catalogue::{
    AvailabilityBreachRow, CalendarRow, HolidayRow, OutageRow, ServiceRow, SlaPolicyRow,
    SlaTargetRow, UnitRow,
};
pub use outbox::NotificationRow;
pub use region::{AuditRow, RegionRow};
pub use tickets::{CommentRow, EventRow, IdempotencyRow, TicketRow, TicketSlaRow};
pub use trail::LinkRow;
