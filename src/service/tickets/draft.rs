//! A new ticket as checked, before the writer gives it its id and number: its fields, the row
//! it becomes, the units and services it must still name when it is written, and what its
//! write stores beside the row (its `created` event and mail, its `Idempotency-Key`).

use chrono::{DateTime, Utc};

use crate::clock::UtcTime;

use crate::auth::Caller;
use crate::db::models::{ClosureRow, EventRow, IdempotencyRow, TicketRow};
use crate::db::{self, DbConn};
use crate::domain::ids::{ServiceId, TicketId, UnitId, UserId};
use crate::domain::notification::Notice;
use crate::domain::sla::Priority;
use crate::domain::ticket::{Classification, Kind, Level, Status, Tier};
use crate::service::events::record::event_row;
use crate::service::notify::TicketNotice;
use crate::service::sla::SlaView;
use crate::service::tickets::view::{Reporter, TicketView};
use crate::service::{ErrorCode, ServiceError};

/// A checked new ticket.
#[derive(Debug, Clone)]
pub(in crate::service) struct TicketDraft {
    pub kind: Kind,
    pub title: String,
    pub description: String,
    pub priority: Priority,
    pub impact: Level,
    pub urgency: Level,
    /// The reporting PD.
    pub unit_id: UnitId,
    pub service_id: Option<ServiceId>,
    pub reporter: Reporter,
    pub classification: Classification,
    pub security_incident: bool,
    /// Who records it.
    pub created_by: UserId,
    /// Where it opens: tier 1, or tier 2 with the reason it skips tier 1.
    pub opens_at: Opening,
}

/// The tier a new ticket opens at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::service) enum Opening {
    /// The PD's Tier 1, as every ticket a person records.
    Tier1,
    /// The Dinas's Tier 2 at once, for this reason (a monitoring incident of a service the
    /// Dinas runs).
    Tier2(String),
}

impl TicketDraft {
    /// The row it becomes: a `new` ticket that nobody works yet.
    pub(super) fn row(&self, id: TicketId, number: String, at: UtcTime) -> TicketRow {
        let (tier, escalated_at, escalation_reason) = match &self.opens_at {
            Opening::Tier1 => (Tier::One, None, None),
            Opening::Tier2(reason) => (Tier::Two, Some(at), Some(reason.clone())),
        };
        TicketRow {
            id,
            number,
            kind: self.kind,
            title: self.title.clone(),
            description: self.description.clone(),
            status: Status::New,
            priority: self.priority,
            impact: self.impact,
            urgency: self.urgency,
            tier,
            unit_id: self.unit_id.clone(),
            service_id: self.service_id.clone(),
            assignee_id: None,
            tier1_assignee_id: None,
            reporter_name: self.reporter.name.clone(),
            reporter_email: self.reporter.email.clone(),
            reporter_phone: self.reporter.phone.clone(),
            classification: self.classification,
            security_incident: self.security_incident,
            created_by: self.created_by.clone(),
            created_at: at,
            updated_at: at,
            first_response_at: None,
            escalated_at,
            escalation_reason,
            resolved_at: None,
            closed_at: None,
            resolution: None,
            version: 1,
        }
    }
}

/// Answers drafts naming an inactive or unknown unit or service with a refusal, and keeps
/// the rest in `fresh`.
pub(super) fn refuse_bad_references(
    conn: &mut DbConn,
    drafts: &[&Recording],
    fresh: &mut Vec<usize>,
    replies: &mut [Option<Reply>],
) -> Result<(), ServiceError> {
    let unit_ids: Vec<&str> = fresh
        .iter()
        .map(|&i| drafts[i].ticket.unit_id.as_str())
        .collect();
    let units = db::units::active_pds(conn, &unit_ids)?;
    let service_ids: Vec<&str> = fresh
        .iter()
        .filter_map(|&i| drafts[i].ticket.service_id.as_deref())
        .collect();
    let (services, closed) = if service_ids.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        (
            db::services::active(conn, &service_ids)?,
            db::governance::open_closures(conn, &service_ids)?,
        )
    };
    fresh.retain(|&i| {
        let row = &drafts[i].ticket;
        let refusal = if !units.contains(&row.unit_id) {
            Some(ServiceError::field(
                "unit_id",
                "must be the id of an active PD unit",
            ))
        } else if row
            .service_id
            .as_ref()
            .is_some_and(|s| !services.contains(s))
        {
            Some(ServiceError::field(
                "service_id",
                "must be the id of an active service of the catalogue",
            ))
        } else {
            closed
                .iter()
                .find(|c| row.service_id.as_ref() == Some(&c.service_id))
                .map(closed_service)
        };
        match refusal {
            Some(refusal) => {
                replies[i] = Some(Err(refusal));
                false
            }
            None => true,
        }
    });
    Ok(())
}

pub(super) fn closed_service(closure: &ClosureRow) -> ServiceError {
    ServiceError::rule(
        ErrorCode::ServiceClosed,
        "service_id",
        format!(
            "the service is closed for a while (ditutup sementara) since {} and takes no tickets until its PD records the repair",
            closure.closed_at.to_rfc3339()
        ),
    )
}

pub(super) fn created_notice<'a>(event: &'a EventRow, view: Option<&SlaView>) -> TicketNotice<'a> {
    TicketNotice {
        notice: Notice::Created,
        event_id: &event.id,
        clock: None,
        automatic: false,
        detail: None,
        due: view.map(SlaView::due_instants).unwrap_or_default(),
    }
}

/// The `Idempotency-Key`s of the new tickets, for their retries.
pub(super) fn remembered(
    drafts: &[&Recording],
    fresh: &[usize],
    rows: &[TicketRow],
    now: DateTime<Utc>,
) -> Vec<IdempotencyRow> {
    fresh
        .iter()
        .zip(rows)
        .filter_map(|(&i, row)| {
            drafts[i]
                .idempotency
                .as_ref()
                .map(|(key, hash)| IdempotencyRow {
                    user_id: drafts[i].caller.user_id.clone(),
                    idempotency_key: key.clone(),
                    request_hash: hash.clone(),
                    ticket_id: row.id.clone(),
                    created_at: now.into(),
                })
        })
        .collect()
}

pub(super) fn created_event(row: &TicketRow, now: DateTime<Utc>) -> EventRow {
    let data = serde_json::json!({"number": row.number, "kind": row.kind, "priority": row.priority,
                                  "tier": row.tier.number(), "classification": row.classification});
    event_row(&row.id, "created", Some(&row.created_by), now, data)
}

/// A checked ticket waiting to be written.
pub(in crate::service) struct Recording {
    /// Who records it, as they are now (a retry is answered only with what they may see).
    pub caller: Caller,
    /// `Idempotency-Key` and the hash of the request it came with.
    pub idempotency: Option<(String, String)>,
    /// The ticket; its id, number and times are given when it is written.
    pub ticket: TicketDraft,
}

pub(in crate::service) type Reply = Result<TicketView, ServiceError>;
