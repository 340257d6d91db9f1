//! The breach register and the Komite Pengarah TIK's letters (Palangka Raya Pasal 28 (5)):
//! a missed resolution time on a critical service is registered, and the Komite's warning or
//! reprimand to the Dinas cites registered breaches.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{overseers_only, past_date, today};
use crate::auth::Caller;
use crate::clock::UtcTime;
use crate::db::models::{CriticalBreachRow, LetterRow, TicketRow};
use crate::db::{self, DbConn, write_tx};
use crate::domain::access::Operation;
use crate::domain::governance::LetterKind;
use crate::domain::ids::{EventId, ServiceId, TicketId, UnitId, UserId};
use crate::domain::role::UnitKind;
use crate::service::audit::Actor;
use crate::service::page::{Page, PageRequest};
use crate::service::period::PeriodQuery;
use crate::service::{Desk, ErrorCode, FieldError, ServiceError, audit, fields, new_id, permit};

/// The most breaches one letter cites.
const MAX_CITED: usize = 500;

/// A registered breach: a critical service's ticket resolved late.
#[derive(Debug, Serialize, ToSchema)]
pub struct BreachView {
    /// Breach id, as letters cite it.
    pub id: String,
    /// The service.
    pub service_id: ServiceId,
    /// The ticket.
    pub ticket_id: TicketId,
    /// Its number.
    pub ticket_number: String,
    /// The ticket's `sla_breached` event.
    pub event_id: EventId,
    /// When resolution was due.
    pub due_at: UtcTime,
    /// When the breach was recorded.
    pub breached_at: UtcTime,
}

/// Filters of `GET /governance/breaches`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct BreachQuery {
    /// Only this service (id).
    #[param(max_length = 64)]
    pub service_id: Option<String>,
}

/// `POST /governance/letters`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({
    "kind": "warning",
    "number": "005/KOMITE-TIK/XI/2026",
    "dated": "2026-11-30",
    "service_id": "019c457d-d380-7716-855a-505b32dcacf1",
    "breach_ids": ["019c9a41-0b4c-7c55-9f0e-7a1d2c3b4e5f"],
    "note": "Waktu penyelesaian gangguan layanan SIMPEG melampaui SLA dua kali bulan ini."
})))]
pub struct NewLetter {
    /// `warning` (surat peringatan) or `reprimand` (surat teguran).
    pub kind: LetterKind,
    /// The letter's number (1 to 100 characters), unique.
    pub number: String,
    /// The letter's date, `YYYY-MM-DD`, not after today.
    #[serde(deserialize_with = "fields::calendar_date")]
    #[schema(value_type = String, format = Date)]
    pub dated: NaiveDate,
    /// The service whose breaches it cites.
    pub service_id: String,
    /// The registered breaches of that service it cites: 1 to 500.
    pub breach_ids: Vec<String>,
    /// What it says, in short (up to 2,000 characters).
    #[serde(default)]
    pub note: String,
}

/// A letter as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct LetterView {
    /// Letter id.
    pub id: String,
    /// `warning` or `reprimand`.
    pub kind: LetterKind,
    /// Its number.
    pub number: String,
    /// Its date.
    #[schema(format = Date)]
    pub dated: String,
    /// The Dinas unit it is addressed to.
    pub addressee_unit_id: UnitId,
    /// The service.
    pub service_id: ServiceId,
    /// The breaches it cites.
    pub breach_ids: Vec<String>,
    /// What it says.
    pub note: String,
    /// Who recorded it.
    pub recorded_by: UserId,
    /// When.
    pub recorded_at: UtcTime,
}

impl TryFrom<LetterRow> for LetterView {
    type Error = ServiceError;

    fn try_from(row: LetterRow) -> Result<Self, ServiceError> {
        let breach_ids = serde_json::from_str(&row.breach_ids)
            .map_err(|e| ServiceError::Internal(format!("stored breach ids: {e}")))?;
        Ok(LetterView {
            id: row.id,
            kind: row.kind,
            number: row.number,
            dated: row.dated,
            addressee_unit_id: row.addressee_unit_id,
            service_id: row.service_id,
            breach_ids,
            note: row.note,
            recorded_by: row.recorded_by,
            recorded_at: row.recorded_at,
        })
    }
}

/// Registers a missed resolution time of `ticket` when its service is critical now; called in
/// the transaction that records the breach event.
pub(in crate::service) fn register_breach(
    conn: &mut DbConn,
    ticket: &TicketRow,
    event_id: &EventId,
    due_at: DateTime<Utc>,
    at: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let Some(service_id) = &ticket.service_id else {
        return Ok(());
    };
    let critical = db::services::find(conn, service_id)?.is_some_and(|s| s.critical);
    if critical {
        db::governance::register_breach(
            conn,
            &CriticalBreachRow {
                id: new_id(),
                service_id: service_id.clone(),
                ticket_id: ticket.id.clone(),
                event_id: event_id.clone(),
                due_at: due_at.into(),
                breached_at: at.into(),
            },
        )?;
    }
    Ok(())
}

/// The register's entries of a period, with their tickets' numbers.
pub(in crate::service) fn breaches_in(
    conn: &mut DbConn,
    service_id: Option<&ServiceId>,
    span: (UtcTime, UtcTime),
) -> Result<Vec<BreachView>, ServiceError> {
    let rows = db::governance::breaches(conn, service_id, span)?;
    let ids: Vec<&str> = rows.iter().map(|r| r.ticket_id.as_str()).collect();
    let numbers = db::tickets::numbers(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|row| BreachView {
            ticket_number: numbers
                .iter()
                .find(|(id, _)| *id == row.ticket_id)
                .map(|(_, number)| number.clone())
                .unwrap_or_default(),
            id: row.id,
            service_id: row.service_id,
            ticket_id: row.ticket_id,
            event_id: row.event_id,
            due_at: row.due_at,
            breached_at: row.breached_at,
        })
        .collect())
}

impl Desk {
    /// The breach register of a period, oldest first.
    pub fn breach_register(
        &self,
        caller: &Caller,
        query: BreachQuery,
        period: &PeriodQuery,
    ) -> Result<Vec<BreachView>, ServiceError> {
        overseers_only(caller)?;
        let mut conn = self.conn()?;
        let timezone = crate::service::region::load(&mut conn)?.row.timezone.0;
        let (from, to) = period.resolve(timezone)?;
        let service_id = match query.service_id {
            Some(id) => Some(
                db::services::find(&mut conn, &ServiceId::from(id))?
                    .ok_or_else(|| ServiceError::field("service_id", "no service has this id"))?
                    .id,
            ),
            None => None,
        };
        breaches_in(&mut conn, service_id.as_ref(), (from.into(), to.into()))
    }

    /// Records a letter of the Komite to the Dinas (supervisors).
    pub fn record_letter(
        &self,
        caller: &Caller,
        input: NewLetter,
    ) -> Result<LetterView, ServiceError> {
        permit(caller, Operation::GovernServices)?;
        let now = self.now();
        let mut errors = Vec::new();
        let number = fields::text(&mut errors, "number", &input.number, 100);
        let note = fields::optional_text(&mut errors, "note", &input.note, 2000);
        let mut cited: Vec<String> = input
            .breach_ids
            .iter()
            .map(|id| id.to_ascii_lowercase())
            .collect();
        cited.sort();
        cited.dedup();
        if cited.is_empty() || cited.len() > MAX_CITED {
            errors.push(FieldError::new(
                "breach_ids",
                format!("must cite 1 to {MAX_CITED} registered breaches"),
            ));
        }
        ServiceError::check(errors)?;
        let mut conn = self.conn()?;
        write_tx(&mut conn, |conn| {
            let mut errors = Vec::new();
            past_date(&mut errors, "dated", input.dated, today(conn, now)?);
            ServiceError::check(errors)?;
            let service = db::services::find(conn, &ServiceId::from(input.service_id.clone()))?
                .ok_or_else(|| ServiceError::field("service_id", "no service has this id"))?;
            let known = db::governance::breaches_of(conn, &service.id, &cited)?;
            if let Some(index) = input
                .breach_ids
                .iter()
                .position(|id| !known.contains(&id.to_ascii_lowercase()))
            {
                return Err(ServiceError::field(
                    format!("breach_ids[{index}]"),
                    "is not a registered breach of this service",
                ));
            }
            if db::governance::letter_number_taken(conn, &number)? {
                return Err(ServiceError::rule(
                    ErrorCode::LetterNumberTaken,
                    "number",
                    "another letter already has this number",
                ));
            }
            let dinas = db::units::dinas(conn)?
                .filter(|unit| unit.kind == UnitKind::Dinas)
                .ok_or_else(|| ServiceError::Unavailable("the region has no Dinas unit".into()))?;
            let row = LetterRow {
                id: new_id(),
                kind: input.kind,
                number,
                dated: input.dated.to_string(),
                addressee_unit_id: dinas.id,
                service_id: service.id.clone(),
                breach_ids: serde_json::to_string(&cited)
                    .map_err(|e| ServiceError::Internal(e.to_string()))?,
                note,
                recorded_by: caller.user_id.clone(),
                recorded_at: now.into(),
            };
            db::governance::insert_letter(conn, &row)?;
            let data = serde_json::json!({
                "letter_id": row.id, "kind": row.kind, "number": row.number,
                "dated": row.dated, "breach_ids": cited,
            });
            let by = Actor::person(caller, now);
            audit::record(conn, by, "letter_recorded", ("service", &service.id), data)?;
            LetterView::try_from(row)
        })
    }

    /// The letters, in the order recorded.
    pub fn list_letters(
        &self,
        caller: &Caller,
        page: PageRequest,
    ) -> Result<Page<LetterView>, ServiceError> {
        overseers_only(caller)?;
        let rows = db::governance::letters(&mut *self.conn()?, page.after_id()?, page.fetch())?;
        page.finish(rows, |row| row.id.clone(), LetterView::try_from)
    }
}
