//! Outages of services and their availability SLA (docs/sla.md "Availability").

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::budgets::record_budget_breaches;
use crate::auth::Caller;
use crate::clock::UtcTime;
use crate::db::models::OutageRow;
use crate::db::{self, DbConn, write_tx};
use crate::domain::access::Operation;
use crate::domain::alert::OutageSource;
use crate::domain::ids::{OutageId, ServiceId, TicketId};
use crate::service::audit::Actor;
use crate::service::page::{Page, PageRequest, not_issued};
use crate::service::{Desk, FieldError, ServiceError, audit, fields, new_id, permit};

/// The longest period of one service's availability, and how far back an outage may be
/// recorded: one year. A wider recording window would only let a typing mistake in a year
/// write (and mail) a budget breach for every month since. (Reports span up to five years.)
pub(super) const ONE_YEAR_DAYS: i64 = 366;

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
    pub id: OutageId,
    /// The service.
    pub service_id: ServiceId,
    /// When it went down.
    pub started_at: UtcTime,
    /// When it came back; `null` while down.
    pub ended_at: Option<UtcTime>,
    /// Announced maintenance.
    pub planned: bool,
    /// The incident ticket that reported it.
    pub ticket_id: Option<TicketId>,
    /// What happened.
    pub note: String,
    /// Who saw it: `person`, `alert` or `probe`.
    pub source: OutageSource,
}

/// `GET /services/{id}/outages?from=&to=`: the outages overlapping the span; either end may
/// be left open.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct OutageQuery {
    /// Outages still down at or after this instant (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub from: Option<DateTime<Utc>>,
    /// Outages that started before this instant (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub to: Option<DateTime<Utc>>,
}

impl From<OutageRow> for OutageView {
    fn from(row: OutageRow) -> Self {
        OutageView {
            id: row.id,
            service_id: row.service_id,
            started_at: row.started_at,
            ended_at: row.ended_at,
            planned: row.planned,
            ticket_id: row.ticket_id,
            note: row.note,
            source: row.source,
        }
    }
}

impl Desk {
    /// A service's outages, newest first (any signed-in caller, as its availability).
    pub fn list_outages(
        &self,
        _caller: &Caller,
        service_id: &ServiceId,
        query: OutageQuery,
        page: PageRequest,
    ) -> Result<Page<OutageView>, ServiceError> {
        if let (Some(from), Some(to)) = (query.from, query.to)
            && to <= from
        {
            return Err(ServiceError::field("to", "must be after from"));
        }
        let mut conn = self.conn()?;
        db::services::find(&mut conn, service_id)?.ok_or(ServiceError::NotFound)?;
        let after = match page.after_id()? {
            Some(id) => Some(
                db::outages::find(&mut conn, service_id, &OutageId::from(id))?
                    .ok_or_else(not_issued)?,
            ),
            None => None,
        };
        let span = (query.from.map(UtcTime::from), query.to.map(UtcTime::from));
        let rows = db::outages::page(&mut conn, service_id, span, after.as_ref(), page.fetch())?;
        page.finish(rows, |row| row.id.to_string(), |row| Ok(row.into()))
    }

    /// Records an outage (Tier 2, supervisors, admins).
    pub fn create_outage(
        &self,
        caller: &Caller,
        service_id: &ServiceId,
        input: NewOutage,
    ) -> Result<OutageView, ServiceError> {
        permit(caller, Operation::RecordOutages)?;
        let now = self.now();
        let input = NewOutage {
            started_at: fields::whole_seconds(input.started_at),
            ended_at: input.ended_at.map(fields::whole_seconds),
            ..input
        };
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
            // The ticket may be named by its number too; the outage keeps its id.
            let ticket_id = match &input.ticket_id {
                Some(id_or_number) => Some(
                    db::tickets::find(conn, id_or_number)?
                        .ok_or_else(|| ServiceError::field("ticket_id", "no ticket has this id"))?
                        .id,
                ),
                None => None,
            };
            let row = OutageRow {
                id: new_id(),
                service_id: service_id.clone(),
                started_at: input.started_at.into(),
                ended_at: input.ended_at.map(|at| at.into()),
                planned: input.planned,
                ticket_id,
                note,
                created_by: caller.user_id.clone(),
                created_at: now.into(),
                updated_at: now.into(),
                source: OutageSource::Person,
            };
            db::outages::insert(conn, &row)?;
            let span = (input.started_at, input.ended_at.unwrap_or(now));
            let data = serde_json::json!({"outage_id": row.id, "planned": row.planned});
            self.account_for(
                conn,
                caller,
                service_id,
                span,
                now,
                ("outage_recorded", data),
            )?;
            Ok(row.into())
        })
    }

    /// Ends an open outage (Tier 2, supervisors, admins).
    pub fn end_outage(
        &self,
        caller: &Caller,
        service_id: &ServiceId,
        id: &OutageId,
        input: OutageEnd,
    ) -> Result<OutageView, ServiceError> {
        permit(caller, Operation::RecordOutages)?;
        let now = self.now();
        let ended_at = fields::whole_seconds(input.ended_at);
        let mut conn = self.conn()?;
        write_tx(&mut conn, |conn| {
            let mut row = db::outages::find(conn, service_id, id)?.ok_or(ServiceError::NotFound)?;
            let mut errors = Vec::new();
            check_recordable(&mut errors, "ended_at", ended_at, row.planned, now);
            if ended_at <= row.started_at.get() {
                errors.push(FieldError::new("ended_at", "must be after started_at"));
            }
            ServiceError::check(errors)?;
            row.ended_at = Some(ended_at.into());
            row.updated_at = now.into();
            db::outages::update(conn, &row)?;
            let span = (row.started_at.get(), ended_at);
            let data =
                serde_json::json!({"outage_id": row.id, "ended_at": UtcTime::from(ended_at)});
            self.account_for(conn, caller, service_id, span, now, ("outage_ended", data))?;
            Ok(row.into())
        })
    }

    /// What a change of an outage owes: the budget breaches its service's months now show
    /// over `span`, and the audit entry `(action, data)`.
    pub(in crate::service) fn account_for(
        &self,
        conn: &mut DbConn,
        caller: &Caller,
        service_id: &ServiceId,
        span: (DateTime<Utc>, DateTime<Utc>),
        now: DateTime<Utc>,
        (action, data): (&str, serde_json::Value),
    ) -> Result<(), ServiceError> {
        let service = db::services::find(conn, service_id)?.ok_or(ServiceError::NotFound)?;
        record_budget_breaches(conn, &service, span, now, self.mail_from.as_deref())?;
        let by = Actor::person(caller, now);
        audit::record(conn, by, action, ("service", service_id), data)
    }
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
    if fields::is_leap_second(at) {
        errors.push(FieldError::new(
            field,
            "must not be a leap second (second 60)",
        ));
    } else if at < now - year {
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
