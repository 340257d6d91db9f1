//! SLA policies: one target per priority, on a business calendar. Editing a policy changes
//! the tickets opened after the edit only (each ticket keeps the targets it was opened with).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::clock::UtcTime;
use crate::db::models::{SlaPolicyRow, SlaTargetRow};
use crate::db::{self, DbConn, write_tx};
use crate::domain::access::Operation;
use crate::domain::ids::{CalendarId, SlaPolicyId};
use crate::domain::sla::{Priority, SlaTarget, validate_targets};
use crate::service::audit::Actor;
use crate::service::page::{Page, PageRequest};
use crate::service::{
    Desk, ErrorCode, FieldError, ServiceError, audit, fields, new_id, permit, staff_only,
};

const DEFAULT_WARNING_PERCENT: i32 = 75;

/// One priority's targets, in business seconds: each at least 1 and at most 31,536,000
/// (365 days).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TargetInput {
    /// The priority.
    pub priority: Priority,
    /// Time to first response.
    #[schema(minimum = 1, maximum = 31_536_000)]
    pub response_seconds: i64,
    /// Tier 1's window before automatic escalation; `null` never escalates by itself.
    #[schema(minimum = 1, maximum = 31_536_000)]
    pub tier1_seconds: Option<i64>,
    /// Time to resolution.
    #[schema(minimum = 1, maximum = 31_536_000)]
    pub resolution_seconds: i64,
    /// Warning threshold, percent of each target (default 75).
    pub warn_at_percent: Option<i32>,
}

/// `POST /sla-policies` and `PUT /sla-policies/{id}`.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(examples(json!({
    "name": "SLA layanan kritis",
    "calendar_id": "019b8bab-1620-747e-b061-32c559567921",
    "default": false,
    "targets": [
        {"priority": "critical", "response_seconds": 600, "tier1_seconds": 1800,
         "resolution_seconds": 7200, "warn_at_percent": 80},
        {"priority": "high", "response_seconds": 900, "tier1_seconds": 3600,
         "resolution_seconds": 14400, "warn_at_percent": 75},
        {"priority": "medium", "response_seconds": 3600, "tier1_seconds": 14400,
         "resolution_seconds": 28800, "warn_at_percent": 75},
        {"priority": "low", "response_seconds": 7200, "tier1_seconds": null,
         "resolution_seconds": 57600, "warn_at_percent": 75}
    ]
})))]
pub struct SlaPolicyInput {
    /// Name (up to 200 characters).
    pub name: String,
    /// The calendar the targets count on.
    pub calendar_id: String,
    /// Make this the region default (used by tickets without a service).
    #[serde(default)]
    pub default: bool,
    /// Exactly one target per priority.
    pub targets: Vec<TargetInput>,
}

/// A policy as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlaPolicyView {
    /// Policy id.
    pub id: SlaPolicyId,
    /// Name.
    pub name: String,
    /// The calendar the targets count on.
    pub calendar_id: CalendarId,
    /// Whether this is the region default.
    pub default: bool,
    /// One per priority, most urgent first.
    pub targets: Vec<TargetInput>,
    /// Creation time.
    pub created_at: UtcTime,
    /// Last change.
    pub updated_at: UtcTime,
}

fn checked(input: &SlaPolicyInput) -> Result<(String, Vec<SlaTarget>), ServiceError> {
    let mut errors = Vec::new();
    let name = fields::text(&mut errors, "name", &input.name, 200);
    let targets: Vec<SlaTarget> = input
        .targets
        .iter()
        .map(|t| SlaTarget {
            priority: t.priority,
            response_seconds: t.response_seconds,
            tier1_seconds: t.tier1_seconds,
            resolution_seconds: t.resolution_seconds,
            warn_at_percent: t.warn_at_percent.unwrap_or(DEFAULT_WARNING_PERCENT),
        })
        .collect();
    errors.extend(validate_targets(&targets).into_iter().map(|e| {
        let field = match e.index {
            Some(i) => format!("targets[{i}].{}", e.field),
            None => e.field.to_owned(),
        };
        FieldError::new(field, e.message)
    }));
    ServiceError::check(errors)?;
    Ok((name, targets))
}

fn target_rows(policy_id: &str, targets: &[SlaTarget]) -> Vec<SlaTargetRow> {
    targets
        .iter()
        .map(|t| SlaTargetRow {
            policy_id: SlaPolicyId::from(policy_id),
            priority: t.priority,
            response_seconds: t.response_seconds,
            tier1_seconds: t.tier1_seconds,
            resolution_seconds: t.resolution_seconds,
            warn_at_percent: t.warn_at_percent,
        })
        .collect()
}

fn load_view(conn: &mut DbConn, row: SlaPolicyRow) -> Result<SlaPolicyView, ServiceError> {
    let mut targets = db::sla_policies::targets(conn, &row.id)?
        .into_iter()
        .map(|t| {
            Ok(TargetInput {
                priority: t.priority,
                response_seconds: t.response_seconds,
                tier1_seconds: t.tier1_seconds,
                resolution_seconds: t.resolution_seconds,
                warn_at_percent: Some(t.warn_at_percent),
            })
        })
        .collect::<Result<Vec<_>, ServiceError>>()?;
    targets.sort_by_key(|t| t.priority);
    Ok(SlaPolicyView {
        id: row.id,
        name: row.name,
        calendar_id: row.calendar_id,
        default: row.is_default,
        targets,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

fn require_calendar(conn: &mut DbConn, calendar_id: &CalendarId) -> Result<(), ServiceError> {
    db::calendars::find(conn, calendar_id)?
        .map(drop)
        .ok_or_else(|| ServiceError::field("calendar_id", "no calendar has this id"))
}

impl Desk {
    /// Adds a policy (supervisor or admin).
    pub fn create_sla_policy(
        &self,
        caller: &Caller,
        input: SlaPolicyInput,
    ) -> Result<SlaPolicyView, ServiceError> {
        permit(caller, Operation::ManageSlaPolicies)?;
        let (name, targets) = checked(&input)?;
        let now = self.now();
        let row = SlaPolicyRow {
            id: new_id(),
            name,
            calendar_id: CalendarId::from(input.calendar_id),
            is_default: input.default,
            created_at: now.into(),
            updated_at: now.into(),
        };
        let mut conn = self.conn()?;
        write_tx(&mut conn, |conn| {
            require_calendar(conn, &row.calendar_id)?;
            if row.is_default {
                db::sla_policies::clear_default(conn)?;
            }
            db::sla_policies::insert(conn, &row, &target_rows(&row.id, &targets))?;
            let data = serde_json::json!({"name": row.name, "default": row.is_default});
            let by = Actor::person(caller, now);
            audit::record(
                conn,
                by,
                "sla_policy_created",
                ("sla_policy", &row.id),
                data,
            )?;
            load_view(conn, row)
        })
    }

    /// Policies in creation order (any signed-in caller but integrations).
    pub fn list_sla_policies(
        &self,
        caller: &Caller,
        page: PageRequest,
    ) -> Result<Page<SlaPolicyView>, ServiceError> {
        staff_only(caller)?;
        let mut conn = self.conn()?;
        let rows = db::sla_policies::list(&mut conn, page.after_id()?, page.fetch())?;
        page.finish(
            rows,
            |row| row.id.to_string(),
            |row| load_view(&mut conn, row),
        )
    }

    /// One policy.
    pub fn sla_policy(
        &self,
        caller: &Caller,
        id: &SlaPolicyId,
    ) -> Result<SlaPolicyView, ServiceError> {
        staff_only(caller)?;
        let mut conn = self.conn()?;
        let row = db::sla_policies::find(&mut conn, id)?.ok_or(ServiceError::NotFound)?;
        load_view(&mut conn, row)
    }

    /// Replaces a policy (supervisor or admin). The region keeps one default: to change it,
    /// make another policy the default.
    pub fn update_sla_policy(
        &self,
        caller: &Caller,
        id: &SlaPolicyId,
        input: SlaPolicyInput,
    ) -> Result<SlaPolicyView, ServiceError> {
        permit(caller, Operation::ManageSlaPolicies)?;
        let (name, targets) = checked(&input)?;
        let now = self.now();
        let mut conn = self.conn()?;
        write_tx(&mut conn, |conn| {
            let mut row = db::sla_policies::find(conn, id)?.ok_or(ServiceError::NotFound)?;
            if row.is_default && !input.default {
                return Err(ServiceError::rule(
                    ErrorCode::DefaultPolicyRequired,
                    "default",
                    "the region needs a default policy: make another policy the default instead",
                ));
            }
            require_calendar(conn, &CalendarId::from(input.calendar_id.as_str()))?;
            if input.default && !row.is_default {
                db::sla_policies::clear_default(conn)?;
            }
            row.name = name;
            row.calendar_id = CalendarId::from(input.calendar_id);
            row.is_default = input.default;
            row.updated_at = now.into();
            db::sla_policies::replace(conn, &row, &target_rows(&row.id, &targets))?;
            let data = serde_json::json!({"name": row.name, "default": row.is_default});
            let by = Actor::person(caller, now);
            audit::record(
                conn,
                by,
                "sla_policy_updated",
                ("sla_policy", &row.id),
                data,
            )?;
            load_view(conn, row)
        })
    }
}
