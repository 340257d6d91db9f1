//! The mail outbox: queueing, the dispatcher's claims, and the admin's view.

use crate::clock::UtcTime;
use diesel::prelude::*;

use crate::domain::ids::{NotificationId, TicketId};

use crate::domain::notification::MailStatus;

use super::models::NotificationRow;
use super::schema::notifications;
use super::{DbConn, DbResult};

/// Queues mails, in one statement on PostgreSQL.
pub fn insert_many(conn: &mut DbConn, rows: &[NotificationRow]) -> DbResult<()> {
    insert_rows!(conn, notifications::table, rows)
}

/// The `Message-ID` of a ticket's first mail, if it has one.
pub fn thread_of(conn: &mut DbConn, ticket_id: &TicketId) -> DbResult<Option<String>> {
    notifications::table
        .filter(notifications::ticket_id.eq(ticket_id))
        .order((notifications::created_at, notifications::id))
        .select(notifications::message_id)
        .first(conn)
        .optional()
}

/// Ids of up to `limit` pending mails due at `now`, earliest first.
pub fn due(conn: &mut DbConn, now: UtcTime, limit: i64) -> DbResult<Vec<String>> {
    notifications::table
        .filter(notifications::status.eq(MailStatus::Pending))
        .filter(notifications::next_attempt_at.le(now))
        .order(notifications::next_attempt_at)
        .limit(limit)
        .select(notifications::id)
        .load(conn)
}

/// Of `ids`, the pending mails due at `now`, locked. On PostgreSQL rows another dispatcher
/// holds are skipped and the condition is checked again on the locked rows, so that of several
/// dispatchers exactly one claims each mail; SQLite's write transaction admits one writer.
pub fn lock_due(conn: &mut DbConn, ids: &[String], now: UtcTime) -> DbResult<Vec<NotificationRow>> {
    let due = notifications::table
        .filter(notifications::id.eq_any(ids))
        .filter(notifications::status.eq(MailStatus::Pending))
        .filter(notifications::next_attempt_at.le(now))
        .order(notifications::next_attempt_at);
    match conn {
        DbConn::Pg(pg) => due
            .select(NotificationRow::as_select())
            .for_update()
            .skip_locked()
            .load(pg),
        DbConn::Sqlite(sqlite) => due.select(NotificationRow::as_select()).load(sqlite),
    }
}

/// Leases locked mails to `owner` until `lease_end`, counting an attempt for each.
pub fn lease(conn: &mut DbConn, ids: &[&str], owner: &str, lease_end: UtcTime) -> DbResult<()> {
    diesel::update(notifications::table.filter(notifications::id.eq_any(ids)))
        .set((
            notifications::next_attempt_at.eq(lease_end),
            notifications::lease_owner.eq(owner),
            notifications::attempts.eq(notifications::attempts + 1),
        ))
        .execute(conn)
        .map(drop)
}

/// Replaces a mail's stored recipients (a JSON `{"to": [...], "cc": [...]}`).
pub fn set_recipients(conn: &mut DbConn, id: &str, recipients: &str) -> DbResult<()> {
    diesel::update(notifications::table.filter(notifications::id.eq(id)))
        .set(notifications::recipients.eq(recipients))
        .execute(conn)
        .map(drop)
}

/// What settling a sent mail needs of its row.
#[derive(Debug, Queryable)]
pub struct HeldMail {
    /// The mail.
    pub id: String,
    /// Its ticket, if any.
    pub ticket_id: Option<String>,
    /// `created`, `escalated`, ...
    pub kind: String,
    /// Attempts, this one included.
    pub attempts: i32,
}

/// Of `ids`, the pending mails `owner` still holds, locked.
pub fn held(conn: &mut DbConn, ids: &[&str], owner: &str) -> DbResult<Vec<HeldMail>> {
    let held = notifications::table
        .filter(notifications::id.eq_any(ids))
        .filter(notifications::lease_owner.eq(owner))
        .filter(notifications::status.eq(MailStatus::Pending))
        .select((
            notifications::id,
            notifications::ticket_id,
            notifications::kind,
            notifications::attempts,
        ));
    match conn {
        DbConn::Pg(pg) => held.for_update().load(pg),
        DbConn::Sqlite(sqlite) => held.load(sqlite),
    }
}

/// The pending mails `owner` holds a lease on: claimed, and not settled yet.
pub fn leased_to(conn: &mut DbConn, owner: &str) -> DbResult<Vec<NotificationRow>> {
    notifications::table
        .filter(notifications::lease_owner.eq(owner))
        .filter(notifications::status.eq(MailStatus::Pending))
        .select(NotificationRow::as_select())
        .load(conn)
}

/// Marks held mails sent at `now` and ends their lease.
pub fn mark_sent(conn: &mut DbConn, ids: &[&str], now: UtcTime) -> DbResult<()> {
    diesel::update(notifications::table.filter(notifications::id.eq_any(ids)))
        .set((
            notifications::status.eq(MailStatus::Sent),
            notifications::next_attempt_at.eq(now),
            notifications::sent_at.eq(now),
            notifications::last_error.eq(None::<String>),
            notifications::lease_owner.eq(None::<String>),
        ))
        .execute(conn)
        .map(drop)
}

/// Records a failed attempt by the lease holder: `status` (`pending` to retry at
/// `next_attempt_at`, or `failed`) and the error. Returns whether the lease was still this
/// owner's.
pub fn settle_failure(
    conn: &mut DbConn,
    id: &str,
    owner: &str,
    status: MailStatus,
    next_attempt_at: UtcTime,
    error: &str,
) -> DbResult<bool> {
    let settled = diesel::update(
        notifications::table
            .find(id)
            .filter(notifications::lease_owner.eq(owner))
            .filter(notifications::status.eq(MailStatus::Pending)),
    )
    .set((
        notifications::status.eq(status),
        notifications::next_attempt_at.eq(next_attempt_at),
        notifications::last_error.eq(error),
        notifications::lease_owner.eq(None::<String>),
    ))
    .execute(conn)?;
    Ok(settled == 1)
}

/// Mails newest first, optionally of one status, after the cursor `(created_at, id)`.
pub fn list(
    conn: &mut DbConn,
    status: Option<MailStatus>,
    after: Option<(UtcTime, String)>,
    limit: i64,
) -> DbResult<Vec<NotificationRow>> {
    let mut query = notifications::table
        .select(NotificationRow::as_select())
        .order((notifications::created_at.desc(), notifications::id.desc()))
        .limit(limit)
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(notifications::status.eq(status));
    }
    if let Some((created_at, id)) = after {
        query = query.filter(
            notifications::created_at
                .lt(created_at)
                .or(notifications::created_at
                    .eq(created_at)
                    .and(notifications::id.lt(id))),
        );
    }
    query.load(conn)
}

/// A mail by id.
pub fn find(conn: &mut DbConn, id: &NotificationId) -> DbResult<Option<NotificationRow>> {
    notifications::table
        .find(id)
        .select(NotificationRow::as_select())
        .first(conn)
        .optional()
}

/// Puts a failed mail back in the queue, due at `now`.
pub fn requeue(conn: &mut DbConn, id: &NotificationId, now: UtcTime) -> DbResult<bool> {
    let requeued = diesel::update(
        notifications::table
            .find(id)
            .filter(notifications::status.eq(MailStatus::Failed)),
    )
    .set((
        notifications::status.eq(MailStatus::Pending),
        notifications::next_attempt_at.eq(now),
        notifications::attempts.eq(0),
    ))
    .execute(conn)?;
    Ok(requeued == 1)
}

/// How many mails have `status`.
pub fn count(conn: &mut DbConn, status: MailStatus) -> DbResult<i64> {
    notifications::table
        .filter(notifications::status.eq(status))
        .count()
        .get_result(conn)
}

/// Drops every mail still queued; the demo's history uses it, so that the desk it made up
/// sends none of the mail its past would have sent.
pub fn discard_queued(conn: &mut DbConn) -> DbResult<usize> {
    diesel::delete(notifications::table.filter(notifications::status.eq(MailStatus::Pending)))
        .execute(conn)
}
