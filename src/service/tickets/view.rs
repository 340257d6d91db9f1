//! How a ticket, its events and comments look to a caller, and who may see them.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::clock::UtcTime;
use crate::db::models::{CommentRow, TicketRow};
use crate::db::{self, DbConn};
use crate::domain::ids::{CommentId, ServiceId, TicketId, UnitId, UserId};
use crate::domain::sla::Priority;
use crate::domain::ticket::{self, Action, Classification, Kind, Level, Status, Tier, Worker};
use crate::service::ServiceError;
use crate::service::accounts::names::names_for;
use crate::service::sla::SlaView;

/// Who reported the ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Reporter {
    /// Name (up to 200 characters).
    pub name: String,
    /// Address; any domain (a citizen may report), but only official ones receive mail.
    pub email: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
}

/// A member of staff a ticket names.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct StaffMember {
    /// The user's id.
    pub id: UserId,
    /// Their name, for staff callers; `null` for integrations, which see no people.
    pub name: Option<String>,
}

/// A ticket as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(examples(json!({
    "id": "01a22a14-8e80-7efe-903d-4386d0975cb2",
    "number": "SD-2026-000482",
    "kind": "incident",
    "title": "SIMPEG tidak bisa diakses",
    "description": "Sejak pukul 08.55 WITA pegawai Dinas Kesehatan tidak bisa masuk ke SIMPEG; halaman login menampilkan 502 Bad Gateway.",
    "status": "in_progress",
    "priority": "high",
    "impact": "high",
    "urgency": "medium",
    "tier": 1,
    "unit_id": "019c1bdd-1680-75e3-b92f-e3604a7cc5f8",
    "service_id": "019c457d-d380-7716-855a-505b32dcacf1",
    "assignee_id": "019c213a-6100-71c4-8b8f-ab1700a8dba1",
    "reporter": {
        "name": "Siti Rahmawati",
        "email": "siti.rahmawati@tojounaunakab.go.id",
        "phone": "+62 812 4567 8910"
    },
    "classification": "public",
    "security_incident": false,
    "created_by": "019c213a-6100-71c4-8b8f-ab1700a8dba1",
    "created_at": "2026-11-30T01:32:00Z",
    "updated_at": "2026-11-30T01:45:00Z",
    "first_response_at": "2026-11-30T01:41:00Z",
    "escalated_at": null,
    "escalation_reason": null,
    "resolved_at": null,
    "closed_at": null,
    "resolution": null,
    "resolved_by": null,
    "allowed_actions": ["assign", "pend", "escalate", "resolve", "cancel"],
    "version": 3,
    "sla": {
        "policy_id": "019b8bab-1a08-70eb-8799-054a26cfc8ae",
        "paused": false,
        "response": {"target_seconds": 1800, "due_at": null, "met_at": "2026-11-30T01:41:00Z",
                     "breached": false, "remaining_seconds": 1260, "elapsed_seconds": 540},
        "tier1": {"target_seconds": 7200, "due_at": "2026-11-30T03:32:00Z", "met_at": null,
                  "breached": false, "remaining_seconds": 3600, "elapsed_seconds": 3600},
        "resolution": {"target_seconds": 28800, "due_at": "2026-12-01T01:02:00Z", "met_at": null,
                       "breached": false, "remaining_seconds": 25200, "elapsed_seconds": 3600}
    }
})))]
pub struct TicketView {
    /// Ticket id (UUID v7).
    pub id: TicketId,
    /// `SD-<year>-<6 digits>`; usable wherever the id is.
    pub number: String,
    /// One of the five statutory kinds.
    pub kind: Kind,
    /// Short summary.
    pub title: String,
    /// Full text.
    pub description: String,
    /// Where the ticket is in its life.
    pub status: Status,
    /// From impact × urgency.
    pub priority: Priority,
    /// Impact.
    pub impact: Level,
    /// Urgency.
    pub urgency: Level,
    /// 1 (the PD's Tier 1) or 2 (the Dinas's Tier 2).
    pub tier: i32,
    /// The reporting PD.
    pub unit_id: UnitId,
    /// The affected service.
    pub service_id: Option<ServiceId>,
    /// Who works it now.
    pub assignee_id: Option<UserId>,
    /// Who reported it; `null` for integration tokens, which see no personal data.
    pub reporter: Option<Reporter>,
    /// `public` or `restricted`.
    pub classification: Classification,
    /// A security incident (at least high priority, restricted by default).
    pub security_incident: bool,
    /// Who recorded it.
    pub created_by: UserId,
    /// When it was recorded.
    pub created_at: UtcTime,
    /// Last change.
    pub updated_at: UtcTime,
    /// First response by an agent.
    pub first_response_at: Option<UtcTime>,
    /// Last escalation to tier 2.
    pub escalated_at: Option<UtcTime>,
    /// Why it was escalated (`sla_tier1_window_elapsed` when the SLA engine did it).
    pub escalation_reason: Option<String>,
    /// When it was resolved.
    pub resolved_at: Option<UtcTime>,
    /// When it was closed.
    pub closed_at: Option<UtcTime>,
    /// How it was resolved.
    pub resolution: Option<String>,
    /// Who resolved it (the last `resolve`); `null` while it is not resolved, and again once
    /// reopened.
    pub resolved_by: Option<StaffMember>,
    /// The moves of the action table the caller may make now, each at
    /// `POST /tickets/{id}/<action>`; empty for readers (auditors, admins, integrations) and
    /// for a closed or cancelled ticket.
    pub allowed_actions: Vec<Action>,
    /// Incremented on every change; sent as the `ETag`.
    pub version: i64,
    /// The SLA clocks; `null` for a ticket opened while the region had no SLA policy.
    pub sla: Option<SlaView>,
}

/// A comment on a ticket.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommentView {
    /// Comment id.
    pub id: CommentId,
    /// The ticket.
    pub ticket_id: TicketId,
    /// Who wrote it.
    pub author_id: UserId,
    /// Their name, for staff; `null` for integrations.
    pub author_name: Option<String>,
    /// The text.
    pub body: String,
    /// Visible to staff only (never to integrations).
    pub internal: bool,
    /// When.
    pub created_at: UtcTime,
}

/// The API shape of a stored ticket.
pub fn ticket_view(row: TicketRow, sla: Option<SlaView>) -> TicketView {
    TicketView {
        kind: row.kind,
        status: row.status,
        priority: row.priority,
        impact: row.impact,
        urgency: row.urgency,
        classification: row.classification,
        id: row.id,
        number: row.number,
        title: row.title,
        description: row.description,
        tier: row.tier.number(),
        unit_id: row.unit_id,
        service_id: row.service_id,
        assignee_id: row.assignee_id,
        reporter: Some(Reporter {
            name: row.reporter_name,
            email: row.reporter_email,
            phone: row.reporter_phone,
        }),
        security_incident: row.security_incident,
        created_by: row.created_by,
        created_at: row.created_at,
        updated_at: row.updated_at,
        first_response_at: row.first_response_at,
        escalated_at: row.escalated_at,
        escalation_reason: row.escalation_reason,
        resolved_at: row.resolved_at,
        closed_at: row.closed_at,
        resolution: row.resolution,
        resolved_by: None,
        allowed_actions: Vec::new(),
        version: row.version,
        sla,
    }
}

/// A ticket as `caller` may see it: without its reporter for a caller who is not staff, with
/// the moves the caller may make now.
pub(in crate::service) fn ticket_for(caller: &Caller, mut view: TicketView) -> TicketView {
    if !caller.role.is_staff() {
        view.reporter = None;
    }
    let worker = Worker::of(caller.role, caller.unit_id.as_deref(), &view.unit_id);
    view.allowed_actions = Tier::from_number(view.tier)
        .map(|tier| ticket::possible_moves(view.status, tier, worker))
        .unwrap_or_default();
    view
}

/// Tickets as `caller` may see them (`ticket_for`), each with who resolved it: one query for
/// the resolvers of all of them and one for their names, however many there are.
pub(in crate::service) fn tickets_for(
    conn: &mut DbConn,
    caller: &Caller,
    views: Vec<TicketView>,
) -> Result<Vec<TicketView>, ServiceError> {
    let resolved: Vec<&str> = views
        .iter()
        .filter(|view| view.resolved_at.is_some())
        .map(|view| view.id.as_str())
        .collect();
    let resolvers: HashMap<TicketId, UserId> = if resolved.is_empty() {
        HashMap::new()
    } else {
        db::ticket_events::resolvers(conn, &resolved)?
            .into_iter()
            .collect()
    };
    let names = names_for(conn, caller, resolvers.values().map(UserId::as_str))?;
    Ok(views
        .into_iter()
        .map(|mut view| {
            view.resolved_by = resolvers.get(&view.id).map(|id| StaffMember {
                id: id.clone(),
                name: names.get(id).cloned(),
            });
            ticket_for(caller, view)
        })
        .collect())
}

/// One ticket as `caller` may see it, with who resolved it.
pub(in crate::service) fn one_ticket_for(
    conn: &mut DbConn,
    caller: &Caller,
    view: TicketView,
) -> Result<TicketView, ServiceError> {
    tickets_for(conn, caller, vec![view])?
        .pop()
        .ok_or_else(|| ServiceError::Internal("a ticket went missing on its way out".into()))
}

impl From<CommentRow> for CommentView {
    fn from(row: CommentRow) -> Self {
        CommentView {
            id: row.id,
            ticket_id: row.ticket_id,
            author_id: row.author_id,
            author_name: None,
            body: row.body,
            internal: row.internal,
            created_at: row.created_at,
        }
    }
}
