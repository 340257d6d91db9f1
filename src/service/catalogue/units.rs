//! Units: the PDs, each with its Tier 1, and the one Dinas that hosts Tier 2.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::clock::UtcTime;
use crate::db::models::UnitRow;
use crate::db::{self, DbConn, write_tx};
use crate::domain::access::Operation;
use crate::domain::email::EmailAddress;
use crate::domain::ids::UnitId;
use crate::domain::role::UnitKind;
use crate::service::audit::Actor;
use crate::service::fields::{self, present};
use crate::service::page::{Page, PageRequest};
use crate::service::region::{self, Region};
use crate::service::{Desk, ErrorCode, ServiceError, audit, new_id, permit};

/// A unit as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(examples(json!({
    "id": "019c1bdd-1680-75e3-b92f-e3604a7cc5f8",
    "code": "DINKES",
    "name": "Dinas Kesehatan",
    "kind": "pd",
    "email": "dinkes@tojounaunakab.go.id",
    "active": true,
    "created_at": "2026-02-02T01:00:00Z",
    "updated_at": "2026-02-02T01:00:00Z"
})))]
pub struct UnitView {
    /// Unit id.
    pub id: UnitId,
    /// Short unique code, upper-case.
    pub code: String,
    /// Full name.
    pub name: String,
    /// `pd` or `dinas`.
    pub kind: UnitKind,
    /// The unit's official mailbox; `null` for integration tokens.
    pub email: Option<String>,
    /// Whether the unit is in service.
    pub active: bool,
    /// Creation time.
    pub created_at: UtcTime,
    /// Last change.
    pub updated_at: UtcTime,
}

/// `POST /units`.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(examples(json!({
    "code": "DINKES",
    "name": "Dinas Kesehatan",
    "kind": "pd",
    "email": "dinkes@tojounaunakab.go.id"
})))]
pub struct NewUnit {
    /// Short unique code, e.g. `DINKES` (letters, digits, `-`, `_`; up to 32).
    pub code: String,
    /// Full name (up to 200 characters).
    pub name: String,
    /// `pd`, or `dinas` if there is none yet.
    pub kind: UnitKind,
    /// The unit's mailbox, inside an official domain.
    pub email: Option<String>,
}

/// `PATCH /units/{id}`: only the fields given change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(examples(json!({
    "name": "Dinas Kesehatan, Pengendalian Penduduk dan Keluarga Berencana",
    "email": "dinkesppkb@tojounaunakab.go.id"
})))]
pub struct UnitChanges {
    /// New code.
    pub code: Option<String>,
    /// New name.
    pub name: Option<String>,
    /// New mailbox; `null` removes it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    /// Take the unit out of service, or back.
    pub active: Option<bool>,
}

/// A unit as `caller` may see it: without its mailbox for a caller who is not staff, since
/// the desk mails it about its tickets.
fn unit_for(caller: &Caller, unit: UnitView) -> UnitView {
    if caller.role.is_staff() {
        unit
    } else {
        UnitView {
            email: None,
            ..unit
        }
    }
}

impl From<UnitRow> for UnitView {
    fn from(row: UnitRow) -> Self {
        UnitView {
            kind: row.kind,
            id: row.id,
            code: row.code,
            name: row.name,
            email: row.email,
            active: row.active,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

fn ensure_code_free(
    conn: &mut DbConn,
    code: &str,
    except: Option<&str>,
) -> Result<(), ServiceError> {
    if db::units::code_taken(conn, code, except)? {
        return Err(ServiceError::rule(
            ErrorCode::UnitCodeTaken,
            "code",
            "is already used by another unit",
        ));
    }
    Ok(())
}

fn require_official_mailbox(
    region: &Region,
    email: Option<&EmailAddress>,
) -> Result<(), ServiceError> {
    email.map_or(Ok(()), |address| region.require_official("email", address))
}

impl Desk {
    /// Adds a unit (admin).
    pub fn create_unit(&self, caller: &Caller, input: NewUnit) -> Result<UnitView, ServiceError> {
        permit(caller, Operation::ManageUnits)?;
        let mut errors = Vec::new();
        let code = fields::code(&mut errors, &input.code);
        let name = fields::text(&mut errors, "name", &input.name, 200);
        let email = input
            .email
            .as_deref()
            .and_then(|e| fields::email(&mut errors, "email", e));
        ServiceError::check(errors)?;
        let now = self.now();
        let mut conn = self.conn()?;
        write_tx(&mut conn, |conn| {
            require_official_mailbox(&region::load(conn)?, email.as_ref())?;
            ensure_code_free(conn, &code, None)?;
            if input.kind == UnitKind::Dinas && db::units::dinas(conn)?.is_some() {
                return Err(ServiceError::rule(
                    ErrorCode::DinasUnitExists,
                    "kind",
                    "the region already has its Dinas unit; there is exactly one",
                ));
            }
            let row = UnitRow {
                id: new_id(),
                code,
                name,
                kind: input.kind,
                email: email.map(EmailAddress::into_string),
                active: true,
                created_at: now.into(),
                updated_at: now.into(),
            };
            db::units::insert(conn, &row)?;
            let data = serde_json::json!({"code": row.code, "name": row.name, "kind": row.kind, "email": row.email});
            let by = Actor::person(caller, now);
            audit::record(conn, by, "unit_created", ("unit", &row.id), data)?;
            Ok(UnitView::from(row))
        })
    }

    /// Every unit, in creation order (any signed-in caller: unit names appear on tickets).
    pub fn list_units(
        &self,
        caller: &Caller,
        page: PageRequest,
    ) -> Result<Page<UnitView>, ServiceError> {
        let rows = db::units::list(&mut *self.conn()?, page.after_id()?, page.fetch())?;
        page.finish(
            rows,
            |row| row.id.to_string(),
            |row| Ok(unit_for(caller, row.into())),
        )
    }

    /// One unit.
    pub fn unit(&self, caller: &Caller, id: &UnitId) -> Result<UnitView, ServiceError> {
        db::units::find(&mut *self.conn()?, id)?
            .ok_or(ServiceError::NotFound)
            .map(UnitView::from)
            .map(|unit| unit_for(caller, unit))
    }

    /// Changes a unit (admin).
    pub fn update_unit(
        &self,
        caller: &Caller,
        id: &UnitId,
        changes: UnitChanges,
    ) -> Result<UnitView, ServiceError> {
        permit(caller, Operation::ManageUnits)?;
        let mut errors = Vec::new();
        let code = changes
            .code
            .as_deref()
            .map(|c| fields::code(&mut errors, c));
        let name = changes
            .name
            .as_deref()
            .map(|n| fields::text(&mut errors, "name", n, 200));
        let email = changes.email.map(|e| {
            e.as_deref()
                .and_then(|e| fields::email(&mut errors, "email", e))
        });
        ServiceError::check(errors)?;
        let now = self.now();
        let mut conn = self.conn()?;
        write_tx(&mut conn, |conn| {
            let stored = db::units::find(conn, id)?.ok_or(ServiceError::NotFound)?;
            let mut row = stored.clone();
            if let Some(code) = code {
                ensure_code_free(conn, &code, Some(id))?;
                row.code = code;
            }
            if let Some(name) = name {
                row.name = name;
            }
            // An unchanged mailbox is not judged again: the domains may have changed since.
            if let Some(email) = email
                && email.as_ref().map(EmailAddress::as_str) != row.email.as_deref()
            {
                require_official_mailbox(&region::load(conn)?, email.as_ref())?;
                row.email = email.map(EmailAddress::into_string);
            }
            if let Some(active) = changes.active {
                row.active = active;
            }
            if row == stored {
                // Nothing to change: no new version, no audit entry.
                return Ok(stored.into());
            }
            row.updated_at = now.into();
            db::units::update(conn, &row)?;
            let data = serde_json::json!({"code": row.code, "name": row.name, "email": row.email, "active": row.active});
            let by = Actor::person(caller, now);
            audit::record(conn, by, "unit_updated", ("unit", &row.id), data)?;
            Ok(UnitView::from(row))
        })
    }
}
