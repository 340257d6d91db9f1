//! User accounts: who may sign in, in which role, at which unit.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{Caller, password};
use crate::clock::UtcTime;
use crate::db::models::UserRow;
use crate::db::users::UserFilter;
use crate::db::{self, DbConn, write_tx};
use crate::domain::access::Operation;
use crate::domain::email::EmailAddress;
use crate::domain::ids::{UnitId, UserId};
use crate::domain::role::{Role, role_fits_unit};
use crate::service::audit::Actor;
use crate::service::fields::{self, present};
use crate::service::governance::{past_date, today};
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
    "appointment_number": "800/045/SK/DINKES/2026",
    "appointment_date": "2026-01-15",
    "created_at": "2026-02-03T02:00:00Z",
    "updated_at": "2026-02-03T02:00:00Z"
})))]
pub struct UserView {
    /// User id.
    pub id: UserId,
    /// Official address, lower-case.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Unit, if the role has one.
    pub unit_id: Option<UnitId>,
    /// Deactivated users cannot sign in.
    pub active: bool,
    /// A Tier 1 technician's appointment decree (SK) number; `null` when not recorded.
    pub appointment_number: Option<String>,
    /// Its date.
    #[schema(format = Date)]
    pub appointment_date: Option<String>,
    /// Creation time.
    pub created_at: UtcTime,
    /// Last change.
    pub updated_at: UtcTime,
}

/// `POST /users`.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(examples(json!({
    "name": "Rahmat Hidayat",
    "email": "rahmat.hidayat@tojounaunakab.go.id",
    "password": "sandi-Awal-2026!",
    "role": "tier1",
    "unit_id": "019c1bdd-1680-75e3-b92f-e3604a7cc5f8",
    "appointment_number": "800/045/SK/DINKES/2026",
    "appointment_date": "2026-01-15"
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
    /// Tier 1 only: the number of the decree (SK) that appoints them (up to 100 characters).
    pub appointment_number: Option<String>,
    /// Tier 1 only, with the number: the decree's date, `YYYY-MM-DD`, not after today.
    #[serde(default, deserialize_with = "fields::optional_date")]
    #[schema(value_type = Option<String>, format = Date)]
    pub appointment_date: Option<NaiveDate>,
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
    /// Tier 1 only: the appointment decree's number; `null` removes the appointment.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub appointment_number: Option<Option<String>>,
    /// Tier 1 only: the decree's date, `YYYY-MM-DD`; `null` with a `null` number.
    #[serde(default, deserialize_with = "fields::present_date")]
    #[schema(value_type = Option<String>, format = Date)]
    pub appointment_date: Option<Option<NaiveDate>>,
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

impl From<UserRow> for UserView {
    fn from(row: UserRow) -> Self {
        UserView {
            role: row.role,
            id: row.id,
            email: row.email,
            name: row.name,
            unit_id: row.unit_id,
            active: row.active,
            appointment_number: row.appointment_number,
            appointment_date: row.appointment_date,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// Who may see which accounts: Dinas staff, auditors and admins see all; Tier 1 sees its own
/// PD's; integration accounts see none.
fn visible(caller: &Caller, row: &UserRow) -> bool {
    caller.role.reads_everything()
        || row.id == caller.user_id
        || (caller.role == Role::Tier1 && row.unit_id.is_some() && row.unit_id == caller.unit_id)
}

pub(super) fn checked_password(errors: &mut Vec<FieldError>, password: &str) {
    let chars = password.chars().count();
    if !(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&chars) {
        errors.push(FieldError::new(
            "password",
            format!("must be {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters"),
        ));
    }
}

pub(super) fn hashed(password: &str) -> Result<String, ServiceError> {
    password::hash(password).map_err(|e| ServiceError::Internal(format!("password hash: {e}")))
}

/// `row` with the appointment decree `(number, date)` set, checked: Tier 1 only, both or
/// neither, the date not after today in the region. Any other role keeps none.
pub(super) fn appointed(
    conn: &mut DbConn,
    mut row: UserRow,
    (number, date): (Option<String>, Option<NaiveDate>),
    now: chrono::DateTime<chrono::Utc>,
) -> Result<UserRow, ServiceError> {
    let mut errors = Vec::new();
    let number = number.map(|n| fields::text(&mut errors, "appointment_number", &n, 100));
    match (&number, date) {
        (Some(_), None) => errors.push(FieldError::new(
            "appointment_date",
            "is required with appointment_number",
        )),
        (None, Some(_)) => errors.push(FieldError::new(
            "appointment_number",
            "is required with appointment_date",
        )),
        _ => {}
    }
    if number.is_some() && row.role != Role::Tier1 {
        errors.push(FieldError::new(
            "appointment_number",
            "is recorded for Tier 1 technicians only",
        ));
    }
    if let Some(day) = date {
        past_date(&mut errors, "appointment_date", day, today(conn, now)?);
    }
    ServiceError::check(errors)?;
    row.appointment_number = number;
    row.appointment_date = date.map(|day| day.to_string());
    Ok(row)
}

/// The checks that need the database: the address is official and free, the unit exists and
/// fits the role.
pub(super) fn check_placement(
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
            Some(unit.kind)
        }
        None => None,
    };
    if !role_fits_unit(role, unit_kind) {
        let needs = match role {
            Role::Tier1 => "tier1 needs a pd unit",
            Role::Tier2 | Role::Supervisor => "tier2 and supervisor need the dinas unit",
            _ => "integration and monitoring accounts belong to no unit",
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
            appointment_number: None,
            appointment_date: None,
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
                role: input.role,
                unit_id: input.unit_id.map(UnitId::from),
                password_hash,
                active: true,
                created_at: now.into(),
                updated_at: now.into(),
                credential_generation: 0,
                appointment_number: None,
                appointment_date: None,
            };
            let appointment = (input.appointment_number.clone(), input.appointment_date);
            let row = appointed(conn, row, appointment, now)?;
            // Only the first admin, made on the server itself, may come before the region's
            // official domains are configured, so that someone can sign in to configure them.
            let check_official = !(bootstrap && region.domains.is_empty());
            check_placement(conn, &region, &row, input.role, check_official)?;
            db::users::insert(conn, &row)?;
            let data = serde_json::json!({"email": row.email, "role": row.role, "unit_id": row.unit_id,
                                          "appointment_number": row.appointment_number,
                                          "appointment_date": row.appointment_date});
            let by = Actor::new(now, actor_id);
            audit::record(conn, by, "user_created", ("user", &row.id), data)?;
            Ok(UserView::from(row))
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
            role: query.role,
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
        page.finish(rows, |row| row.id.to_string(), |row| Ok(row.into()))
    }

    /// One user, if the caller may see it.
    pub fn user(&self, caller: &Caller, id: &UserId) -> Result<UserView, ServiceError> {
        db::users::find(&mut *self.conn()?, id)?
            .filter(|row| visible(caller, row))
            .ok_or(ServiceError::NotFound)
            .map(UserView::from)
    }
}
