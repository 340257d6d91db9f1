//! Integration tokens.

use crate::clock::UtcTime;
use diesel::prelude::*;

use crate::domain::ids::{TokenId, UserId};

use super::models::TokenRow;
use super::schema::api_tokens;
use super::{DbConn, DbResult};

/// Records a new token.
pub fn insert(conn: &mut DbConn, row: &TokenRow) -> DbResult<()> {
    diesel::insert_into(api_tokens::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// A token by id.
pub fn find(conn: &mut DbConn, id: &TokenId) -> DbResult<Option<TokenRow>> {
    api_tokens::table
        .find(id)
        .select(TokenRow::as_select())
        .first(conn)
        .optional()
}

/// A user's tokens, newest first.
pub fn list_for_user(conn: &mut DbConn, user_id: &UserId) -> DbResult<Vec<TokenRow>> {
    api_tokens::table
        .filter(api_tokens::user_id.eq(user_id))
        .order(api_tokens::id.desc())
        .select(TokenRow::as_select())
        .load(conn)
}

/// Marks a token revoked, unless it already is.
pub fn revoke(conn: &mut DbConn, id: &TokenId, at: UtcTime) -> DbResult<()> {
    diesel::update(
        api_tokens::table
            .find(id)
            .filter(api_tokens::revoked_at.is_null()),
    )
    .set(api_tokens::revoked_at.eq(at))
    .execute(conn)
    .map(drop)
}

/// Marks every live token of a user revoked; returns the ids it revoked.
pub fn revoke_all_for_user(
    conn: &mut DbConn,
    user_id: &UserId,
    at: UtcTime,
) -> DbResult<Vec<String>> {
    let live = api_tokens::table
        .filter(api_tokens::user_id.eq(user_id))
        .filter(api_tokens::revoked_at.is_null())
        .order(api_tokens::id)
        .select(api_tokens::id)
        .load::<String>(conn)?;
    if !live.is_empty() {
        diesel::update(api_tokens::table.filter(api_tokens::id.eq_any(&live)))
            .set(api_tokens::revoked_at.eq(at))
            .execute(conn)?;
    }
    Ok(live)
}
