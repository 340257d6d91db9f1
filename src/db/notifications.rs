//! The mail outbox: queueing, the dispatcher's claims, and the admin's view.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::models::NotificationRow;
use super::schema::notifications;
use super::{DbConn, DbResult};

/// Queues a mail.
pub fn insert(conn: &mut DbConn, row: &NotificationRow) -> DbResult<()> {
    diesel::insert_into(notifications::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// The `Message-ID` of a ticket's first mail, if it has one.
pub fn thread_of(conn: &mut DbConn, ticket_id: &str) -> DbResult<Option<String>> {
    notifications::table
        .filter(notifications::ticket_id.eq(ticket_id))
        .order((notifications::created_at, notifications::id))
        .select(notifications::message_id)
        .first(conn)
        .optional()
}

/// Ids of up to `limit` pending mails due at `now`, earliest first.
pub fn due(conn: &mut DbConn, now: NaiveDateTime, limit: i64) -> DbResult<Vec<String>> {
    notifications::table
        .filter(notifications::status.eq("pending"))
        .filter(notifications::next_attempt_at.le(now))
        .order(notifications::next_attempt_at)
        .limit(limit)
        .select(notifications::id)
        .load(conn)
}

/// Claims a due mail for `owner` until `lease_end`: a conditional update, so that of several
/// dispatchers exactly one gets it. Returns the row when this one did.
pub fn claim(
    conn: &mut DbConn,
    id: &str,
    owner: &str,
    now: NaiveDateTime,
    lease_end: NaiveDateTime,
) -> DbResult<Option<NotificationRow>> {
    let claimed = diesel::update(
        notifications::table
            .find(id)
            .filter(notifications::status.eq("pending"))
            .filter(notifications::next_attempt_at.le(now)),
    )
    .set((
        notifications::next_attempt_at.eq(lease_end),
        notifications::lease_owner.eq(owner),
        notifications::attempts.eq(notifications::attempts + 1),
    ))
    .execute(conn)?;
    if claimed == 0 {
        return Ok(None);
    }
    notifications::table
        .find(id)
        .select(NotificationRow::as_select())
        .first(conn)
        .optional()
}

/// Records the outcome of an attempt by the lease holder: `status` and when to try next.
/// Returns whether the lease was still this owner's.
pub fn settle(
    conn: &mut DbConn,
    id: &str,
    owner: &str,
    status: &str,
    next_attempt_at: NaiveDateTime,
    sent_at: Option<NaiveDateTime>,
    last_error: Option<&str>,
) -> DbResult<bool> {
    let settled = diesel::update(
        notifications::table
            .find(id)
            .filter(notifications::lease_owner.eq(owner))
            .filter(notifications::status.eq("pending")),
    )
    .set((
        notifications::status.eq(status),
        notifications::next_attempt_at.eq(next_attempt_at),
        notifications::sent_at.eq(sent_at),
        notifications::last_error.eq(last_error),
        notifications::lease_owner.eq(None::<String>),
    ))
    .execute(conn)?;
    Ok(settled == 1)
}

/// Mails newest first, optionally of one status, after the cursor `(created_at, id)`.
pub fn list(
    conn: &mut DbConn,
    status: Option<&str>,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> DbResult<Vec<NotificationRow>> {
    let mut query = notifications::table
        .select(NotificationRow::as_select())
        .order((notifications::created_at.desc(), notifications::id.desc()))
        .limit(limit)
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(notifications::status.eq(status.to_owned()));
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
pub fn find(conn: &mut DbConn, id: &str) -> DbResult<Option<NotificationRow>> {
    notifications::table
        .find(id)
        .select(NotificationRow::as_select())
        .first(conn)
        .optional()
}

/// Puts a failed mail back in the queue, due at `now`.
pub fn requeue(conn: &mut DbConn, id: &str, now: NaiveDateTime) -> DbResult<bool> {
    let requeued = diesel::update(
        notifications::table
            .find(id)
            .filter(notifications::status.eq("failed")),
    )
    .set((
        notifications::status.eq("pending"),
        notifications::next_attempt_at.eq(now),
        notifications::attempts.eq(0),
    ))
    .execute(conn)?;
    Ok(requeued == 1)
}

/// How many mails have `status`.
pub fn count(conn: &mut DbConn, status: &str) -> DbResult<i64> {
    notifications::table
        .filter(notifications::status.eq(status.to_owned()))
        .count()
        .get_result(conn)
}
