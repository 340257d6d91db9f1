//! The service the sequences are played on, and the play: each step applied to the service and
//! to the model, and the two compared.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use diesel::RunQueryDsl;
use serde_json::{Value, json};
use servicedesk::auth::Caller;
use servicedesk::clock::{Clock, ManualClock};
use servicedesk::db::{DatabaseUrl, DbConn};
use servicedesk::domain::ticket::Action;
use servicedesk::service::page::PageRequest;
use servicedesk::service::tickets::requests::{
    AcknowledgeRequest, ActionRequest, AssignRequest, CancelRequest, CloseRequest, EscalateRequest,
    PendRequest, ReopenRequest, ResolveRequest, ResumeRequest, ReturnRequest,
};
use servicedesk::service::{Desk, ServiceError};

use super::model::{self, Actor, Answer, Calendar, Targets};
use super::steps::{Sequence, Step};
use crate::support::{Backend, DOMAIN, PASSWORD, Storage};

/// Monday 23 November 2026, 00:00 UTC (08:00 WITA). Every sequence starts within the week
/// after it; the Wednesday of that week and the Thursday after are holidays.
fn base() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0)
        .single()
        .expect("instant")
}

const HOLIDAYS: [&str; 2] = ["2026-11-25", "2026-12-03"];

/// The targets of the two policies, as the model and the service are given them.
fn targets(round_the_clock: bool) -> Vec<(&'static str, Targets)> {
    let t = |response, tier1, resolution, warn_at_percent| Targets {
        response,
        tier1,
        resolution,
        warn_at_percent,
    };
    if round_the_clock {
        vec![
            ("critical", t(600, Some(1_800), 7_200, 75)),
            ("high", t(1_200, Some(3_600), 14_400, 80)),
            ("medium", t(3_600, None, 43_200, 75)),
            ("low", t(7_200, Some(21_600), 86_400, 60)),
        ]
    } else {
        vec![
            ("critical", t(900, Some(3_600), 14_400, 75)),
            ("high", t(1_800, Some(7_200), 28_800, 75)),
            ("medium", t(7_200, Some(28_800), 86_400, 75)),
            ("low", t(14_400, None, 144_000, 50)),
        ]
    }
}

fn office_calendar() -> Calendar {
    let time = |text: &str| NaiveTime::parse_from_str(text, "%H:%M").expect("time");
    let day = vec![(time("07:30"), time("16:00"))];
    Calendar {
        timezone: chrono_tz::Asia::Makassar,
        always_open: false,
        windows: [
            day.clone(),
            day.clone(),
            day.clone(),
            day,
            vec![(time("07:30"), time("16:30"))],
            Vec::new(),
            Vec::new(),
        ],
        holidays: HOLIDAYS
            .iter()
            .map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("date"))
            .collect::<BTreeSet<_>>(),
    }
}

fn round_the_clock_calendar() -> Calendar {
    Calendar {
        timezone: chrono_tz::Asia::Makassar,
        always_open: true,
        windows: Default::default(),
        holidays: BTreeSet::new(),
    }
}

/// The office calendar as the service is given it, with `holidays`.
fn office_calendar_input(holidays: &BTreeSet<NaiveDate>) -> Value {
    json!({"name": "Kantor", "timezone": "Asia/Makassar",
        "working_hours": {"mon": [["07:30", "16:00"]], "tue": [["07:30", "16:00"]],
            "wed": [["07:30", "16:00"]], "thu": [["07:30", "16:00"]],
            "fri": [["07:30", "16:30"]], "sat": [], "sun": []},
        "holidays": holidays.iter().map(|d| json!({"date": d, "name": "Libur"})).collect::<Vec<_>>()})
}

fn input<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("a valid input")
}

fn ok<T>(result: Result<T, ServiceError>, what: &str) -> T {
    result.unwrap_or_else(|e| panic!("{what}: {e}"))
}

/// A desk on its own database, with the people and the two policies of the sequences.
pub struct Harness {
    desk: Arc<Desk>,
    clock: Arc<ManualClock>,
    conn: RefCell<DbConn>,
    tier1: Caller,
    tier2: Caller,
    supervisor: Caller,
    office_calendar_id: String,
    service_id: String,
    _storage: Storage,
}

#[derive(diesel::QueryableByName)]
struct MailOf {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    event_id: Option<String>,
}

fn targets_json(round_the_clock: bool) -> Value {
    targets(round_the_clock)
        .into_iter()
        .map(|(priority, t)| {
            json!({"priority": priority, "response_seconds": t.response,
                   "tier1_seconds": t.tier1, "resolution_seconds": t.resolution,
                   "warn_at_percent": t.warn_at_percent})
        })
        .collect()
}

impl Harness {
    /// The service on `backend` with the engine not running on its own: the test runs it.
    pub fn new(backend: Backend) -> Self {
        let storage = Storage::new(backend);
        let clock = Arc::new(ManualClock::new(base()));
        let config = storage.config_on_test_clock();
        let desk = servicedesk::app::prepare(&config, clock.clone()).expect("desk");
        let admin_email = format!("admin@{DOMAIN}");
        ok(
            desk.create_admin(&admin_email, "Admin Uji", PASSWORD),
            "admin",
        );
        let caller = |email: &str| {
            let login = ok(
                desk.login(input(json!({"email": email, "password": PASSWORD})), None),
                "login",
            );
            ok(desk.authenticate(&login.access_token), "authenticate")
        };
        let admin = caller(&admin_email);
        let page = || PageRequest::new(Some(200), None).expect("page");
        let dinas = ok(desk.list_units(&admin, page()), "units")
            .items
            .into_iter()
            .find(|unit| serde_json::to_value(unit).expect("json")["kind"] == "dinas")
            .expect("the Dinas unit");
        let pd = ok(
            desk.create_unit(
                &admin,
                input(
                    json!({"code": "DINKES", "name": "Dinas Kesehatan", "kind": "pd",
                             "email": format!("dinkes@{DOMAIN}")}),
                ),
            ),
            "unit",
        );
        let user = |email: &str, role: &str, unit: &str| {
            ok(
                desk.create_user(
                    &admin,
                    input(json!({"name": email, "email": email, "password": PASSWORD,
                                 "role": role, "unit_id": unit})),
                ),
                "user",
            );
            caller(email)
        };
        let tier1 = user(&format!("teknisi@{DOMAIN}"), "tier1", &pd.id);
        let tier2 = user(&format!("tier2@{DOMAIN}"), "tier2", &dinas.id);
        let supervisor = user(&format!("supervisor@{DOMAIN}"), "supervisor", &dinas.id);
        let office = ok(
            desk.create_calendar(
                &supervisor,
                input(office_calendar_input(&office_calendar().holidays)),
            ),
            "office calendar",
        );
        let always = ok(
            desk.create_calendar(
                &supervisor,
                input(json!({"name": "24x7", "timezone": "Asia/Makassar", "always_open": true})),
            ),
            "24x7 calendar",
        );
        ok(
            desk.create_sla_policy(
                &supervisor,
                input(
                    json!({"name": "Kantor", "calendar_id": office.id, "default": true,
                             "targets": targets_json(false)}),
                ),
            ),
            "office policy",
        );
        let policy = ok(
            desk.create_sla_policy(
                &supervisor,
                input(json!({"name": "24x7", "calendar_id": always.id,
                             "targets": targets_json(true)})),
            ),
            "24x7 policy",
        );
        let service = ok(
            desk.create_service(
                &supervisor,
                input(
                    json!({"code": "SIMPEG", "name": "SIMPEG", "owner_unit_id": pd.id,
                             "critical": true, "sla_policy_id": policy.id,
                             "description": "Sistem informasi kepegawaian"}),
                ),
            ),
            "service",
        );
        let conn = DatabaseUrl::parse(&storage.database_url())
            .expect("url")
            .establish()
            .expect("connect");
        Self {
            desk,
            clock,
            conn: RefCell::new(conn),
            tier1,
            tier2,
            supervisor,
            office_calendar_id: office.id,
            service_id: service.id,
            _storage: storage,
        }
    }

    fn set_clock(&self, at: DateTime<Utc>) {
        self.clock.advance(at - self.clock.now());
    }

    fn caller(&self, actor: Actor) -> &Caller {
        match actor {
            Actor::Tier1 => &self.tier1,
            Actor::Tier2 => &self.tier2,
        }
    }

    fn set_office_holidays(&self, holidays: &BTreeSet<NaiveDate>) {
        ok(
            self.desk.update_calendar(
                &self.supervisor,
                &self.office_calendar_id,
                input(office_calendar_input(holidays)),
            ),
            "calendar edit",
        );
    }

    /// The engine's work at the clock's instant, until nothing is left.
    fn run_engine(&self) {
        servicedesk::jobs::run_due_sla(&self.desk);
    }

    /// What the service answered; a refused move must name the moves the model leaves the
    /// actor.
    fn answer<T>(result: Result<T, ServiceError>, model: &model::Ticket, actor: Actor) -> Answer {
        match result {
            Ok(_) => Answer::Done,
            Err(ServiceError::Denied(_)) => Answer::Forbidden,
            Err(ServiceError::InvalidTransition {
                allowed_actions, ..
            }) => {
                let named: Vec<&str> = allowed_actions.iter().map(|a| a.as_str()).collect();
                assert_eq!(
                    named,
                    model.possible_moves(actor),
                    "the 409's allowed_actions"
                );
                Answer::InvalidTransition
            }
            Err(other) => panic!("unexpected answer: {other}"),
        }
    }

    /// The body the harness sends with each move: the actor assigns to itself.
    fn request(&self, action: Action, actor: Actor) -> ActionRequest {
        let reason = || "Alasan uji".to_owned();
        match action {
            Action::Acknowledge => AcknowledgeRequest {}.into(),
            Action::Assign => AssignRequest {
                assignee_id: self.caller(actor).user_id.clone(),
            }
            .into(),
            Action::Pend => PendRequest { reason: reason() }.into(),
            Action::Resume => ResumeRequest {}.into(),
            Action::Escalate => EscalateRequest { reason: reason() }.into(),
            Action::Return => ReturnRequest {
                solution: "Langkah penyelesaian uji".into(),
            }
            .into(),
            Action::Resolve => ResolveRequest {
                resolution: "Diselesaikan dalam uji".into(),
            }
            .into(),
            Action::Reopen => ReopenRequest { reason: reason() }.into(),
            Action::Close => CloseRequest {}.into(),
            Action::Cancel => CancelRequest {
                reason: "Selesai uji".into(),
            }
            .into(),
        }
    }

    /// Plays one sequence, checking after every step.
    pub fn play(&self, sequence: &Sequence) {
        let start = base() + Duration::seconds(sequence.offset_seconds);
        self.set_clock(start);
        let mut calendar = if sequence.round_the_clock {
            round_the_clock_calendar()
        } else {
            office_calendar()
        };
        let mut fields = json!({"kind": "incident", "title": "SIMPEG tidak bisa diakses",
            "description": "Galat 502 sejak pagi",
            "impact": sequence.impact, "urgency": sequence.urgency, "reporter": {"name": "Siti"}});
        if sequence.round_the_clock {
            fields["service_id"] = json!(self.service_id);
        }
        let created = ok(
            self.desk.create_ticket(&self.tier1, input(fields), None),
            "create",
        );
        let id = created.id.clone();
        let mut model = model::Ticket::created(
            sequence.impact,
            sequence.urgency,
            targets(sequence.round_the_clock),
            start,
        );
        self.check(&id, &model, &calendar, "created");
        for (index, step) in sequence.steps.iter().enumerate() {
            let now = self.clock.now();
            let what = format!("step {index}: {step:?}");
            match step {
                Step::Act(action, actor) => {
                    let parsed: Action = action.parse().expect("an action");
                    // A refused move is judged on the ticket as the service sees it, after what
                    // came due was recorded.
                    let mut settled = model.clone();
                    settled.settle(now, &calendar);
                    let got = Self::answer(
                        self.desk.act_on_ticket(
                            self.caller(*actor),
                            &id,
                            self.request(parsed, *actor),
                            None,
                        ),
                        &settled,
                        *actor,
                    );
                    let expected = model.act(action, *actor, now, &calendar);
                    assert_eq!(got, expected, "{what}");
                }
                Step::Comment(actor, internal) => {
                    let comment = input(json!({"body": "Catatan uji", "internal": internal}));
                    ok(
                        self.desk
                            .comment_on_ticket(self.caller(*actor), &id, comment),
                        &what,
                    );
                    model.comment(*internal, now, &calendar);
                }
                Step::Edit(actor, impact, urgency) => {
                    let changes = input(json!({"impact": impact, "urgency": urgency}));
                    let mut settled = model.clone();
                    settled.settle(now, &calendar);
                    let got = Self::answer(
                        self.desk
                            .update_ticket(self.caller(*actor), &id, changes, None),
                        &settled,
                        *actor,
                    );
                    let expected = model.edit(*actor, impact, urgency, now, &calendar);
                    assert_eq!(got, expected, "{what}");
                }
                Step::Holiday { days } => {
                    let mut office = office_calendar();
                    let day =
                        now.with_timezone(&office.timezone).date_naive() + Duration::days(*days);
                    office.holidays.insert(day);
                    self.set_office_holidays(&office.holidays);
                    if !sequence.round_the_clock {
                        model.change_calendar(now, &calendar);
                        calendar = office;
                    }
                }
                Step::Wait { seconds, engine } => {
                    let until = now + Duration::seconds(*seconds);
                    if *engine {
                        while let Some(due) = model.next_due(&calendar).filter(|d| *d <= until) {
                            let at = due.max(self.clock.now());
                            self.set_clock(at);
                            self.run_engine();
                            model.settle(at, &calendar);
                        }
                    }
                    self.set_clock(until);
                    if *engine {
                        self.run_engine();
                        model.settle(until, &calendar);
                    }
                }
            }
            self.check(&id, &model, &calendar, &what);
        }
        // Leave nothing running for the sequences after this one, and check that a final
        // ticket owes nothing however long it waits.
        let now = self.clock.now();
        self.run_engine();
        model.settle(now, &calendar);
        let closer = if model.tier == 1 {
            Actor::Tier1
        } else {
            Actor::Tier2
        };
        let got = Self::answer(
            self.desk.act_on_ticket(
                self.caller(closer),
                &id,
                self.request(Action::Cancel, closer),
                None,
            ),
            &model,
            closer,
        );
        assert_eq!(
            got,
            model.act("cancel", closer, now, &calendar),
            "the last cancel"
        );
        self.set_clock(now + Duration::days(30));
        self.run_engine();
        model.settle(self.clock.now(), &calendar);
        self.check(&id, &model, &calendar, "a month after the end");
        self.set_office_holidays(&office_calendar().holidays);
    }

    fn check(&self, id: &str, model: &model::Ticket, calendar: &Calendar, what: &str) {
        let now = self.clock.now();
        let view =
            serde_json::to_value(ok(self.desk.ticket(&self.tier2, id), "read")).expect("json");
        let sla = &view["sla"];
        let mut seen = json!({
            "status": view["status"], "tier": view["tier"], "priority": view["priority"],
            "paused": sla["paused"],
        });
        let mut expected = model.expected_view(now, calendar);
        seen["assignee_id"] = view["assignee_id"].clone();
        expected["assignee_id"] = json!(model.assignee.map(|a| &self.caller(a).user_id));
        for clock in model::CLOCKS {
            let mut shown = json!({});
            for field in [
                "target_seconds",
                "elapsed_seconds",
                "remaining_seconds",
                "due_at",
                "met_at",
                "breached",
            ] {
                shown[field] = sla[clock][field].clone();
            }
            seen[clock] = shown;
        }
        assert_eq!(seen, expected, "{what}: the ticket at {now}");
        // What each technician may do next is what the model lets them, as each reads it.
        for actor in [Actor::Tier1, Actor::Tier2] {
            let read = ok(self.desk.ticket(self.caller(actor), id), "read");
            let allowed: Vec<&str> = read.allowed_actions.iter().map(|a| a.as_str()).collect();
            assert_eq!(
                allowed,
                model.possible_moves(actor),
                "{what}: allowed_actions of {actor:?} at {now}"
            );
        }

        let events = serde_json::to_value(ok(self.desk.ticket_events(&self.tier2, id), "events"))
            .expect("json");
        let events = events.as_array().expect("events");
        let mut recorded: Vec<model::Recorded> = events
            .iter()
            .filter_map(|e| {
                let kind = e["type"].as_str()?;
                let detail = match kind {
                    "sla_warning" | "sla_breached" => e["data"]["clock"].as_str()?.to_owned(),
                    "escalated" if e["data"]["automatic"] == true => "automatic".into(),
                    "escalated" => "manual".into(),
                    _ => return None,
                };
                Some((kind.to_owned(), detail, e["at"].as_str()?.to_owned()))
            })
            .collect();
        let mut owed = model.recorded.clone();
        recorded.sort();
        owed.sort();
        assert_eq!(recorded, owed, "{what}: alerts and escalations at {now}");

        // Every event that owes mail has its mail in the outbox, or a recorded reason why not.
        let mailed: HashSet<String> = diesel::sql_query(format!(
            "SELECT event_id FROM notifications WHERE ticket_id = '{id}'"
        ))
        .load::<MailOf>(&mut *self.conn.borrow_mut())
        .expect("outbox")
        .into_iter()
        .filter_map(|m| m.event_id)
        .collect();
        let skipped: HashSet<&str> = events
            .iter()
            .filter(|e| e["type"] == "notification_skipped")
            .filter_map(|e| e["data"]["event_id"].as_str())
            .collect();
        let owing: Vec<&Value> = events
            .iter()
            .filter(|e| {
                matches!(
                    e["type"].as_str(),
                    Some(
                        "created"
                            | "escalated"
                            | "returned"
                            | "resolved"
                            | "sla_warning"
                            | "sla_breached"
                    )
                )
            })
            .collect();
        assert_eq!(owing.len(), model.mail_events, "{what}: events owing mail");
        for event in owing {
            let event_id = event["id"].as_str().expect("id");
            assert!(
                mailed.contains(event_id) || skipped.contains(event_id),
                "{what}: no mail for {event}"
            );
        }
    }
}
