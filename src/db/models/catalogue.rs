//! Units, calendars, SLA policies, services and their outages.

use diesel::prelude::*;

use crate::clock::UtcTime;
use crate::db::schema::{
    availability_breaches, calendar_holidays, calendars, outages, services, sla_policies,
    sla_targets, units,
};
use crate::domain::alert::OutageSource;
use crate::domain::ids::{CalendarId, OutageId, ServiceId, SlaPolicyId, TicketId, UnitId, UserId};
use crate::domain::role::UnitKind;
use crate::domain::sla::Priority;
use crate::domain::ticket::Tier;
use crate::domain::zone::Zone;

/// A PD or the Dinas.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = units, treat_none_as_null = true)]
pub struct UnitRow {
    /// UUID v7.
    pub id: UnitId,
    /// Short unique code, e.g. `DINKES`.
    pub code: String,
    /// Full name.
    pub name: String,
    /// `pd` or `dinas`.
    pub kind: UnitKind,
    /// The unit's mailbox.
    pub email: Option<String>,
    /// Whether the unit is in service.
    pub active: bool,
    /// Creation time.
    pub created_at: UtcTime,
    /// Last change.
    pub updated_at: UtcTime,
}

/// A business calendar.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = calendars)]
pub struct CalendarRow {
    /// UUID v7.
    pub id: CalendarId,
    /// Name, e.g. "Jam kerja kantor".
    pub name: String,
    /// IANA timezone.
    pub timezone: Zone,
    /// 24×7.
    pub always_open: bool,
    /// JSON of `domain::calendar::WorkingHours`.
    pub working_hours: String,
    /// Creation time.
    pub created_at: UtcTime,
    /// Last change.
    pub updated_at: UtcTime,
}

/// A whole-day holiday of a calendar.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = calendar_holidays)]
pub struct HolidayRow {
    /// The calendar.
    pub calendar_id: CalendarId,
    /// Local date, `YYYY-MM-DD`.
    pub day: String,
    /// Name of the holiday.
    pub name: String,
}

/// An SLA policy.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sla_policies)]
pub struct SlaPolicyRow {
    /// UUID v7.
    pub id: SlaPolicyId,
    /// Name.
    pub name: String,
    /// The business calendar its targets count on.
    pub calendar_id: CalendarId,
    /// The region default, for tickets without a service.
    pub is_default: bool,
    /// Creation time.
    pub created_at: UtcTime,
    /// Last change.
    pub updated_at: UtcTime,
}

/// One priority's targets in a policy.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sla_targets)]
pub struct SlaTargetRow {
    /// The policy.
    pub policy_id: SlaPolicyId,
    /// `critical`, `high`, `medium` or `low`.
    pub priority: Priority,
    /// Business seconds to first response.
    pub response_seconds: i64,
    /// Business seconds before automatic escalation; `None` never.
    pub tier1_seconds: Option<i64>,
    /// Business seconds to resolution.
    pub resolution_seconds: i64,
    /// Warning threshold in percent.
    pub warn_at_percent: i32,
}

/// An ICT service of the catalogue.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = services, treat_none_as_null = true)]
pub struct ServiceRow {
    /// UUID v7.
    pub id: ServiceId,
    /// Short unique code, e.g. `SIMPEG`.
    pub code: String,
    /// Name.
    pub name: String,
    /// The PD that owns the service.
    pub owner_unit_id: UnitId,
    /// Designated critical by the Dinas (SLA aspects mandatory).
    pub critical: bool,
    /// Its SLA policy; `None` uses the region default.
    pub sla_policy_id: Option<SlaPolicyId>,
    /// Availability target, percent.
    pub availability_target_percent: f64,
    /// What the service is.
    pub description: String,
    /// Whether it is offered.
    pub active: bool,
    /// Creation time.
    pub created_at: UtcTime,
    /// Last change.
    pub updated_at: UtcTime,
    /// The tier a monitoring incident opens at.
    pub alert_tier: Tier,
    /// Whether the end of its alert resolves the incident.
    pub auto_resolve: bool,
}

/// An outage of a service.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = outages, treat_none_as_null = true)]
pub struct OutageRow {
    /// UUID v7.
    pub id: OutageId,
    /// The service that was down.
    pub service_id: ServiceId,
    /// When it went down.
    pub started_at: UtcTime,
    /// When it came back; `None` while down.
    pub ended_at: Option<UtcTime>,
    /// Announced maintenance.
    pub planned: bool,
    /// The incident ticket that reported it.
    pub ticket_id: Option<TicketId>,
    /// What happened.
    pub note: String,
    /// Who recorded it.
    pub created_by: UserId,
    /// When it was recorded.
    pub created_at: UtcTime,
    /// Last change.
    pub updated_at: UtcTime,
    /// Who saw it: a person, an alert or a probe.
    pub source: OutageSource,
}

/// A month in which a service's unplanned downtime passed its budget.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = availability_breaches)]
pub struct AvailabilityBreachRow {
    /// The service.
    pub service_id: ServiceId,
    /// `YYYY-MM`, the region's calendar month.
    pub month: String,
    /// When the breach was recorded.
    pub at: UtcTime,
    /// Unplanned downtime of the month when it was recorded.
    pub downtime_seconds: i64,
    /// What the target allows in that month.
    pub budget_seconds: i64,
}
