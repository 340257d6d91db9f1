//! Tickets, their comments, events, SLA clocks and idempotency keys.

use diesel::prelude::*;

use crate::clock::UtcTime;
use crate::db::schema::{idempotency_keys, ticket_comments, ticket_events, ticket_sla, tickets};
use crate::domain::ids::{
    CalendarId, CommentId, EventId, ServiceId, SlaPolicyId, TicketId, UnitId, UserId,
};
use crate::domain::sla::Priority;
use crate::domain::ticket::{Classification, Kind, Level, Status, Tier};

/// A ticket as stored.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = tickets, treat_none_as_null = true)]
pub struct TicketRow {
    /// UUID v7.
    pub id: TicketId,
    /// `SD-<year>-<6 digits>`.
    pub number: String,
    /// One of the five kinds.
    pub kind: Kind,
    /// Short summary.
    pub title: String,
    /// Full text.
    pub description: String,
    /// Status.
    pub status: Status,
    /// From impact × urgency.
    pub priority: Priority,
    /// Impact.
    pub impact: Level,
    /// Urgency.
    pub urgency: Level,
    /// 1 or 2.
    pub tier: Tier,
    /// The reporting PD.
    pub unit_id: UnitId,
    /// The affected service.
    pub service_id: Option<ServiceId>,
    /// Who works it now.
    pub assignee_id: Option<UserId>,
    /// Who worked it at tier 1, to hand it back to on return.
    pub tier1_assignee_id: Option<UserId>,
    /// Reporter's name.
    pub reporter_name: String,
    /// Reporter's address.
    pub reporter_email: Option<String>,
    /// Reporter's phone.
    pub reporter_phone: Option<String>,
    /// `public` or `restricted`.
    pub classification: Classification,
    /// A security incident.
    pub security_incident: bool,
    /// Who recorded it.
    pub created_by: UserId,
    /// When.
    pub created_at: UtcTime,
    /// Last change.
    pub updated_at: UtcTime,
    /// First response.
    pub first_response_at: Option<UtcTime>,
    /// Last escalation to tier 2.
    pub escalated_at: Option<UtcTime>,
    /// Why it was escalated.
    pub escalation_reason: Option<String>,
    /// When it was resolved.
    pub resolved_at: Option<UtcTime>,
    /// When it was closed.
    pub closed_at: Option<UtcTime>,
    /// How it was resolved.
    pub resolution: Option<String>,
    /// Incremented on every change (the ETag).
    pub version: i64,
}

/// A comment on a ticket.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = ticket_comments)]
pub struct CommentRow {
    /// UUID v7.
    pub id: CommentId,
    /// The ticket.
    pub ticket_id: TicketId,
    /// Who wrote it.
    pub author_id: UserId,
    /// The text.
    pub body: String,
    /// Visible to staff only.
    pub internal: bool,
    /// When.
    pub created_at: UtcTime,
}

/// One entry of a ticket's audit trail.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = ticket_events)]
pub struct EventRow {
    /// UUID v7.
    pub id: EventId,
    /// The ticket.
    pub ticket_id: TicketId,
    /// `created`, `escalated`, …
    pub event_type: String,
    /// Who; `None` for the SLA engine.
    pub actor_id: Option<UserId>,
    /// When.
    pub at: UtcTime,
    /// JSON details.
    pub data: String,
}

/// A remembered `Idempotency-Key`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = idempotency_keys)]
pub struct IdempotencyRow {
    /// The caller who sent it.
    pub user_id: UserId,
    /// The key.
    pub idempotency_key: String,
    /// SHA-256 of the request body as parsed.
    pub request_hash: String,
    /// The ticket the first request created.
    pub ticket_id: TicketId,
    /// When.
    pub created_at: UtcTime,
}

/// A ticket's SLA: its targets snapshot and three clocks.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = ticket_sla, treat_none_as_null = true)]
pub struct TicketSlaRow {
    /// The ticket.
    pub ticket_id: TicketId,
    /// The policy it was opened under.
    pub policy_id: SlaPolicyId,
    /// The calendar its clocks count on.
    pub calendar_id: CalendarId,
    /// JSON snapshot of the policy's targets for every priority.
    pub targets: String,
    /// The response target in business seconds.
    pub response_target: i64,
    /// Business seconds of the response clock counted before `response_since`.
    pub response_elapsed: i64,
    /// Since when the response clock runs; `None` while it stands.
    pub response_since: Option<UtcTime>,
    /// When the response clock stopped for good.
    pub response_met_at: Option<UtcTime>,
    /// When the response warning was recorded.
    pub response_warned_at: Option<UtcTime>,
    /// When the response breach was recorded.
    pub response_breached_at: Option<UtcTime>,
    /// The tier 1 window target in business seconds. `None`: no automatic escalation.
    pub tier1_target: Option<i64>,
    /// Business seconds of the tier 1 window clock counted before `tier1_since`.
    pub tier1_elapsed: i64,
    /// Since when the tier 1 window clock runs; `None` while it stands.
    pub tier1_since: Option<UtcTime>,
    /// When the tier 1 window clock stopped for good.
    pub tier1_met_at: Option<UtcTime>,
    /// When the tier 1 window warning was recorded.
    pub tier1_warned_at: Option<UtcTime>,
    /// When the tier 1 window breach was recorded.
    pub tier1_breached_at: Option<UtcTime>,
    /// The resolution target in business seconds.
    pub resolution_target: i64,
    /// Business seconds of the resolution clock counted before `resolution_since`.
    pub resolution_elapsed: i64,
    /// Since when the resolution clock runs; `None` while it stands.
    pub resolution_since: Option<UtcTime>,
    /// When the resolution clock stopped for good.
    pub resolution_met_at: Option<UtcTime>,
    /// When the resolution warning was recorded.
    pub resolution_warned_at: Option<UtcTime>,
    /// When the resolution breach was recorded.
    pub resolution_breached_at: Option<UtcTime>,
    /// The next instant the SLA engine must look at the ticket.
    pub next_event_at: Option<UtcTime>,
    /// The earliest deadline of a running clock.
    pub due_at: Option<UtcTime>,
    /// Whether any clock has breached.
    pub breached: bool,
}
