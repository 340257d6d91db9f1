//! The trail's hash chain (see `domain::trail`): links are made when a write transaction
//! commits, and read back to verify.

use std::cell::RefCell;
use std::collections::HashMap;

use diesel::prelude::*;

use super::models::{AuditRow, EventRow, LinkRow};
use super::schema::{audit_log, ticket_events, trail_head, trail_links};
use super::{DbConn, DbResult};
use crate::clock::UtcTime;
use crate::domain::trail::{self, Entry, Link};

/// An entry waiting for its link: table, id, canonical content.
type Pending = (Entry, String, String);

thread_local! {
    /// The entries the write transaction running on this thread has added, in order. Links
    /// are only made at commit: the head's lock taken any earlier would be held while the
    /// transaction goes on to wait for other rows, and two transactions could each wait for
    /// the other. A transaction runs on one thread from begin to commit (see `write_tx`).
    static PENDING: RefCell<Vec<Pending>> = const { RefCell::new(Vec::new()) };
}

fn event_content(row: &EventRow) -> String {
    trail::content(
        Entry::TicketEvent,
        row.id.as_str(),
        row.at.get(),
        &[
            Some(row.ticket_id.as_str()),
            Some(&row.event_type),
            row.actor_id.as_ref().map(|id| id.as_str()),
            Some(&row.data),
        ],
    )
}

fn audit_content(row: &AuditRow) -> String {
    trail::content(
        Entry::Audit,
        &row.id,
        row.at.get(),
        &[
            row.actor_id.as_ref().map(|id| id.as_str()),
            Some(&row.action),
            Some(&row.entity),
            Some(&row.entity_id),
            Some(&row.data),
        ],
    )
}

/// Notes ticket events just inserted, to be linked at commit.
pub(super) fn note_events(rows: &[EventRow]) {
    PENDING.with_borrow_mut(|pending| {
        pending.extend(
            rows.iter()
                .map(|row| (Entry::TicketEvent, row.id.to_string(), event_content(row))),
        );
    });
}

/// Notes an audit entry just inserted, to be linked at commit.
pub(super) fn note_audit(row: &AuditRow) {
    PENDING.with_borrow_mut(|pending| {
        pending.push((Entry::Audit, row.id.clone(), audit_content(row)));
    });
}

/// How many entries are waiting: a savepoint's mark.
pub(super) fn pending_mark() -> usize {
    PENDING.with_borrow(Vec::len)
}

/// Forgets the entries noted after `mark`: their savepoint or transaction was rolled back.
pub(super) fn forget_after(mark: usize) {
    PENDING.with_borrow_mut(|pending| pending.truncate(mark));
}

/// Links the entries the transaction added, as its last step before commit: locks the head,
/// extends the chain, moves the head. On PostgreSQL that is one statement, so that the lock is
/// held for one round trip, not three; the hashes it computes are the ones `trail::link` gives.
/// On SQLite the transaction's write lock already serialises it.
pub(super) fn link_pending(conn: &mut DbConn) -> DbResult<()> {
    let pending = PENDING.take();
    if pending.is_empty() {
        return Ok(());
    }
    if let DbConn::Pg(pg) = conn {
        return link_in_one_statement(pg, pending);
    }
    let (seq, hash) = lock_head(conn)?;
    extend(conn, seq, hash, pending)
}

/// Takes the head's row lock, hashes each entry onto the chain, writes the links and moves the
/// head, in one statement.
fn link_in_one_statement(pg: &mut diesel::PgConnection, pending: Vec<Pending>) -> DbResult<()> {
    use diesel::sql_types::{Array, Text};
    let mut entries = Vec::with_capacity(pending.len());
    let mut ids = Vec::with_capacity(pending.len());
    let mut contents = Vec::with_capacity(pending.len());
    for (entry, id, content) in pending {
        entries.push(entry.as_str().to_owned());
        ids.push(id);
        contents.push(content);
    }
    diesel::sql_query(
        "WITH RECURSIVE input AS ( \
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) \
                 WITH ORDINALITY AS i (entry, entry_id, content, n)), \
         head AS (SELECT seq, hash FROM trail_head WHERE id = 1 FOR UPDATE), \
         chain AS ( \
             SELECT 0::bigint AS n, seq, hash FROM head \
             UNION ALL \
             SELECT chain.n + 1, chain.seq + 1, encode(sha256(convert_to( \
                 chain.hash || E'\\n' || input.content, 'UTF8')), 'hex') \
             FROM chain JOIN input ON input.n = chain.n + 1), \
         linked AS ( \
             INSERT INTO trail_links (seq, entry, entry_id, hash) \
             SELECT chain.seq, input.entry, input.entry_id, chain.hash \
             FROM chain JOIN input ON input.n = chain.n) \
         UPDATE trail_head SET seq = last.seq, hash = last.hash \
         FROM (SELECT seq, hash FROM chain ORDER BY n DESC LIMIT 1) AS last \
         WHERE trail_head.id = 1",
    )
    .bind::<Array<Text>, _>(entries)
    .bind::<Array<Text>, _>(ids)
    .bind::<Array<Text>, _>(contents)
    .execute(pg)
    .map(drop)
}

fn lock_head(conn: &mut DbConn) -> DbResult<(i64, String)> {
    let head = trail_head::table
        .find(1)
        .select((trail_head::seq, trail_head::hash));
    let locked = match conn {
        DbConn::Pg(pg) => head.for_update().first(pg),
        DbConn::Sqlite(sqlite) => head.first(sqlite),
    };
    locked.map_err(|error| match error {
        diesel::result::Error::NotFound => diesel::result::Error::QueryBuilderError(
            "the trail's head row is gone (someone removed it beside the service): nothing \
             can be linked; `servicedesk verify-audit` shows the trail as it is"
                .into(),
        ),
        other => other,
    })
}

fn extend(
    conn: &mut DbConn,
    mut seq: i64,
    mut hash: String,
    entries: Vec<Pending>,
) -> DbResult<()> {
    let links: Vec<LinkRow> = entries
        .into_iter()
        .map(|(entry, entry_id, content)| {
            seq += 1;
            hash = trail::link(&hash, &content);
            LinkRow {
                seq,
                entry,
                entry_id,
                hash: hash.clone(),
            }
        })
        .collect();
    insert_rows!(conn, trail_links::table, &links)?;
    diesel::update(trail_head::table.find(1))
        .set((trail_head::seq.eq(seq), trail_head::hash.eq(&hash)))
        .execute(conn)
        .map(drop)
}

/// Links every entry there is, oldest first, if the chain has not begun: a desk upgraded from
/// a version without the chain takes its earlier trail into it once.
pub fn adopt_existing(conn: &mut DbConn) -> DbResult<()> {
    let (seq, hash) = lock_head(conn)?;
    if seq != 0 {
        return Ok(());
    }
    let mut entries: Vec<(_, Pending)> = ticket_events::table
        .select(EventRow::as_select())
        .load(conn)?
        .iter()
        .map(|row| {
            let pending = (Entry::TicketEvent, row.id.to_string(), event_content(row));
            (row.at, pending)
        })
        .collect();
    entries.extend(
        audit_log::table
            .select(AuditRow::as_select())
            .load(conn)?
            .iter()
            .map(|row| (row.at, (Entry::Audit, row.id.clone(), audit_content(row)))),
    );
    if entries.is_empty() {
        return Ok(());
    }
    entries.sort_by(|(a_at, (_, a_id, _)), (b_at, (_, b_id, _))| (a_at, a_id).cmp(&(b_at, b_id)));
    extend(
        conn,
        seq,
        hash,
        entries.into_iter().map(|(_, e)| e).collect(),
    )
}

/// The head: the last link's place and hash; `None` if its row is gone.
pub fn head(conn: &mut DbConn) -> DbResult<Option<(i64, String)>> {
    trail_head::table
        .find(1)
        .select((trail_head::seq, trail_head::hash))
        .first(conn)
        .optional()
}

/// Up to `limit` links after place `after`, in order.
pub fn links_after(conn: &mut DbConn, after: i64, limit: i64) -> DbResult<Vec<Link>> {
    let rows: Vec<LinkRow> = trail_links::table
        .filter(trail_links::seq.gt(after))
        .order(trail_links::seq)
        .limit(limit)
        .select(LinkRow::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(Link::from).collect())
}

/// The canonical content of the entries `links` name, as stored now; a missing entry has none.
pub fn contents(conn: &mut DbConn, links: &[Link]) -> DbResult<HashMap<(Entry, String), String>> {
    let ids = |kind: Entry| -> Vec<&str> {
        links
            .iter()
            .filter(|link| link.entry == kind)
            .map(|link| link.entry_id.as_str())
            .collect()
    };
    let mut found = HashMap::new();
    for row in ticket_events::table
        .filter(ticket_events::id.eq_any(ids(Entry::TicketEvent)))
        .select(EventRow::as_select())
        .load(conn)?
    {
        found.insert(
            (Entry::TicketEvent, row.id.to_string()),
            event_content(&row),
        );
    }
    for row in audit_log::table
        .filter(audit_log::id.eq_any(ids(Entry::Audit)))
        .select(AuditRow::as_select())
        .load(conn)?
    {
        found.insert((Entry::Audit, row.id.clone()), audit_content(&row));
    }
    Ok(found)
}

/// The same query on both tables of the trail: `$table` is `ticket_events` or `audit_log`,
/// `$entry` its [`Entry`].
macro_rules! per_trail {
    (first_unlinked, $conn:expr, $table:ident, $entry:expr) => {
        $table::table
            .filter(diesel::dsl::not(diesel::dsl::exists(
                trail_links::table
                    .filter(trail_links::entry.eq($entry))
                    .filter(trail_links::entry_id.eq($table::id)),
            )))
            .order($table::id)
            .select($table::id)
            .first::<String>($conn)
            .optional()
    };
    (last_link_before, $conn:expr, $table:ident, $entry:expr, $before:expr) => {
        trail_links::table
            .inner_join($table::table.on($table::id.eq(trail_links::entry_id)))
            .filter(trail_links::entry.eq($entry))
            .filter($table::at.lt($before))
            .select(diesel::dsl::max(trail_links::seq))
            .first::<Option<i64>>($conn)
    };
}

/// The first entry of each table that has no link, if any.
pub fn first_unlinked(conn: &mut DbConn) -> DbResult<Option<(Entry, String)>> {
    if let Some(id) = per_trail!(first_unlinked, conn, ticket_events, Entry::TicketEvent)? {
        return Ok(Some((Entry::TicketEvent, id)));
    }
    let audit = per_trail!(first_unlinked, conn, audit_log, Entry::Audit)?;
    Ok(audit.map(|id| (Entry::Audit, id)))
}

/// The last link whose entry happened before `before`: the chain's head at that moment, or
/// `None` before the first entry.
pub fn head_before(conn: &mut DbConn, before: UtcTime) -> DbResult<Option<(i64, String)>> {
    let event = per_trail!(
        last_link_before,
        conn,
        ticket_events,
        Entry::TicketEvent,
        before
    )?;
    let audit = per_trail!(last_link_before, conn, audit_log, Entry::Audit, before)?;
    let Some(seq) = event.max(audit) else {
        return Ok(None);
    };
    let hash = trail_links::table
        .find(seq)
        .select(trail_links::hash)
        .first(conn)?;
    Ok(Some((seq, hash)))
}
