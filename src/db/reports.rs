//! The SLA report's figures: one grouped query over the tickets created in a period.

use crate::clock::UtcTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};

use super::{DbConn, DbResult};

/// What SLA report rows are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    /// The reporting PD.
    Unit,
    /// The affected service (`""` for none).
    Service,
    /// The current tier.
    Tier,
    /// The priority.
    Priority,
}

/// One group's counts.
#[derive(Debug, Clone, QueryableByName)]
pub struct SlaFigures {
    /// The group's key.
    #[diesel(sql_type = Text)]
    pub key: String,
    /// Tickets created in the period, cancelled ones excluded.
    #[diesel(sql_type = BigInt)]
    pub tickets: i64,
    /// Of those, resolved (or closed).
    #[diesel(sql_type = BigInt)]
    pub resolved: i64,
    /// Tickets whose response clock is decided (met or breached).
    #[diesel(sql_type = BigInt)]
    pub response_decided: i64,
    /// Tickets answered within the response target.
    #[diesel(sql_type = BigInt)]
    pub response_met: i64,
    /// Tickets whose resolution clock is decided (resolved or breached).
    #[diesel(sql_type = BigInt)]
    pub resolution_decided: i64,
    /// Tickets resolved within the resolution target.
    #[diesel(sql_type = BigInt)]
    pub resolution_met: i64,
    /// Resolved tickets with SLA clocks.
    #[diesel(sql_type = BigInt)]
    pub resolved_timed: i64,
    /// Their business seconds to resolution, summed.
    #[diesel(sql_type = BigInt)]
    pub resolve_seconds: i64,
    /// Tickets escalated to tier 2.
    #[diesel(sql_type = BigInt)]
    pub escalated: i64,
    /// Tickets with a breached clock.
    #[diesel(sql_type = BigInt)]
    pub breached: i64,
}

/// The figures of tickets created in `[from, to)`, per group, cancelled tickets excluded.
pub fn sla_figures(
    conn: &mut DbConn,
    grouping: Grouping,
    from: UtcTime,
    to: UtcTime,
) -> DbResult<Vec<SlaFigures>> {
    let key = match grouping {
        Grouping::Unit => "t.unit_id",
        Grouping::Service => "COALESCE(t.service_id, '')",
        Grouping::Tier => "CAST(t.tier AS TEXT)",
        Grouping::Priority => "t.priority",
    };
    let count =
        |condition: &str| format!("CAST(SUM(CASE WHEN {condition} THEN 1 ELSE 0 END) AS BIGINT)");
    let resolved = "t.resolved_at IS NOT NULL";
    let sql = format!(
        "SELECT {key} AS key, COUNT(*) AS tickets, {resolved_count} AS resolved,
                {response_decided} AS response_decided, {response_met} AS response_met,
                {resolution_decided} AS resolution_decided, {resolution_met} AS resolution_met,
                {resolved_timed} AS resolved_timed,
                CAST(COALESCE(SUM(CASE WHEN {resolved} THEN s.resolution_elapsed ELSE 0 END), 0)
                     AS BIGINT) AS resolve_seconds,
                {escalated} AS escalated, {breached} AS breached
         FROM tickets t LEFT JOIN ticket_sla s ON s.ticket_id = t.id
         WHERE t.created_at >= $1 AND t.created_at < $2 AND t.status <> 'cancelled'
         GROUP BY {key} ORDER BY {key}",
        resolved_count = count(resolved),
        response_decided =
            count("s.response_met_at IS NOT NULL OR s.response_breached_at IS NOT NULL"),
        response_met = count(
            "s.response_met_at IS NOT NULL AND s.response_breached_at IS NULL \
             AND s.response_elapsed <= s.response_target"
        ),
        resolution_decided = count(&format!(
            "({resolved} AND s.ticket_id IS NOT NULL) OR s.resolution_breached_at IS NOT NULL"
        )),
        resolution_met = count(&format!(
            "{resolved} AND s.resolution_breached_at IS NULL \
             AND s.resolution_elapsed <= s.resolution_target"
        )),
        resolved_timed = count(&format!("{resolved} AND s.ticket_id IS NOT NULL")),
        escalated = count("t.escalated_at IS NOT NULL"),
        breached = count("s.breached"),
    );
    diesel::sql_query(sql)
        .bind::<Timestamp, _>(from)
        .bind::<Timestamp, _>(to)
        .load(conn)
}

/// One event of a register: the event with its ticket's number and its PD's code.
pub type RegisteredEvent = (super::models::EventRow, String, String);

/// The events of `event_type` in `[from, to)`, oldest first, each with its ticket's number and
/// unit code: the breach register (`sla_breached`) and the escalation register (`escalated`).
pub fn events_in(
    conn: &mut DbConn,
    event_type: &str,
    from: UtcTime,
    to: UtcTime,
) -> DbResult<Vec<RegisteredEvent>> {
    use super::models::EventRow;
    use super::schema::{ticket_events, tickets, units};
    ticket_events::table
        .inner_join(tickets::table.inner_join(units::table))
        .filter(ticket_events::event_type.eq(event_type))
        .filter(ticket_events::at.ge(from))
        .filter(ticket_events::at.lt(to))
        .order((ticket_events::at, ticket_events::id))
        .select((EventRow::as_select(), tickets::number, units::code))
        .load(conn)
}
