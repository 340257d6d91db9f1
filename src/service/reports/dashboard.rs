//! The Tier 2 dashboard's summary: open load by status, tier, priority and PD, SLA standing,
//! today's escalations and the oldest open ticket.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::clock::UtcTime;
use crate::db;
use crate::domain::governance::Tier1Standing;
use crate::domain::ids::{TicketId, UnitId};
use crate::domain::role::Role;
use crate::domain::sla::Priority;
use crate::domain::ticket::Status;
use crate::service::governance::supervision;
use crate::service::governance::tier1::{self, PdCompliance};
use crate::service::{Desk, ServiceError, region, require};

/// One PD's open load.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitLoad {
    /// The PD.
    pub unit_id: UnitId,
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Open tickets.
    pub open: i64,
    /// Open tickets with a breached SLA clock.
    pub breached_open: i64,
    /// Its Tier 1 standing: `no_tier1`, `no_appointment` or `compliant`.
    pub tier1: Tier1Standing,
}

/// What the region's governance shows at a glance.
#[derive(Debug, Serialize, ToSchema)]
pub struct GovernanceSummary {
    /// Active PDs without an active Tier 1.
    pub pds_without_tier1: usize,
    /// Active PDs whose active Tier 1 has no recorded appointment decree.
    pub pds_without_appointment: usize,
    /// PDs due for supervision; `null` when the region sets no interval.
    pub supervision_overdue: Option<usize>,
    /// Services closed for a while now (ditutup sementara).
    pub services_closed: usize,
}

/// The oldest open ticket.
#[derive(Debug, Serialize, ToSchema)]
pub struct OldestOpen {
    /// Ticket id.
    pub id: TicketId,
    /// Its number.
    pub number: String,
    /// When it was recorded.
    pub created_at: UtcTime,
}

/// `GET /dashboard/summary`.
#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardSummary {
    /// When the figures were taken.
    pub generated_at: UtcTime,
    /// Open tickets per open status (`new`, `in_progress`, `pending`).
    pub open_by_status: BTreeMap<String, i64>,
    /// Open tickets per tier (`"1"`, `"2"`).
    pub open_by_tier: BTreeMap<String, i64>,
    /// Open tickets per priority.
    pub open_by_priority: BTreeMap<String, i64>,
    /// Open tickets with a breached SLA clock.
    pub breached_open: i64,
    /// Open tickets not breached but past a warning threshold of a running clock.
    pub at_risk_open: i64,
    /// Escalations since local midnight in the region's timezone.
    pub escalated_today: i64,
    /// Every active PD, by code.
    pub by_unit: Vec<UnitLoad>,
    /// The oldest open ticket (public ones only for integrations).
    pub oldest_open: Option<OldestOpen>,
    /// Tier 1 compliance, supervision and closures.
    pub governance: GovernanceSummary,
}

impl Desk {
    /// The dashboard summary (Tier 2, supervisors, auditors, admins and integrations).
    pub fn dashboard_summary(&self, caller: &Caller) -> Result<DashboardSummary, ServiceError> {
        require(
            caller,
            &[
                Role::Tier2,
                Role::Supervisor,
                Role::Auditor,
                Role::Admin,
                Role::Integration,
            ],
        )?;
        let now = self.now();
        let mut conn = self.conn()?;
        let region = region::load(&mut conn)?.row;
        let timezone: chrono_tz::Tz = region.timezone.0;
        let midnight = local_midnight(now, timezone);

        let zeroes = |keys: Vec<String>| keys.into_iter().map(|k| (k, 0)).collect();
        let compliance = tier1::compliance(&mut conn)?;
        let mut summary = DashboardSummary {
            generated_at: now.into(),
            open_by_status: zeroes(
                Status::ALL
                    .iter()
                    .filter(|s| s.is_open())
                    .map(ToString::to_string)
                    .collect(),
            ),
            open_by_tier: zeroes(vec!["1".into(), "2".into()]),
            open_by_priority: zeroes(Priority::ALL.iter().map(ToString::to_string).collect()),
            breached_open: 0,
            at_risk_open: 0,
            escalated_today: db::dashboard::escalations_since(&mut conn, midnight.into())?,
            by_unit: Vec::new(),
            oldest_open: db::dashboard::oldest_open(&mut conn, caller.role == Role::Integration)?
                .map(|t| OldestOpen {
                    id: t.id,
                    number: t.number,
                    created_at: t.created_at,
                }),
            governance: GovernanceSummary {
                pds_without_tier1: compliance.without_tier1,
                pds_without_appointment: compliance.without_appointment,
                supervision_overdue: match region.supervision_interval_days {
                    Some(_) => {
                        let today = now.with_timezone(&timezone).date_naive();
                        Some(supervision::status(&mut conn, today)?.overdue)
                    }
                    None => None,
                },
                services_closed: db::governance::open_closure_count(&mut conn)?,
            },
        };
        let mut by_unit: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        for group in db::dashboard::open_groups(&mut conn)? {
            let n = group.tickets;
            *summary.open_by_status.entry(group.status).or_default() += n;
            *summary
                .open_by_tier
                .entry(group.tier.to_string())
                .or_default() += n;
            *summary.open_by_priority.entry(group.priority).or_default() += n;
            let unit = by_unit.entry(group.unit_id).or_default();
            unit.0 += n;
            if group.breached {
                summary.breached_open += n;
                unit.1 += n;
            } else if group.warned {
                summary.at_risk_open += n;
            }
        }
        summary.by_unit = unit_loads(&by_unit, compliance.pds);
        Ok(summary)
    }
}

/// The instant the region's day began.
fn local_midnight(now: DateTime<Utc>, timezone: chrono_tz::Tz) -> DateTime<Utc> {
    let local_midnight = now
        .with_timezone(&timezone)
        .date_naive()
        .and_time(chrono::NaiveTime::MIN);
    timezone
        .from_local_datetime(&local_midnight)
        .earliest()
        .map_or(now, |at| at.with_timezone(&Utc))
}

/// Every active PD, as the compliance view found them with their standing, with its open
/// and breached tickets (`counts` by unit id), by code.
fn unit_loads(counts: &BTreeMap<String, (i64, i64)>, mut pds: Vec<PdCompliance>) -> Vec<UnitLoad> {
    pds.sort_by(|a, b| a.code.cmp(&b.code));
    pds.into_iter()
        .map(|pd| {
            let (open, breached_open) =
                counts.get(pd.unit_id.as_str()).copied().unwrap_or_default();
            UnitLoad {
                unit_id: pd.unit_id,
                code: pd.code,
                name: pd.name,
                open,
                breached_open,
                tier1: pd.standing,
            }
        })
        .collect()
}
