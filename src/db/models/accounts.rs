//! Users and integration tokens.

use diesel::prelude::*;

use crate::clock::UtcTime;
use crate::db::schema::{api_tokens, users};
use crate::domain::ids::{TokenId, UnitId, UserId};
use crate::domain::role::Role;

/// A person or system account.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = users, treat_none_as_null = true)]
pub struct UserRow {
    /// UUID v7.
    pub id: UserId,
    /// Lower-case address, unique.
    pub email: String,
    /// Display name.
    pub name: String,
    /// One of the six roles.
    pub role: Role,
    /// The unit the user belongs to.
    pub unit_id: Option<UnitId>,
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
    /// The number of the decree (SK) that appoints a Tier 1 technician.
    pub appointment_number: Option<String>,
    /// Its date, `YYYY-MM-DD`.
    pub appointment_date: Option<String>,
}

/// A long-lived integration token (the JWT itself is never stored).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = api_tokens)]
pub struct TokenRow {
    /// UUID v7, the token's `jti`.
    pub id: TokenId,
    /// The integration user it acts as.
    pub user_id: UserId,
    /// What the token is for, e.g. "Dasbor Tier 2".
    pub name: String,
    /// When it stops working.
    pub expires_at: UtcTime,
    /// When an admin revoked it.
    pub revoked_at: Option<UtcTime>,
    /// The admin who made it.
    pub created_by: Option<UserId>,
    /// Creation time.
    pub created_at: UtcTime,
}
