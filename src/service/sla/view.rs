//! How a ticket's SLA looks to a caller.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::clock::UtcTime;
use crate::db::DbConn;
use crate::db::models::{TicketRow, TicketSlaRow};
use crate::domain::calendar::BusinessCalendar;
use crate::domain::ids::SlaPolicyId;
use crate::domain::ticket::Status;
use crate::domain::ticket_sla::{TicketSla, TrackedClock};
use crate::service::ServiceError;
use crate::service::notify::DueInstants;
use crate::service::sla::{CalendarCache, clocks};

/// One clock as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClockView {
    /// The target in business seconds; `null` for a tier 1 window that never runs out.
    pub target_seconds: Option<i64>,
    /// When the target runs out if nothing pauses the clock; `null` while paused or stopped.
    pub due_at: Option<UtcTime>,
    /// When the clock stopped for good (first response, escalation, resolution).
    pub met_at: Option<UtcTime>,
    /// Whether the target was exceeded (never undone).
    pub breached: bool,
    /// Business seconds left; negative once breached.
    pub remaining_seconds: Option<i64>,
    /// Business seconds counted.
    pub elapsed_seconds: i64,
}

/// A ticket's SLA as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlaView {
    /// The policy the ticket was opened under.
    pub policy_id: SlaPolicyId,
    /// Pending: the tier 1 and resolution clocks stand still.
    pub paused: bool,
    /// Time to first response.
    pub response: ClockView,
    /// Tier 1's window before automatic escalation.
    pub tier1: ClockView,
    /// Time to resolution.
    pub resolution: ClockView,
}

impl SlaView {
    /// When each clock falls due, for the mail of a notice.
    pub(in crate::service) fn due_instants(&self) -> DueInstants {
        DueInstants {
            response: self.response.due_at.map(UtcTime::get),
            tier1: self.tier1.due_at.map(UtcTime::get),
            resolution: self.resolution.due_at.map(UtcTime::get),
        }
    }
}

fn clock_view(
    tracked: &TrackedClock,
    now: DateTime<Utc>,
    calendar: &BusinessCalendar,
) -> ClockView {
    ClockView {
        target_seconds: tracked.clock.target_seconds,
        due_at: tracked.clock.due_at(calendar).map(UtcTime::from),
        met_at: tracked.clock.met_at.map(UtcTime::from),
        breached: tracked.breached(now, calendar),
        remaining_seconds: tracked.clock.remaining(now, calendar),
        elapsed_seconds: tracked.clock.elapsed(now, calendar),
    }
}

/// How a ticket's SLA looks at `now`.
pub(in crate::service) fn sla_view(
    policy_id: &str,
    sla: &TicketSla,
    status: Status,
    now: DateTime<Utc>,
    calendar: &BusinessCalendar,
) -> SlaView {
    SlaView {
        policy_id: SlaPolicyId::from(policy_id),
        paused: status == Status::Pending,
        response: clock_view(&sla.response, now, calendar),
        tier1: clock_view(&sla.tier1, now, calendar),
        resolution: clock_view(&sla.resolution, now, calendar),
    }
}

/// The SLA view of a stored ticket at `now`.
pub(in crate::service) fn stored_view(
    conn: &mut DbConn,
    calendars: &CalendarCache,
    ticket: &TicketRow,
    row: Option<&TicketSlaRow>,
    now: DateTime<Utc>,
) -> Result<Option<SlaView>, ServiceError> {
    let Some(row) = row else {
        return Ok(None);
    };
    let calendar = calendars.get(conn, &row.calendar_id)?;
    let sla = clocks(row, ticket.priority)?;
    Ok(Some(sla_view(
        &row.policy_id,
        &sla,
        ticket.status,
        now,
        &calendar,
    )))
}
