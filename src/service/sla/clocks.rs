//! The clocks each ticket keeps, as stored: the policy a new ticket opens under, its first
//! clocks, reading them back, holding them for a change and saving them.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::clock::UtcTime;

use crate::db::models::{TicketRow, TicketSlaRow};
use crate::db::{self, DbConn};
use crate::domain::calendar::BusinessCalendar;
use crate::domain::ids::{CalendarId, ServiceId, SlaPolicyId, TicketId};
use crate::domain::sla::{Priority, SlaTarget};
use crate::domain::sla_clock::SlaClock;
use crate::domain::ticket::{Status, Tier};
use crate::domain::ticket_sla::{Position, TicketSla, TrackedClock};
use crate::service::sla::{CalendarCache, SlaView, load_calendar, sla_view};
use crate::service::{Desk, ServiceError};

/// The policy a new ticket opens under: its service's, else the region default.
#[derive(Debug, Clone)]
pub(in crate::service) struct Opening {
    policy_id: SlaPolicyId,
    calendar_id: CalendarId,
    targets: Vec<SlaTarget>,
    calendar: Arc<BusinessCalendar>,
}

/// Finds the policy for a ticket of `service_id`; `None` when neither the service nor the
/// region has one (an unconfigured region).
pub(in crate::service) fn opening(
    conn: &mut DbConn,
    calendars: &CalendarCache,
    service_id: Option<&ServiceId>,
) -> Result<Option<Opening>, ServiceError> {
    let service_policy = match service_id {
        Some(id) => db::services::find(conn, id)?.and_then(|s| s.sla_policy_id),
        None => None,
    };
    let policy = match service_policy {
        Some(id) => db::sla_policies::find(conn, &id)?,
        None => db::sla_policies::find_default(conn)?,
    };
    let Some(policy) = policy else {
        return Ok(None);
    };
    let targets = db::sla_policies::targets(conn, &policy.id)?
        .into_iter()
        .map(|t| {
            Ok(SlaTarget {
                priority: t.priority,
                response_seconds: t.response_seconds,
                tier1_seconds: t.tier1_seconds,
                resolution_seconds: t.resolution_seconds,
                warn_at_percent: t.warn_at_percent,
            })
        })
        .collect::<Result<Vec<_>, ServiceError>>()?;
    Ok(Some(Opening {
        calendar: calendars.get(conn, &policy.calendar_id)?,
        policy_id: policy.id,
        calendar_id: policy.calendar_id,
        targets,
    }))
}

/// A new ticket's SLA row and view: all three clocks start at `at`, except that a ticket
/// opened at tier 2 has no tier 1 window to spend.
fn opened(
    opening: &Opening,
    ticket: &TicketRow,
    at: DateTime<Utc>,
) -> Result<Option<(TicketSlaRow, SlaView)>, ServiceError> {
    let Some(mut sla) = TicketSla::open(opening.targets.clone(), ticket.priority, at) else {
        return Ok(None);
    };
    if ticket.tier == Tier::Two {
        let new = |tier| Position {
            status: Status::New,
            tier,
        };
        sla.follow(new(Tier::One), new(Tier::Two), false, at, &opening.calendar);
    }
    let ticket_id = ticket.id.as_str();
    let targets = serde_json::to_string(&opening.targets)
        .map_err(|e| ServiceError::Internal(format!("targets snapshot: {e}")))?;
    let mut row = TicketSlaRow {
        ticket_id: TicketId::from(ticket_id),
        policy_id: opening.policy_id.clone(),
        calendar_id: opening.calendar_id.clone(),
        targets,
        response_target: 0,
        response_elapsed: 0,
        response_since: None,
        response_met_at: None,
        response_warned_at: None,
        response_breached_at: None,
        tier1_target: None,
        tier1_elapsed: 0,
        tier1_since: None,
        tier1_met_at: None,
        tier1_warned_at: None,
        tier1_breached_at: None,
        resolution_target: 0,
        resolution_elapsed: 0,
        resolution_since: None,
        resolution_met_at: None,
        resolution_warned_at: None,
        resolution_breached_at: None,
        next_event_at: None,
        due_at: None,
        breached: false,
    };
    write_back(&mut row, &sla, &opening.calendar);
    let view = sla_view(&row.policy_id, &sla, Status::New, at, &opening.calendar);
    Ok(Some((row, view)))
}

/// Each new ticket's SLA row and view, under its service's policy or the region default.
pub(in crate::service) fn open_all(
    conn: &mut DbConn,
    calendars: &CalendarCache,
    rows: &[TicketRow],
    now: DateTime<Utc>,
) -> Result<Vec<Option<(TicketSlaRow, SlaView)>>, ServiceError> {
    let mut openings: HashMap<Option<&ServiceId>, Option<Opening>> = HashMap::new();
    rows.iter()
        .map(|row| {
            let service = row.service_id.as_ref();
            let opening = match openings.get(&service) {
                Some(opening) => opening.clone(),
                None => {
                    let opening = self::opening(conn, calendars, service)?;
                    openings.insert(service, opening.clone());
                    opening
                }
            };
            let Some(opening) = opening else {
                return Ok(None);
            };
            opened(&opening, row, now)
        })
        .collect()
}

fn tracked(
    target: Option<i64>,
    elapsed: i64,
    since: Option<UtcTime>,
    met_at: Option<UtcTime>,
    warned_at: Option<UtcTime>,
    breached_at: Option<UtcTime>,
) -> TrackedClock {
    TrackedClock {
        clock: SlaClock {
            target_seconds: target,
            elapsed_seconds: elapsed,
            running_since: since.map(UtcTime::get),
            met_at: met_at.map(UtcTime::get),
        },
        warned_at: warned_at.map(UtcTime::get),
        breached_at: breached_at.map(UtcTime::get),
    }
}

/// The clocks of a stored SLA row, for a ticket of `priority`.
pub(in crate::service) fn clocks(
    row: &TicketSlaRow,
    priority: Priority,
) -> Result<TicketSla, ServiceError> {
    let targets: Vec<SlaTarget> = serde_json::from_str(&row.targets)
        .map_err(|e| ServiceError::Internal(format!("stored targets snapshot: {e}")))?;
    Ok(TicketSla {
        targets,
        priority,
        response: tracked(
            Some(row.response_target),
            row.response_elapsed,
            row.response_since,
            row.response_met_at,
            row.response_warned_at,
            row.response_breached_at,
        ),
        tier1: tracked(
            row.tier1_target,
            row.tier1_elapsed,
            row.tier1_since,
            row.tier1_met_at,
            row.tier1_warned_at,
            row.tier1_breached_at,
        ),
        resolution: tracked(
            Some(row.resolution_target),
            row.resolution_elapsed,
            row.resolution_since,
            row.resolution_met_at,
            row.resolution_warned_at,
            row.resolution_breached_at,
        ),
    })
}

/// Stores the clocks back into the row, with the instants the engine and the lists use.
pub(in crate::service) fn write_back(
    row: &mut TicketSlaRow,
    sla: &TicketSla,
    calendar: &BusinessCalendar,
) {
    let (r, t, s) = (&sla.response, &sla.tier1, &sla.resolution);
    row.response_target = r.clock.target_seconds.unwrap_or_default();
    row.response_elapsed = r.clock.elapsed_seconds;
    row.response_since = r.clock.running_since.map(UtcTime::from);
    row.response_met_at = r.clock.met_at.map(UtcTime::from);
    row.response_warned_at = r.warned_at.map(UtcTime::from);
    row.response_breached_at = r.breached_at.map(UtcTime::from);
    row.tier1_target = t.clock.target_seconds;
    row.tier1_elapsed = t.clock.elapsed_seconds;
    row.tier1_since = t.clock.running_since.map(UtcTime::from);
    row.tier1_met_at = t.clock.met_at.map(UtcTime::from);
    row.tier1_warned_at = t.warned_at.map(UtcTime::from);
    row.tier1_breached_at = t.breached_at.map(UtcTime::from);
    row.resolution_target = s.clock.target_seconds.unwrap_or_default();
    row.resolution_elapsed = s.clock.elapsed_seconds;
    row.resolution_since = s.clock.running_since.map(UtcTime::from);
    row.resolution_met_at = s.clock.met_at.map(UtcTime::from);
    row.resolution_warned_at = s.warned_at.map(UtcTime::from);
    row.resolution_breached_at = s.breached_at.map(UtcTime::from);
    row.next_event_at = sla.next_alert_at(calendar).map(UtcTime::from);
    row.due_at = sla.earliest_due(calendar).map(UtcTime::from);
    row.breached = sla.any_breach_recorded();
}

/// A ticket's stored SLA, locked for a change.
pub(in crate::service) struct Held {
    pub row: TicketSlaRow,
    pub sla: TicketSla,
    pub calendar: Arc<BusinessCalendar>,
}

impl Held {
    /// How the clocks look at `now` on a ticket of `status`.
    pub(in crate::service) fn view(&self, status: Status, now: DateTime<Utc>) -> SlaView {
        sla_view(&self.row.policy_id, &self.sla, status, now, &self.calendar)
    }

    /// Saves the clocks.
    pub(in crate::service) fn save(mut self, conn: &mut DbConn) -> Result<Self, ServiceError> {
        write_back(&mut self.row, &self.sla, &self.calendar);
        db::ticket_sla::update(conn, &self.row)?;
        Ok(self)
    }
}

/// Where a stored ticket stands.
pub(in crate::service) fn position(row: &TicketRow) -> Result<Position, ServiceError> {
    Ok(Position {
        status: row.status,
        tier: row.tier,
    })
}

impl Desk {
    /// A ticket's SLA for changing, locked with the ticket; `None` for a ticket opened without
    /// a policy.
    pub(in crate::service) fn hold_sla(
        &self,
        conn: &mut DbConn,
        ticket: &TicketRow,
    ) -> Result<Option<Held>, ServiceError> {
        let Some(row) = db::ticket_sla::find_for_update(conn, &ticket.id)? else {
            return Ok(None);
        };
        Ok(Some(Held {
            sla: clocks(&row, ticket.priority)?,
            calendar: self.calendars.get(conn, &row.calendar_id)?,
            row,
        }))
    }
}

/// After a calendar edit: every ticket with a running clock on the calendar keeps the time it
/// has counted under `old` and gets due instants on the calendar as now stored. Returns how
/// many tickets were recomputed.
pub(in crate::service) fn recompute_calendar(
    conn: &mut DbConn,
    calendar_id: &CalendarId,
    old: &BusinessCalendar,
    now: DateTime<Utc>,
) -> Result<usize, ServiceError> {
    let new = load_calendar(conn, calendar_id)?;
    let running = db::ticket_sla::running_on_calendar(conn, calendar_id)?;
    for (priority, mut row) in running.iter().cloned() {
        let mut sla = clocks(&row, priority)?;
        sla.checkpoint(now, old);
        write_back(&mut row, &sla, &new);
        db::ticket_sla::update(conn, &row)?;
    }
    Ok(running.len())
}
