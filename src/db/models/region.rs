//! The region's settings and the audit log.

use diesel::prelude::*;

use crate::clock::UtcTime;
use crate::db::schema::{audit_log, region_settings};
use crate::domain::ids::UserId;
use crate::domain::zone::Zone;

/// The single row of region settings.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = region_settings, treat_none_as_null = true)]
pub struct RegionRow {
    /// Always 1.
    pub id: i32,
    /// The Pemda's name.
    pub name: String,
    /// IANA timezone.
    pub timezone: Zone,
    /// JSON array of lower-case domains.
    pub official_email_domains: String,
    /// Sender address.
    pub mail_from: String,
    /// Language of mail and reports (`id`).
    pub language: String,
    /// The preset that seeded the region, if any.
    pub preset: Option<String>,
    /// The region's word for Tier 1.
    pub tier1_label: String,
    /// The region's word for Tier 2.
    pub tier2_label: String,
    /// Last change.
    pub updated_at: UtcTime,
    /// Criticality only by designation of a proposal.
    pub critical_designation: bool,
    /// The weekly Tier 1 compliance mail to the Dinas supervisors.
    pub tier1_compliance_mail: bool,
    /// Days between supervisions of a PD; `None` when the region sets none.
    pub supervision_interval_days: Option<i32>,
    /// The label that names an alert's service by its code.
    pub alert_service_label: String,
    /// JSON object: severity label value to priority.
    pub alert_priorities: String,
}

/// One administrative change.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    /// UUID v7.
    pub id: String,
    /// When.
    pub at: UtcTime,
    /// Who; `None` for the system (startup seeding, the CLI).
    pub actor_id: Option<UserId>,
    /// What, e.g. `user_created`.
    pub action: String,
    /// Kind of record: `region`, `unit`, `user`, `token`.
    pub entity: String,
    /// Its id.
    pub entity_id: String,
    /// JSON details (never a password or token).
    pub data: String,
}
