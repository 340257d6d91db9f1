//! An independent model of one ticket's life and its SLA clocks, written from the rules of the
//! contract (the action table; the three clocks, their pauses, warnings, breaches and the
//! automatic escalation), not from the service's code. The property test holds the real service
//! against it after every step.

mod calendar;
mod clock;
mod view;

use chrono::{DateTime, Utc};

use crate::support::ACTIONS;

pub use calendar::Calendar;
pub use clock::{CLOCKS, Clock, Targets};

/// Who acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// A Tier 1 technician of the ticket's PD.
    Tier1,
    /// A Tier 2 technician of the Dinas.
    Tier2,
}

/// What the service must answer to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Done,
    Forbidden,
    InvalidTransition,
}

/// An event the SLA or the moves leave in the trail: `(type, detail, at)`, where detail is
/// the clock of an alert and `automatic`/`manual` for an escalation.
pub type Recorded = (String, String, String);

/// One ticket as the rules say it must be.
#[derive(Debug, Clone)]
pub struct Ticket {
    pub status: &'static str,
    pub tier: u8,
    escalated_before: bool,
    pub impact: &'static str,
    pub urgency: &'static str,
    targets: Vec<(&'static str, Targets)>,
    pub clocks: [Clock; 3],
    /// Who works it now.
    pub assignee: Option<Actor>,
    /// Who worked it at tier 1 last, given it back on a return.
    tier1_assignee: Option<Actor>,
    /// Alerts and escalations, as recorded.
    pub recorded: Vec<Recorded>,
    /// Events that owe mail (`created`, `escalated`, `returned`, `resolved`, alerts).
    pub mail_events: usize,
}

/// The ITIL matrix of the contract.
pub fn priority(impact: &str, urgency: &str) -> &'static str {
    match (impact, urgency) {
        ("high", "high") => "critical",
        ("high", "medium") | ("medium", "high") => "high",
        ("high", "low") | ("low", "high") | ("medium", "medium") => "medium",
        _ => "low",
    }
}

fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn is_open(status: &str) -> bool {
    matches!(status, "new" | "in_progress" | "pending")
}

impl Ticket {
    /// A new ticket: all three clocks start.
    pub fn created(
        impact: &'static str,
        urgency: &'static str,
        targets: Vec<(&'static str, Targets)>,
        at: DateTime<Utc>,
    ) -> Self {
        let mut ticket = Self {
            status: "new",
            tier: 1,
            escalated_before: false,
            impact,
            urgency,
            targets,
            clocks: [
                Clock::start(None, at),
                Clock::start(None, at),
                Clock::start(None, at),
            ],
            assignee: None,
            tier1_assignee: None,
            recorded: Vec::new(),
            mail_events: 1,
        };
        let targets = ticket.current_targets();
        ticket.clocks[0].target = Some(targets.response);
        ticket.clocks[1].target = targets.tier1;
        ticket.clocks[2].target = Some(targets.resolution);
        ticket
    }

    pub fn priority(&self) -> &'static str {
        priority(self.impact, self.urgency)
    }

    fn current_targets(&self) -> Targets {
        let priority = self.priority();
        self.targets
            .iter()
            .find(|(p, _)| *p == priority)
            .map(|(_, t)| *t)
            .expect("a target for every priority")
    }

    fn thresholds(&self, clock: &Clock) -> Option<(i64, i64)> {
        let target = clock.target?;
        Some((
            target * self.current_targets().warn_at_percent / 100,
            target,
        ))
    }

    /// Records what has come due by `now`: each clock's warning and breach once, and the
    /// automatic escalation when Tier 1's window has run out at tier 1. A final ticket owes
    /// nothing.
    pub fn settle(&mut self, now: DateTime<Utc>, calendar: &Calendar) {
        if !is_open(self.status) {
            return;
        }
        let mut tier1_ran_out = false;
        for (index, name) in CLOCKS.iter().enumerate() {
            let clock = &self.clocks[index];
            let Some((warn_at, target)) = self.thresholds(clock) else {
                continue;
            };
            if clock.met_at.is_some() {
                continue;
            }
            let elapsed = clock.elapsed(now, calendar);
            let (warn, breach) = (
                !clock.warned && elapsed >= warn_at,
                !clock.breached && elapsed >= target,
            );
            let clock = &mut self.clocks[index];
            if warn {
                clock.warned = true;
                self.recorded
                    .push(("sla_warning".into(), (*name).into(), stamp(now)));
            }
            if breach {
                clock.breached = true;
                self.recorded
                    .push(("sla_breached".into(), (*name).into(), stamp(now)));
                tier1_ran_out |= *name == "tier1";
            }
            self.mail_events += usize::from(warn) + usize::from(breach);
        }
        if tier1_ran_out && self.tier == 1 && is_open(self.status) {
            self.tier = 2;
            self.assignee = None;
            self.escalated_before = true;
            self.clocks[1].meet(now, calendar);
            self.recorded
                .push(("escalated".into(), "automatic".into(), stamp(now)));
            self.mail_events += 1;
        }
    }

    /// The next instant something comes due while the clocks run on as they are.
    pub fn next_due(&self, calendar: &Calendar) -> Option<DateTime<Utc>> {
        if !is_open(self.status) {
            return None;
        }
        self.clocks
            .iter()
            .filter(|clock| clock.met_at.is_none())
            .filter_map(|clock| {
                let (warn_at, target) = self.thresholds(clock)?;
                [(clock.warned, warn_at), (clock.breached, target)]
                    .into_iter()
                    .filter(|(done, _)| !done)
                    .filter_map(|(_, threshold)| clock.instant_of(threshold, calendar))
                    .min()
            })
            .min()
    }

    fn works(&self, actor: Actor) -> bool {
        matches!((actor, self.tier), (Actor::Tier1, 1) | (Actor::Tier2, 2))
    }

    /// Where `action` by `actor` takes the ticket, or why not.
    fn decide(&self, action: &str, actor: Actor) -> Result<(&'static str, u8), Answer> {
        let may = match action {
            "return" => actor == Actor::Tier2,
            "escalate" => true,
            _ => self.works(actor),
        };
        if !may {
            return Err(Answer::Forbidden);
        }
        let (status, tier, open) = (self.status, self.tier, is_open(self.status));
        match action {
            "acknowledge" if status == "new" => Ok(("in_progress", tier)),
            "assign" if open => Ok((status, tier)),
            "pend" if matches!(status, "new" | "in_progress") => Ok(("pending", tier)),
            "resume" if status == "pending" => Ok(("in_progress", tier)),
            "escalate" if status == "pending" && tier == 1 => Ok(("in_progress", 2)),
            "escalate" if open && tier == 1 => Ok((status, 2)),
            "return" if open && tier == 2 => Ok(("in_progress", 1)),
            "resolve" if open => Ok(("resolved", tier)),
            "reopen" if status == "resolved" => Ok(("in_progress", tier)),
            "close" if status == "resolved" => Ok(("closed", tier)),
            "cancel" if open => Ok(("cancelled", tier)),
            _ => Err(Answer::InvalidTransition),
        }
    }

    /// The moves `actor` may make now, in the contract's order of the action table.
    pub fn possible_moves(&self, actor: Actor) -> Vec<&'static str> {
        ACTIONS
            .iter()
            .copied()
            .filter(|action| self.decide(action, actor).is_ok())
            .collect()
    }

    /// One move of the action table at `now`. What came due before it is recorded first; a
    /// refused move changes nothing, that included.
    pub fn act(
        &mut self,
        action: &str,
        actor: Actor,
        now: DateTime<Utc>,
        calendar: &Calendar,
    ) -> Answer {
        let mut next = self.clone();
        next.settle(now, calendar);
        let (status, tier) = match next.decide(action, actor) {
            Ok(to) => to,
            Err(refused) => return refused,
        };
        let from = next.status;
        let [response, tier1, resolution] = &mut next.clocks;
        if from == "new" && status != "new" {
            response.meet(now, calendar);
        }
        if next.tier == 1 && tier == 2 {
            tier1.meet(now, calendar);
            next.escalated_before = true;
        }
        match (from, status) {
            (_, "closed" | "cancelled") => {
                for clock in [response, tier1, resolution] {
                    clock.meet(now, calendar);
                }
            }
            (_, "resolved") => {
                tier1.meet(now, calendar);
                resolution.meet(now, calendar);
            }
            ("resolved", _) => {
                resolution.restart(now);
                // A window never escalated goes on where it stopped; one spent at tier 2 is over.
                if tier == 1 && !next.escalated_before {
                    tier1.restart(now);
                }
            }
            ("pending", "pending") => {}
            (_, "pending") => {
                tier1.pause(now, calendar);
                resolution.pause(now, calendar);
            }
            ("pending", _) => {
                tier1.run(now);
                resolution.run(now);
            }
            _ => {}
        }
        // An `assign` gives the ticket to its actor (as the harness asks); an acknowledge gives
        // it to its actor when nobody works it.
        let takes = action == "assign" || (action == "acknowledge" && next.assignee.is_none());
        if takes {
            next.assignee = Some(actor);
            if next.tier == 1 {
                next.tier1_assignee = Some(actor);
            }
        }
        match action {
            "escalate" => next.assignee = None,
            "return" => next.assignee = next.tier1_assignee,
            _ => {}
        }
        if action == "escalate" {
            next.recorded
                .push(("escalated".into(), "manual".into(), stamp(now)));
        }
        next.mail_events += usize::from(matches!(action, "escalate" | "return" | "resolve"));
        next.status = status;
        next.tier = tier;
        *self = next;
        Answer::Done
    }

    /// A comment; a public one on a ticket nobody has answered yet is its first response.
    pub fn comment(&mut self, internal: bool, now: DateTime<Utc>, calendar: &Calendar) {
        self.settle(now, calendar);
        if !internal && self.status == "new" {
            self.clocks[0].meet(now, calendar);
        }
    }

    /// An impact and urgency edit by whoever works the ticket's tier, on an open ticket: the
    /// clocks not yet met get the new priority's targets and keep the time counted.
    pub fn edit(
        &mut self,
        actor: Actor,
        impact: &'static str,
        urgency: &'static str,
        now: DateTime<Utc>,
        calendar: &Calendar,
    ) -> Answer {
        let mut next = self.clone();
        next.settle(now, calendar);
        if !next.works(actor) {
            return Answer::Forbidden;
        }
        if !is_open(next.status) {
            return Answer::InvalidTransition;
        }
        next.impact = impact;
        next.urgency = urgency;
        let targets = next.current_targets();
        for (clock, target) in next.clocks.iter_mut().zip([
            Some(targets.response),
            targets.tier1,
            Some(targets.resolution),
        ]) {
            if clock.met_at.is_none() {
                clock.target = target;
            }
        }
        // What the new targets make due is due now, paused clocks included.
        next.settle(now, calendar);
        *self = next;
        Answer::Done
    }

    /// The calendar changes at `now`: time counted so far stays as counted under `old`, and
    /// the clocks count on under the new calendar from `now`; a clock that has run out counts
    /// on from the instant it ran out, which stays its due instant.
    pub fn change_calendar(&mut self, now: DateTime<Utc>, old: &Calendar) {
        for clock in &mut self.clocks {
            let Some(since) = clock.since else {
                continue;
            };
            let ran_out = clock
                .target
                .filter(|target| *target > clock.counted)
                .and_then(|target| clock.instant_of(target, old))
                .filter(|due| *due < now);
            let from = match (ran_out, clock.target) {
                (Some(due), _) => due,
                (None, Some(target)) if target <= clock.counted => since,
                _ => now,
            };
            clock.pause(from, old);
            clock.since = Some(from);
        }
    }
}
