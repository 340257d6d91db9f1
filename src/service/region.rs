//! Region settings: reading, changing, and seeding an empty database from a preset.

use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Desk, ErrorCode, FieldError, ServiceError, audit, fields, new_id, permit};
use crate::auth::Caller;
use crate::clock::rfc3339;
use crate::db::models::{CalendarRow, HolidayRow, RegionRow, SlaPolicyRow, SlaTargetRow, UnitRow};
use crate::db::{self, DbConn, write_tx};
use crate::domain::access::Operation;
use crate::domain::calendar::{WorkingHours, fixed_national_holidays};
use crate::domain::email::{EmailAddress, OfficialDomains};
use crate::domain::presets::{self, DINAS_UNIT_CODE, RegionPreset};
use crate::domain::role::UnitKind;
use crate::domain::sla::default_targets;

/// The region as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegionView {
    /// The Pemda's name.
    pub name: String,
    /// IANA timezone of its offices.
    pub timezone: String,
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
    /// Last change.
    #[serde(with = "rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: DateTime<Utc>,
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
}

/// The region settings the use cases need.
pub(super) struct Region {
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

fn view(region: Region) -> RegionView {
    let row = region.row;
    RegionView {
        name: row.name,
        timezone: row.timezone,
        official_email_domains: region.domains.as_slice().to_vec(),
        mail_from: Some(row.mail_from).filter(|m| !m.is_empty()),
        language: row.language,
        preset: row.preset,
        tier1_label: row.tier1_label,
        tier2_label: row.tier2_label,
        updated_at: row.updated_at.and_utc(),
    }
}

/// What startup seeding did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SeedOutcome {
    /// The database was empty and now holds the region.
    Seeded {
        /// The preset used; `None` for an unconfigured region.
        preset: Option<String>,
    },
    /// The region existed already with the preset asked for (or none was asked for);
    /// nothing was changed.
    AlreadySeeded {
        /// The preset it was seeded from.
        preset: Option<String>,
    },
    /// The region had been seeded without a preset and nobody had configured anything since,
    /// so it took the preset now asked for.
    PresetApplied {
        /// The preset applied.
        preset: String,
    },
    /// The region is configured otherwise than the preset asked for, and was left as it is:
    /// a preset never overwrites what a person set.
    Differs {
        /// The preset it was seeded from; `None` for a region configured by hand.
        preset: Option<String>,
        /// The preset asked for.
        requested: String,
    },
}

/// Checks a sender address against the official domains.
fn official_sender(domains: &OfficialDomains, mail_from: Option<&str>) -> Result<String, String> {
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

impl Desk {
    /// The region settings (any signed-in caller).
    pub fn region(&self, _caller: &Caller) -> Result<RegionView, ServiceError> {
        Ok(view(load(&mut *self.conn()?)?))
    }

    /// Replaces the region settings (admin).
    pub fn update_region(
        &self,
        caller: &Caller,
        input: RegionUpdate,
    ) -> Result<RegionView, ServiceError> {
        permit(caller, Operation::ConfigureRegion)?;
        let mut errors = Vec::new();
        let name = fields::text(&mut errors, "name", &input.name, 200);
        if input.timezone.parse::<chrono_tz::Tz>().is_err() {
            errors.push(FieldError::new(
                "timezone",
                "must be an IANA timezone such as Asia/Jakarta, Asia/Makassar or Asia/Jayapura",
            ));
        }
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
        ServiceError::check(errors)?;

        let now = self.now();
        let mut conn = self.conn()?;
        write_tx(&mut conn, |conn| {
            let mut row = load(conn)?.row;
            row.name = name;
            row.timezone = input.timezone;
            row.official_email_domains = serde_json::to_string(domains.as_slice())
                .map_err(|e| ServiceError::Internal(e.to_string()))?;
            row.mail_from = mail_from;
            row.language = language;
            let [tier1_label, tier2_label] = labels;
            row.tier1_label = tier1_label.unwrap_or(row.tier1_label);
            row.tier2_label = tier2_label.unwrap_or(row.tier2_label);
            row.updated_at = now.naive_utc();
            db::region::update(conn, &row)?;
            audit::record(
                conn,
                now,
                Some(&caller.user_id),
                "region_updated",
                ("region", "1"),
                serde_json::json!({
                    "name": row.name,
                    "timezone": row.timezone,
                    "official_email_domains": domains.as_slice(),
                    "mail_from": row.mail_from,
                }),
            )?;
            Ok(view(Region {
                row,
                domains: domains.clone(),
            }))
        })
    }

    /// Seeds an empty database: the region (from `preset`, or unconfigured), its Dinas unit,
    /// the default office-hours calendar and the default SLA policy. A region seeded without
    /// a preset that nobody has configured since takes `preset`; any other region is left as it
    /// is, and a `preset` it was not seeded from is answered `Differs`.
    pub fn seed_region(&self, preset: Option<&str>) -> Result<SeedOutcome, ServiceError> {
        let chosen: &RegionPreset = match preset {
            Some(key) => presets::find(key).ok_or_else(|| {
                ServiceError::field(
                    "SERVICEDESK_REGION_PRESET",
                    format!("unknown preset {key:?}"),
                )
            })?,
            None => &presets::UNCONFIGURED,
        };
        let domains = OfficialDomains::parse(chosen.official_domains)
            .map_err(|_| ServiceError::Internal("preset domains are not valid".into()))?;
        let mail_from = official_sender(&domains, self.mail_from.as_deref())
            .map_err(|message| ServiceError::field("SERVICEDESK_MAIL_FROM", message))?;
        let now = self.now();
        let mut conn = self.conn()?;
        let outcome = write_tx(&mut conn, |conn| {
            if let Some(existing) = db::region::get_for_update(conn)? {
                return settle_existing(conn, existing, chosen, &domains, &mail_from, now);
            }
            let preset = Some(chosen.key.to_owned()).filter(|k| !k.is_empty());
            db::region::insert(
                conn,
                &RegionRow {
                    id: 1,
                    name: chosen.region_name.to_owned(),
                    timezone: chosen.timezone.to_owned(),
                    official_email_domains: serde_json::to_string(domains.as_slice())
                        .map_err(|e| ServiceError::Internal(e.to_string()))?,
                    mail_from,
                    language: "id".into(),
                    preset: preset.clone(),
                    tier1_label: chosen.tier1_label.to_owned(),
                    tier2_label: chosen.tier2_label.to_owned(),
                    updated_at: now.naive_utc(),
                },
            )?;
            seed_dinas_calendar_and_policy(conn, chosen, now)?;
            audit::record(
                conn,
                now,
                None,
                "region_seeded",
                ("region", "1"),
                serde_json::json!({ "preset": preset }),
            )?;
            Ok::<_, ServiceError>(SeedOutcome::Seeded { preset })
        });
        match outcome {
            // Another process seeded the region between our read and our insert.
            Err(ServiceError::Conflict { .. }) => {
                let existing = db::region::get(&mut conn)?.and_then(|r| r.preset);
                Ok(SeedOutcome::AlreadySeeded { preset: existing })
            }
            other => other,
        }
    }
}

/// What a start with `chosen` does to a region that exists already.
fn settle_existing(
    conn: &mut DbConn,
    mut existing: RegionRow,
    chosen: &RegionPreset,
    domains: &OfficialDomains,
    mail_from: &str,
    now: DateTime<Utc>,
) -> Result<SeedOutcome, ServiceError> {
    if chosen.key.is_empty() || existing.preset.as_deref() == Some(chosen.key) {
        return Ok(SeedOutcome::AlreadySeeded {
            preset: existing.preset,
        });
    }
    if existing.preset.is_some() || !db::region::untouched_since_seed(conn)? {
        return Ok(SeedOutcome::Differs {
            preset: existing.preset,
            requested: chosen.key.to_owned(),
        });
    }
    let at = now.naive_utc();
    existing.name = chosen.region_name.to_owned();
    existing.timezone = chosen.timezone.to_owned();
    existing.official_email_domains = serde_json::to_string(domains.as_slice())
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    existing.mail_from = mail_from.to_owned();
    existing.preset = Some(chosen.key.to_owned());
    existing.tier1_label = chosen.tier1_label.to_owned();
    existing.tier2_label = chosen.tier2_label.to_owned();
    existing.updated_at = at;
    db::region::update(conn, &existing)?;
    if let Some(mut dinas) = db::units::dinas(conn)? {
        dinas.name = chosen.dinas_name.to_owned();
        dinas.email = chosen.dinas_mailbox();
        dinas.updated_at = at;
        db::units::update(conn, &dinas)?;
    }
    // The seed's one calendar keeps its hours and holidays; only the offices' timezone moves.
    for mut calendar in db::calendars::list(conn, None, 2)? {
        let holidays = db::calendars::holidays(conn, &calendar.id)?;
        calendar.timezone = chosen.timezone.to_owned();
        calendar.updated_at = at;
        db::calendars::replace(conn, &calendar, &holidays)?;
    }
    audit::record(
        conn,
        now,
        None,
        "region_preset_applied",
        ("region", "1"),
        serde_json::json!({ "preset": chosen.key, "official_email_domains": domains.as_slice() }),
    )?;
    Ok(SeedOutcome::PresetApplied {
        preset: chosen.key.to_owned(),
    })
}

fn seed_dinas_calendar_and_policy(
    conn: &mut DbConn,
    preset: &RegionPreset,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let at = now.naive_utc();
    if db::units::dinas(conn)?.is_none() {
        db::units::insert(
            conn,
            &UnitRow {
                id: new_id(),
                code: DINAS_UNIT_CODE.into(),
                name: preset.dinas_name.into(),
                kind: UnitKind::Dinas.as_str().into(),
                email: preset.dinas_mailbox(),
                active: true,
                created_at: at,
                updated_at: at,
            },
        )?;
    }
    let calendar_id = new_id();
    let working_hours = serde_json::to_string(&WorkingHours::government_office())
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    // Fixed-date national holidays for this year and the next; the supervisor adds the rest.
    let year = now.with_timezone(&chrono_tz::Asia::Jakarta).year();
    let holidays: Vec<HolidayRow> = [year, year + 1]
        .into_iter()
        .flat_map(fixed_national_holidays)
        .map(|h| HolidayRow {
            calendar_id: calendar_id.clone(),
            day: h.date.to_string(),
            name: h.name,
        })
        .collect();
    db::calendars::insert(
        conn,
        &CalendarRow {
            id: calendar_id.clone(),
            name: "Jam kerja kantor pemerintah daerah".into(),
            timezone: preset.timezone.into(),
            always_open: false,
            working_hours,
            created_at: at,
            updated_at: at,
        },
        &holidays,
    )?;
    let policy_id = new_id();
    let targets: Vec<SlaTargetRow> = default_targets()
        .into_iter()
        .map(|t| SlaTargetRow {
            policy_id: policy_id.clone(),
            priority: t.priority.as_str().into(),
            response_seconds: t.response_seconds,
            tier1_seconds: t.tier1_seconds,
            resolution_seconds: t.resolution_seconds,
            warn_at_percent: t.warn_at_percent,
        })
        .collect();
    db::sla_policies::insert(
        conn,
        &SlaPolicyRow {
            id: policy_id,
            name: "SLA standar".into(),
            calendar_id,
            is_default: true,
            created_at: at,
            updated_at: at,
        },
        &targets,
    )?;
    Ok(())
}
