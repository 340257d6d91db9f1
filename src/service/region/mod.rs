//! Region settings: reading and changing them; `seed` makes them in an empty database.

mod alert_settings;
mod seed;

pub use seed::SeedOutcome;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use self::alert_settings::AlertSettings;
use crate::auth::Caller;
use crate::clock::UtcTime;
use crate::db::models::RegionRow;
use crate::db::{self, DbConn, write_tx};
use crate::domain::access::Operation;
use crate::domain::email::{EmailAddress, OfficialDomains};
use crate::domain::governance::MAX_SUPERVISION_INTERVAL_DAYS;
use crate::domain::zone::Zone;
use crate::service::ErrorCode;
use crate::service::audit::Actor;
use crate::service::{Desk, FieldError, ServiceError, audit, fields, permit};

/// The region as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegionView {
    /// The Pemda's name.
    pub name: String,
    /// IANA timezone of its offices.
    pub timezone: Zone,
    /// Official mail domains; only addresses inside them receive mail. An entry covers that
    /// domain exactly (`tojounaunakab.go.id`, not its subdomains); `*.tojounaunakab.go.id`
    /// covers every domain below `tojounaunakab.go.id`.
    pub official_email_domains: Vec<String>,
    /// Sender of every notification; `null` until official domains are configured.
    pub mail_from: Option<String>,
    /// Language of mail and reports.
    pub language: String,
    /// The preset the region was seeded from.
    pub preset: Option<String>,
    /// The region's word for Tier 1.
    pub tier1_label: String,
    /// The region's word for Tier 2.
    pub tier2_label: String,
    /// What the region's regulation asks beyond tickets.
    pub governance: GovernanceSettings,
    /// How monitoring alerts name services and what priority their severity gives.
    pub alerts: AlertSettings,
    /// Last change.
    pub updated_at: UtcTime,
}

/// `PUT /region`: the full settings.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(examples(json!({
    "name": "Kabupaten Tojo Una-Una",
    "timezone": "Asia/Makassar",
    "official_email_domains": ["tojounaunakab.go.id"],
    "mail_from": "servicedesk@tojounaunakab.go.id",
    "language": "id",
    "tier1_label": "Service Desk Tier 1",
    "tier2_label": "Service Desk Tier 2"
})))]
pub struct RegionUpdate {
    /// The Pemda's name.
    pub name: String,
    /// IANA timezone, e.g. `Asia/Makassar`.
    pub timezone: String,
    /// At least one entry. An entry is an exact domain: `tojounaunakab.go.id` makes addresses
    /// `@tojounaunakab.go.id` official, not `@dinkes.tojounaunakab.go.id`. To make subdomains
    /// official, list each (`dinkes.tojounaunakab.go.id`) or add `*.` before a domain of at least
    /// three labels (`*.tojounaunakab.go.id`: every domain below it, not the domain itself).
    pub official_email_domains: Vec<String>,
    /// Inside the official domains; defaults to `servicedesk@<first exact domain>`, and is
    /// required when every entry is a `*.` entry.
    pub mail_from: Option<String>,
    /// `id` (Bahasa Indonesia) or `en`; defaults to `id`.
    pub language: Option<String>,
    /// Defaults to the current label.
    pub tier1_label: Option<String>,
    /// Defaults to the current label.
    pub tier2_label: Option<String>,
    /// Defaults to the current settings.
    pub governance: Option<GovernanceSettings>,
    /// Defaults to the current settings.
    pub alerts: Option<AlertSettings>,
}

/// What a region's regulation asks beyond tickets (docs/governance.md); each preset sets its
/// own, and every value is editable.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({
    "critical_designation": true,
    "tier1_compliance_mail": false,
    "supervision_interval_days": null
})))]
pub struct GovernanceSettings {
    /// A service becomes critical only when the Dinas designates its PD's proposal, with a
    /// decree (`POST /services/{id}/criticality`); `critical` cannot be set directly.
    pub critical_designation: bool,
    /// Every Monday the Dinas supervisors are mailed the PDs without an active Tier 1.
    pub tier1_compliance_mail: bool,
    /// Days between two supervisions of a PD (1 to 3660); `null` when the region sets none.
    #[schema(minimum = 1, maximum = 3660)]
    pub supervision_interval_days: Option<u16>,
}

impl GovernanceSettings {
    fn of(row: &RegionRow) -> Self {
        GovernanceSettings {
            critical_designation: row.critical_designation,
            tier1_compliance_mail: row.tier1_compliance_mail,
            supervision_interval_days: row
                .supervision_interval_days
                .and_then(|days| u16::try_from(days).ok()),
        }
    }
}

/// The region settings the use cases need.
pub(in crate::service) struct Region {
    pub(super) row: RegionRow,
    pub(super) domains: OfficialDomains,
}

impl Region {
    /// Checks that `address` may be used by an official: inside an official domain.
    pub(super) fn require_official(
        &self,
        field: &str,
        address: &EmailAddress,
    ) -> Result<(), ServiceError> {
        if self.domains.contains(address) {
            return Ok(());
        }
        let message = if self.domains.is_empty() {
            "no official email domains are configured yet; an admin sets them with PUT /api/v1/region"
                .to_owned()
        } else {
            format!(
                "must be inside the region's official domains ({})",
                self.domains.as_slice().join(", ")
            )
        };
        Err(ServiceError::rule(
            ErrorCode::EmailNotOfficial,
            field,
            message,
        ))
    }
}

/// Reads the region; it exists once the service has started on the database.
pub(super) fn load(conn: &mut DbConn) -> Result<Region, ServiceError> {
    let row = db::region::get(conn)?
        .ok_or_else(|| ServiceError::Unavailable("the region has not been seeded yet".into()))?;
    let stored: Vec<String> = serde_json::from_str(&row.official_email_domains)
        .map_err(|e| ServiceError::Internal(format!("stored domains: {e}")))?;
    let domains = OfficialDomains::parse(&stored)
        .map_err(|_| ServiceError::Internal("stored domains are not valid".into()))?;
    Ok(Region { row, domains })
}

fn view(region: Region) -> Result<RegionView, ServiceError> {
    let row = region.row;
    let governance = GovernanceSettings::of(&row);
    let alerts = AlertSettings::of(&row)?;
    Ok(RegionView {
        name: row.name,
        timezone: row.timezone,
        official_email_domains: region.domains.as_slice().to_vec(),
        mail_from: Some(row.mail_from).filter(|m| !m.is_empty()),
        language: row.language,
        preset: row.preset,
        tier1_label: row.tier1_label,
        governance,
        alerts,
        tier2_label: row.tier2_label,
        updated_at: row.updated_at,
    })
}

/// Checks a sender address against the official domains.
pub(super) fn official_sender(
    domains: &OfficialDomains,
    mail_from: Option<&str>,
) -> Result<String, String> {
    match mail_from {
        Some(text) => match EmailAddress::parse(text) {
            Ok(address) if domains.contains(&address) => Ok(address.into_string()),
            Ok(_) => Err(format!(
                "must be inside the official domains ({})",
                domains.as_slice().join(", ")
            )),
            Err(error) => Err(error.to_string()),
        },
        None if domains.is_empty() => Ok(String::new()),
        None => domains.default_sender().ok_or_else(|| {
            "must be given when every official domain is a *. entry (there is no exact domain to send from)"
                .to_owned()
        }),
    }
}

/// A region update that passed its checks.
struct CheckedRegion {
    name: String,
    timezone: Zone,
    domains: OfficialDomains,
    mail_from: String,
    language: String,
    labels: [Option<String>; 2],
    governance: Option<GovernanceSettings>,
    alerts: Option<AlertSettings>,
}

/// Checks a region update, naming every field at fault.
fn check(input: RegionUpdate) -> Result<CheckedRegion, ServiceError> {
    let mut errors = Vec::new();
    let name = fields::text(&mut errors, "name", &input.name, 200);
    let timezone = fields::zone(&mut errors, "timezone", &input.timezone);
    let domains = match OfficialDomains::parse(&input.official_email_domains) {
        Ok(domains) if !domains.is_empty() => domains,
        Ok(_) => {
            errors.push(FieldError::new(
                "official_email_domains",
                "must name at least one domain",
            ));
            OfficialDomains::default()
        }
        Err(index) => {
            errors.push(FieldError::new(
                format!("official_email_domains[{index}]"),
                "must be a domain such as tojounaunakab.go.id (that domain only), or *. and a domain of at least three labels such as *.tojounaunakab.go.id (every domain below it)",
            ));
            OfficialDomains::default()
        }
    };
    // Judged only against a list that holds: against a refused one every sender fails.
    let mail_from = match official_sender(&domains, input.mail_from.as_deref()) {
        Ok(sender) => sender,
        Err(message) if !domains.is_empty() => {
            errors.push(FieldError::new("mail_from", message));
            String::new()
        }
        Err(_) => String::new(),
    };
    let language = input.language.unwrap_or_else(|| "id".into());
    if !["id", "en"].contains(&language.as_str()) {
        errors.push(FieldError::new("language", "must be id or en"));
    }
    let labels = [
        ("tier1_label", input.tier1_label.as_deref()),
        ("tier2_label", input.tier2_label.as_deref()),
    ]
    .map(|(field, label)| label.map(|l| fields::text(&mut errors, field, l, 100)));
    if let Some(days) = input.governance.and_then(|g| g.supervision_interval_days)
        && !(1..=MAX_SUPERVISION_INTERVAL_DAYS).contains(&days)
    {
        errors.push(FieldError::new(
            "governance.supervision_interval_days",
            format!("must be 1 to {MAX_SUPERVISION_INTERVAL_DAYS} days, or null"),
        ));
    }
    if let Some(alerts) = &input.alerts {
        alerts.check(&mut errors);
    }
    ServiceError::check(errors)?;
    Ok(CheckedRegion {
        name,
        timezone,
        domains,
        mail_from,
        language,
        labels,
        governance: input.governance,
        alerts: input.alerts,
    })
}

impl Desk {
    /// The region settings (any signed-in caller).
    pub fn region(&self, _caller: &Caller) -> Result<RegionView, ServiceError> {
        view(load(&mut *self.conn()?)?)
    }

    /// Replaces the region settings (admin).
    pub fn update_region(
        &self,
        caller: &Caller,
        input: RegionUpdate,
    ) -> Result<RegionView, ServiceError> {
        permit(caller, Operation::ConfigureRegion)?;
        let checked = check(input)?;

        let now = self.now();
        let mut conn = self.conn()?;
        write_tx(&mut conn, |conn| {
            let mut row = load(conn)?.row;
            let domains = checked.domains;
            row.name = checked.name;
            row.timezone = checked.timezone;
            row.official_email_domains = serde_json::to_string(domains.as_slice())
                .map_err(|e| ServiceError::Internal(e.to_string()))?;
            row.mail_from = checked.mail_from;
            row.language = checked.language;
            let [tier1_label, tier2_label] = checked.labels;
            row.tier1_label = tier1_label.unwrap_or(row.tier1_label);
            row.tier2_label = tier2_label.unwrap_or(row.tier2_label);
            if let Some(governance) = checked.governance {
                row.critical_designation = governance.critical_designation;
                row.tier1_compliance_mail = governance.tier1_compliance_mail;
                row.supervision_interval_days = governance.supervision_interval_days.map(i32::from);
            }
            if let Some(alerts) = &checked.alerts {
                alerts.store(&mut row)?;
            }
            row.updated_at = now.into();
            db::region::update(conn, &row)?;
            let data = serde_json::json!({
                "name": row.name,
                "timezone": row.timezone,
                "official_email_domains": domains.as_slice(),
                "mail_from": row.mail_from,
                "governance": GovernanceSettings::of(&row),
                "alerts": AlertSettings::of(&row)?,
            });
            let by = Actor::person(caller, now);
            audit::record(conn, by, "region_updated", ("region", "1"), data)?;
            view(Region {
                row,
                domains: domains.clone(),
            })
        })
    }
}
