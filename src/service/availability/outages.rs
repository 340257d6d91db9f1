//! Outages of services and their availability SLA (docs/sla.md "Availability").

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::clock::rfc3339;
use crate::db::models::{AvailabilityBreachRow, OutageRow, ServiceRow};
use crate::db::{self, DbConn, write_tx};
use crate::domain::access::Operation;
use crate::domain::availability::{Month, Outage, availability, downtime_budget};
use crate::service::notify;
use crate::service::period::resolve as report_period;
use crate::service::stored::stored;
use crate::service::{Desk, FieldError, ServiceError, audit, fields, new_id, permit, region};

/// The longest period of one service's availability, and how far back an outage may be
/// recorded: one year. A wider recording window would only let a typing mistake in a year
/// write (and mail) a budget breach for every month since. (Reports span up to five years.)
const ONE_YEAR_DAYS: i64 = 366;

/// How far an unplanned outage's instants may lie ahead of our clock: the recorder's clock may
/// run a little ahead, but nobody knows when an unplanned outage will start or end.
const CLOCK_SKEW: TimeDelta = TimeDelta::minutes(5);

/// `POST /services/{id}/outages`.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(examples(json!({
    "started_at": "2026-11-30T00:55:00Z",
    "ended_at": "2026-11-30T02:50:00Z",
    "planned": false,
    "ticket_id": "01a22a14-8e80-7efe-903d-4386d0975cb2",
    "note": "Server basis data SIMPEG di pusat data mati setelah listrik padam; pulih setelah genset menyala dan layanan dijalankan ulang."
})))]
pub struct NewOutage {
    /// When the service went down (RFC 3339): within the last 366 days; ahead of now only for
    /// planned maintenance.
    #[schema(value_type = String, format = DateTime)]
    pub started_at: DateTime<Utc>,
    /// When it came back; `null` while it is still down.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub ended_at: Option<DateTime<Utc>>,
    /// Announced maintenance (not counted as downtime); default `false`.
    #[serde(default)]
    pub planned: bool,
    /// The incident ticket that reported it.
    pub ticket_id: Option<String>,
    /// What happened (up to 2,000 characters).
    #[serde(default)]
    pub note: String,
}

/// `PATCH /services/{id}/outages/{oid}`: ends an outage.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(examples(json!({"ended_at": "2026-11-30T02:50:00Z"})))]
pub struct OutageEnd {
    /// When the service came back (RFC 3339).
    #[schema(value_type = String, format = DateTime)]
    pub ended_at: DateTime<Utc>,
}

/// An outage as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutageView {
    /// Outage id.
    pub id: String,
    /// The service.
    pub service_id: String,
    /// When it went down.
    #[serde(with = "rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub started_at: DateTime<Utc>,
    /// When it came back; `null` while down.
    #[serde(with = "rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub ended_at: Option<DateTime<Utc>>,
    /// Announced maintenance.
    pub planned: bool,
    /// The incident ticket that reported it.
    pub ticket_id: Option<String>,
    /// What happened.
    pub note: String,
}

/// `GET /services/{id}/availability?from=&to=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct AvailabilityQuery {
    /// Start of the period (RFC 3339, 1970 to 9999); with `to`, or give `month`.
    #[param(format = DateTime, max_length = 64)]
    pub from: Option<String>,
    /// End of the period (RFC 3339), after `from` and at most five years later, as for the reports.
    #[param(format = DateTime, max_length = 64)]
    pub to: Option<String>,
    /// A month of the region (`YYYY-MM`), from its local midnight on the first to the
    /// next month's, instead of `from` and `to`.
    #[param(pattern = "^[0-9]{4}-(0[1-9]|1[0-2])$", max_length = 7)]
    pub month: Option<String>,
}

/// A service's availability over a period.
#[derive(Debug, Serialize, ToSchema)]
pub struct AvailabilityView {
    /// The service.
    pub service_id: String,
    /// Start of the period.
    #[serde(with = "rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub from: DateTime<Utc>,
    /// End of the period.
    #[serde(with = "rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub to: DateTime<Utc>,
    /// The service's target, percent.
    pub target_percent: f64,
    /// `100 × (1 − unplanned downtime / period)`, over wall-clock time.
    pub availability_percent: f64,
    /// Unplanned downtime in the period, overlaps counted once.
    pub downtime_seconds: i64,
    /// Planned maintenance in the period (not counted).
    pub planned_downtime_seconds: i64,
    /// Whether the target is met.
    pub met: bool,
    /// The region's calendar months overlapping the period in which unplanned downtime
    /// passed the budget the target allows.
    pub budget_breaches: Vec<BudgetBreachView>,
}

/// A month in which a service's unplanned downtime passed its budget.
#[derive(Debug, Serialize, ToSchema)]
pub struct BudgetBreachView {
    /// `YYYY-MM`, the region's calendar month.
    pub month: String,
    /// When the breach was recorded.
    #[serde(with = "rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: DateTime<Utc>,
    /// Unplanned downtime of the month when the breach was recorded.
    pub downtime_seconds: i64,
    /// What the target allows in that month.
    pub budget_seconds: i64,
}

fn view(row: OutageRow) -> OutageView {
    OutageView {
        id: row.id,
        service_id: row.service_id,
        started_at: row.started_at.and_utc(),
        ended_at: row.ended_at.map(|at| at.and_utc()),
        planned: row.planned,
        ticket_id: row.ticket_id,
        note: row.note,
    }
}

impl Desk {
    /// Records an outage (Tier 2, supervisors, admins).
    pub fn create_outage(
        &self,
        caller: &Caller,
        service_id: &str,
        input: NewOutage,
    ) -> Result<OutageView, ServiceError> {
        permit(caller, Operation::RecordOutages)?;
        let now = self.now();
        let mut errors = Vec::new();
        let note = fields::optional_text(&mut errors, "note", &input.note, 2000);
        check_recordable(
            &mut errors,
            "started_at",
            input.started_at,
            input.planned,
            now,
        );
        if let Some(end) = input.ended_at {
            check_recordable(&mut errors, "ended_at", end, input.planned, now);
            if end <= input.started_at {
                errors.push(FieldError::new("ended_at", "must be after started_at"));
            }
        }
        ServiceError::check(errors)?;
        let mut conn = self.conn()?;
        write_tx(&mut conn, |conn| {
            db::services::find(conn, service_id)?.ok_or(ServiceError::NotFound)?;
            if let Some(ticket_id) = &input.ticket_id
                && db::tickets::find(conn, ticket_id)?.is_none()
            {
                return Err(ServiceError::field("ticket_id", "no ticket has this id"));
            }
            let row = OutageRow {
                id: new_id(),
                service_id: service_id.to_owned(),
                started_at: input.started_at.naive_utc(),
                ended_at: input.ended_at.map(|at| at.naive_utc()),
                planned: input.planned,
                ticket_id: input.ticket_id.clone(),
                note,
                created_by: caller.user_id.clone(),
                created_at: now.naive_utc(),
                updated_at: now.naive_utc(),
            };
            db::outages::insert(conn, &row)?;
            let service = db::services::find(conn, service_id)?.ok_or(ServiceError::NotFound)?;
            let until = input.ended_at.unwrap_or(now);
            record_budget_breaches(
                conn,
                &service,
                (input.started_at, until),
                now,
                self.mail_from.as_deref(),
            )?;
            audit::record(
                conn,
                now,
                Some(&caller.user_id),
                "outage_recorded",
                ("service", service_id),
                serde_json::json!({"outage_id": row.id, "planned": row.planned}),
            )?;
            Ok(view(row))
        })
    }

    /// Ends an open outage (Tier 2, supervisors, admins).
    pub fn end_outage(
        &self,
        caller: &Caller,
        service_id: &str,
        id: &str,
        input: OutageEnd,
    ) -> Result<OutageView, ServiceError> {
        permit(caller, Operation::RecordOutages)?;
        let now = self.now();
        let mut conn = self.conn()?;
        write_tx(&mut conn, |conn| {
            let mut row = db::outages::find(conn, service_id, id)?.ok_or(ServiceError::NotFound)?;
            let mut errors = Vec::new();
            check_recordable(&mut errors, "ended_at", input.ended_at, row.planned, now);
            if input.ended_at.naive_utc() <= row.started_at {
                errors.push(FieldError::new("ended_at", "must be after started_at"));
            }
            ServiceError::check(errors)?;
            row.ended_at = Some(input.ended_at.naive_utc());
            row.updated_at = now.naive_utc();
            db::outages::update(conn, &row)?;
            let service = db::services::find(conn, service_id)?.ok_or(ServiceError::NotFound)?;
            let started_at = row.started_at.and_utc();
            record_budget_breaches(
                conn,
                &service,
                (started_at, input.ended_at),
                now,
                self.mail_from.as_deref(),
            )?;
            audit::record(
                conn,
                now,
                Some(&caller.user_id),
                "outage_ended",
                ("service", service_id),
                serde_json::json!({"outage_id": row.id, "ended_at": input.ended_at}),
            )?;
            Ok(view(row))
        })
    }

    /// A service's availability over `[from, to)`; open outages count up to now.
    pub fn service_availability(
        &self,
        _caller: &Caller,
        service_id: &str,
        query: AvailabilityQuery,
    ) -> Result<AvailabilityView, ServiceError> {
        let mut conn = self.conn()?;
        let timezone = region_timezone(&mut conn)?;
        let (from, to) = report_period(
            query.from.as_deref(),
            query.to.as_deref(),
            query.month.as_deref(),
            timezone,
        )?;
        let service = db::services::find(&mut conn, service_id)?.ok_or(ServiceError::NotFound)?;
        service_figures(&mut conn, service, (from, to), self.now(), timezone)
    }

    /// Records the budget breaches of services that are down right now, whose downtime grows
    /// without anyone recording anything (the SLA engine calls this on every wake-up).
    pub fn check_downtime_budgets(&self) -> Result<usize, ServiceError> {
        let now = self.now();
        let mut conn = self.conn()?;
        if db::outages::services_down(&mut conn)?.is_empty() {
            return Ok(0);
        }
        write_tx(&mut conn, |conn| {
            let mut recorded = 0;
            for service_id in db::outages::services_down(conn)? {
                if let Some(service) = db::services::find(conn, &service_id)? {
                    recorded += record_budget_breaches(
                        conn,
                        &service,
                        (now, now),
                        now,
                        self.mail_from.as_deref(),
                    )?;
                }
            }
            Ok(recorded)
        })
    }
}

/// A service's outages that overlap `[from, to)`.
fn outages_in(
    conn: &mut DbConn,
    service_id: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Outage>, ServiceError> {
    Ok(
        db::outages::overlapping(conn, service_id, from.naive_utc(), to.naive_utc())?
            .into_iter()
            .map(|o| Outage {
                started_at: o.started_at.and_utc(),
                ended_at: o.ended_at.map(|at| at.and_utc()),
                planned: o.planned,
            })
            .collect(),
    )
}

fn region_timezone(conn: &mut DbConn) -> Result<chrono_tz::Tz, ServiceError> {
    stored("region timezone", &region::load(conn)?.row.timezone)
}

/// Records, once per service and month, each month of `[from, until]` (up to now) in which
/// the service's unplanned downtime has passed the budget its target allows, with an audit
/// entry by nobody (the rule, not a person). Returns how many were new.
fn record_budget_breaches(
    conn: &mut DbConn,
    service: &ServiceRow,
    (from, until): (DateTime<Utc>, DateTime<Utc>),
    now: DateTime<Utc>,
    sender: Option<&str>,
) -> Result<usize, ServiceError> {
    let mut recorded = 0;
    let until = until.min(now).max(from);
    for month in Month::overlapping(from, until, region_timezone(conn)?) {
        let outages = outages_in(conn, &service.id, month.start, month.end)?;
        let downtime = availability(&outages, month.start, month.end, now).downtime_seconds;
        let budget = downtime_budget(service.availability_target_percent, month.seconds());
        if downtime <= budget {
            continue;
        }
        let breach = AvailabilityBreachRow {
            service_id: service.id.clone(),
            month: month.name,
            at: now.naive_utc(),
            downtime_seconds: downtime,
            budget_seconds: budget,
        };
        if db::outages::record_breach(conn, &breach)? {
            audit::record(
                conn,
                now,
                None,
                "availability_breached",
                ("service", &service.id),
                serde_json::json!({"month": breach.month, "downtime_seconds": downtime,
                                   "budget_seconds": budget,
                                   "target_percent": service.availability_target_percent}),
            )?;
            let mailing = notify::mailing(conn, sender)?;
            notify::enqueue_budget_mail(
                conn,
                &mailing,
                service,
                (&breach.month, downtime, budget),
                now,
            )?;
            recorded += 1;
        }
    }
    Ok(recorded)
}

/// An outage instant lies within the last year, and not in the future unless the outage is
/// planned maintenance, which is announced ahead (up to a year).
fn check_recordable(
    errors: &mut Vec<FieldError>,
    field: &str,
    at: DateTime<Utc>,
    planned: bool,
    now: DateTime<Utc>,
) {
    let year = TimeDelta::days(ONE_YEAR_DAYS);
    if at < now - year {
        errors.push(FieldError::new(field, "must be within the last 366 days"));
    } else if planned && at > now + year {
        errors.push(FieldError::new(field, "must be within the next 366 days"));
    } else if !planned && at > now + CLOCK_SKEW {
        errors.push(FieldError::new(
            field,
            "must not be in the future (only planned maintenance is recorded ahead)",
        ));
    }
}

/// A service's availability over `[from, to)`, with the months over budget.
pub(in crate::service) fn service_figures(
    conn: &mut DbConn,
    service: ServiceRow,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    now: DateTime<Utc>,
    timezone: chrono_tz::Tz,
) -> Result<AvailabilityView, ServiceError> {
    let outages = outages_in(conn, &service.id, from, to)?;
    let figures = availability(&outages, from, to, now);
    // Only a month with unplanned downtime can pass its budget, and those are the ones
    // recorded: the others need no walk.
    let (first, last) = Month::first_and_last(from, to, timezone);
    let budget_breaches = db::outages::breaches_between(conn, &service.id, (&first, &last))?
        .into_iter()
        .map(|b| BudgetBreachView {
            month: b.month,
            at: b.at.and_utc(),
            downtime_seconds: b.downtime_seconds,
            budget_seconds: b.budget_seconds,
        })
        .collect();
    Ok(AvailabilityView {
        service_id: service.id,
        from,
        to,
        target_percent: service.availability_target_percent,
        availability_percent: figures.availability_percent,
        downtime_seconds: figures.downtime_seconds,
        planned_downtime_seconds: figures.planned_downtime_seconds,
        met: figures.availability_percent >= service.availability_target_percent,
        budget_breaches,
    })
}
