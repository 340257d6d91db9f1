//! The SLA engine's check of each month's downtime against its budget: a breach is recorded once,
//! with its mail to the service's PD and the Dinas.

use chrono::{DateTime, Utc};

use super::figures::{outages_in, region_timezone};
use crate::db::models::{AvailabilityBreachRow, ServiceRow};
use crate::db::{self, DbConn, write_tx};
use crate::domain::availability::{Month, availability, downtime_budget};
use crate::service::audit::Actor;
use crate::service::notify;
use crate::service::{Desk, ServiceError, audit};

impl Desk {
    /// Records the budget breaches of services that are down right now, whose downtime grows
    /// without anyone recording anything (the SLA engine calls this on every wake-up).
    pub(in crate::service) fn check_downtime_budgets(&self) -> Result<usize, ServiceError> {
        let now = self.now();
        let mut conn = self.conn()?;
        if db::outages::services_down(&mut conn)?.is_empty() {
            return Ok(0);
        }
        write_tx(&mut conn, |conn| {
            let mut recorded = 0;
            for service_id in db::outages::services_down(conn)? {
                if let Some(service) = db::services::find(conn, &service_id)? {
                    recorded += record_budget_breaches(
                        conn,
                        &service,
                        (now, now),
                        now,
                        self.mail_from.as_deref(),
                    )?;
                }
            }
            Ok(recorded)
        })
    }
}

/// Records, once per service and month, each month of `[from, until]` (up to now) in which
/// the service's unplanned downtime has passed the budget its target allows, with an audit
/// entry by nobody (the rule, not a person). Returns how many were new.
pub(super) fn record_budget_breaches(
    conn: &mut DbConn,
    service: &ServiceRow,
    (from, until): (DateTime<Utc>, DateTime<Utc>),
    now: DateTime<Utc>,
    sender: Option<&str>,
) -> Result<usize, ServiceError> {
    let mut recorded = 0;
    let until = until.min(now).max(from);
    for month in Month::overlapping(from, until, region_timezone(conn)?) {
        let outages = outages_in(conn, &service.id, month.start, month.end)?;
        let downtime = availability(&outages, month.start, month.end, now).downtime_seconds;
        let budget = downtime_budget(service.availability_target_percent, month.seconds());
        if downtime <= budget {
            continue;
        }
        let breach = AvailabilityBreachRow {
            service_id: service.id.clone(),
            month: month.name,
            at: now.into(),
            downtime_seconds: downtime,
            budget_seconds: budget,
        };
        if db::outages::record_breach(conn, &breach)? {
            let data = serde_json::json!({"month": breach.month, "downtime_seconds": downtime,
                                   "budget_seconds": budget,
                                   "target_percent": service.availability_target_percent});
            let by = Actor::system(now);
            audit::record(
                conn,
                by,
                "availability_breached",
                ("service", &service.id),
                data,
            )?;
            let mailing = notify::mailing(conn, sender)?;
            notify::enqueue_budget_mail(
                conn,
                &mailing,
                service,
                (&breach.month, downtime, budget),
                now,
            )?;
            recorded += 1;
        }
    }
    Ok(recorded)
}
