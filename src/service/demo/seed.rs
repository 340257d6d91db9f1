//! `servicedesk seed-demo`: a living demo region for newcomers, made through the same use cases
//! as the API (so the demo obeys every rule the service enforces): the accounts, units and
//! services here, the 90 days of history in `demo_history.rs`.

use chrono::{DateTime, Utc};

use crate::auth::Caller;
use crate::clock::ManualClock;
use crate::db::{self, write_tx};
use crate::domain::role::{Role, UnitKind};
use crate::domain::sla::default_targets;
use crate::service::accounts::tokens::NewToken;
use crate::service::accounts::users::NewUser;
use crate::service::catalogue::calendars::CalendarInput;
use crate::service::catalogue::services::NewService;
use crate::service::catalogue::sla_policies::{SlaPolicyInput, TargetInput};
use crate::service::catalogue::units::NewUnit;
use crate::service::demo::data::{PDS, ROUND_THE_CLOCK_SERVICE, SERVICES};
use crate::service::demo::history::{History, Staff};
use crate::service::{Desk, ErrorCode, ServiceError};

/// The audit entry saying the database holds the demo, and the record it is about.
const DEMO_SEEDED: &str = "demo_seeded";
const DEMO_MARK: (&str, &str) = ("region", "1");

/// What `seed-demo` made, to tell the newcomer how to sign in.
#[derive(Debug)]
pub struct DemoSummary {
    /// `(email, role, unit code)` of every account made.
    pub accounts: Vec<(String, Role, String)>,
    /// How many tickets were recorded.
    pub tickets: usize,
    /// The integration account's email and its bearer token (shown only here).
    pub integration: (String, String),
    /// Tickets whose next SLA alert falls within minutes of the seed: number and what is due.
    pub due_soon: Vec<(String, String)>,
}

fn caller(user: &crate::service::accounts::users::UserView) -> Caller {
    Caller {
        user_id: user.id.clone(),
        role: user.role,
        unit_id: user.unit_id.clone(),
    }
}

impl Desk {
    /// Fills a freshly seeded database with a demo region: twelve PDs with two Tier 1
    /// technicians each, Tier 2 staff, a supervisor, an auditor, an integration account,
    /// services and `tickets` tickets. The desk's clock must be `clock`, standing 90 days
    /// before `until`: the history is played through the use cases with the clock moved
    /// forward (the SLA engine's passes included), up to `until`. Its mail is dropped, so the
    /// desk mails nobody about its made-up past. Every account gets `password`. The database
    /// records that it holds the demo and whether `allow_mail` was given, for the next `serve`
    /// (see [`Desk::demo_forbids_mail`]).
    pub fn seed_demo(
        &self,
        clock: &ManualClock,
        until: DateTime<Utc>,
        password: &str,
        tickets: usize,
        allow_mail: bool,
    ) -> Result<DemoSummary, ServiceError> {
        let domain = {
            let mut conn = self.conn()?;
            let units = db::units::list(&mut conn, None, 2)?;
            if units.len() > 1 {
                return Err(ServiceError::Conflict {
                    code: ErrorCode::NotEmpty,
                    message: "seed-demo fills an empty database only; this one already has units; \
                              point SERVICEDESK_DATA_DIR (or SERVICEDESK_DATABASE_URL) at a fresh one"
                        .into(),
                });
            }
            let region = crate::service::region::load(&mut conn)?;
            region.domains.as_slice().first().cloned().ok_or_else(|| {
                ServiceError::field(
                    "SERVICEDESK_REGION_PRESET",
                    "the region has no official domain yet; start with a preset, e.g. tojo-una-una",
                )
            })?
        };
        // First of all, so that even a seed that fails half-way leaves the mark.
        let mut conn = self.conn()?;
        write_tx(&mut conn, |conn| {
            crate::service::audit::record(
                conn,
                until,
                None,
                DEMO_SEEDED,
                DEMO_MARK,
                serde_json::json!({ "allow_mail": allow_mail }),
            )
        })?;
        drop(conn);
        let mut accounts = Vec::new();
        let mut account = |user: crate::service::accounts::users::UserView, unit: &str| {
            accounts.push((user.email.clone(), user.role, unit.to_owned()));
            caller(&user)
        };
        let admin = account(
            self.create_admin(&format!("admin@{domain}"), "Admin Diskominfo", password)?,
            "-",
        );
        let user = |name: &str, email: String, role, unit_id: Option<String>| NewUser {
            name: name.to_owned(),
            email,
            password: Some(password.to_owned()),
            role,
            unit_id,
        };
        let dinas = {
            let mut conn = self.conn()?;
            db::units::dinas(&mut conn)?
                .ok_or_else(|| ServiceError::Internal("no Dinas unit".into()))?
        };
        let mut tier2 = Vec::new();
        for (i, name) in ["Andi Wijaya", "Rina Kartika"].iter().enumerate() {
            let made = self.create_user(
                &admin,
                user(
                    name,
                    format!("tier2.{}@{domain}", i + 1),
                    Role::Tier2,
                    Some(dinas.id.clone()),
                ),
            )?;
            tier2.push(account(made, &dinas.code));
        }
        let supervisor = account(
            self.create_user(
                &admin,
                user(
                    "Hendra Gunawan",
                    format!("supervisor@{domain}"),
                    Role::Supervisor,
                    Some(dinas.id.clone()),
                ),
            )?,
            &dinas.code,
        );
        account(
            self.create_user(
                &admin,
                user(
                    "Tim Inspektorat",
                    format!("auditor@{domain}"),
                    Role::Auditor,
                    None,
                ),
            )?,
            "-",
        );
        let mut pds = Vec::new();
        for (code, name) in PDS {
            let unit = self.create_unit(
                &admin,
                NewUnit {
                    code: code.to_owned(),
                    name: format!("{name} (demo)"),
                    kind: UnitKind::Pd,
                    email: Some(format!("{}@{domain}", code.to_lowercase())),
                },
            )?;
            let mut technicians = Vec::new();
            for n in 1..=2 {
                let email = format!("tier1.{}.{n}@{domain}", code.to_lowercase());
                let made = self.create_user(
                    &admin,
                    user(
                        &format!("Teknisi {code} {n}"),
                        email,
                        Role::Tier1,
                        Some(unit.id.clone()),
                    ),
                )?;
                technicians.push(account(made, code));
            }
            pds.push((unit, technicians));
        }
        let integration = self.create_user(
            &admin,
            NewUser {
                name: "Dasbor Tier 2".into(),
                email: format!("dasbor@{domain}"),
                password: None,
                role: Role::Integration,
                unit_id: None,
            },
        )?;
        accounts.push((integration.email.clone(), integration.role, "-".into()));

        let round_the_clock = self.round_the_clock_policy(&supervisor)?;
        let mut services = Vec::new();
        for (i, (code, name, owner, critical)) in SERVICES.into_iter().enumerate() {
            let made = self.create_service(
                &admin,
                NewService {
                    code: code.to_owned(),
                    name: name.to_owned(),
                    owner_unit_id: pds[owner].0.id.clone(),
                    critical,
                    sla_policy_id: (i == ROUND_THE_CLOCK_SERVICE).then(|| round_the_clock.clone()),
                    availability_target_percent: Some(if critical { 99.5 } else { 98.0 }),
                    description: format!("{name} (layanan demo)"),
                },
            )?;
            services.push(made.id);
        }

        let staff = Staff {
            pds,
            tier2,
            supervisor,
            services,
        };
        let played = History::plan(self, &staff, until, tickets)?.play(self, clock, &staff)?;
        let token = self.create_token(
            &admin,
            &integration.id,
            NewToken {
                name: "Dasbor Tier 2 (demo)".into(),
                expires_in_days: Some(365),
            },
        )?;
        Ok(DemoSummary {
            accounts,
            tickets: played.tickets,
            integration: (integration.email, token.token),
            due_soon: played.due_soon,
        })
    }

    /// Whether the database holds a demo seeded without `--allow-mail`: its accounts have
    /// made-up addresses in the region's real official domain, so no relay may mail them.
    pub fn demo_forbids_mail(&self) -> Result<bool, ServiceError> {
        let mut conn = self.conn()?;
        let Some(mark) = db::audit::latest(&mut conn, DEMO_MARK, DEMO_SEEDED)? else {
            return Ok(false);
        };
        let data: serde_json::Value = serde_json::from_str(&mark.data)
            .map_err(|e| ServiceError::Internal(format!("the demo's audit entry: {e}")))?;
        Ok(data["allow_mail"] != true)
    }

    /// A 24×7 calendar and a policy with the default targets on it.
    fn round_the_clock_policy(&self, supervisor: &Caller) -> Result<String, ServiceError> {
        let timezone = {
            let mut conn = self.conn()?;
            crate::service::region::load(&mut conn)?.row.timezone
        };
        let calendar = self.create_calendar(
            supervisor,
            CalendarInput {
                name: "Layanan 24 jam RSUD".into(),
                timezone,
                always_open: true,
                working_hours: Default::default(),
                holidays: Vec::new(),
            },
        )?;
        let policy = self.create_sla_policy(
            supervisor,
            SlaPolicyInput {
                name: "SLA layanan 24 jam".into(),
                calendar_id: calendar.id,
                default: false,
                targets: default_targets()
                    .into_iter()
                    .map(|t| TargetInput {
                        priority: t.priority,
                        response_seconds: t.response_seconds,
                        tier1_seconds: t.tier1_seconds,
                        resolution_seconds: t.resolution_seconds,
                        warn_at_percent: Some(t.warn_at_percent),
                    })
                    .collect(),
            },
        )?;
        Ok(policy.id)
    }
}
