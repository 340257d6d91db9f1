//! `servicedesk seed-demo`: a living demo region for newcomers, made through the same use cases
//! as the API (so the demo obeys every rule the service enforces): the accounts, units and
//! services here, the 90 days of history in `history.rs`.

use chrono::{DateTime, Datelike, Utc};

use crate::auth::Caller;
use crate::clock::ManualClock;
use crate::db::{self, write_tx};
use crate::domain::governance::CriticalityStep;
use crate::domain::ids::{ServiceId, SlaPolicyId};
use crate::domain::role::{Role, UnitKind};
use crate::domain::sla::default_targets;
use crate::service::accounts::tokens::NewToken;
use crate::service::accounts::users::{NewUser, UserView};
use crate::service::audit::Actor;
use crate::service::catalogue::calendars::CalendarInput;
use crate::service::catalogue::services::NewService;
use crate::service::catalogue::sla_policies::{SlaPolicyInput, TargetInput};
use crate::service::catalogue::units::{NewUnit, UnitView};
use crate::service::demo::data::{PDS, ROUND_THE_CLOCK_SERVICE, SERVICES};
use crate::service::demo::history::{History, Staff};
use crate::service::governance::criticality::CriticalityChange;
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

fn caller(user: &UserView) -> Caller {
    Caller {
        user_id: user.id.clone(),
        role: user.role,
        unit_id: user.unit_id.clone(),
    }
}

/// The demo's accounts as they are made: the summary's list, and each one's caller.
struct Roster<'a> {
    desk: &'a Desk,
    domain: String,
    password: &'a str,
    /// `(email, role, unit code)`.
    accounts: Vec<(String, Role, String)>,
}

impl Roster<'_> {
    /// Lists an account made, and acts as it from now on.
    fn enrol(&mut self, user: UserView, unit_code: &str) -> Caller {
        self.accounts
            .push((user.email.clone(), user.role, unit_code.to_owned()));
        caller(&user)
    }

    /// Makes a member of staff `local@domain` at `unit` (id, code), with the demo's password.
    fn staff(
        &mut self,
        admin: &Caller,
        name: &str,
        local: &str,
        role: Role,
        unit: Option<(&str, &str)>,
    ) -> Result<Caller, ServiceError> {
        let made = self.desk.create_user(
            admin,
            NewUser {
                name: name.to_owned(),
                email: format!("{local}@{}", self.domain),
                password: Some(self.password.to_owned()),
                role,
                unit_id: unit.map(|(id, _)| id.to_owned()),
                appointment_number: None,
                appointment_date: None,
            },
        )?;
        Ok(self.enrol(made, unit.map_or("-", |(_, code)| code)))
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
        let domain = self.empty_demo_domain()?;
        // First of all, so that even a seed that fails half-way leaves the mark.
        self.mark_as_demo(until, allow_mail)?;
        let dinas = db::units::dinas(&mut *self.conn()?)?
            .ok_or_else(|| ServiceError::Internal("no Dinas unit".into()))?;
        let mut roster = Roster {
            desk: self,
            domain,
            password,
            accounts: Vec::new(),
        };
        let admin = self.create_admin(
            &format!("admin@{}", roster.domain),
            "Admin Diskominfo",
            password,
        )?;
        let admin = roster.enrol(admin, "-");
        let dinas = (dinas.id.as_str(), dinas.code.as_str());
        let mut tier2 = Vec::new();
        for (i, name) in ["Andi Wijaya", "Rina Kartika"].iter().enumerate() {
            let local = format!("tier2.{}", i + 1);
            tier2.push(roster.staff(&admin, name, &local, Role::Tier2, Some(dinas))?);
        }
        let supervisor = roster.staff(
            &admin,
            "Hendra Gunawan",
            "supervisor",
            Role::Supervisor,
            Some(dinas),
        )?;
        roster.staff(&admin, "Tim Inspektorat", "auditor", Role::Auditor, None)?;
        let pds = self.demo_pds(&admin, &mut roster)?;
        let integration = self.create_user(
            &admin,
            NewUser {
                name: "Dasbor Tier 2".into(),
                email: format!("dasbor@{}", roster.domain),
                password: None,
                role: Role::Integration,
                unit_id: None,
                appointment_number: None,
                appointment_date: None,
            },
        )?;
        let mut accounts = roster.accounts;
        accounts.push((integration.email.clone(), integration.role, "-".into()));
        let services = self.demo_services(&admin, &supervisor, &pds)?;

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

    /// Records that the database holds the demo, and whether it may mail.
    fn mark_as_demo(&self, at: DateTime<Utc>, allow_mail: bool) -> Result<(), ServiceError> {
        write_tx(&mut *self.conn()?, |conn| {
            let data = serde_json::json!({ "allow_mail": allow_mail });
            let by = Actor::system(at);
            crate::service::audit::record(conn, by, DEMO_SEEDED, DEMO_MARK, data)
        })
    }

    /// The official domain of the empty database the demo goes into.
    fn empty_demo_domain(&self) -> Result<String, ServiceError> {
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
        })
    }

    /// The demo's PDs, each with two Tier 1 technicians.
    fn demo_pds(
        &self,
        admin: &Caller,
        roster: &mut Roster,
    ) -> Result<Vec<(UnitView, Vec<Caller>)>, ServiceError> {
        let mut pds = Vec::new();
        for (code, name) in PDS {
            let unit = self.create_unit(
                admin,
                NewUnit {
                    code: code.to_owned(),
                    name: format!("{name} (demo)"),
                    kind: UnitKind::Pd,
                    email: Some(format!("{}@{}", code.to_lowercase(), roster.domain)),
                },
            )?;
            let mut technicians = Vec::new();
            for n in 1..=2 {
                let local = format!("tier1.{}.{n}", code.to_lowercase());
                let name = format!("Teknisi {code} {n}");
                let place = Some((unit.id.as_str(), code));
                technicians.push(roster.staff(admin, &name, &local, Role::Tier1, place)?);
            }
            pds.push((unit, technicians));
        }
        Ok(pds)
    }

    /// The demo's services, owned by its PDs; one on a round-the-clock policy.
    fn demo_services(
        &self,
        admin: &Caller,
        supervisor: &Caller,
        pds: &[(UnitView, Vec<Caller>)],
    ) -> Result<Vec<ServiceId>, ServiceError> {
        let round_the_clock = self.round_the_clock_policy(supervisor)?;
        let mut services = Vec::new();
        for (i, (code, name, owner, critical)) in SERVICES.into_iter().enumerate() {
            let made = self.create_service(
                admin,
                NewService {
                    code: code.to_owned(),
                    name: name.to_owned(),
                    owner_unit_id: pds[owner].0.id.to_string(),
                    critical: false,
                    sla_policy_id: (i == ROUND_THE_CLOCK_SERVICE)
                        .then(|| round_the_clock.to_string()),
                    availability_target_percent: Some(if critical { 99.5 } else { 98.0 }),
                    description: format!("{name} (layanan demo)"),
                    alert_tier: None,
                    auto_resolve: false,
                },
            )?;
            if critical {
                self.demo_designation(&pds[owner].1[0], supervisor, &made.id, i)?;
            }
            services.push(made.id);
        }
        Ok(services)
    }

    /// A critical service's way there: its PD proposes, the Dinas designates by decree.
    fn demo_designation(
        &self,
        technician: &Caller,
        supervisor: &Caller,
        service_id: &ServiceId,
        index: usize,
    ) -> Result<(), ServiceError> {
        let step = |step, note: &str, decree: Option<String>| CriticalityChange {
            step,
            note: note.to_owned(),
            decree_date: decree.is_some().then(|| self.now().date_naive()),
            decree_number: decree,
        };
        let proposal = step(
            CriticalityStep::Proposed,
            "Layanan dipakai setiap hari oleh warga dan ASN; mohon ditetapkan kritikal.",
            None,
        );
        self.change_criticality(technician, service_id, proposal)?;
        let year = self.now().year();
        let decree = format!("555/{:03}/DISKOMINFO/{year}", index + 1);
        let designation = step(
            CriticalityStep::Designated,
            "Usulan PD disetujui; layanan ditetapkan kritikal.",
            Some(decree),
        );
        self.change_criticality(supervisor, service_id, designation)?;
        Ok(())
    }

    /// A 24×7 calendar and a policy with the default targets on it.
    fn round_the_clock_policy(&self, supervisor: &Caller) -> Result<SlaPolicyId, ServiceError> {
        let timezone = {
            let mut conn = self.conn()?;
            crate::service::region::load(&mut conn)?
                .row
                .timezone
                .as_str()
                .to_owned()
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
                calendar_id: calendar.id.to_string(),
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
