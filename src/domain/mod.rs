//! Pure rules: no I/O, no diesel. Roles, official email domains, region presets, business
//! calendars and SLA targets.

pub mod access;
pub mod alert;
pub mod availability;
pub mod calendar;
pub mod digest;
pub mod email;
pub mod governance;
pub mod ids;
pub mod notification;
pub mod presets;
pub mod role;
pub mod sla;
pub mod sla_clock;
pub(crate) mod text_enum;
pub mod ticket;
pub mod ticket_handling;
pub mod ticket_sla;
pub mod trail;
pub mod zone;

/// A stored or submitted text that names no variant of the enum it should be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not one of: {expected}")]
pub struct UnknownValue {
    /// The text that did not match.
    pub value: String,
    /// The accepted spellings, comma-separated.
    pub expected: String,
}
