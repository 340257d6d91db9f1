//! Reading back what the service stored as text.

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::db::models::TicketRow;
use crate::domain::ticket::Tier;
use crate::service::ServiceError;

/// Reads back a value the service stored as text; a value it cannot read is our fault.
pub(in crate::service) fn stored<T: std::str::FromStr>(
    what: &str,
    text: &str,
) -> Result<T, ServiceError>
where
    T::Err: std::fmt::Display,
{
    text.parse()
        .map_err(|e| ServiceError::Internal(format!("stored {what}: {e}")))
}

/// The stored tier of a ticket.
pub(in crate::service) fn stored_tier(row: &TicketRow) -> Result<Tier, ServiceError> {
    Tier::from_number(row.tier)
        .ok_or_else(|| ServiceError::Internal(format!("stored tier {}", row.tier)))
}

/// A stored optional instant, in UTC.
pub(in crate::service) fn utc(at: Option<NaiveDateTime>) -> Option<DateTime<Utc>> {
    at.map(|at| at.and_utc())
}
