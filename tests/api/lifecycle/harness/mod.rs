//! The service the sequences are played on, and the play: each step applied to the service and
//! to the model, and the two compared.

mod check;
mod setup;

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::json;
use servicedesk::auth::Caller;
use servicedesk::clock::{Clock, ManualClock};
use servicedesk::db::{DatabaseUrl, DbConn};
use servicedesk::domain::ticket::Action;
use servicedesk::service::tickets::requests::{
    AcknowledgeRequest, ActionRequest, AssignRequest, CancelRequest, CloseRequest, EscalateRequest,
    PendRequest, ReopenRequest, ResolveRequest, ResumeRequest, ReturnRequest,
};
use servicedesk::service::{Desk, ServiceError};

use super::model::{self, Actor, Answer, Calendar};
use super::steps::{Sequence, Step};
use crate::support::{Backend, Storage};
use setup::{
    base, input, office_calendar, office_calendar_input, ok, policies, round_the_clock_calendar,
    staff, targets,
};

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

impl Harness {
    /// The service on `backend` with the engine not running on its own: the test runs it.
    pub fn new(backend: Backend) -> Self {
        let storage = Storage::new(backend);
        let clock = Arc::new(ManualClock::new(base()));
        let config = storage.config_on_test_clock();
        let desk = servicedesk::app::prepare(&config, clock.clone()).expect("desk");
        let (tier1, tier2, supervisor, pd) = staff(&desk);
        let (office_calendar_id, service_id) = policies(&desk, &supervisor, &pd);
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
            office_calendar_id,
            service_id,
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
                &self.office_calendar_id.as_str().into(),
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
                assignee_id: self.caller(actor).user_id.to_string(),
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
        let (id, mut model) = self.open(sequence, start);
        self.check(&id, &model, &calendar, "created");
        for (index, step) in sequence.steps.iter().enumerate() {
            let what = format!("step {index}: {step:?}");
            let round_the_clock = sequence.round_the_clock;
            self.step(&id, step, round_the_clock, &mut model, &mut calendar, &what);
            self.check(&id, &model, &calendar, &what);
        }
        self.finish(&id, &mut model, &calendar);
        self.check_chain();
    }

    /// Every entry the sequences have written so far, events and audit entries, has its link
    /// in the trail's chain (the walk itself is [`Harness::check_whole_chain`]'s).
    fn check_chain(&self) {
        use servicedesk::db::snapshot::count;
        let conn = &mut *self.conn.borrow_mut();
        let entries = count(conn, "ticket_events").expect("events")
            + count(conn, "audit_log").expect("audit");
        let head = servicedesk::db::trail::head(conn).expect("head");
        assert_eq!(
            head.map(|(seq, _)| seq),
            Some(entries),
            "links of {entries} entries"
        );
    }

    /// The chain of every entry the sequences wrote verifies, link by link.
    pub fn check_whole_chain(&self) {
        let chain = ok(self.desk.verify_trail_unchecked(None), "verify the trail");
        assert!(chain.verified, "{chain:?}");
    }

    /// The sequence's ticket, on the 24×7 service where the sequence runs round the clock.
    fn open(&self, sequence: &Sequence, start: DateTime<Utc>) -> (String, model::Ticket) {
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
        let model = model::Ticket::created(
            sequence.impact,
            sequence.urgency,
            targets(sequence.round_the_clock),
            start,
        );
        (id.to_string(), model)
    }

    /// One step, applied to the service and to the model.
    fn step(
        &self,
        id: &str,
        step: &Step,
        round_the_clock: bool,
        model: &mut model::Ticket,
        calendar: &mut Calendar,
        what: &str,
    ) {
        let now = self.clock.now();
        match step {
            Step::Act(action, actor) => {
                let parsed: Action = action.parse().expect("an action");
                // A refused move is judged on the ticket as the service sees it, after what
                // came due was recorded.
                let mut settled = model.clone();
                settled.settle(now, calendar);
                let got = Self::answer(
                    self.desk.act_on_ticket(
                        self.caller(*actor),
                        id,
                        self.request(parsed, *actor),
                        None,
                    ),
                    &settled,
                    *actor,
                );
                let expected = model.act(action, *actor, now, calendar);
                assert_eq!(got, expected, "{what}");
            }
            Step::Comment(actor, internal) => {
                let comment = input(json!({"body": "Catatan uji", "internal": internal}));
                ok(
                    self.desk
                        .comment_on_ticket(self.caller(*actor), id, comment),
                    what,
                );
                model.comment(*internal, now, calendar);
            }
            Step::Edit(actor, impact, urgency) => {
                let changes = input(json!({"impact": impact, "urgency": urgency}));
                let mut settled = model.clone();
                settled.settle(now, calendar);
                let got = Self::answer(
                    self.desk
                        .update_ticket(self.caller(*actor), id, changes, None),
                    &settled,
                    *actor,
                );
                let expected = model.edit(*actor, impact, urgency, now, calendar);
                assert_eq!(got, expected, "{what}");
            }
            Step::Holiday { days } => {
                let mut office = office_calendar();
                let day = now.with_timezone(&office.timezone).date_naive() + Duration::days(*days);
                office.holidays.insert(day);
                self.set_office_holidays(&office.holidays);
                if !round_the_clock {
                    model.change_calendar(now, calendar);
                    *calendar = office;
                }
            }
            Step::Wait { seconds, engine } => self.wait(model, calendar, now, *seconds, *engine),
        }
    }

    /// Waits `seconds`; with the engine, it runs at each instant the model says is due.
    fn wait(
        &self,
        model: &mut model::Ticket,
        calendar: &Calendar,
        now: DateTime<Utc>,
        seconds: i64,
        engine: bool,
    ) {
        let until = now + Duration::seconds(seconds);
        if engine {
            while let Some(due) = model.next_due(calendar).filter(|d| *d <= until) {
                let at = due.max(self.clock.now());
                self.set_clock(at);
                self.run_engine();
                model.settle(at, calendar);
            }
        }
        self.set_clock(until);
        if engine {
            self.run_engine();
            model.settle(until, calendar);
        }
    }

    /// Cancels the ticket and checks that it owes nothing a month on.
    fn finish(&self, id: &str, model: &mut model::Ticket, calendar: &Calendar) {
        // Leave nothing running for the sequences after this one, and check that a final
        // ticket owes nothing however long it waits.
        let now = self.clock.now();
        self.run_engine();
        model.settle(now, calendar);
        let closer = if model.tier == 1 {
            Actor::Tier1
        } else {
            Actor::Tier2
        };
        let got = Self::answer(
            self.desk.act_on_ticket(
                self.caller(closer),
                id,
                self.request(Action::Cancel, closer),
                None,
            ),
            model,
            closer,
        );
        assert_eq!(
            got,
            model.act("cancel", closer, now, calendar),
            "the last cancel"
        );
        self.set_clock(now + Duration::days(30));
        self.run_engine();
        model.settle(self.clock.now(), calendar);
        self.check(id, model, calendar, "a month after the end");
        self.set_office_holidays(&office_calendar().holidays);
    }
}
