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
mod tests;
