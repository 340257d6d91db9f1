//! The demo's 90 days of history: tickets recorded across office hours and worked through the
//! real use cases with the desk's clock moved forward, the SLA engine's passes run at the
//! instants it would have woken (so clocks, events and reports agree with what it would have
//! done), outages, and a few tickets due within minutes of the end. The mail the past would
//! have sent is dropped at the end.

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::auth::Caller;
use crate::clock::ManualClock;
use crate::db::{self, write_tx};
use crate::domain::calendar::BusinessCalendar;
use crate::domain::ticket::{Action, Kind, Level};
use crate::service::availability::NewOutage;
use crate::service::catalogue::units::UnitView;
use crate::service::demo::data::{SERVICES, TITLES};
use crate::service::tickets::requests::ActionRequest;
use crate::service::tickets::view::Reporter;
use crate::service::tickets::{NewTicket, SlaEngineWork};
use crate::service::{Desk, ServiceError, sla};

use super::script::{DAYS, OFFICE_DAY, Plan, Step, moves, target_for};
use super::today::{due_soon_plans, todays_desk_plans};
use crate::domain::ids::ServiceId;

/// Most tickets the engine handles per transaction, as in `serve`.
const ENGINE_BATCH: i64 = 200;

/// The accounts and catalogue the history is played with.
pub(in crate::service) struct Staff {
    /// Each PD with its Tier 1 technicians.
    pub(in crate::service) pds: Vec<(UnitView, Vec<Caller>)>,
    /// Tier 2 staff.
    pub(in crate::service) tier2: Vec<Caller>,
    /// The supervisor, who assigns Tier 2 work.
    pub(in crate::service) supervisor: Caller,
    /// Service ids, in the order of `SERVICES`.
    pub(in crate::service) services: Vec<ServiceId>,
}

/// Something that happens at an instant of the history.
enum Happening {
    Record(usize),
    Move(usize, usize),
    Outage {
        service: usize,
        started: DateTime<Utc>,
        hours: i64,
        planned: bool,
        note: &'static str,
    },
}

/// The planned history, in the order it happens.
pub(in crate::service) struct History {
    plans: Vec<Plan>,
    timeline: Vec<(DateTime<Utc>, Happening)>,
    until: DateTime<Utc>,
}

/// What playing the history made.
pub(in crate::service) struct Played {
    pub(in crate::service) tickets: usize,
    pub(in crate::service) due_soon: Vec<(String, String)>,
}

/// `hour`:00 local time, `days` before `until`.
fn local_morning(
    calendar: &BusinessCalendar,
    until: DateTime<Utc>,
    days: i64,
    hour: u32,
) -> DateTime<Utc> {
    let day = (until - Duration::days(days))
        .with_timezone(&calendar.timezone)
        .date_naive();
    let at = day.and_time(NaiveTime::from_hms_opt(hour, 0, 0).unwrap_or_default());
    calendar
        .timezone
        .from_local_datetime(&at)
        .earliest()
        .map_or(until - Duration::days(days), |at| at.with_timezone(&Utc))
}

/// The `n`th ticket of the history between `start` and `until`, at a random open instant.
fn planned_ticket(
    rng: &mut StdRng,
    office: &BusinessCalendar,
    staff: &Staff,
    (start, until): (DateTime<Utc>, DateTime<Utc>),
    n: usize,
) -> Plan {
    let levels = [Level::High, Level::Medium, Level::Low];
    let open_seconds = office.business_seconds(start, until);
    let offset = rng.random_range(0..open_seconds.max(1));
    let created = office.add(start, offset).unwrap_or(start);
    let (impact, urgency) = (
        levels[rng.random_range(0..3)],
        levels[rng.random_range(0..3)],
    );
    let mut steps = moves(rng, &target_for(impact, urgency));
    // The desk of the last days is still at work: a part of their moves is to come.
    if office.business_seconds(created, until) < 4 * OFFICE_DAY {
        steps.truncate(rng.random_range(0..=steps.len()));
    }
    let pd = rng.random_range(0..staff.pds.len());
    Plan {
        created,
        pd,
        technician: rng.random_range(0..2),
        worker: rng.random_range(0..staff.tier2.len()),
        service: rng
            .random_bool(0.6)
            .then(|| rng.random_range(0..staff.services.len())),
        impact,
        urgency,
        kind: Kind::ALL[n % Kind::ALL.len()],
        title: TITLES[rng.random_range(0..TITLES.len())],
        due_soon: None,
        steps: steps
            .into_iter()
            .map(|s| Step {
                // From here on offsets are wall-clock seconds after creation.
                after: office
                    .add(created, s.after)
                    .map_or(i64::MAX, |at| (at - created).num_seconds()),
                ..s
            })
            .collect(),
    }
}

/// The outages of the history, each recorded when it ends (one still to come is announced at
/// the end).
fn outages(office: &BusinessCalendar, until: DateTime<Utc>) -> Vec<(DateTime<Utc>, Happening)> {
    let mut happenings = Vec::new();
    let service = |code: &str| SERVICES.iter().position(|s| s.0 == code).unwrap_or(0);
    for (code, days, hours, planned, note) in [
        (
            "SIAK",
            55,
            6,
            false,
            "Server basis data SIAK mati setelah listrik pusat data padam (demo).",
        ),
        (
            "SIMPEG",
            20,
            2,
            false,
            "Sertifikat TLS SIMPEG kedaluwarsa; diperbarui (demo).",
        ),
        (
            "SIMDA",
            30,
            4,
            true,
            "Pemeliharaan terjadwal: pembaruan versi basis data (demo).",
        ),
        (
            "EOFFICE",
            -3,
            2,
            true,
            "Pemeliharaan terjadwal: pemindahan server (demo).",
        ),
    ] {
        let started = local_morning(office, until, days, 9);
        // Recorded when it ends; one still to come is announced at the end.
        let recorded = (started + Duration::hours(hours)).min(until);
        happenings.push((
            recorded,
            Happening::Outage {
                service: service(code),
                started,
                hours,
                planned,
                note,
            },
        ));
    }
    happenings
}

impl History {
    /// Plans `tickets` tickets (a few of them due within minutes of `until`) and the outages.
    pub(in crate::service) fn plan(
        desk: &Desk,
        staff: &Staff,
        until: DateTime<Utc>,
        tickets: usize,
    ) -> Result<Self, ServiceError> {
        let office = {
            let mut conn = desk.conn()?;
            let policy = db::sla_policies::find_default(&mut conn)?
                .ok_or_else(|| ServiceError::Internal("no default SLA policy".into()))?;
            sla::load_calendar(&mut conn, &policy.calendar_id)?
        };
        let start = until - Duration::days(DAYS);
        let mut rng = StdRng::seed_from_u64(2026);
        let mut plans = Vec::new();
        let mut soon = todays_desk_plans(&office, until);
        soon.extend(due_soon_plans(until));
        soon.truncate(tickets);
        let history = tickets.saturating_sub(soon.len());
        for n in 0..history {
            plans.push(planned_ticket(&mut rng, &office, staff, (start, until), n));
        }
        plans.extend(soon);
        let mut timeline = Vec::new();
        for (i, plan) in plans.iter().enumerate() {
            timeline.push((plan.created, Happening::Record(i)));
            for (j, step) in plan.steps.iter().enumerate() {
                let at = plan.created + Duration::seconds(step.after.min(DAYS * 86_400));
                if at < until {
                    timeline.push((at, Happening::Move(i, j)));
                }
            }
        }
        timeline.extend(outages(&office, until));
        timeline.sort_by_key(|(at, _)| *at);
        Ok(Self {
            plans,
            timeline,
            until,
        })
    }

    /// Plays the history on `desk`, whose clock is `clock`.
    pub(in crate::service) fn play(
        self,
        desk: &Desk,
        clock: &ManualClock,
        staff: &Staff,
    ) -> Result<Played, ServiceError> {
        let mut ids: Vec<Option<String>> = vec![None; self.plans.len()];
        let mut due_soon = Vec::new();
        for (at, happening) in &self.timeline {
            run_engine_until(desk, clock, *at)?;
            match happening {
                Happening::Record(i) => {
                    let plan = &self.plans[*i];
                    let (unit, technicians) = &staff.pds[plan.pd];
                    let view = desk.create_ticket(
                        &technicians[plan.technician],
                        NewTicket {
                            kind: plan.kind,
                            title: format!("{} ({})", plan.title, unit.code),
                            description: "Dilaporkan melalui Service Desk Tier 1 (data demo)."
                                .into(),
                            service_id: plan.service.map(|s| staff.services[s].to_string()),
                            impact: plan.impact,
                            urgency: plan.urgency,
                            reporter: Reporter {
                                name: format!("Pegawai {} #{}", unit.code, i + 1),
                                email: None,
                                phone: None,
                            },
                            classification: None,
                            security_incident: false,
                            unit_id: None,
                        },
                        None,
                    )?;
                    if let Some(what) = plan.due_soon {
                        due_soon.push((view.number.clone(), what.to_owned()));
                    }
                    ids[*i] = Some(view.id.to_string());
                }
                Happening::Move(i, j) => {
                    if let Some(id) = &ids[*i] {
                        self.make_move(desk, staff, id, *i, *j)?;
                    }
                }
                Happening::Outage {
                    service,
                    started,
                    hours,
                    planned,
                    note,
                } => {
                    let worker = &staff.tier2[0];
                    desk.create_outage(
                        worker,
                        &staff.services[*service],
                        NewOutage {
                            started_at: *started,
                            ended_at: Some(*started + Duration::hours(*hours)),
                            planned: *planned,
                            ticket_id: None,
                            note: (*note).to_owned(),
                        },
                    )?;
                }
            }
        }
        run_engine_until(desk, clock, self.until)?;
        let mut conn = desk.conn()?;
        let dropped = write_tx(&mut conn, |conn| {
            Ok::<_, ServiceError>(db::notifications::discard_queued(conn)?)
        })?;
        tracing::info!(dropped, "the demo's past mails nobody");
        Ok(Played {
            tickets: self.plans.len(),
            due_soon,
        })
    }

    /// One planned move, by whoever holds the ticket then. A move the ticket no longer allows
    /// (the engine escalated it first, say) is left out, as a person would.
    fn make_move(
        &self,
        desk: &Desk,
        staff: &Staff,
        id: &str,
        plan: usize,
        step: usize,
    ) -> Result<(), ServiceError> {
        let plan = &self.plans[plan];
        let step = &plan.steps[step];
        let tier = {
            let mut conn = desk.conn()?;
            db::tickets::find(&mut conn, id)?.map_or(1, |t| t.tier.number())
        };
        let technician = &staff.pds[plan.pd].1[plan.technician];
        let worker = &staff.tier2[plan.worker];
        let mut text = step.text.to_owned();
        let who = match step.action {
            Action::Escalate => technician,
            Action::Return => worker,
            Action::Assign => {
                text = worker.user_id.to_string();
                &staff.supervisor
            }
            _ if tier == 2 => worker,
            _ => technician,
        };
        let request = ActionRequest::with_text(step.action, text);
        // A planned move the engine's own escalations made impossible is simply not made.
        match desk.act_on_ticket(who, id, request, None) {
            Ok(_)
            | Err(
                ServiceError::Conflict { .. }
                | ServiceError::InvalidTransition { .. }
                | ServiceError::Denied(_)
                | ServiceError::Forbidden
                | ServiceError::Invalid { .. },
            ) => Ok(()),
            Err(other) => Err(other),
        }
    }
}

/// The SLA engine's passes up to `to`, each at the instant it would have woken; then the clock
/// stands at `to`.
fn run_engine_until(
    desk: &Desk,
    clock: &ManualClock,
    to: DateTime<Utc>,
) -> Result<(), ServiceError> {
    while let Some(next) = SlaEngineWork::of(desk)
        .next_instant()?
        .filter(|next| *next <= to)
    {
        clock.advance_to(next);
        if SlaEngineWork::of(desk).handle_due(ENGINE_BATCH, &mut None)? == 0 {
            break;
        }
    }
    clock.advance_to(to);
    Ok(())
}
