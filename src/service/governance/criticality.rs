//! A service's criticality (Palangka Raya Pasal 28 (2)): its PD proposes, the Dinas designates
//! or declines by decree, and may revoke a designation later.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{owning_pd_only, past_date, today};
use crate::auth::Caller;
use crate::clock::UtcTime;
use crate::db::models::{CriticalityStepRow, ServiceRow};
use crate::db::{self, write_tx};
use crate::domain::access::Operation;
use crate::domain::governance::{Criticality, CriticalityStep};
use crate::domain::ids::{ServiceId, UserId};
use crate::service::audit::Actor;
use crate::service::{Desk, ErrorCode, FieldError, ServiceError, audit, fields, new_id, permit};

/// `POST /services/{id}/criticality`: one step.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({
    "step": "designated",
    "note": "Layanan perizinan daring dipakai seluruh warga; usulan Dinas PMPTSP disetujui.",
    "decree_number": "188.45/112/DISKOMINFO/2026",
    "decree_date": "2026-11-27"
})))]
pub struct CriticalityChange {
    /// `proposed` (the owning PD's Tier 1, or a supervisor on its behalf), `designated`,
    /// `declined` or `revoked` (supervisors: the Dinas).
    pub step: CriticalityStep,
    /// Why (1 to 2,000 characters).
    pub note: String,
    /// The decree (SK) number; required to designate or revoke.
    pub decree_number: Option<String>,
    /// The decree's date, `YYYY-MM-DD`, not after today; required to designate or revoke.
    #[serde(default, deserialize_with = "fields::optional_date")]
    #[schema(value_type = Option<String>, format = Date)]
    pub decree_date: Option<NaiveDate>,
}

/// One step as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CriticalityStepView {
    /// Step id.
    pub id: String,
    /// What was done.
    pub step: CriticalityStep,
    /// Why.
    pub note: String,
    /// The decree (SK) number, for a designation or revocation.
    pub decree_number: Option<String>,
    /// The decree's date.
    #[schema(format = Date)]
    pub decree_date: Option<String>,
    /// Who took the step.
    pub taken_by: UserId,
    /// When.
    pub taken_at: UtcTime,
}

/// A service's criticality and how it came to be.
#[derive(Debug, Serialize, ToSchema)]
pub struct CriticalityView {
    /// The service.
    pub service_id: ServiceId,
    /// Whether it is critical now.
    pub critical: bool,
    /// `ordinary`, `proposed` (awaiting the Dinas) or `critical`.
    pub state: Criticality,
    /// Every step, oldest first.
    pub steps: Vec<CriticalityStepView>,
}

impl From<CriticalityStepRow> for CriticalityStepView {
    fn from(row: CriticalityStepRow) -> Self {
        CriticalityStepView {
            id: row.id,
            step: row.step,
            note: row.note,
            decree_number: row.decree_number,
            decree_date: row.decree_date,
            taken_by: row.taken_by,
            taken_at: row.taken_at,
        }
    }
}

/// A proposal is its PD's; the decisions are the Dinas's.
fn may_take(
    caller: &Caller,
    service: &ServiceRow,
    step: CriticalityStep,
) -> Result<(), ServiceError> {
    if step.is_dinas_decision() {
        permit(caller, Operation::GovernServices)
    } else {
        owning_pd_only(caller, service, "propose its service critical")
    }
}

impl Desk {
    /// A service's criticality and its steps (any signed-in staff).
    pub fn criticality(
        &self,
        caller: &Caller,
        service_id: &ServiceId,
    ) -> Result<CriticalityView, ServiceError> {
        crate::service::staff_only(caller)?;
        let mut conn = self.conn()?;
        let service = db::services::find(&mut conn, service_id)?.ok_or(ServiceError::NotFound)?;
        let steps = db::governance::steps(&mut conn, service_id)?;
        let state = Criticality::of(service.critical, steps.last().map(|s| s.step));
        Ok(CriticalityView {
            service_id: service.id,
            critical: service.critical,
            state,
            steps: steps.into_iter().map(Into::into).collect(),
        })
    }

    /// Takes a step of a service's criticality; a designation makes it critical and a
    /// revocation ordinary, from that instant on.
    pub fn change_criticality(
        &self,
        caller: &Caller,
        service_id: &ServiceId,
        input: CriticalityChange,
    ) -> Result<CriticalityView, ServiceError> {
        // Every role that may decide may also propose: this refuses the rest at once.
        permit(caller, Operation::ProposeCriticality)?;
        let now = self.now();
        let mut errors = Vec::new();
        let note = fields::text(&mut errors, "note", &input.note, 2000);
        let decree_number = input
            .decree_number
            .as_deref()
            .map(|number| fields::text(&mut errors, "decree_number", number, 100));
        let needs_decree = input.step.needs_decree();
        for (field, given) in [
            ("decree_number", decree_number.is_some()),
            ("decree_date", input.decree_date.is_some()),
        ] {
            if needs_decree && !given {
                errors.push(FieldError::new(field, "is required to designate or revoke"));
            }
            if !needs_decree && given {
                errors.push(FieldError::new(
                    field,
                    "is given only to designate or revoke",
                ));
            }
        }
        ServiceError::check(errors)?;
        let mut conn = self.conn()?;
        write_tx(&mut conn, |conn| {
            let mut service =
                db::services::find_for_update(conn, service_id)?.ok_or(ServiceError::NotFound)?;
            may_take(caller, &service, input.step)?;
            if let Some(day) = input.decree_date {
                let mut errors = Vec::new();
                past_date(&mut errors, "decree_date", day, today(conn, now)?);
                ServiceError::check(errors)?;
            }
            let last = db::governance::last_step(conn, service_id)?;
            let state = Criticality::of(service.critical, last)
                .after(input.step)
                .map_err(|message| ServiceError::Conflict {
                    code: ErrorCode::StepNotAllowed,
                    message: message.to_owned(),
                })?;
            let row = CriticalityStepRow {
                id: new_id(),
                service_id: service_id.clone(),
                step: input.step,
                note,
                decree_number,
                decree_date: input.decree_date.map(|day| day.to_string()),
                taken_by: caller.user_id.clone(),
                taken_at: now.into(),
            };
            db::governance::insert_step(conn, &row)?;
            let critical = state == Criticality::Critical;
            if critical != service.critical {
                service.critical = critical;
                service.updated_at = now.into();
                db::services::update(conn, &service)?;
            }
            let data = serde_json::json!({
                "step": row.step, "decree_number": row.decree_number,
                "decree_date": row.decree_date, "critical": critical,
            });
            let by = Actor::person(caller, now);
            let action = format!("criticality_{}", row.step);
            audit::record(conn, by, &action, ("service", service_id), data)?;
            let steps = db::governance::steps(conn, service_id)?;
            Ok(CriticalityView {
                service_id: service_id.clone(),
                critical,
                state,
                steps: steps.into_iter().map(Into::into).collect(),
            })
        })
    }
}
