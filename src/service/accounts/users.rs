//! User accounts: who may sign in, in which role, at which unit.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{Caller, password};
use crate::clock::rfc3339;
use crate::db::models::UserRow;
use crate::db::users::UserFilter;
use crate::db::{self, DbConn, write_tx};
use crate::domain::access::Operation;
use crate::domain::email::EmailAddress;
use crate::domain::role::{Role, UnitKind, role_fits_unit};
use crate::service::fields::{self, present};
use crate::service::page::{Page, PageRequest};
use crate::service::region::{self, Region};
use crate::service::{
    Desk, ErrorCode, FieldError, ServiceError, audit, new_id, permit, staff_only,
};

const MIN_PASSWORD_CHARS: usize = 10;
const MAX_PASSWORD_CHARS: usize = 256;

/// A user as the API shows it: never a password or its hash.
#[derive(Debug, Serialize, ToSchema)]
#[schema(examples(json!({
    "id": "019c213a-6100-71c4-8b8f-ab1700a8dba1",
    "email": "rahmat.hidayat@tojounaunakab.go.id",
    "name": "Rahmat Hidayat",
    "role": "tier1",
    "unit_id": "019c1bdd-1680-75e3-b92f-e3604a7cc5f8",
    "active": true,
    "created_at": "2026-02-03T02:00:00Z",
    "updated_at": "2026-02-03T02:00:00Z"
})))]
pub struct UserView {
    /// User id.
    pub id: String,
    /// Official address, lower-case.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Unit, if the role has one.
    pub unit_id: Option<String>,
    /// Deactivated users cannot sign in.
    pub active: bool,
    /// Creation time.
    #[serde(with = "rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: DateTime<Utc>,
    /// Last change.
    #[serde(with = "rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: DateTime<Utc>,
}

/// `POST /users`.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(examples(json!({
    "name": "Rahmat Hidayat",
    "email": "rahmat.hidayat@tojounaunakab.go.id",
    "password": "sandi-Awal-2026!",
    "role": "tier1",
    "unit_id": "019c1bdd-1680-75e3-b92f-e3604a7cc5f8"
})))]
pub struct NewUser {
    /// Display name (up to 200 characters).
    pub name: String,
    /// Inside an official domain (integration accounts are exempt).
    pub email: String,
    /// 10 to 256 characters; not given for integration accounts, which use tokens.
    #[schema(format = Password)]
    pub password: Option<String>,
    /// Role.
    pub role: Role,
    /// `tier1` needs a `pd` unit, `tier2`/`supervisor` the `dinas` unit, `integration` none.
    pub unit_id: Option<String>,
}

/// `PATCH /users/{id}`: only the fields given change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(examples(json!({
    "name": "Rahmat Hidayat, S.Kom.",
    "unit_id": "019c1be1-aa60-7f39-a719-9dd75799e7ec"
})))]
pub struct UserChanges {
    /// New display name.
    pub name: Option<String>,
    /// New address.
    pub email: Option<String>,
    /// New password.
    #[schema(format = Password)]
    pub password: Option<String>,
    /// New role.
    pub role: Option<Role>,
    /// New unit; `null` for none.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub unit_id: Option<Option<String>>,
    /// `false` deactivates the user: sign-in and every token stop working at once.
    pub active: Option<bool>,
}

/// Filters of `GET /users`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct UserQuery {
    /// Only this role.
    pub role: Option<Role>,
    /// Only this unit, by id or code (`DINKES`); one that names no unit answers 422.
    #[param(max_length = 64)]
    pub unit_id: Option<String>,
    /// Only active (`true`) or deactivated (`false`) users.
    pub active: Option<bool>,
}

pub(in crate::service) fn view(row: UserRow) -> Result<UserView, ServiceError> {
    Ok(UserView {
        role: row
            .role
            .parse()
            .map_err(|e| ServiceError::Internal(format!("user {}: {e}", row.id)))?,
        id: row.id,
        email: row.email,
        name: row.name,
        unit_id: row.unit_id,
        active: row.active,
        created_at: row.created_at.and_utc(),
        updated_at: row.updated_at.and_utc(),
    })
}

/// Who may see which accounts: Dinas staff, auditors and admins see all; Tier 1 sees its own
/// PD's; integration accounts see none.
fn visible(caller: &Caller, row: &UserRow) -> bool {
    caller.role.reads_everything()
        || row.id == caller.user_id
        || (caller.role == Role::Tier1 && row.unit_id.is_some() && row.unit_id == caller.unit_id)
}

fn checked_password(errors: &mut Vec<FieldError>, password: &str) {
    let chars = password.chars().count();
    if !(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&chars) {
        errors.push(FieldError::new(
            "password",
            format!("must be {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters"),
        ));
    }
}

fn hashed(password: &str) -> Result<String, ServiceError> {
    password::hash(password).map_err(|e| ServiceError::Internal(format!("password hash: {e}")))
}

/// The checks that need the database: the address is official and free, the unit exists and
/// fits the role.
fn check_placement(
    conn: &mut DbConn,
    region: &Region,
    row: &UserRow,
    role: Role,
    check_official: bool,
) -> Result<(), ServiceError> {
    if role.needs_official_email() && check_official {
        let address = EmailAddress::parse(&row.email)
            .map_err(|e| ServiceError::field("email", e.to_string()))?;
        region.require_official("email", &address)?;
    }
    if db::users::find_by_email(conn, &row.email)?.is_some_and(|other| other.id != row.id) {
        return Err(ServiceError::rule(
            ErrorCode::EmailTaken,
            "email",
            "another account already uses this address",
        ));
    }
    let unit_kind = match &row.unit_id {
        Some(unit_id) => {
            let unit = db::units::find(conn, unit_id)?
                .ok_or_else(|| ServiceError::field("unit_id", "no unit has this id"))?;
            Some(
                unit.kind
                    .parse::<UnitKind>()
                    .map_err(|e| ServiceError::Internal(e.to_string()))?,
            )
        }
        None => None,
    };
    if !role_fits_unit(role, unit_kind) {
        let needs = match role {
            Role::Tier1 => "tier1 needs a pd unit",
            Role::Tier2 | Role::Supervisor => "tier2 and supervisor need the dinas unit",
            _ => "integration accounts belong to no unit",
        };
        return Err(ServiceError::rule(
            ErrorCode::RoleUnitMismatch,
            "unit_id",
            needs,
        ));
    }
    Ok(())
}

impl Desk {
    /// Adds a user (admin).
    pub fn create_user(&self, caller: &Caller, input: NewUser) -> Result<UserView, ServiceError> {
        permit(caller, Operation::ManageUsers)?;
        self.insert_user(Some(&caller.user_id), input, false)
    }

    /// Bootstraps an admin from the command line.
    pub fn create_admin(
        &self,
        email: &str,
        name: &str,
        password: &str,
    ) -> Result<UserView, ServiceError> {
        let input = NewUser {
            name: name.to_owned(),
            email: email.to_owned(),
            password: Some(password.to_owned()),
            role: Role::Admin,
            unit_id: None,
        };
        self.insert_user(None, input, true)
    }

    fn insert_user(
        &self,
        actor_id: Option<&str>,
        input: NewUser,
        bootstrap: bool,
    ) -> Result<UserView, ServiceError> {
        let mut errors = Vec::new();
        let name = fields::text(&mut errors, "name", &input.name, 200);
        let email = fields::email(&mut errors, "email", &input.email);
        match (&input.password, input.role.signs_in_with_password()) {
            (Some(password), true) => checked_password(&mut errors, password),
            (None, true) => errors.push(FieldError::new("password", "is required for this role")),
            (Some(_), false) => errors.push(FieldError::new(
                "password",
                "integration accounts sign in with tokens, not passwords",
            )),
            (None, false) => {}
        }
        ServiceError::check(errors)?;
        let email = email.map(EmailAddress::into_string).unwrap_or_default();
        let password_hash = input.password.as_deref().map(hashed).transpose()?;
        let now = self.now();
        let mut conn = self.conn()?;
        write_tx(&mut conn, |conn| {
            let region = region::load(conn)?;
            let row = UserRow {
                id: new_id(),
                email,
                name,
                role: input.role.as_str().into(),
                unit_id: input.unit_id,
                password_hash,
                active: true,
                created_at: now.naive_utc(),
                updated_at: now.naive_utc(),
                credential_generation: 0,
            };
            // Only the first admin, made on the server itself, may come before the region's
            // official domains are configured, so that someone can sign in to configure them.
            let check_official = !(bootstrap && region.domains.is_empty());
            check_placement(conn, &region, &row, input.role, check_official)?;
            db::users::insert(conn, &row)?;
            audit::record(
                conn,
                now,
                actor_id,
                "user_created",
                ("user", &row.id),
                serde_json::json!({"email": row.email, "role": row.role, "unit_id": row.unit_id}),
            )?;
            view(row)
        })
    }

    /// Users the caller may see, in creation order.
    pub fn list_users(
        &self,
        caller: &Caller,
        query: UserQuery,
        page: PageRequest,
    ) -> Result<Page<UserView>, ServiceError> {
        staff_only(caller)?;
        let after = page.after_id()?;
        let mut conn = self.conn()?;
        let mut errors = Vec::new();
        let unit_id = match query.unit_id {
            Some(value) => fields::known(
                &mut errors,
                "unit_id",
                db::units::id_for(&mut conn, &value)?,
            ),
            None => None,
        };
        ServiceError::check(errors)?;
        let mut filter = UserFilter {
            role: query.role.map(|r| r.as_str().to_owned()),
            unit_id,
            active: query.active,
        };
        if !caller.role.reads_everything() {
            // Tier 1 sees its own PD only, whatever filter it asks for.
            if filter.unit_id.is_some() && filter.unit_id != caller.unit_id {
                return Ok(Page {
                    items: Vec::new(),
                    next_cursor: None,
                });
            }
            filter.unit_id.clone_from(&caller.unit_id);
        }
        let rows = db::users::list(&mut conn, &filter, after, page.fetch())?;
        page.finish(rows, |row| row.id.clone(), view)
    }

    /// One user, if the caller may see it.
    pub fn user(&self, caller: &Caller, id: &str) -> Result<UserView, ServiceError> {
        db::users::find(&mut *self.conn()?, id)?
            .filter(|row| visible(caller, row))
            .ok_or(ServiceError::NotFound)
            .and_then(view)
    }

    /// Changes a user (admin). An admin cannot deactivate or demote themself, so that a region
    /// is never left without anyone able to administer it by accident.
    pub fn update_user(
        &self,
        caller: &Caller,
        id: &str,
        changes: UserChanges,
    ) -> Result<UserView, ServiceError> {
        permit(caller, Operation::ManageUsers)?;
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
        let password_hash = changes.password.as_deref().map(hashed).transpose()?;
        let now = self.now();
        let mut conn = self.conn()?;
        write_tx(&mut conn, |conn| {
            // The caller is judged again under the lock of both accounts: two admins
            // deactivating each other at once would otherwise both succeed, leaving none.
            let locked = db::users::lock(conn, &[caller.user_id.as_str(), id])?;
            let still_admin = locked.iter().any(|user| {
                user.id == caller.user_id && user.active && user.role == Role::Admin.as_str()
            });
            if !still_admin {
                return Err(ServiceError::Unauthenticated);
            }
            let stored = locked
                .into_iter()
                .find(|user| user.id == id)
                .ok_or(ServiceError::NotFound)?;
            let mut row = stored.clone();
            let role = changes
                .role
                .map_or_else(|| row.role.parse::<Role>(), Ok)
                .map_err(|e| ServiceError::Internal(e.to_string()))?;
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
            if let Some(unit_id) = changes.unit_id {
                row.unit_id = unit_id;
            }
            if let Some(active) = changes.active {
                row.active = active;
            }
            row.role = role.as_str().into();
            row.password_hash = password_hash.or(row.password_hash.take());
            if row == stored {
                // Nothing to change: no new version, no audit entry.
                return view(stored);
            }
            row.updated_at = now.naive_utc();
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
            audit::record(
                conn,
                now,
                Some(&caller.user_id),
                "user_updated",
                ("user", &row.id),
                serde_json::json!({
                    "email": row.email,
                    "role": row.role,
                    "unit_id": row.unit_id,
                    "active": row.active,
                    "password_changed": changes.password.is_some(),
                    "sessions_ended": sessions_ended,
                }),
            )?;
            if sessions_ended {
                for token_id in db::tokens::revoke_all_for_user(conn, &row.id, now.naive_utc())? {
                    audit::record(
                        conn,
                        now,
                        Some(&caller.user_id),
                        "token_revoked",
                        ("token", &token_id),
                        serde_json::json!({"user_id": row.id, "reason": "account_changed"}),
                    )?;
                }
            }
            view(row)
        })
    }
}
