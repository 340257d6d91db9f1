//! A ticket's three SLA clocks and the rules that start, pause and stop them (docs/sla.md "The
//! three clocks"), with the warnings and breaches they owe.

use chrono::{DateTime, Utc};

use super::calendar::BusinessCalendar;
use super::sla::{Priority, SlaTarget};
use super::sla_clock::SlaClock;
use super::text_enum::text_enum;
use super::ticket::{Status, Tier};

text_enum! {
    /// The three clocks of a ticket.
    pub enum ClockKind {
        /// Time to first response.
        Response = "response",
        /// Tier 1's window before automatic escalation.
        Tier1 = "tier1",
        /// Time to resolution.
        Resolution = "resolution",
    }
}

text_enum! {
    /// What a clock owes when its elapsed time reaches a threshold.
    pub enum Alert {
        /// `warn_at_percent` of the target used up.
        Warning = "sla_warning",
        /// The whole target used up.
        Breach = "sla_breached",
    }
}

/// A clock with what it has already reported. Each report happens once, and is never undone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrackedClock {
    /// The business time kept.
    pub clock: SlaClock,
    /// When the warning was recorded.
    pub warned_at: Option<DateTime<Utc>>,
    /// When the breach was recorded.
    pub breached_at: Option<DateTime<Utc>>,
}

impl TrackedClock {
    fn started(target_seconds: Option<i64>, at: DateTime<Utc>) -> Self {
        Self {
            clock: SlaClock::started(target_seconds, at),
            warned_at: None,
            breached_at: None,
        }
    }

    /// Breached: recorded as such, or past its target already (the engine records it within
    /// a second).
    pub fn breached(&self, now: DateTime<Utc>, calendar: &BusinessCalendar) -> bool {
        self.breached_at.is_some() || self.clock.remaining(now, calendar).is_some_and(|r| r < 0)
    }

    /// An alert a paused clock owes at once: its priority was raised while it stood still, and
    /// the new target is already used up.
    fn overdue_while_paused(
        &self,
        percent: i32,
        now: DateTime<Utc>,
    ) -> Option<(Alert, DateTime<Utc>)> {
        if self.clock.is_running() || self.clock.met_at.is_some() {
            return None;
        }
        let target = self.clock.target_seconds?;
        let (alert, threshold) = match (self.warned_at, self.breached_at) {
            (None, _) => (Alert::Warning, target * i64::from(percent) / 100),
            (Some(_), None) => (Alert::Breach, target),
            (Some(_), Some(_)) => return None,
        };
        (self.clock.elapsed_seconds >= threshold).then_some((alert, now))
    }

    /// The next alert this clock owes, and when, if it runs.
    fn next_alert(
        &self,
        percent: i32,
        calendar: &BusinessCalendar,
    ) -> Option<(Alert, DateTime<Utc>)> {
        if !self.clock.is_running() {
            return None;
        }
        if self.warned_at.is_none() {
            return Some((Alert::Warning, self.clock.warning_at(percent, calendar)?));
        }
        if self.breached_at.is_none() {
            return Some((Alert::Breach, self.clock.due_at(calendar)?));
        }
        None
    }
}

/// An alert that has come due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueAlert {
    /// Warning or breach.
    pub alert: Alert,
    /// Of which clock.
    pub clock: ClockKind,
    /// The instant the threshold was reached.
    pub at: DateTime<Utc>,
    /// The clock's deadline: for a breach the instant it was reached; for a warning the
    /// instant the target will be reached, `None` while the clock is paused.
    pub deadline: Option<DateTime<Utc>>,
}

/// Where a ticket stands, for the clock rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// Its status.
    pub status: Status,
    /// Its tier.
    pub tier: Tier,
}

/// A ticket's SLA: the targets snapshot it was opened with, its priority, and three clocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketSla {
    /// The policy's targets for every priority, as they were when the ticket was opened.
    pub targets: Vec<SlaTarget>,
    /// The ticket's priority: which target applies.
    pub priority: Priority,
    /// Time to first response.
    pub response: TrackedClock,
    /// Tier 1's window.
    pub tier1: TrackedClock,
    /// Time to resolution.
    pub resolution: TrackedClock,
}

impl TicketSla {
    /// All three clocks start when the ticket is created; `None` when the snapshot has no
    /// target for `priority`.
    pub fn open(targets: Vec<SlaTarget>, priority: Priority, at: DateTime<Utc>) -> Option<Self> {
        let target = *targets.iter().find(|t| t.priority == priority)?;
        Some(Self {
            response: TrackedClock::started(Some(target.response_seconds), at),
            tier1: TrackedClock::started(target.tier1_seconds, at),
            resolution: TrackedClock::started(Some(target.resolution_seconds), at),
            targets,
            priority,
        })
    }

    fn target(&self) -> Option<&SlaTarget> {
        self.targets.iter().find(|t| t.priority == self.priority)
    }

    fn warn_at_percent(&self) -> i32 {
        self.target().map_or(100, |t| t.warn_at_percent)
    }

    /// The clocks by kind.
    pub fn clocks(&self) -> [(ClockKind, &TrackedClock); 3] {
        [
            (ClockKind::Response, &self.response),
            (ClockKind::Tier1, &self.tier1),
            (ClockKind::Resolution, &self.resolution),
        ]
    }

    fn clocks_mut(&mut self) -> [(ClockKind, &mut TrackedClock); 3] {
        [
            (ClockKind::Response, &mut self.response),
            (ClockKind::Tier1, &mut self.tier1),
            (ClockKind::Resolution, &mut self.resolution),
        ]
    }

    /// The first response (acknowledge, a public agent comment, a move out of `new`) stops the
    /// response clock.
    pub fn first_response(&mut self, at: DateTime<Utc>, calendar: &BusinessCalendar) {
        self.response.clock.meet(at, calendar);
    }

    /// Applies the clock rules of a move from `from` to `to` at `at`. `escalated_before`: the
    /// ticket has been at tier 2 before, so its tier 1 window is spent for good.
    pub fn follow(
        &mut self,
        from: Position,
        to: Position,
        escalated_before: bool,
        at: DateTime<Utc>,
        calendar: &BusinessCalendar,
    ) {
        if from.status == Status::New && to.status != Status::New {
            self.first_response(at, calendar);
        }
        if from.tier == Tier::One && to.tier == Tier::Two {
            self.tier1.clock.meet(at, calendar);
        }
        match (from.status, to.status) {
            // A final status stops every clock for good, so that a closed or cancelled ticket
            // can never owe an alert; a close comes after a resolve, whose clocks stopped there
            // and stay as they were.
            (_, Status::Closed | Status::Cancelled) => {
                for (_, tracked) in self.clocks_mut() {
                    tracked.clock.meet(at, calendar);
                }
            }
            (_, Status::Resolved) => {
                for tracked in [&mut self.tier1, &mut self.resolution] {
                    tracked.clock.meet(at, calendar);
                }
            }
            (Status::Resolved, _) => {
                self.resolution.clock.resume(at);
                if to.tier == Tier::One && !escalated_before {
                    self.tier1.clock.resume(at);
                }
            }
            (Status::Pending, Status::Pending) => {}
            (_, Status::Pending) => {
                self.tier1.clock.pause(at, calendar);
                self.resolution.clock.pause(at, calendar);
            }
            (Status::Pending, _) => {
                for tracked in [&mut self.tier1, &mut self.resolution] {
                    if tracked.clock.met_at.is_none() {
                        tracked.clock.resume(at);
                    }
                }
            }
            _ => {}
        }
    }

    /// A priority change: the clocks not yet stopped for good get the new priority's targets
    /// and keep the time they have counted. A paused clock already past its new target owes
    /// its alerts at once (see [`TicketSla::take_due`]).
    pub fn retarget(&mut self, priority: Priority) {
        let Some(target) = self
            .targets
            .iter()
            .find(|t| t.priority == priority)
            .copied()
        else {
            return;
        };
        self.priority = priority;
        for (kind, tracked) in self.clocks_mut() {
            if tracked.clock.met_at.is_none() {
                tracked.clock.retarget(match kind {
                    ClockKind::Response => Some(target.response_seconds),
                    ClockKind::Tier1 => target.tier1_seconds,
                    ClockKind::Resolution => Some(target.resolution_seconds),
                });
            }
        }
    }

    /// Records and returns the alerts due at `now`, oldest first. A tier-1 breach among them
    /// means the ticket escalates (see [`TicketSla::escalates`]).
    pub fn take_due(&mut self, now: DateTime<Utc>, calendar: &BusinessCalendar) -> Vec<DueAlert> {
        let percent = self.warn_at_percent();
        let mut due = Vec::new();
        for (kind, tracked) in self.clocks_mut() {
            while let Some((alert, at)) = tracked
                .next_alert(percent, calendar)
                .or_else(|| tracked.overdue_while_paused(percent, now))
            {
                if at > now {
                    break;
                }
                match alert {
                    Alert::Warning => tracked.warned_at = Some(now),
                    Alert::Breach => tracked.breached_at = Some(now),
                }
                let deadline = match alert {
                    Alert::Warning => tracked.clock.due_at(calendar),
                    Alert::Breach => Some(at),
                };
                due.push(DueAlert {
                    alert,
                    clock: kind,
                    at,
                    deadline,
                });
            }
        }
        due.sort_by_key(|d| d.at);
        due
    }

    /// Whether these alerts end Tier 1's window: a tier-1 breach with a window set.
    pub fn escalates(alerts: &[DueAlert]) -> bool {
        alerts
            .iter()
            .any(|a| a.clock == ClockKind::Tier1 && a.alert == Alert::Breach)
    }

    /// The next instant an alert comes due, if a clock runs towards one.
    pub fn next_alert_at(&self, calendar: &BusinessCalendar) -> Option<DateTime<Utc>> {
        let percent = self.warn_at_percent();
        self.clocks()
            .iter()
            .filter_map(|(_, tracked)| tracked.next_alert(percent, calendar))
            .map(|(_, at)| at)
            .min()
    }

    /// The earliest deadline of a running clock (past ones included: most overdue first).
    pub fn earliest_due(&self, calendar: &BusinessCalendar) -> Option<DateTime<Utc>> {
        self.clocks()
            .iter()
            .filter_map(|(_, tracked)| tracked.clock.due_at(calendar))
            .min()
    }

    /// Whether any breach has been recorded.
    pub fn any_breach_recorded(&self) -> bool {
        self.clocks().iter().any(|(_, t)| t.breached_at.is_some())
    }

    /// Keeps the time counted so far under `old` and goes on counting from `at` (before the
    /// calendar changes: time already elapsed stays as it was). A clock that ran out before
    /// `at` is kept at the instant it ran out, which stays its due instant.
    pub fn checkpoint(&mut self, at: DateTime<Utc>, old: &BusinessCalendar) {
        for (_, tracked) in self.clocks_mut() {
            if tracked.clock.is_running() {
                let until = tracked
                    .clock
                    .due_at(old)
                    .filter(|due| *due < at)
                    .unwrap_or(at);
                tracked.clock.pause(until, old);
                tracked.clock.resume(until);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use chrono::{Duration, TimeZone};

    use super::*;
    use crate::domain::calendar::WorkingHours;
    use crate::domain::sla::default_targets;

    fn always_open() -> BusinessCalendar {
        BusinessCalendar {
            timezone: chrono_tz::Asia::Makassar,
            always_open: true,
            hours: WorkingHours::default(),
            holidays: BTreeSet::new(),
        }
    }

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0)
            .single()
            .expect("instant")
    }

    fn minutes(m: i64) -> DateTime<Utc> {
        t0() + Duration::minutes(m)
    }

    fn at(status: Status, tier: Tier) -> Position {
        Position { status, tier }
    }

    /// Critical by default: response 15 min, tier 1 60 min, resolution 240 min, warn 75%.
    fn critical() -> TicketSla {
        TicketSla::open(default_targets(), Priority::Critical, t0()).expect("target")
    }

    #[test]
    fn alerts_come_due_in_order_once_each() {
        let calendar = always_open();
        let mut sla = critical();
        assert_eq!(
            sla.next_alert_at(&calendar),
            Some(t0() + Duration::seconds(675))
        );
        assert!(sla.take_due(minutes(11), &calendar).is_empty());
        let due = sla.take_due(minutes(16), &calendar);
        assert_eq!(
            due.iter().map(|d| (d.alert, d.clock)).collect::<Vec<_>>(),
            vec![
                (Alert::Warning, ClockKind::Response),
                (Alert::Breach, ClockKind::Response)
            ]
        );
        assert_eq!(due[1].at, minutes(15));
        assert_eq!(
            (due[0].at, due[0].deadline),
            (t0() + Duration::seconds(675), Some(minutes(15))),
            "a warning names the deadline it warns of"
        );
        assert!(sla.take_due(minutes(16), &calendar).is_empty(), "once only");
        assert_eq!(
            sla.next_alert_at(&calendar),
            Some(minutes(45)),
            "tier 1 warning"
        );
        let due = sla.take_due(minutes(60), &calendar);
        assert!(TicketSla::escalates(&due));
    }

    #[test]
    fn pending_pauses_tier1_and_resolution_but_not_response() {
        let calendar = always_open();
        let mut sla = critical();
        sla.follow(
            at(Status::New, Tier::One),
            at(Status::Pending, Tier::One),
            false,
            minutes(20),
            &calendar,
        );
        assert!(
            sla.response.clock.met_at.is_some(),
            "leaving new is a response"
        );
        assert!(!sla.tier1.clock.is_running() && !sla.resolution.clock.is_running());
        assert_eq!(
            sla.next_alert_at(&calendar),
            None,
            "nothing runs while pending"
        );
        sla.follow(
            at(Status::Pending, Tier::One),
            at(Status::InProgress, Tier::One),
            false,
            minutes(500),
            &calendar,
        );
        // Tier 1 had 40 minutes left, its warning comes at 75% of 60 minutes.
        assert_eq!(sla.tier1.clock.due_at(&calendar), Some(minutes(540)));
        assert_eq!(sla.next_alert_at(&calendar), Some(minutes(525)));
    }

    #[test]
    fn escalation_stops_tier1_for_good_but_resolution_runs_on() {
        let calendar = always_open();
        let mut sla = critical();
        let (tier1, tier2) = (
            at(Status::InProgress, Tier::One),
            at(Status::InProgress, Tier::Two),
        );
        sla.follow(tier1, tier2, false, minutes(10), &calendar);
        assert_eq!(sla.tier1.clock.met_at, Some(minutes(10)));
        assert!(sla.resolution.clock.is_running());
        sla.follow(tier2, tier1, true, minutes(20), &calendar);
        assert!(
            !sla.tier1.clock.is_running(),
            "a return does not restart the window"
        );
        sla.follow(
            tier1,
            at(Status::Resolved, Tier::One),
            true,
            minutes(30),
            &calendar,
        );
        sla.follow(
            at(Status::Resolved, Tier::One),
            tier1,
            true,
            minutes(90),
            &calendar,
        );
        assert!(
            !sla.tier1.clock.is_running(),
            "nor does a reopen after an escalation"
        );
        assert_eq!(
            sla.resolution.clock.due_at(&calendar),
            Some(minutes(90 + 240 - 30)),
            "resolution continues where it stopped"
        );
    }

    #[test]
    fn reopen_at_tier1_continues_the_window() {
        let calendar = always_open();
        let mut sla = critical();
        let working = at(Status::InProgress, Tier::One);
        let resolved = at(Status::Resolved, Tier::One);
        sla.first_response(minutes(1), &calendar);
        sla.follow(working, resolved, false, minutes(50), &calendar);
        assert_eq!(sla.next_alert_at(&calendar), None);
        sla.follow(resolved, working, false, minutes(100), &calendar);
        assert_eq!(sla.tier1.clock.due_at(&calendar), Some(minutes(110)));
    }

    #[test]
    fn close_keeps_the_clocks_stopped_where_resolve_stopped_them() {
        let calendar = always_open();
        let mut sla = critical();
        let working = at(Status::InProgress, Tier::One);
        let resolved = at(Status::Resolved, Tier::One);
        sla.follow(
            at(Status::New, Tier::One),
            working,
            false,
            minutes(5),
            &calendar,
        );
        sla.follow(working, resolved, false, minutes(30), &calendar);
        let before = sla.clone();
        sla.follow(
            resolved,
            at(Status::Closed, Tier::One),
            false,
            minutes(90),
            &calendar,
        );
        assert_eq!(sla, before, "closing changes no clock");
        assert_eq!(sla.resolution.clock.met_at, Some(minutes(30)));
        assert_eq!(sla.tier1.clock.met_at, Some(minutes(30)));
        assert_eq!(sla.next_alert_at(&calendar), None);
        assert!(sla.take_due(minutes(10_000), &calendar).is_empty());
    }

    #[test]
    fn a_raised_priority_during_a_pause_owes_its_alerts_at_once() {
        let calendar = always_open();
        let mut sla = TicketSla::open(default_targets(), Priority::Medium, t0()).expect("target");
        sla.follow(
            at(Status::New, Tier::One),
            at(Status::Pending, Tier::One),
            false,
            minutes(100),
            &calendar,
        );
        sla.retarget(Priority::Critical);
        let due = sla.take_due(minutes(101), &calendar);
        assert_eq!(
            due.iter().map(|d| (d.alert, d.clock)).collect::<Vec<_>>(),
            vec![
                (Alert::Warning, ClockKind::Tier1),
                (Alert::Breach, ClockKind::Tier1)
            ],
            "tier 1's new window of 60 minutes was used up before the pause"
        );
        assert!(due.iter().all(|d| d.at == minutes(101)));
        assert!(TicketSla::escalates(&due));
        assert!(
            sla.take_due(minutes(102), &calendar).is_empty(),
            "once only"
        );
    }

    #[test]
    fn cancel_stops_every_clock() {
        let calendar = always_open();
        let mut sla = critical();
        sla.follow(
            at(Status::New, Tier::One),
            at(Status::Cancelled, Tier::One),
            false,
            minutes(5),
            &calendar,
        );
        assert_eq!(sla.next_alert_at(&calendar), None);
        assert_eq!(sla.earliest_due(&calendar), None);
        assert!(sla.take_due(minutes(1000), &calendar).is_empty());
    }

    #[test]
    fn a_priority_change_retargets_running_clocks_only() {
        let calendar = always_open();
        let mut sla = critical();
        sla.first_response(minutes(5), &calendar);
        sla.retarget(Priority::Low);
        assert_eq!(
            sla.response.clock.target_seconds,
            Some(15 * 60),
            "met: kept"
        );
        assert_eq!(sla.tier1.clock.target_seconds, Some(16 * 3600));
        assert_eq!(
            sla.resolution.clock.due_at(&calendar),
            Some(t0() + Duration::hours(40))
        );
    }

    #[test]
    fn a_null_tier1_window_never_escalates() {
        let calendar = always_open();
        let mut targets = default_targets();
        targets[0].tier1_seconds = None;
        let mut sla = TicketSla::open(targets, Priority::Critical, t0()).expect("target");
        let due = sla.take_due(t0() + Duration::days(3), &calendar);
        assert!(!TicketSla::escalates(&due));
        assert_eq!(
            due.len(),
            4,
            "response and resolution warn and breach: {due:?}"
        );
    }

    #[test]
    fn a_checkpoint_keeps_elapsed_time_under_the_old_calendar() {
        let calendar = always_open();
        let mut sla = critical();
        sla.checkpoint(minutes(30), &calendar);
        assert_eq!(sla.resolution.clock.elapsed_seconds, 30 * 60);
        assert_eq!(sla.resolution.clock.running_since, Some(minutes(30)));
        assert_eq!(sla.resolution.clock.due_at(&calendar), Some(minutes(240)));
    }

    #[test]
    fn a_checkpoint_keeps_the_instant_an_overdue_clock_ran_out() {
        let calendar = always_open();
        let mut sla = critical();
        sla.checkpoint(minutes(20), &calendar);
        assert_eq!(sla.response.clock.due_at(&calendar), Some(minutes(15)));
        assert_eq!(sla.response.clock.elapsed(minutes(20), &calendar), 20 * 60);
        sla.checkpoint(minutes(30), &calendar);
        assert_eq!(sla.response.clock.due_at(&calendar), Some(minutes(15)));
    }
}
