//! The service catalogue: the ICT services tickets are about, their owners and SLA.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::clock::UtcTime;
use crate::db::models::ServiceRow;
use crate::db::{self, DbConn, write_tx};
use crate::domain::access::Operation;
use crate::domain::ids::{ServiceId, SlaPolicyId, UnitId};
use crate::domain::ticket::Tier;
use crate::service::audit::Actor;
use crate::service::fields::{self, present};
use crate::service::governance::closures::ClosureView;
use crate::service::page::{Page, PageRequest};
use crate::service::{Desk, ErrorCode, FieldError, ServiceError, audit, new_id, permit};

const DEFAULT_AVAILABILITY_TARGET: f64 = 99.5;

/// A service as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(examples(json!({
    "id": "019c457d-d380-7716-855a-505b32dcacf1",
    "code": "SIMPEG",
    "name": "Sistem Informasi Manajemen Kepegawaian",
    "owner_unit_id": "019c1be1-aa60-7f39-a719-9dd75799e7ec",
    "critical": true,
    "sla_policy_id": null,
    "availability_target_percent": 99.5,
    "description": "Data dan layanan kepegawaian ASN Pemerintah Kabupaten Tojo Una-Una.",
    "active": true,
    "alert_tier": 2,
    "auto_resolve": false,
    "closure": null,
    "created_at": "2026-02-10T03:00:00Z",
    "updated_at": "2026-02-10T03:00:00Z"
})))]
pub struct ServiceView {
    /// Service id.
    pub id: ServiceId,
    /// Short unique code, upper-case, e.g. `SIMPEG`.
    pub code: String,
    /// Name.
    pub name: String,
    /// The PD that owns it.
    pub owner_unit_id: UnitId,
    /// Designated critical by the Dinas: SLA on delivery time, availability and resolution
    /// (Perwali Palangka Raya 23/2020 Pasal 28).
    pub critical: bool,
    /// Its SLA policy; `null` uses the region default.
    pub sla_policy_id: Option<SlaPolicyId>,
    /// Availability target over a calendar month, percent.
    pub availability_target_percent: f64,
    /// What the service is.
    pub description: String,
    /// Whether it is offered.
    pub active: bool,
    /// The tier an incident opened by monitoring starts at: 2 (the Dinas runs the data
    /// centre) or 1 (the owning PD's Tier 1).
    pub alert_tier: i32,
    /// Whether the end of a monitoring alert resolves its incident; otherwise a person does.
    pub auto_resolve: bool,
    /// While the Dinas has it closed for a while (ditutup sementara): the closure; it takes
    /// no tickets until its PD records the repair. `null` otherwise.
    pub closure: Option<ClosureView>,
    /// Creation time.
    pub created_at: UtcTime,
    /// Last change.
    pub updated_at: UtcTime,
}

/// `POST /services`.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(examples(json!({
    "code": "SIMPEG",
    "name": "Sistem Informasi Manajemen Kepegawaian",
    "owner_unit_id": "019c1be1-aa60-7f39-a719-9dd75799e7ec",
    "critical": true,
    "sla_policy_id": null,
    "availability_target_percent": 99.5,
    "description": "Data dan layanan kepegawaian ASN Pemerintah Kabupaten Tojo Una-Una."
})))]
pub struct NewService {
    /// Short unique code (letters, digits, `-`, `_`; up to 32).
    pub code: String,
    /// Name (up to 200 characters).
    pub name: String,
    /// The owning PD.
    pub owner_unit_id: String,
    /// Critical service; default `false`.
    #[serde(default)]
    pub critical: bool,
    /// SLA policy; default the region's.
    pub sla_policy_id: Option<String>,
    /// Above 0, at most 100; default 99.5.
    pub availability_target_percent: Option<f64>,
    /// Up to 2,000 characters.
    #[serde(default)]
    pub description: String,
    /// The tier a monitoring incident opens at, 1 or 2; default 2.
    pub alert_tier: Option<i32>,
    /// The end of a monitoring alert resolves its incident; default `false`.
    #[serde(default)]
    pub auto_resolve: bool,
}

/// `PATCH /services/{id}`: only the fields given change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(examples(json!({
    "sla_policy_id": "019b8bab-1a08-70eb-8799-054a26cfc8ae",
    "availability_target_percent": 99.9
})))]
pub struct ServiceChanges {
    /// New code.
    pub code: Option<String>,
    /// New name.
    pub name: Option<String>,
    /// New owner.
    pub owner_unit_id: Option<String>,
    /// Critical or not.
    pub critical: Option<bool>,
    /// New policy; `null` for the region default.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub sla_policy_id: Option<Option<String>>,
    /// New availability target.
    pub availability_target_percent: Option<f64>,
    /// New description.
    pub description: Option<String>,
    /// Offered or withdrawn.
    pub active: Option<bool>,
    /// The tier a monitoring incident opens at, 1 or 2.
    pub alert_tier: Option<i32>,
    /// Whether the end of a monitoring alert resolves its incident.
    pub auto_resolve: Option<bool>,
}

impl From<ServiceRow> for ServiceView {
    fn from(row: ServiceRow) -> Self {
        ServiceView {
            id: row.id,
            code: row.code,
            name: row.name,
            owner_unit_id: row.owner_unit_id,
            critical: row.critical,
            sla_policy_id: row.sla_policy_id,
            availability_target_percent: row.availability_target_percent,
            description: row.description,
            active: row.active,
            alert_tier: row.alert_tier.number(),
            auto_resolve: row.auto_resolve,
            closure: None,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// The services as the API shows them, each with its open closure.
fn views(conn: &mut DbConn, rows: Vec<ServiceRow>) -> Result<Vec<ServiceView>, ServiceError> {
    let ids: Vec<&str> = rows.iter().map(|row| row.id.as_str()).collect();
    let mut closures = db::governance::open_closures(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let closure = closures
                .iter()
                .position(|c| c.service_id == row.id)
                .map(|at| ClosureView::from(closures.swap_remove(at)));
            ServiceView {
                closure,
                ..ServiceView::from(row)
            }
        })
        .collect())
}

fn view(conn: &mut DbConn, row: ServiceRow) -> Result<ServiceView, ServiceError> {
    views(conn, vec![row])?
        .pop()
        .ok_or_else(|| ServiceError::Internal("a service without its view".into()))
}

/// Where the region makes services critical only by designation, `critical` changes only
/// through `POST /services/{id}/criticality`.
fn check_designation(conn: &mut DbConn, (before, after): (bool, bool)) -> Result<(), ServiceError> {
    if before != after && crate::service::region::load(conn)?.row.critical_designation {
        return Err(ServiceError::rule(
            ErrorCode::DesignationRequired,
            "critical",
            "the region makes a service critical only when the Dinas designates its PD's proposal: use POST /api/v1/services/{id}/criticality",
        ));
    }
    Ok(())
}

/// Field rules shared by creation and change; normalises the texts as given.
fn check_fields(errors: &mut Vec<FieldError>, row: &mut ServiceRow) {
    row.code = fields::code(errors, &row.code);
    row.name = fields::text(errors, "name", &row.name, 200);
    row.description = fields::optional_text(errors, "description", &row.description, 2000);
    let target = row.availability_target_percent;
    if !(target > 0.0 && target <= 100.0) {
        errors.push(FieldError::new(
            "availability_target_percent",
            "must be above 0 and at most 100",
        ));
    }
}

/// The tier a monitoring incident opens at; Tier 2 after a refusal.
fn alert_tier(errors: &mut Vec<FieldError>, number: i32) -> Tier {
    Tier::from_number(number).unwrap_or_else(|| {
        errors.push(FieldError::new("alert_tier", "must be 1 or 2"));
        Tier::Two
    })
}

/// Rules that need the database: a free code, an existing PD owner, an existing policy.
fn check_references(conn: &mut DbConn, row: &ServiceRow) -> Result<(), ServiceError> {
    if db::services::code_taken(conn, &row.code, Some(&row.id))? {
        return Err(ServiceError::rule(
            ErrorCode::ServiceCodeTaken,
            "code",
            "is already used by another service",
        ));
    }
    if db::units::find(conn, &row.owner_unit_id)?.is_none() {
        return Err(ServiceError::field("owner_unit_id", "no unit has this id"));
    }
    if let Some(policy) = &row.sla_policy_id
        && !db::sla_policies::exists(conn, policy)?
    {
        return Err(ServiceError::field(
            "sla_policy_id",
            "no SLA policy has this id",
        ));
    }
    Ok(())
}

impl Desk {
    /// Adds a service (supervisor or admin).
    pub fn create_service(
        &self,
        caller: &Caller,
        input: NewService,
    ) -> Result<ServiceView, ServiceError> {
        permit(caller, Operation::ManageCatalogue)?;
        let now = self.now();
        let mut row = ServiceRow {
            id: new_id(),
            code: input.code,
            name: input.name,
            owner_unit_id: UnitId::from(input.owner_unit_id),
            critical: input.critical,
            sla_policy_id: input.sla_policy_id.map(SlaPolicyId::from),
            availability_target_percent: input
                .availability_target_percent
                .unwrap_or(DEFAULT_AVAILABILITY_TARGET),
            description: input.description,
            active: true,
            created_at: now.into(),
            updated_at: now.into(),
            alert_tier: Tier::Two,
            auto_resolve: input.auto_resolve,
        };
        let mut errors = Vec::new();
        if let Some(tier) = input.alert_tier {
            row.alert_tier = alert_tier(&mut errors, tier);
        }
        check_fields(&mut errors, &mut row);
        ServiceError::check(errors)?;
        let mut conn = self.conn()?;
        write_tx(&mut conn, |conn| {
            check_designation(conn, (false, row.critical))?;
            check_references(conn, &row)?;
            db::services::insert(conn, &row)?;
            let data = serde_json::json!({"code": row.code, "owner_unit_id": row.owner_unit_id, "critical": row.critical});
            let by = Actor::person(caller, now);
            audit::record(conn, by, "service_created", ("service", &row.id), data)?;
            Ok(ServiceView::from(row))
        })
    }

    /// The catalogue, in creation order (any signed-in caller).
    pub fn list_services(
        &self,
        _caller: &Caller,
        page: PageRequest,
    ) -> Result<Page<ServiceView>, ServiceError> {
        let mut conn = self.conn()?;
        let rows = db::services::list(&mut conn, page.after_id()?, page.fetch())?;
        let mut page = page.finish(rows, |row| row.id.to_string(), Ok)?;
        let items = views(&mut conn, std::mem::take(&mut page.items))?;
        Ok(Page {
            items,
            next_cursor: page.next_cursor,
        })
    }

    /// One service.
    pub fn service(&self, _caller: &Caller, id: &ServiceId) -> Result<ServiceView, ServiceError> {
        let mut conn = self.conn()?;
        let row = db::services::find(&mut conn, id)?.ok_or(ServiceError::NotFound)?;
        view(&mut conn, row)
    }

    /// Changes a service (supervisor or admin).
    pub fn update_service(
        &self,
        caller: &Caller,
        id: &ServiceId,
        changes: ServiceChanges,
    ) -> Result<ServiceView, ServiceError> {
        permit(caller, Operation::ManageCatalogue)?;
        let now = self.now();
        let mut conn = self.conn()?;
        write_tx(&mut conn, |conn| {
            let stored = db::services::find(conn, id)?.ok_or(ServiceError::NotFound)?;
            let mut row = stored.clone();
            if let Some(code) = changes.code {
                row.code = code;
            }
            if let Some(name) = changes.name {
                row.name = name;
            }
            if let Some(owner) = changes.owner_unit_id {
                row.owner_unit_id = UnitId::from(owner);
            }
            if let Some(critical) = changes.critical {
                row.critical = critical;
            }
            if let Some(policy) = changes.sla_policy_id {
                row.sla_policy_id = policy.map(SlaPolicyId::from);
            }
            if let Some(target) = changes.availability_target_percent {
                row.availability_target_percent = target;
            }
            if let Some(description) = changes.description {
                row.description = description;
            }
            if let Some(active) = changes.active {
                row.active = active;
            }
            if let Some(auto_resolve) = changes.auto_resolve {
                row.auto_resolve = auto_resolve;
            }
            let mut errors = Vec::new();
            if let Some(tier) = changes.alert_tier {
                row.alert_tier = alert_tier(&mut errors, tier);
            }
            check_fields(&mut errors, &mut row);
            ServiceError::check(errors)?;
            if row == stored {
                // Nothing to change: no new version, no audit entry.
                return view(conn, stored);
            }
            row.updated_at = now.into();
            check_designation(conn, (stored.critical, row.critical))?;
            check_references(conn, &row)?;
            db::services::update(conn, &row)?;
            let data = serde_json::json!({"code": row.code, "critical": row.critical, "active": row.active,
                                   "sla_policy_id": row.sla_policy_id});
            let by = Actor::person(caller, now);
            audit::record(conn, by, "service_updated", ("service", &row.id), data)?;
            view(conn, row)
        })
    }
}
