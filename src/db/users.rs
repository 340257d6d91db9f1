//! User accounts.

use diesel::prelude::*;

use crate::domain::ids::{UnitId, UserId};
use crate::domain::role::Role;

use super::models::UserRow;
use super::schema::users;
use super::{DbConn, DbResult};

/// Filters for the user list.
#[derive(Debug, Default, Clone)]
pub struct UserFilter {
    /// Only this role.
    pub role: Option<Role>,
    /// Only this unit.
    pub unit_id: Option<UnitId>,
    /// Only active or only inactive users.
    pub active: Option<bool>,
}

/// Adds a user.
pub fn insert(conn: &mut DbConn, row: &UserRow) -> DbResult<()> {
    diesel::insert_into(users::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// A user by id.
pub fn find(conn: &mut DbConn, id: &UserId) -> DbResult<Option<UserRow>> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

/// The names of the users of `ids` that exist, as `(id, name)`.
pub fn names(conn: &mut DbConn, ids: &[&str]) -> DbResult<Vec<(UserId, String)>> {
    users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::name))
        .load(conn)
}

/// Users by id, locked until the transaction ends on PostgreSQL (SQLite writes one
/// transaction at a time anyway), taken in id order so that two transactions locking the
/// same pair never wait on each other. `FOR NO KEY UPDATE`, not `FOR UPDATE`: rows that refer
/// to a user (a token, an audit entry naming its actor) take a key-share lock on it, and a full
/// update lock would deadlock with them.
pub fn lock(conn: &mut DbConn, ids: &[&str]) -> DbResult<Vec<UserRow>> {
    let query = users::table.filter(users::id.eq_any(ids)).order(users::id);
    match conn {
        DbConn::Pg(pg) => query
            .select(UserRow::as_select())
            .for_no_key_update()
            .load(pg),
        DbConn::Sqlite(sqlite) => query.select(UserRow::as_select()).load(sqlite),
    }
}

/// A user by (lower-case) email.
pub fn find_by_email(conn: &mut DbConn, email: &str) -> DbResult<Option<UserRow>> {
    users::table
        .filter(users::email.eq(email))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

/// Users in id order after the cursor.
pub fn list(
    conn: &mut DbConn,
    filter: &UserFilter,
    after: Option<&str>,
    limit: i64,
) -> DbResult<Vec<UserRow>> {
    let mut query = users::table
        .select(UserRow::as_select())
        .order(users::id)
        .limit(limit)
        .into_boxed();
    if let Some(role) = &filter.role {
        query = query.filter(users::role.eq(role));
    }
    if let Some(unit_id) = &filter.unit_id {
        query = query.filter(users::unit_id.eq(unit_id));
    }
    if let Some(active) = filter.active {
        query = query.filter(users::active.eq(active));
    }
    if let Some(after) = after {
        query = query.filter(users::id.gt(after));
    }
    query.load(conn)
}

/// Saves a changed user.
pub fn update(conn: &mut DbConn, row: &UserRow) -> DbResult<()> {
    diesel::update(users::table.find(&row.id))
        .set(row)
        .execute(conn)
        .map(drop)
}

/// The addresses of the active users of `role`, of one unit if given.
pub fn active_emails(
    conn: &mut DbConn,
    role: Role,
    unit_id: Option<&str>,
) -> DbResult<Vec<String>> {
    let mut query = users::table
        .filter(users::active.eq(true))
        .filter(users::role.eq(role))
        .order(users::email)
        .select(users::email)
        .into_boxed();
    if let Some(unit_id) = unit_id {
        query = query.filter(users::unit_id.eq(unit_id.to_owned()));
    }
    query.load(conn)
}
