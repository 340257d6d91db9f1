//! The Kominfo PD's periodic supervision of each PD's Administrator (Ambon Pasal 36 (9)): what
//! was found and what is to follow, and which PDs are due.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{overseers_only, past_date, today};
use crate::auth::Caller;
use crate::clock::UtcTime;
use crate::db::models::SupervisionRow;
use crate::db::{self, DbConn, write_tx};
use crate::domain::access::Operation;
use crate::domain::governance::supervision_due;
use crate::domain::ids::{UnitId, UserId};
use crate::domain::role::UnitKind;
use crate::service::audit::Actor;
use crate::service::page::{Page, PageRequest};
use crate::service::{Desk, ServiceError, audit, fields, new_id, permit};

/// `POST /governance/supervisions`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({
    "unit_id": "019c1bdd-1680-75e3-b92f-e3604a7cc5f8",
    "held_on": "2026-11-26",
    "findings": "Administrator PD belum mencadangkan basis data aplikasi e-Kinerja secara berkala.",
    "follow_ups": "Jadwal cadangan harian dipasang paling lambat 10 Desember 2026; diperiksa pada supervisi berikutnya."
})))]
pub struct NewSupervision {
    /// The PD supervised (id or code).
    pub unit_id: String,
    /// The day, `YYYY-MM-DD`, not after today.
    #[serde(deserialize_with = "fields::calendar_date")]
    #[schema(value_type = String, format = Date)]
    pub held_on: NaiveDate,
    /// What was found (1 to 4,000 characters).
    pub findings: String,
    /// What is to follow (up to 4,000 characters).
    #[serde(default)]
    pub follow_ups: String,
}

/// A supervision as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SupervisionView {
    /// Supervision id.
    pub id: String,
    /// The PD.
    pub unit_id: UnitId,
    /// The day.
    #[schema(format = Date)]
    pub held_on: String,
    /// What was found.
    pub findings: String,
    /// What is to follow.
    pub follow_ups: String,
    /// Who recorded it.
    pub recorded_by: UserId,
    /// When.
    pub recorded_at: UtcTime,
}

impl From<SupervisionRow> for SupervisionView {
    fn from(row: SupervisionRow) -> Self {
        SupervisionView {
            id: row.id,
            unit_id: row.unit_id,
            held_on: row.held_on,
            findings: row.findings,
            follow_ups: row.follow_ups,
            recorded_by: row.recorded_by,
            recorded_at: row.recorded_at,
        }
    }
}

/// Filters of `GET /governance/supervisions`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct SupervisionQuery {
    /// Only this PD, by id or code.
    #[param(max_length = 64)]
    pub unit_id: Option<String>,
}

/// One PD's supervision standing.
#[derive(Debug, Serialize, ToSchema)]
pub struct PdSupervision {
    /// The PD.
    pub unit_id: UnitId,
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// The last supervision's day; `null` if never.
    #[schema(format = Date)]
    pub last_held_on: Option<String>,
    /// When the next is due; `null` when the region sets no interval.
    #[schema(format = Date)]
    pub due_on: Option<String>,
    /// Due today or earlier.
    pub overdue: bool,
}

/// Which PDs are due for supervision.
#[derive(Debug, Serialize, ToSchema)]
pub struct SupervisionStatus {
    /// The region's interval in days; `null` when it sets none.
    pub interval_days: Option<u16>,
    /// Today in the region.
    #[schema(format = Date)]
    pub today: String,
    /// PDs overdue.
    pub overdue: usize,
    /// Each active PD, the overdue first (longest overdue first), then by code.
    pub pds: Vec<PdSupervision>,
}

/// Every active PD's standing today.
pub(in crate::service) fn status(
    conn: &mut DbConn,
    today: NaiveDate,
) -> Result<SupervisionStatus, ServiceError> {
    let region = crate::service::region::load(conn)?;
    let interval = region
        .row
        .supervision_interval_days
        .and_then(|days| u16::try_from(days).ok());
    let last = db::governance::last_supervised(conn)?;
    let mut pds: Vec<PdSupervision> = db::units::active_pd_units(conn)?
        .into_iter()
        .map(|unit| {
            let held = last
                .iter()
                .find(|(id, _)| *id == unit.id)
                .and_then(|(_, day)| day.clone());
            let last_day = held.as_deref().and_then(|d| d.parse::<NaiveDate>().ok());
            let due = interval.map(|days| supervision_due(last_day, days, today));
            PdSupervision {
                unit_id: unit.id,
                code: unit.code,
                name: unit.name,
                last_held_on: held,
                due_on: due.map(|d| d.to_string()),
                overdue: due.is_some_and(|d| d <= today),
            }
        })
        .collect();
    pds.sort_by(|a, b| b.overdue.cmp(&a.overdue).then(a.due_on.cmp(&b.due_on)));
    Ok(SupervisionStatus {
        interval_days: interval,
        today: today.to_string(),
        overdue: pds.iter().filter(|pd| pd.overdue).count(),
        pds,
    })
}

impl Desk {
    /// Records a supervision of a PD (supervisors: the Kominfo PD).
    pub fn record_supervision(
        &self,
        caller: &Caller,
        input: NewSupervision,
    ) -> Result<SupervisionView, ServiceError> {
        permit(caller, Operation::GovernServices)?;
        let now = self.now();
        let mut errors = Vec::new();
        let findings = fields::text(&mut errors, "findings", &input.findings, 4000);
        let follow_ups = fields::optional_text(&mut errors, "follow_ups", &input.follow_ups, 4000);
        ServiceError::check(errors)?;
        let mut conn = self.conn()?;
        write_tx(&mut conn, |conn| {
            let mut errors = Vec::new();
            past_date(&mut errors, "held_on", input.held_on, today(conn, now)?);
            ServiceError::check(errors)?;
            let unit = match db::units::id_for(conn, &input.unit_id)? {
                Some(id) => db::units::find(conn, &id)?,
                None => None,
            }
            .filter(|unit| unit.kind == UnitKind::Pd)
            .ok_or_else(|| ServiceError::field("unit_id", "must be the id or code of a PD unit"))?;
            let row = SupervisionRow {
                id: new_id(),
                unit_id: unit.id.clone(),
                held_on: input.held_on.to_string(),
                findings,
                follow_ups,
                recorded_by: caller.user_id.clone(),
                recorded_at: now.into(),
            };
            db::governance::insert_supervision(conn, &row)?;
            let data = serde_json::json!({"supervision_id": row.id, "held_on": row.held_on});
            let by = Actor::person(caller, now);
            audit::record(conn, by, "supervision_recorded", ("unit", &unit.id), data)?;
            Ok(row.into())
        })
    }

    /// Supervisions in the order recorded.
    pub fn list_supervisions(
        &self,
        caller: &Caller,
        query: SupervisionQuery,
        page: PageRequest,
    ) -> Result<Page<SupervisionView>, ServiceError> {
        overseers_only(caller)?;
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
        let rows = db::governance::supervisions(
            &mut conn,
            unit_id.as_ref(),
            page.after_id()?,
            page.fetch(),
        )?;
        page.finish(rows, |row| row.id.clone(), |row| Ok(row.into()))
    }

    /// Which PDs are due for supervision.
    pub fn supervision_status(&self, caller: &Caller) -> Result<SupervisionStatus, ServiceError> {
        overseers_only(caller)?;
        let mut conn = self.conn()?;
        let today = today(&mut conn, self.now())?;
        status(&mut conn, today)
    }
}
