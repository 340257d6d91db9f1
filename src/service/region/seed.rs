//! Seeding an empty database: the region from a preset, its Dinas, the default calendar and SLA
//! policy.

use chrono::{DateTime, Datelike, Utc};

use crate::db::models::{CalendarRow, HolidayRow, RegionRow, SlaPolicyRow, SlaTargetRow, UnitRow};
use crate::db::{self, DbConn, write_tx};
use crate::domain::alert::{self, DEFAULT_SERVICE_LABEL};
use crate::domain::calendar::{WorkingHours, fixed_national_holidays};
use crate::domain::email::OfficialDomains;
use crate::domain::presets::{self, DINAS_UNIT_CODE, RegionPreset};
use crate::domain::role::UnitKind;
use crate::domain::sla::default_targets;
use crate::service::audit::Actor;
use crate::service::{Desk, ServiceError, audit, new_id};

use super::official_sender;
use crate::domain::ids::{CalendarId, SlaPolicyId};

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
    let at = now.into();
    existing.name = chosen.region_name.to_owned();
    existing.timezone = chosen.timezone.to_owned();
    existing.official_email_domains = serde_json::to_string(domains.as_slice())
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    existing.mail_from = mail_from.to_owned();
    existing.preset = Some(chosen.key.to_owned());
    existing.tier1_label = chosen.tier1_label.to_owned();
    existing.tier2_label = chosen.tier2_label.to_owned();
    existing.critical_designation = chosen.governance.critical_designation;
    existing.tier1_compliance_mail = chosen.governance.tier1_compliance_mail;
    existing.supervision_interval_days = chosen.governance.supervision_interval_days.map(i32::from);
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
    let data =
        serde_json::json!({ "preset": chosen.key, "official_email_domains": domains.as_slice() });
    let by = Actor::system(now);
    audit::record(conn, by, "region_preset_applied", ("region", "1"), data)?;
    Ok(SeedOutcome::PresetApplied {
        preset: chosen.key.to_owned(),
    })
}

fn seed_dinas_calendar_and_policy(
    conn: &mut DbConn,
    preset: &RegionPreset,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let at = now.into();
    if db::units::dinas(conn)?.is_none() {
        db::units::insert(
            conn,
            &UnitRow {
                id: new_id(),
                code: DINAS_UNIT_CODE.into(),
                name: preset.dinas_name.into(),
                kind: UnitKind::Dinas,
                email: preset.dinas_mailbox(),
                active: true,
                created_at: at,
                updated_at: at,
            },
        )?;
    }
    let calendar_id: CalendarId = new_id();
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
            timezone: preset.timezone,
            always_open: false,
            working_hours,
            created_at: at,
            updated_at: at,
        },
        &holidays,
    )?;
    let policy_id: SlaPolicyId = new_id();
    let targets: Vec<SlaTargetRow> = default_targets()
        .into_iter()
        .map(|t| SlaTargetRow {
            policy_id: policy_id.clone(),
            priority: t.priority,
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

impl Desk {
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
                    updated_at: now.into(),
                    critical_designation: chosen.governance.critical_designation,
                    tier1_compliance_mail: chosen.governance.tier1_compliance_mail,
                    supervision_interval_days: chosen
                        .governance
                        .supervision_interval_days
                        .map(i32::from),
                    alert_service_label: DEFAULT_SERVICE_LABEL.to_owned(),
                    alert_priorities: serde_json::to_string(&alert::default_priorities())
                        .map_err(|e| ServiceError::Internal(e.to_string()))?,
                },
            )?;
            seed_dinas_calendar_and_policy(conn, chosen, now)?;
            let data = serde_json::json!({ "preset": preset });
            let by = Actor::system(now);
            audit::record(conn, by, "region_seeded", ("region", "1"), data)?;
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
