//! A service's availability over a period: its outages, the figures and the breached months.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::clock::UtcTime;
use crate::db::models::ServiceRow;
use crate::db::{self, DbConn};
use crate::domain::availability::{Month, Outage, availability};
use crate::domain::ids::ServiceId;
use crate::service::period::PeriodQuery;
use crate::service::{Desk, ServiceError, region};

/// A service's availability over a period.
#[derive(Debug, Serialize, ToSchema)]
pub struct AvailabilityView {
    /// The service.
    pub service_id: ServiceId,
    /// Start of the period.
    pub from: UtcTime,
    /// End of the period.
    pub to: UtcTime,
    /// The service's target, percent.
    pub target_percent: f64,
    /// `100 × (1 − unplanned downtime / period)`, over wall-clock time.
    pub availability_percent: f64,
    /// Unplanned downtime in the period, overlaps counted once.
    pub downtime_seconds: i64,
    /// Planned maintenance in the period (not counted).
    pub planned_downtime_seconds: i64,
    /// Whether the target is met.
    pub met: bool,
    /// The region's calendar months overlapping the period in which unplanned downtime
    /// passed the budget the target allows.
    pub budget_breaches: Vec<BudgetBreachView>,
}

/// A month in which a service's unplanned downtime passed its budget.
#[derive(Debug, Serialize, ToSchema)]
pub struct BudgetBreachView {
    /// `YYYY-MM`, the region's calendar month.
    pub month: String,
    /// When the breach was recorded.
    pub at: UtcTime,
    /// Unplanned downtime of the month when the breach was recorded.
    pub downtime_seconds: i64,
    /// What the target allows in that month.
    pub budget_seconds: i64,
}

/// A service's outages that overlap `[from, to)`.
pub(super) fn outages_in(
    conn: &mut DbConn,
    service_id: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Outage>, ServiceError> {
    Ok(
        db::outages::overlapping(conn, service_id, from.into(), to.into())?
            .into_iter()
            .map(|o| Outage {
                started_at: o.started_at.get(),
                ended_at: o.ended_at.map(|at| at.get()),
                planned: o.planned,
            })
            .collect(),
    )
}

pub(super) fn region_timezone(conn: &mut DbConn) -> Result<chrono_tz::Tz, ServiceError> {
    Ok(region::load(conn)?.row.timezone.0)
}

/// A service's availability over `[from, to)`, with the months over budget.
pub(in crate::service) fn service_figures(
    conn: &mut DbConn,
    service: ServiceRow,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    now: DateTime<Utc>,
    timezone: chrono_tz::Tz,
) -> Result<AvailabilityView, ServiceError> {
    let outages = outages_in(conn, &service.id, from, to)?;
    let figures = availability(&outages, from, to, now);
    // Only a month with unplanned downtime can pass its budget, and those are the ones
    // recorded: the others need no walk.
    let (first, last) = Month::first_and_last(from, to, timezone);
    let budget_breaches = db::outages::breaches_between(conn, &service.id, (&first, &last))?
        .into_iter()
        .map(|b| BudgetBreachView {
            month: b.month,
            at: b.at,
            downtime_seconds: b.downtime_seconds,
            budget_seconds: b.budget_seconds,
        })
        .collect();
    Ok(AvailabilityView {
        service_id: service.id,
        from: from.into(),
        to: to.into(),
        target_percent: service.availability_target_percent,
        availability_percent: figures.availability_percent,
        downtime_seconds: figures.downtime_seconds,
        planned_downtime_seconds: figures.planned_downtime_seconds,
        met: figures.availability_percent >= service.availability_target_percent,
        budget_breaches,
    })
}

impl Desk {
    /// A service's availability over `[from, to)`; open outages count up to now.
    pub fn service_availability(
        &self,
        _caller: &Caller,
        service_id: &ServiceId,
        period: &PeriodQuery,
    ) -> Result<AvailabilityView, ServiceError> {
        let mut conn = self.conn()?;
        let timezone = region_timezone(&mut conn)?;
        let (from, to) = period.resolve(timezone)?;
        let service = db::services::find(&mut conn, service_id)?.ok_or(ServiceError::NotFound)?;
        service_figures(&mut conn, service, (from, to), self.now(), timezone)
    }
}
