//! Rows as stored, in the code's own types (see `columns.rs` for how they meet a column).

mod accounts;
mod alerts;
mod catalogue;
mod governance;
mod outbox;
mod region;
mod tickets;
mod trail;

pub use accounts::{TokenRow, UserRow};
pub use alerts::AlertRow;
pub use catalogue::{
    AvailabilityBreachRow, CalendarRow, HolidayRow, OutageRow, ServiceRow, SlaPolicyRow,
    SlaTargetRow, UnitRow,
};
pub use governance::{
    ClosureRow, CriticalBreachRow, CriticalityStepRow, DigestRow, LetterRow, ProblemLinkRow,
    SupervisionRow,
};
pub use outbox::NotificationRow;
pub use region::{AuditRow, RegionRow};
pub use tickets::{CommentRow, EventRow, IdempotencyRow, TicketRow, TicketSlaRow};
pub use trail::LinkRow;
