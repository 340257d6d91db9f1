//! The counts behind the Tier 2 dashboard: a few fixed queries, whatever the number of PDs.

use crate::clock::UtcTime;
use diesel::prelude::*;

use crate::domain::ticket::{Classification, Status};
use diesel::sql_types::{BigInt, Bool, Integer, Text, Timestamp};

use super::models::TicketRow;
use super::schema::tickets;
use super::{DbConn, DbResult};

/// Open tickets sharing status, tier, priority, unit and SLA standing.
#[derive(Debug, Clone, QueryableByName)]
pub struct OpenGroup {
    /// Status.
    #[diesel(sql_type = Text)]
    pub status: String,
    /// Tier.
    #[diesel(sql_type = Integer)]
    pub tier: i32,
    /// Priority.
    #[diesel(sql_type = Text)]
    pub priority: String,
    /// The reporting PD.
    #[diesel(sql_type = Text)]
    pub unit_id: String,
    /// Some clock has breached.
    #[diesel(sql_type = Bool)]
    pub breached: bool,
    /// Some clock that has not stopped is past its warning threshold.
    #[diesel(sql_type = Bool)]
    pub warned: bool,
    /// How many tickets.
    #[diesel(sql_type = BigInt)]
    pub tickets: i64,
}

/// Open tickets grouped for the summary: one query.
pub fn open_groups(conn: &mut DbConn) -> DbResult<Vec<OpenGroup>> {
    diesel::sql_query(
        "SELECT t.status, t.tier, t.priority, t.unit_id,
                COALESCE(s.breached, FALSE) AS breached,
                COALESCE((s.response_warned_at IS NOT NULL AND s.response_met_at IS NULL)
                      OR (s.tier1_warned_at IS NOT NULL AND s.tier1_met_at IS NULL)
                      OR (s.resolution_warned_at IS NOT NULL AND s.resolution_met_at IS NULL),
                         FALSE) AS warned,
                COUNT(*) AS tickets
         FROM tickets t LEFT JOIN ticket_sla s ON s.ticket_id = t.id
         WHERE t.status IN ('new', 'in_progress', 'pending')
         GROUP BY t.status, t.tier, t.priority, t.unit_id, 5, 6",
    )
    .load(conn)
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    count: i64,
}

/// Escalations (by hand or by the SLA engine) recorded since `since`.
pub fn escalations_since(conn: &mut DbConn, since: UtcTime) -> DbResult<i64> {
    diesel::sql_query(
        "SELECT COUNT(*) AS count FROM ticket_events WHERE type = 'escalated' AND at >= $1",
    )
    .bind::<Timestamp, _>(since)
    .get_result::<Count>(conn)
    .map(|c| c.count)
}

/// The oldest open ticket, public ones only when asked.
pub fn oldest_open(conn: &mut DbConn, public_only: bool) -> DbResult<Option<TicketRow>> {
    let mut query = tickets::table
        .filter(tickets::status.eq_any([Status::New, Status::InProgress, Status::Pending]))
        .order((tickets::created_at, tickets::id))
        .select(TicketRow::as_select())
        .into_boxed();
    if public_only {
        query = query.filter(tickets::classification.eq(Classification::Public));
    }
    query.first(conn).optional()
}
