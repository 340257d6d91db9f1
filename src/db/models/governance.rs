//! Each region's governance records: criticality steps, the breach register, the Komite's
//! letters, closures, supervisions, problem links and the periodic mails sent.

use diesel::prelude::*;

use crate::clock::UtcTime;
use crate::db::schema::{
    committee_letters, critical_breaches, criticality_steps, digests, problem_links,
    service_closures, supervisions,
};
use crate::domain::governance::{CriticalityStep, LetterKind};
use crate::domain::ids::{EventId, OutageId, ServiceId, TicketId, UnitId, UserId};

/// One step of a service's criticality.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = criticality_steps)]
pub struct CriticalityStepRow {
    /// UUID v7.
    pub id: String,
    /// The service.
    pub service_id: ServiceId,
    /// Proposed, designated, declined or revoked.
    pub step: CriticalityStep,
    /// Why, in the words of whoever took the step.
    pub note: String,
    /// The decree (SK) of a designation or revocation.
    pub decree_number: Option<String>,
    /// Its date, `YYYY-MM-DD`.
    pub decree_date: Option<String>,
    /// Who took the step.
    pub taken_by: UserId,
    /// When.
    pub taken_at: UtcTime,
}

/// A resolution breach on a service critical at the time.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = critical_breaches)]
pub struct CriticalBreachRow {
    /// UUID v7.
    pub id: String,
    /// The service.
    pub service_id: ServiceId,
    /// The ticket whose resolution was late.
    pub ticket_id: TicketId,
    /// Its `sla_breached` event.
    pub event_id: EventId,
    /// When resolution was due.
    pub due_at: UtcTime,
    /// When the breach was recorded.
    pub breached_at: UtcTime,
}

/// A letter of the Komite Pengarah TIK to the Dinas.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = committee_letters)]
pub struct LetterRow {
    /// UUID v7.
    pub id: String,
    /// Warning or reprimand.
    pub kind: LetterKind,
    /// The letter's number, unique.
    pub number: String,
    /// The letter's date, `YYYY-MM-DD`.
    pub dated: String,
    /// The Dinas unit it is addressed to.
    pub addressee_unit_id: UnitId,
    /// The service whose breaches it cites.
    pub service_id: ServiceId,
    /// JSON array of the cited breach ids.
    pub breach_ids: String,
    /// What the letter says, in short.
    pub note: String,
    /// Who recorded it.
    pub recorded_by: UserId,
    /// When.
    pub recorded_at: UtcTime,
}

/// A service closed for a while (ditutup sementara).
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = service_closures, treat_none_as_null = true)]
pub struct ClosureRow {
    /// UUID v7.
    pub id: String,
    /// The service.
    pub service_id: ServiceId,
    /// The letter that led to it.
    pub letter_id: Option<String>,
    /// Why.
    pub reason: String,
    /// The planned outage that holds its downtime.
    pub outage_id: OutageId,
    /// The Dinas staff who closed it.
    pub closed_by: UserId,
    /// When.
    pub closed_at: UtcTime,
    /// The repair its PD recorded.
    pub repair_note: Option<String>,
    /// Who recorded the repair.
    pub repaired_by: Option<UserId>,
    /// When the service reopened; `None` while closed.
    pub reopened_at: Option<UtcTime>,
}

/// A supervision of a PD's Administrator.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = supervisions)]
pub struct SupervisionRow {
    /// UUID v7.
    pub id: String,
    /// The PD supervised.
    pub unit_id: UnitId,
    /// The day, `YYYY-MM-DD`.
    pub held_on: String,
    /// What was found.
    pub findings: String,
    /// What is to follow.
    pub follow_ups: String,
    /// Who recorded it.
    pub recorded_by: UserId,
    /// When.
    pub recorded_at: UtcTime,
}

/// An incident or complaint linked to its problem ticket.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = problem_links)]
pub struct ProblemLinkRow {
    /// The incident or complaint.
    pub ticket_id: TicketId,
    /// The problem ticket.
    pub problem_id: TicketId,
    /// Who linked them.
    pub linked_by: UserId,
    /// When.
    pub linked_at: UtcTime,
}

/// A periodic mail sent.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = digests)]
pub struct DigestRow {
    /// Which mail, e.g. `tier1_compliance`.
    pub kind: String,
    /// Its period, e.g. `2026-W49`.
    pub period: String,
    /// When it was put in the outbox.
    pub sent_at: UtcTime,
}
