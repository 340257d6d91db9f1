//! Tickets' SLA in the service: calendars ready for arithmetic, the policy a new ticket opens
//! under, the stored clocks, the alerts they owe, and how they look to a caller.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::clock::rfc3339;
use crate::db::models::{TicketRow, TicketSlaRow};
use crate::db::{self, DbConn};
use crate::domain::calendar::{BusinessCalendar, WorkingHours};
use crate::domain::notification::Notice;
use crate::domain::sla::{Priority, SlaTarget};
use crate::domain::sla_clock::SlaClock;
use crate::domain::ticket::{Status, Tier};
use crate::domain::ticket_sla::{Alert, ClockKind, Position, TicketSla, TrackedClock};
use crate::service::events::record::record_event;
use crate::service::notify::{self, DueInstants, TicketNotice};
use crate::service::ops::metrics::{AutomaticLabel, ClockLabel};
use crate::service::stored::{stored, stored_tier, utc};
use crate::service::{Desk, ServiceError};

/// Why the SLA engine escalates a ticket (docs/api.md "The action table").
pub const AUTOMATIC_ESCALATION_REASON: &str = "sla_tier1_window_elapsed";

/// How long a calendar read for a ticket view is reused. Edits made through this process
/// take effect at once; another process's edit within this time. Stored due instants and the
/// engine always use the calendar as committed.
const CALENDAR_REUSE: Duration = Duration::from_secs(2);

type Cached = (Instant, Arc<BusinessCalendar>);

/// Calendars recently read, by id: a ticket read needs its calendar to show business time
/// left, and calendars change seldom.
#[derive(Default)]
pub(in crate::service) struct CalendarCache(Mutex<HashMap<String, Cached>>);

impl CalendarCache {
    /// The calendar, read at most `CALENDAR_REUSE` ago.
    pub(in crate::service) fn get(
        &self,
        conn: &mut DbConn,
        id: &str,
    ) -> Result<Arc<BusinessCalendar>, ServiceError> {
        let entries = || self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((read, calendar)) = entries().get(id)
            && read.elapsed() < CALENDAR_REUSE
        {
            return Ok(calendar.clone());
        }
        let calendar = Arc::new(load_calendar(conn, id)?);
        entries().insert(id.to_owned(), (Instant::now(), calendar.clone()));
        Ok(calendar)
    }

    /// Drops a calendar this process has just changed.
    pub(in crate::service) fn forget(&self, id: &str) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).remove(id);
    }
}

/// A stored calendar, ready for arithmetic.
pub(in crate::service) fn load_calendar(
    conn: &mut DbConn,
    id: &str,
) -> Result<BusinessCalendar, ServiceError> {
    let row = db::calendars::find(conn, id)?
        .ok_or_else(|| ServiceError::Internal(format!("calendar {id} is missing")))?;
    let holidays = db::calendars::holidays(conn, id)?
        .iter()
        .map(|h| stored("holiday", &h.day))
        .collect::<Result<BTreeSet<_>, _>>()?;
    let hours: WorkingHours = serde_json::from_str(&row.working_hours)
        .map_err(|e| ServiceError::Internal(format!("stored working hours: {e}")))?;
    Ok(BusinessCalendar {
        timezone: stored("timezone", &row.timezone)?,
        always_open: row.always_open,
        hours,
        holidays,
    })
}

/// The policy a new ticket opens under: its service's, else the region default.
#[derive(Debug, Clone)]
pub(in crate::service) struct Opening {
    policy_id: String,
    calendar_id: String,
    targets: Vec<SlaTarget>,
    calendar: Arc<BusinessCalendar>,
}

/// Finds the policy for a ticket of `service_id`; `None` when neither the service nor the
/// region has one (an unconfigured region).
pub(in crate::service) fn opening(
    conn: &mut DbConn,
    calendars: &CalendarCache,
    service_id: Option<&str>,
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
                priority: stored("priority", &t.priority)?,
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

/// A new ticket's SLA row and view: all three clocks start at `at`.
pub(in crate::service) fn opened(
    opening: &Opening,
    ticket_id: &str,
    priority: Priority,
    at: DateTime<Utc>,
) -> Result<Option<(TicketSlaRow, SlaView)>, ServiceError> {
    let Some(sla) = TicketSla::open(opening.targets.clone(), priority, at) else {
        return Ok(None);
    };
    let targets = serde_json::to_string(&opening.targets)
        .map_err(|e| ServiceError::Internal(format!("targets snapshot: {e}")))?;
    let mut row = TicketSlaRow {
        ticket_id: ticket_id.to_owned(),
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

fn naive(at: Option<DateTime<Utc>>) -> Option<NaiveDateTime> {
    at.map(|at| at.naive_utc())
}

fn tracked(
    target: Option<i64>,
    elapsed: i64,
    since: Option<NaiveDateTime>,
    met_at: Option<NaiveDateTime>,
    warned_at: Option<NaiveDateTime>,
    breached_at: Option<NaiveDateTime>,
) -> TrackedClock {
    TrackedClock {
        clock: SlaClock {
            target_seconds: target,
            elapsed_seconds: elapsed,
            running_since: utc(since),
            met_at: utc(met_at),
        },
        warned_at: utc(warned_at),
        breached_at: utc(breached_at),
    }
}

/// The clocks of a stored SLA row, for a ticket of `priority`.
pub(in crate::service) fn clocks(
    row: &TicketSlaRow,
    priority: &str,
) -> Result<TicketSla, ServiceError> {
    let targets: Vec<SlaTarget> = serde_json::from_str(&row.targets)
        .map_err(|e| ServiceError::Internal(format!("stored targets snapshot: {e}")))?;
    Ok(TicketSla {
        targets,
        priority: stored("priority", priority)?,
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
    row.response_since = naive(r.clock.running_since);
    row.response_met_at = naive(r.clock.met_at);
    row.response_warned_at = naive(r.warned_at);
    row.response_breached_at = naive(r.breached_at);
    row.tier1_target = t.clock.target_seconds;
    row.tier1_elapsed = t.clock.elapsed_seconds;
    row.tier1_since = naive(t.clock.running_since);
    row.tier1_met_at = naive(t.clock.met_at);
    row.tier1_warned_at = naive(t.warned_at);
    row.tier1_breached_at = naive(t.breached_at);
    row.resolution_target = s.clock.target_seconds.unwrap_or_default();
    row.resolution_elapsed = s.clock.elapsed_seconds;
    row.resolution_since = naive(s.clock.running_since);
    row.resolution_met_at = naive(s.clock.met_at);
    row.resolution_warned_at = naive(s.warned_at);
    row.resolution_breached_at = naive(s.breached_at);
    row.next_event_at = naive(sla.next_alert_at(calendar));
    row.due_at = naive(sla.earliest_due(calendar));
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
        status: stored("status", &row.status)?,
        tier: stored_tier(row)?,
    })
}

impl Desk {
    /// Records the alerts due at `now` as events (actor `null`) with their mail, and
    /// escalates the ticket to tier 2 when tier 1's window has run out. Returns whether the
    /// ticket row changed.
    pub(in crate::service) fn record_due_alerts(
        &self,
        conn: &mut DbConn,
        ticket: &mut TicketRow,
        held: &mut Held,
        now: DateTime<Utc>,
    ) -> Result<bool, ServiceError> {
        let alerts = held.sla.take_due(now, &held.calendar);
        if alerts.is_empty() {
            return Ok(false);
        }
        let mailing = notify::mailing(conn, self.mail_from.as_deref())?;
        let from = position(ticket)?;
        let stamp = |at: DateTime<Utc>| at.to_rfc3339_opts(SecondsFormat::AutoSi, true);
        for alert in &alerts {
            let clock = ClockLabel {
                clock: alert.clock.to_string(),
            };
            match alert.alert {
                Alert::Warning => self.metrics.sla_warnings.get_or_create(&clock).inc(),
                Alert::Breach => self.metrics.sla_breaches.get_or_create(&clock).inc(),
            };
            self.metrics
                .sla_lateness
                .observe((now - alert.at).as_seconds_f64().max(0.0));
            let event_id = record_event(
                conn,
                &ticket.id,
                alert.alert.as_str(),
                None,
                now,
                serde_json::json!({"clock": alert.clock, "due_at": alert.deadline.map(stamp),
                               "at": stamp(alert.at), "tier": ticket.tier,
                               "priority": ticket.priority}),
            )?;
            let notice = TicketNotice {
                notice: match alert.alert {
                    Alert::Warning => Notice::SlaWarning,
                    Alert::Breach => Notice::SlaBreached,
                },
                event_id: &event_id,
                clock: Some(alert.clock),
                automatic: true,
                detail: None,
                due: held.view(from.status, now).due_instants(),
            };
            notify::enqueue_ticket_mail(conn, &mailing, ticket, &notice, now)?;
        }
        if !TicketSla::escalates(&alerts) || from.tier != Tier::One || !from.status.is_open() {
            return Ok(false);
        }
        let to = Position {
            status: from.status,
            tier: Tier::Two,
        };
        held.sla
            .follow(from, to, ticket.escalated_at.is_some(), now, &held.calendar);
        ticket.tier = Tier::Two.number();
        ticket.escalated_at = Some(now.naive_utc());
        ticket.escalation_reason = Some(AUTOMATIC_ESCALATION_REASON.into());
        ticket.assignee_id = None;
        ticket.updated_at = now.naive_utc();
        ticket.version += 1;
        let event_id = record_event(
            conn,
            &ticket.id,
            "escalated",
            None,
            now,
            serde_json::json!({"from_status": from.status, "to_status": to.status,
                           "reason": AUTOMATIC_ESCALATION_REASON, "automatic": true,
                           "taken_over": false}),
        )?;
        let notice = TicketNotice {
            notice: Notice::Escalated,
            event_id: &event_id,
            clock: Some(ClockKind::Tier1),
            automatic: true,
            detail: None,
            due: held.view(to.status, now).due_instants(),
        };
        notify::enqueue_ticket_mail(conn, &mailing, ticket, &notice, now)?;
        self.metrics
            .escalations
            .get_or_create(&AutomaticLabel {
                automatic: "true".into(),
            })
            .inc();
        Ok(true)
    }
}

/// One clock as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClockView {
    /// The target in business seconds; `null` for a tier 1 window that never runs out.
    pub target_seconds: Option<i64>,
    /// When the target runs out if nothing pauses the clock; `null` while paused or stopped.
    #[serde(with = "rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub due_at: Option<DateTime<Utc>>,
    /// When the clock stopped for good (first response, escalation, resolution).
    #[serde(with = "rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub met_at: Option<DateTime<Utc>>,
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
    pub policy_id: String,
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
            response: self.response.due_at,
            tier1: self.tier1.due_at,
            resolution: self.resolution.due_at,
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
        due_at: tracked.clock.due_at(calendar),
        met_at: tracked.clock.met_at,
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
        policy_id: policy_id.to_owned(),
        paused: status == Status::Pending,
        response: clock_view(&sla.response, now, calendar),
        tier1: clock_view(&sla.tier1, now, calendar),
        resolution: clock_view(&sla.resolution, now, calendar),
    }
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
            sla: clocks(&row, &ticket.priority)?,
            calendar: self.calendars.get(conn, &row.calendar_id)?,
            row,
        }))
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
    let sla = clocks(row, &ticket.priority)?;
    Ok(Some(sla_view(
        &row.policy_id,
        &sla,
        stored("status", &ticket.status)?,
        now,
        &calendar,
    )))
}

/// After a calendar edit: every ticket with a running clock on the calendar keeps the time it
/// has counted under `old` and gets due instants on the calendar as now stored. Returns how
/// many tickets were recomputed.
pub(in crate::service) fn recompute_calendar(
    conn: &mut DbConn,
    calendar_id: &str,
    old: &BusinessCalendar,
    now: DateTime<Utc>,
) -> Result<usize, ServiceError> {
    let new = load_calendar(conn, calendar_id)?;
    let running = db::ticket_sla::running_on_calendar(conn, calendar_id)?;
    for (priority, mut row) in running.iter().cloned() {
        let mut sla = clocks(&row, &priority)?;
        sla.checkpoint(now, old);
        write_back(&mut row, &sla, &new);
        db::ticket_sla::update(conn, &row)?;
    }
    Ok(running.len())
}
