//! Changing an account (admin): its fields, and the sessions a change of what it may do ends.

use chrono::{DateTime, NaiveDate, Utc};

use super::users::{UserChanges, UserView, appointed, check_placement, checked_password, hashed};
use crate::auth::Caller;
use crate::db::models::UserRow;
use crate::db::{self, DbConn, write_tx};
use crate::domain::access::Operation;
use crate::domain::email::EmailAddress;
use crate::domain::ids::UnitId;
use crate::domain::role::Role;
use crate::service::audit::Actor;
use crate::service::{Desk, FieldError, ServiceError, audit, fields, permit, region};

/// The checked text fields of a change: a new name, a new (or cleared) email.
type CheckedFields = (Option<String>, Option<Option<EmailAddress>>);

/// Checks what a change sets by itself, naming every field at fault. An admin cannot
/// deactivate or demote themself, so that a region is never left without anyone able to
/// administer it by accident.
fn checked(
    caller: &Caller,
    id: &str,
    changes: &UserChanges,
) -> Result<CheckedFields, ServiceError> {
    let mut errors = Vec::new();
    let name = changes
        .name
        .as_deref()
        .map(|n| fields::text(&mut errors, "name", n, 200));
    let email = changes
        .email
        .as_deref()
        .map(|e| fields::email(&mut errors, "email", e));
    if let Some(password) = &changes.password {
        checked_password(&mut errors, password);
    }
    if id == caller.user_id {
        if changes.active == Some(false) {
            errors.push(FieldError::new(
                "active",
                "you cannot deactivate your own account",
            ));
        }
        if changes.role.is_some_and(|r| r != Role::Admin) {
            errors.push(FieldError::new(
                "role",
                "you cannot remove your own admin role",
            ));
        }
    }
    ServiceError::check(errors)?;
    Ok((name, email))
}

/// The account with the change applied.
fn changed(
    stored: &UserRow,
    changes: &UserChanges,
    (name, email): CheckedFields,
    password_hash: Option<String>,
) -> Result<(UserRow, Role), ServiceError> {
    let mut row = stored.clone();
    let role = changes.role.unwrap_or(row.role);
    if password_hash.is_some() && !role.signs_in_with_password() {
        return Err(ServiceError::field(
            "password",
            "integration accounts sign in with tokens, not passwords",
        ));
    }
    if let Some(name) = name {
        row.name = name;
    }
    if let Some(email) = email.flatten() {
        row.email = email.into_string();
    }
    if let Some(unit_id) = changes.unit_id.clone() {
        row.unit_id = unit_id.map(UnitId::from);
    }
    if let Some(active) = changes.active {
        row.active = active;
    }
    row.role = role;
    row.password_hash = password_hash.or(row.password_hash.take());
    Ok((row, role))
}

/// The appointment decree after the change: as given, or as stored while the account stays
/// Tier 1 of the same PD (a decree appoints to one PD: a technician who leaves Tier 1 or moves
/// to another PD leaves it behind).
fn appointment(
    stored: &UserRow,
    changes: &UserChanges,
    (role, unit): (Role, Option<&UnitId>),
) -> (Option<String>, Option<NaiveDate>) {
    fn kept<T>(given: Option<Option<T>>, stored: Option<T>, stays: bool) -> Option<T> {
        match given {
            Some(value) => value,
            None if stays => stored,
            None => None,
        }
    }
    let stays = role == Role::Tier1 && unit == stored.unit_id.as_ref();
    let stored_date = stored
        .appointment_date
        .as_deref()
        .and_then(|d| d.parse().ok());
    (
        kept(
            changes.appointment_number.clone(),
            stored.appointment_number.clone(),
            stays,
        ),
        kept(changes.appointment_date, stored_date, stays),
    )
}

/// Revokes every integration token of the account, each with its audit entry.
fn revoke_tokens(
    conn: &mut DbConn,
    caller: &Caller,
    row: &UserRow,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    for token_id in db::tokens::revoke_all_for_user(conn, &row.id, now.into())? {
        let data = serde_json::json!({"user_id": row.id, "reason": "account_changed"});
        let by = Actor::person(caller, now);
        audit::record(conn, by, "token_revoked", ("token", &token_id), data)?;
    }
    Ok(())
}

impl Desk {
    /// Changes a user (admin).
    pub fn update_user(
        &self,
        caller: &Caller,
        id: &str,
        changes: UserChanges,
    ) -> Result<UserView, ServiceError> {
        permit(caller, Operation::ManageUsers)?;
        let fields = checked(caller, id, &changes)?;
        let password_hash = changes.password.as_deref().map(hashed).transpose()?;
        let now = self.now();
        let mut conn = self.conn()?;
        write_tx(&mut conn, |conn| {
            // The caller is judged again under the lock of both accounts: two admins
            // deactivating each other at once would otherwise both succeed, leaving none.
            let locked = db::users::lock(conn, &[caller.user_id.as_str(), id])?;
            let still_admin = locked
                .iter()
                .any(|user| user.id == caller.user_id && user.active && user.role == Role::Admin);
            if !still_admin {
                return Err(ServiceError::Unauthenticated);
            }
            let stored = locked
                .into_iter()
                .find(|user| user.id == id)
                .ok_or(ServiceError::NotFound)?;
            let (row, role) = changed(&stored, &changes, fields, password_hash)?;
            let decree = appointment(&stored, &changes, (role, row.unit_id.as_ref()));
            let mut row = appointed(conn, row, decree, now)?;
            if row == stored {
                // Nothing to change: no new version, no audit entry.
                return Ok(stored.into());
            }
            row.updated_at = now.into();
            // An unchanged address is not re-judged: the domains may have changed since.
            let check_official = row.email != stored.email || row.role != stored.role;
            let region = region::load(conn)?;
            check_placement(conn, &region, &row, role, check_official)?;
            // What a token was issued for no longer holds: every session and token of the
            // account ends, and stays ended even if the change is undone later.
            let sessions_ended = row.role != stored.role
                || (stored.active && !row.active)
                || changes.password.is_some();
            if sessions_ended {
                row.credential_generation += 1;
            }
            db::users::update(conn, &row)?;
            let data = serde_json::json!({
                "email": row.email,
                "role": row.role,
                "unit_id": row.unit_id,
                "active": row.active,
                "appointment_number": row.appointment_number,
                "appointment_date": row.appointment_date,
                "password_changed": changes.password.is_some(),
                "sessions_ended": sessions_ended,
            });
            let by = Actor::person(caller, now);
            audit::record(conn, by, "user_updated", ("user", &row.id), data)?;
            if sessions_ended {
                revoke_tokens(conn, caller, &row, now)?;
            }
            Ok(UserView::from(row))
        })
    }
}
