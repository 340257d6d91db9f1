//! Rows as stored, in the code's own types (see `columns.rs` for how they meet a column).

use crate::clock::UtcTime;
use diesel::prelude::*;

use crate::domain::notification::{MailStatus, Notice};
use crate::domain::role::{Role, UnitKind};
use crate::domain::sla::Priority;
use crate::domain::ticket::{Classification, Kind, Level, Status, Tier};
use crate::domain::zone::Zone;

use super::schema::{
    api_tokens, audit_log, availability_breaches, calendar_holidays, calendars, idempotency_keys,
    notifications, outages, region_settings, services, sla_policies, sla_targets, ticket_comments,
    ticket_events, ticket_sla, tickets, units, users,
};

/// The single row of region settings.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = region_settings, treat_none_as_null = true)]
pub struct RegionRow {
    /// Always 1.
    pub id: i32,
    /// The Pemda's name.
    pub name: String,
    /// IANA timezone.
    pub timezone: Zone,
    /// JSON array of lower-case domains.
    pub official_email_domains: String,
    /// Sender address.
    pub mail_from: String,
    /// Language of mail and reports (`id`).
    pub language: String,
    /// The preset that seeded the region, if any.
    pub preset: Option<String>,
    /// The region's word for Tier 1.
    pub tier1_label: String,
    /// The region's word for Tier 2.
    pub tier2_label: String,
    /// Last change.
    pub updated_at: UtcTime,
}

/// A PD or the Dinas.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = units, treat_none_as_null = true)]
pub struct UnitRow {
    /// UUID v7.
    pub id: String,
    /// Short unique code, e.g. `DINKES`.
    pub code: String,
    /// Full name.
    pub name: String,
    /// `pd` or `dinas`.
    pub kind: UnitKind,
    /// The unit's mailbox.
    pub email: Option<String>,
    /// Whether the unit is in service.
    pub active: bool,
    /// Creation time.
    pub created_at: UtcTime,
    /// Last change.
    pub updated_at: UtcTime,
}

/// A person or system account.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = users, treat_none_as_null = true)]
pub struct UserRow {
    /// UUID v7.
    pub id: String,
    /// Lower-case address, unique.
    pub email: String,
    /// Display name.
    pub name: String,
    /// One of the six roles.
    pub role: Role,
    /// The unit the user belongs to.
    pub unit_id: Option<String>,
    /// argon2 PHC string; `None` for accounts that only use tokens.
    pub password_hash: Option<String>,
    /// Deactivated users cannot sign in and their tokens stop working.
    pub active: bool,
    /// Creation time.
    pub created_at: UtcTime,
    /// Last change.
    pub updated_at: UtcTime,
    /// Moves on with every role change, deactivation and password change; a token carrying
    /// an older value is refused.
    pub credential_generation: i64,
}

/// A long-lived integration token (the JWT itself is never stored).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = api_tokens)]
pub struct TokenRow {
    /// UUID v7, the token's `jti`.
    pub id: String,
    /// The integration user it acts as.
    pub user_id: String,
    /// What the token is for, e.g. "Dasbor Tier 2".
    pub name: String,
    /// When it stops working.
    pub expires_at: UtcTime,
    /// When an admin revoked it.
    pub revoked_at: Option<UtcTime>,
    /// The admin who made it.
    pub created_by: Option<String>,
    /// Creation time.
    pub created_at: UtcTime,
}

/// A business calendar.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = calendars)]
pub struct CalendarRow {
    /// UUID v7.
    pub id: String,
    /// Name, e.g. "Jam kerja kantor".
    pub name: String,
    /// IANA timezone.
    pub timezone: Zone,
    /// 24×7.
    pub always_open: bool,
    /// JSON of `domain::calendar::WorkingHours`.
    pub working_hours: String,
    /// Creation time.
    pub created_at: UtcTime,
    /// Last change.
    pub updated_at: UtcTime,
}

/// A whole-day holiday of a calendar.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = calendar_holidays)]
pub struct HolidayRow {
    /// The calendar.
    pub calendar_id: String,
    /// Local date, `YYYY-MM-DD`.
    pub day: String,
    /// Name of the holiday.
    pub name: String,
}

/// An SLA policy.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sla_policies)]
pub struct SlaPolicyRow {
    /// UUID v7.
    pub id: String,
    /// Name.
    pub name: String,
    /// The business calendar its targets count on.
    pub calendar_id: String,
    /// The region default, for tickets without a service.
    pub is_default: bool,
    /// Creation time.
    pub created_at: UtcTime,
    /// Last change.
    pub updated_at: UtcTime,
}

/// One priority's targets in a policy.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sla_targets)]
pub struct SlaTargetRow {
    /// The policy.
    pub policy_id: String,
    /// `critical`, `high`, `medium` or `low`.
    pub priority: Priority,
    /// Business seconds to first response.
    pub response_seconds: i64,
    /// Business seconds before automatic escalation; `None` never.
    pub tier1_seconds: Option<i64>,
    /// Business seconds to resolution.
    pub resolution_seconds: i64,
    /// Warning threshold in percent.
    pub warn_at_percent: i32,
}

/// One administrative change.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    /// UUID v7.
    pub id: String,
    /// When.
    pub at: UtcTime,
    /// Who; `None` for the system (startup seeding, the CLI).
    pub actor_id: Option<String>,
    /// What, e.g. `user_created`.
    pub action: String,
    /// Kind of record: `region`, `unit`, `user`, `token`.
    pub entity: String,
    /// Its id.
    pub entity_id: String,
    /// JSON details (never a password or token).
    pub data: String,
}

/// An ICT service of the catalogue.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = services, treat_none_as_null = true)]
pub struct ServiceRow {
    /// UUID v7.
    pub id: String,
    /// Short unique code, e.g. `SIMPEG`.
    pub code: String,
    /// Name.
    pub name: String,
    /// The PD that owns the service.
    pub owner_unit_id: String,
    /// Designated critical by the Dinas (SLA aspects mandatory).
    pub critical: bool,
    /// Its SLA policy; `None` uses the region default.
    pub sla_policy_id: Option<String>,
    /// Availability target, percent.
    pub availability_target_percent: f64,
    /// What the service is.
    pub description: String,
    /// Whether it is offered.
    pub active: bool,
    /// Creation time.
    pub created_at: UtcTime,
    /// Last change.
    pub updated_at: UtcTime,
}

/// A ticket as stored.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = tickets, treat_none_as_null = true)]
pub struct TicketRow {
    /// UUID v7.
    pub id: String,
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
    pub unit_id: String,
    /// The affected service.
    pub service_id: Option<String>,
    /// Who works it now.
    pub assignee_id: Option<String>,
    /// Who worked it at tier 1, to hand it back to on return.
    pub tier1_assignee_id: Option<String>,
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
    pub created_by: String,
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
    pub id: String,
    /// The ticket.
    pub ticket_id: String,
    /// Who wrote it.
    pub author_id: String,
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
    pub id: String,
    /// The ticket.
    pub ticket_id: String,
    /// `created`, `escalated`, …
    pub event_type: String,
    /// Who; `None` for the SLA engine.
    pub actor_id: Option<String>,
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
    pub user_id: String,
    /// The key.
    pub idempotency_key: String,
    /// SHA-256 of the request body as parsed.
    pub request_hash: String,
    /// The ticket the first request created.
    pub ticket_id: String,
    /// When.
    pub created_at: UtcTime,
}

/// An outage of a service.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = outages, treat_none_as_null = true)]
pub struct OutageRow {
    /// UUID v7.
    pub id: String,
    /// The service that was down.
    pub service_id: String,
    /// When it went down.
    pub started_at: UtcTime,
    /// When it came back; `None` while down.
    pub ended_at: Option<UtcTime>,
    /// Announced maintenance.
    pub planned: bool,
    /// The incident ticket that reported it.
    pub ticket_id: Option<String>,
    /// What happened.
    pub note: String,
    /// Who recorded it.
    pub created_by: String,
    /// When it was recorded.
    pub created_at: UtcTime,
    /// Last change.
    pub updated_at: UtcTime,
}

/// A ticket's SLA: its targets snapshot and three clocks.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = ticket_sla, treat_none_as_null = true)]
pub struct TicketSlaRow {
    /// The ticket.
    pub ticket_id: String,
    /// The policy it was opened under.
    pub policy_id: String,
    /// The calendar its clocks count on.
    pub calendar_id: String,
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

/// A month in which a service's unplanned downtime passed its budget.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = availability_breaches)]
pub struct AvailabilityBreachRow {
    /// The service.
    pub service_id: String,
    /// `YYYY-MM`, the region's calendar month.
    pub month: String,
    /// When the breach was recorded.
    pub at: UtcTime,
    /// Unplanned downtime of the month when it was recorded.
    pub downtime_seconds: i64,
    /// What the target allows in that month.
    pub budget_seconds: i64,
}

/// A mail in the outbox.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = notifications)]
pub struct NotificationRow {
    /// UUID v7.
    pub id: String,
    /// The ticket it is about, if any.
    pub ticket_id: Option<String>,
    /// The ticket event that caused it.
    pub event_id: Option<String>,
    /// What happened: `created`, `escalated`, `sla_warning`, ...
    pub kind: Notice,
    /// JSON `{"to": [...], "cc": [...]}`.
    pub recipients: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body_text: String,
    /// HTML body.
    pub body_html: String,
    /// The mail's `Message-ID`, without angle brackets.
    pub message_id: String,
    /// `Message-ID` of the ticket's first mail.
    pub thread_id: Option<String>,
    /// `pending`, `sent` or `failed`.
    pub status: MailStatus,
    /// Sending attempts so far.
    pub attempts: i32,
    /// When a pending mail is due (or its lease ends).
    pub next_attempt_at: UtcTime,
    /// The dispatcher holding the lease.
    pub lease_owner: Option<String>,
    /// The last failure.
    pub last_error: Option<String>,
    /// When it was queued.
    pub created_at: UtcTime,
    /// When the SMTP server accepted it.
    pub sent_at: Option<UtcTime>,
}
