//! Tickets, their numbers, and the list queries.

use crate::clock::UtcTime;
use diesel::dsl::{AsSelect, IntoBoxed, LeftJoin, Select};
use diesel::prelude::*;

use crate::domain::ids::{ServiceId, TicketId, UnitId, UserId};
use crate::domain::sla::Priority;
use crate::domain::ticket::{Classification, Kind, Status, Tier};
use diesel::sql_types::{BigInt, Integer};

use super::connection::MultiBackend;
use super::models::{TicketRow, TicketSlaRow};
use super::schema::{ticket_sla, tickets};
use super::{DbConn, DbResult};

diesel::define_sql_function! {
    /// SQL `lower()`, the same on both backends.
    fn lower(text: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

#[derive(QueryableByName)]
struct Counter {
    #[diesel(sql_type = BigInt)]
    last_number: i64,
}

/// Takes the next `count` numbers of `year` and returns them, `SD-<year>-<at least 6
/// digits>`. The year's counter row stays locked until the caller's transaction ends, and a
/// rollback returns the numbers too: no gaps, no twins.
pub fn take_numbers(conn: &mut DbConn, year: i32, count: usize) -> DbResult<Vec<String>> {
    let count = i64::try_from(count).unwrap_or(i64::MAX);
    // The same upsert text is valid on PostgreSQL and SQLite (3.35+); SQLite numbers `$N`
    // parameters by first appearance, which is $1 then $2 here as well.
    let counter = diesel::sql_query(
        "INSERT INTO ticket_counters (year, last_number) VALUES ($1, $2) \
         ON CONFLICT (year) DO UPDATE SET last_number = ticket_counters.last_number + $2 \
         RETURNING last_number",
    )
    .bind::<Integer, _>(year)
    .bind::<BigInt, _>(count)
    .get_result::<Counter>(conn)?;
    let first = counter.last_number - count + 1;
    Ok((first..=counter.last_number)
        .map(|n| format!("SD-{year}-{n:06}"))
        .collect())
}

/// Stores new tickets.
pub fn insert_many(conn: &mut DbConn, rows: &[TicketRow]) -> DbResult<()> {
    insert_rows!(conn, tickets::table, rows)
}

/// A ticket by UUID or by number.
pub fn find(conn: &mut DbConn, id_or_number: &str) -> DbResult<Option<TicketRow>> {
    tickets::table
        .filter(key(id_or_number))
        .select(TicketRow::as_select())
        .first(conn)
        .optional()
}

/// A ticket and its SLA row, as readers see them.
pub type TicketWithSla = (TicketRow, Option<TicketSlaRow>);

/// A ticket with its SLA, by UUID or by number.
pub fn find_with_sla(conn: &mut DbConn, id_or_number: &str) -> DbResult<Option<TicketWithSla>> {
    tickets::table
        .left_join(ticket_sla::table)
        .filter(key(id_or_number))
        .select((TicketRow::as_select(), Option::<TicketSlaRow>::as_select()))
        .first(conn)
        .optional()
}

/// The same, locking the row until the transaction ends (PostgreSQL; SQLite's write
/// transaction already excludes other writers).
pub fn find_for_update(conn: &mut DbConn, id_or_number: &str) -> DbResult<Option<TicketRow>> {
    let by_key = tickets::table.filter(key(id_or_number));
    match conn {
        DbConn::Pg(pg) => by_key
            .select(TicketRow::as_select())
            .for_update()
            .first(pg)
            .optional(),
        DbConn::Sqlite(sqlite) => by_key
            .select(TicketRow::as_select())
            .first(sqlite)
            .optional(),
    }
}

type KeyFilter =
    diesel::dsl::Or<diesel::dsl::Eq<tickets::id, String>, diesel::dsl::Eq<tickets::number, String>>;

fn key(id_or_number: &str) -> KeyFilter {
    tickets::id
        .eq(id_or_number.to_ascii_lowercase())
        .or(tickets::number.eq(id_or_number.to_ascii_uppercase()))
}

/// The open problem tickets, oldest first.
pub fn open_problems(conn: &mut DbConn) -> DbResult<Vec<TicketRow>> {
    tickets::table
        .filter(tickets::kind.eq(Kind::Problem))
        .filter(tickets::status.eq_any([Status::New, Status::InProgress, Status::Pending]))
        .order(tickets::id)
        .select(TicketRow::as_select())
        .load(conn)
}

/// The tickets `ids`.
pub fn many(conn: &mut DbConn, ids: &[&str]) -> DbResult<Vec<TicketRow>> {
    tickets::table
        .filter(tickets::id.eq_any(ids))
        .order(tickets::id)
        .select(TicketRow::as_select())
        .load(conn)
}

/// The numbers of the tickets `ids`.
pub fn numbers(conn: &mut DbConn, ids: &[&str]) -> DbResult<Vec<(TicketId, String)>> {
    tickets::table
        .filter(tickets::id.eq_any(ids))
        .select((tickets::id, tickets::number))
        .load(conn)
}

/// Saves a changed ticket.
pub fn update(conn: &mut DbConn, row: &TicketRow) -> DbResult<()> {
    diesel::update(tickets::table.find(&row.id))
        .set(row)
        .execute(conn)
        .map(drop)
}

/// Which tickets a list shows.
#[derive(Debug, Default, Clone)]
pub struct TicketFilter {
    /// Only these statuses (any if empty).
    pub status: Vec<Status>,
    /// Only this tier.
    pub tier: Option<Tier>,
    /// Only this unit (always set for Tier 1 callers).
    pub unit_id: Option<UnitId>,
    /// Only this service.
    pub service_id: Option<ServiceId>,
    /// Only this priority.
    pub priority: Option<Priority>,
    /// Only this kind.
    pub kind: Option<Kind>,
    /// Only this assignee.
    pub assignee_id: Option<UserId>,
    /// Only public tickets (integration callers).
    pub public_only: bool,
    /// Text in number, title or description (lower-case).
    pub text: Option<String>,
    /// Created at or after.
    pub created_from: Option<UtcTime>,
    /// Created before.
    pub created_to: Option<UtcTime>,
    /// Only tickets with (`true`) or without (`false`) a breached SLA clock.
    pub breached: Option<bool>,
}

/// The order of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Newest first (the default).
    NewestFirst,
    /// Oldest first.
    OldestFirst,
    /// Earliest SLA deadline of a running clock first (overdue ones first of all); tickets
    /// with no running clock last.
    Due,
}

/// Where a page starts: after this ticket's sort key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum After {
    /// In creation order.
    Created {
        /// Creation time of the last ticket of the previous page.
        created_at: UtcTime,
        /// Its id.
        id: String,
    },
    /// In deadline order.
    Due {
        /// The deadline of the last ticket of the previous page, if it had one.
        due_at: Option<UtcTime>,
        /// Its id.
        id: String,
    },
}

/// One page of tickets with their SLA, in the order asked for.
pub fn list(
    conn: &mut DbConn,
    filter: &TicketFilter,
    order: Order,
    after: Option<&After>,
    limit: i64,
) -> DbResult<Vec<TicketWithSla>> {
    let query = tickets::table
        .left_join(ticket_sla::table)
        .select((TicketRow::as_select(), Option::<TicketSlaRow>::as_select()))
        .into_boxed();
    paged(filtered(query, filter), order, after)
        .limit(limit)
        .load(conn)
}

/// A list's query of tickets with their SLA rows, boxed so that its parts can be added one by one.
type ListQuery<'a> = IntoBoxed<
    'a,
    Select<
        LeftJoin<tickets::table, ticket_sla::table>,
        (
            AsSelect<TicketRow, MultiBackend>,
            AsSelect<Option<TicketSlaRow>, MultiBackend>,
        ),
    >,
    MultiBackend,
>;

/// Keeps the tickets `filter` lets through.
fn filtered<'a>(mut query: ListQuery<'a>, filter: &'a TicketFilter) -> ListQuery<'a> {
    match filter.breached {
        Some(true) => query = query.filter(ticket_sla::breached.eq(true)),
        // A ticket opened without an SLA policy has no clock to breach.
        Some(false) => {
            query = query.filter(
                ticket_sla::breached
                    .is_null()
                    .or(ticket_sla::breached.eq(false)),
            )
        }
        None => {}
    }
    if !filter.status.is_empty() {
        query = query.filter(tickets::status.eq_any(&filter.status));
    }
    if let Some(tier) = filter.tier {
        query = query.filter(tickets::tier.eq(tier));
    }
    if let Some(unit_id) = &filter.unit_id {
        query = query.filter(tickets::unit_id.eq(unit_id));
    }
    if let Some(service_id) = &filter.service_id {
        query = query.filter(tickets::service_id.eq(service_id));
    }
    if let Some(priority) = &filter.priority {
        query = query.filter(tickets::priority.eq(priority));
    }
    if let Some(kind) = &filter.kind {
        query = query.filter(tickets::kind.eq(kind));
    }
    if let Some(assignee_id) = &filter.assignee_id {
        query = query.filter(tickets::assignee_id.eq(assignee_id));
    }
    if filter.public_only {
        query = query.filter(tickets::classification.eq(Classification::Public));
    }
    if let Some(text) = &filter.text {
        let pattern = format!("%{}%", escape_like(text));
        query = query.filter(
            lower(tickets::number)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(tickets::title).like(pattern.clone()).escape('\\'))
                .or(lower(tickets::description).like(pattern).escape('\\')),
        );
    }
    if let Some(from) = filter.created_from {
        query = query.filter(tickets::created_at.ge(from));
    }
    if let Some(to) = filter.created_to {
        query = query.filter(tickets::created_at.lt(to));
    }
    query
}

/// Orders the list and starts it after the cursor's ticket.
fn paged<'a>(mut query: ListQuery<'a>, order: Order, after: Option<&'a After>) -> ListQuery<'a> {
    let due = ticket_sla::due_at.nullable();
    query = match after {
        Some(After::Created { created_at, id }) if order == Order::NewestFirst => query.filter(
            tickets::created_at.lt(*created_at).or(tickets::created_at
                .eq(*created_at)
                .and(tickets::id.lt(id.clone()))),
        ),
        Some(After::Created { created_at, id }) => query.filter(
            tickets::created_at.gt(*created_at).or(tickets::created_at
                .eq(*created_at)
                .and(tickets::id.gt(id.clone()))),
        ),
        Some(After::Due {
            due_at: Some(due_at),
            id,
        }) => query.filter(
            due.gt(*due_at)
                .or(due.eq(*due_at).and(tickets::id.gt(id.clone())))
                .or(due.is_null()),
        ),
        Some(After::Due { due_at: None, id }) => {
            query.filter(due.is_null().and(tickets::id.gt(id.clone())))
        }
        None => query,
    };
    query = match order {
        Order::NewestFirst => query.order((tickets::created_at.desc(), tickets::id.desc())),
        Order::OldestFirst => query.order((tickets::created_at.asc(), tickets::id.asc())),
        // `due IS NULL` sorts false first on both databases: deadlines, then the rest.
        Order::Due => query.order((due.is_null().asc(), due.asc(), tickets::id.asc())),
    };
    query
}

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
