//! Outages of services and their availability SLA (SLA.md "Availability").

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Desk, FieldError, ServiceError, audit, fields, new_id, require};
use crate::auth::Caller;
use crate::clock::rfc3339;
use crate::db::models::OutageRow;
use crate::db::{self, write_tx};
use crate::domain::availability::{Outage, availability};
use crate::domain::role::Role;

/// Who records outages: the Dinas, which runs Tier 2 and the data centre.
const RECORDERS: &[Role] = &[Role::Tier2, Role::Supervisor, Role::Admin];

/// `POST /services/{id}/outages`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewOutage {
    /// When the service went down (RFC 3339).
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
    /// Start of the period (RFC 3339).
    pub from: String,
    /// End of the period (RFC 3339), after `from`.
    pub to: String,
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

fn instant(errors: &mut Vec<FieldError>, field: &str, text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|_| {
            errors.push(FieldError::new(
                field,
                "must be an RFC 3339 timestamp such as 2026-11-01T00:00:00Z",
            ))
        })
        .ok()
}

impl Desk {
    /// Records an outage (Tier 2, supervisors, admins).
    pub fn create_outage(
        &self,
        caller: &Caller,
        service_id: &str,
        input: NewOutage,
    ) -> Result<OutageView, ServiceError> {
        require(caller, RECORDERS)?;
        let mut errors = Vec::new();
        let note = fields::optional_text(&mut errors, "note", &input.note, 2000);
        if input.ended_at.is_some_and(|end| end <= input.started_at) {
            errors.push(FieldError::new("ended_at", "must be after started_at"));
        }
        ServiceError::check(errors)?;
        let now = self.now();
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
        require(caller, RECORDERS)?;
        let now = self.now();
        let mut conn = self.conn()?;
        write_tx(&mut conn, |conn| {
            let mut row = db::outages::find(conn, service_id, id)?.ok_or(ServiceError::NotFound)?;
            if input.ended_at.naive_utc() <= row.started_at {
                return Err(ServiceError::field("ended_at", "must be after started_at"));
            }
            row.ended_at = Some(input.ended_at.naive_utc());
            row.updated_at = now.naive_utc();
            db::outages::update(conn, &row)?;
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
        let mut errors = Vec::new();
        let from = instant(&mut errors, "from", &query.from);
        let to = instant(&mut errors, "to", &query.to);
        if let (Some(from), Some(to)) = (from, to)
            && to <= from
        {
            errors.push(FieldError::new("to", "must be after from"));
        }
        ServiceError::check(errors)?;
        let (Some(from), Some(to)) = (from, to) else {
            return Err(ServiceError::Internal("checked period".into()));
        };
        let mut conn = self.conn()?;
        let service = db::services::find(&mut conn, service_id)?.ok_or(ServiceError::NotFound)?;
        let outages: Vec<Outage> =
            db::outages::overlapping(&mut conn, service_id, from.naive_utc(), to.naive_utc())?
                .into_iter()
                .map(|o| Outage {
                    started_at: o.started_at.and_utc(),
                    ended_at: o.ended_at.map(|at| at.and_utc()),
                    planned: o.planned,
                })
                .collect();
        let figures = availability(&outages, from, to, self.now());
        Ok(AvailabilityView {
            service_id: service.id,
            from,
            to,
            target_percent: service.availability_target_percent,
            availability_percent: figures.availability_percent,
            downtime_seconds: figures.downtime_seconds,
            planned_downtime_seconds: figures.planned_downtime_seconds,
            met: figures.availability_percent >= service.availability_target_percent,
        })
    }
}
