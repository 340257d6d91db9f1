//! A service closed for a while by the Dinas (ditutup sementara, Palangka Raya Pasal 28 (5)),
//! until its PD records the repair. While closed it takes no tickets, and its downtime is a
//! planned outage: the closure is a decision, not a failure.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::owning_pd_only;
use crate::auth::Caller;
use crate::clock::UtcTime;
use crate::db::models::{ClosureRow, OutageRow};
use crate::db::{self, DbConn, write_tx};
use crate::domain::access::Operation;
use crate::domain::alert::OutageSource;
use crate::domain::ids::{OutageId, ServiceId, UserId};
use crate::service::audit::Actor;
use crate::service::{Desk, ErrorCode, ServiceError, audit, fields, new_id, permit};

/// `POST /services/{id}/closure`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({
    "reason": "Menindaklanjuti surat teguran Komite Pengarah TIK: layanan ditutup sementara sampai perbaikan.",
    "letter_id": "019c9a5e-77aa-7d41-8a0b-1c2d3e4f5a6b"
})))]
pub struct NewClosure {
    /// Why (1 to 2,000 characters).
    pub reason: String,
    /// The Komite's letter that led to it.
    pub letter_id: Option<String>,
}

/// `POST /services/{id}/repair`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({
    "note": "Server aplikasi dipindah ke klaster baru dan pemantauan diaktifkan; uji layanan berhasil."
})))]
pub struct Repair {
    /// What was repaired (1 to 2,000 characters).
    pub note: String,
}

/// A closure as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClosureView {
    /// Closure id.
    pub id: String,
    /// The service.
    pub service_id: ServiceId,
    /// The letter that led to it.
    pub letter_id: Option<String>,
    /// Why.
    pub reason: String,
    /// The planned outage that holds its downtime.
    pub outage_id: OutageId,
    /// Who closed it.
    pub closed_by: UserId,
    /// When.
    pub closed_at: UtcTime,
    /// The repair its PD recorded; `null` while closed.
    pub repair_note: Option<String>,
    /// Who recorded the repair.
    pub repaired_by: Option<UserId>,
    /// When the service reopened; `null` while closed.
    pub reopened_at: Option<UtcTime>,
}

impl From<ClosureRow> for ClosureView {
    fn from(row: ClosureRow) -> Self {
        ClosureView {
            id: row.id,
            service_id: row.service_id,
            letter_id: row.letter_id,
            reason: row.reason,
            outage_id: row.outage_id,
            closed_by: row.closed_by,
            closed_at: row.closed_at,
            repair_note: row.repair_note,
            repaired_by: row.repaired_by,
            reopened_at: row.reopened_at,
        }
    }
}

/// The open closure of a service, if it is closed.
pub(in crate::service) fn open_closure(
    conn: &mut DbConn,
    service_id: &ServiceId,
) -> Result<Option<ClosureRow>, ServiceError> {
    Ok(db::governance::open_closures(conn, &[service_id.as_str()])?
        .into_iter()
        .next())
}

fn step_not_allowed(message: &str) -> ServiceError {
    ServiceError::Conflict {
        code: ErrorCode::StepNotAllowed,
        message: message.to_owned(),
    }
}

impl Desk {
    /// Closes a service for a while (supervisors: the Dinas).
    pub fn close_service(
        &self,
        caller: &Caller,
        service_id: &ServiceId,
        input: NewClosure,
    ) -> Result<ClosureView, ServiceError> {
        permit(caller, Operation::GovernServices)?;
        let now = self.now();
        let mut errors = Vec::new();
        let reason = fields::text(&mut errors, "reason", &input.reason, 2000);
        ServiceError::check(errors)?;
        let mut conn = self.conn()?;
        write_tx(&mut conn, |conn| {
            let service =
                db::services::find_for_update(conn, service_id)?.ok_or(ServiceError::NotFound)?;
            let letter_id = match &input.letter_id {
                Some(id) => Some(
                    db::governance::letter(conn, &id.to_ascii_lowercase())?
                        .filter(|letter| letter.service_id == service.id)
                        .ok_or_else(|| {
                            ServiceError::field("letter_id", "is not a letter about this service")
                        })?
                        .id,
                ),
                None => None,
            };
            if open_closure(conn, service_id)?.is_some() {
                return Err(step_not_allowed("the service is closed already"));
            }
            let outage = OutageRow {
                id: new_id(),
                service_id: service.id.clone(),
                started_at: now.into(),
                ended_at: None,
                planned: true,
                ticket_id: None,
                note: format!("Ditutup sementara: {reason}"),
                created_by: caller.user_id.clone(),
                created_at: now.into(),
                updated_at: now.into(),
                source: OutageSource::Person,
            };
            db::outages::insert(conn, &outage)?;
            let row = ClosureRow {
                id: new_id(),
                service_id: service.id.clone(),
                letter_id,
                reason,
                outage_id: outage.id,
                closed_by: caller.user_id.clone(),
                closed_at: now.into(),
                repair_note: None,
                repaired_by: None,
                reopened_at: None,
            };
            db::governance::insert_closure(conn, &row)?;
            let data = serde_json::json!({"closure_id": row.id, "letter_id": row.letter_id,
                                          "outage_id": row.outage_id});
            let by = Actor::person(caller, now);
            audit::record(conn, by, "service_closed", ("service", service_id), data)?;
            Ok(row.into())
        })
    }

    /// Records a closed service's repair, which reopens it (its PD's Tier 1, or the Dinas).
    pub fn repair_service(
        &self,
        caller: &Caller,
        service_id: &ServiceId,
        input: Repair,
    ) -> Result<ClosureView, ServiceError> {
        permit(caller, Operation::RecordRepairs)?;
        let now = self.now();
        let mut errors = Vec::new();
        let note = fields::text(&mut errors, "note", &input.note, 2000);
        ServiceError::check(errors)?;
        let mut conn = self.conn()?;
        write_tx(&mut conn, |conn| {
            let service =
                db::services::find_for_update(conn, service_id)?.ok_or(ServiceError::NotFound)?;
            owning_pd_only(caller, &service, "record its service's repair")?;
            let mut row = open_closure(conn, service_id)?
                .ok_or_else(|| step_not_allowed("the service is not closed"))?;
            let mut outage = db::outages::find(conn, service_id, &row.outage_id)?
                .ok_or_else(|| ServiceError::Internal("a closure without its outage".into()))?;
            // The closure's outage ends at the repair, and never before it began.
            outage.ended_at = Some(now.max(outage.started_at.get()).into());
            outage.updated_at = now.into();
            if outage.ended_at == Some(outage.started_at) {
                outage.ended_at =
                    Some((outage.started_at.get() + chrono::TimeDelta::seconds(1)).into());
            }
            db::outages::update(conn, &outage)?;
            row.repair_note = Some(note);
            row.repaired_by = Some(caller.user_id.clone());
            row.reopened_at = outage.ended_at;
            db::governance::update_closure(conn, &row)?;
            let data = serde_json::json!({"closure_id": row.id, "outage_id": row.outage_id});
            let by = Actor::person(caller, now);
            audit::record(conn, by, "service_repaired", ("service", service_id), data)?;
            Ok(row.into())
        })
    }
}
