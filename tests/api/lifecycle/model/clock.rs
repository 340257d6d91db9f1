//! An SLA clock of the model: the business time it counted, its pauses and what it reported.

use chrono::{DateTime, Utc};

use super::Calendar;

/// Targets of one priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Targets {
    pub response: i64,
    pub tier1: Option<i64>,
    pub resolution: i64,
    pub warn_at_percent: i64,
}

/// The three clocks, in the order the contract names them.
pub const CLOCKS: [&str; 3] = ["response", "tier1", "resolution"];

/// One clock: business time counted, whether it counts now, when it stopped for good, and
/// what it has reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clock {
    pub target: Option<i64>,
    /// Counted before `since`.
    pub counted: i64,
    /// Counting since; `None` while paused or stopped.
    pub since: Option<DateTime<Utc>>,
    pub met_at: Option<DateTime<Utc>>,
    pub warned: bool,
    pub breached: bool,
}

impl Clock {
    pub(super) fn start(target: Option<i64>, at: DateTime<Utc>) -> Self {
        Self {
            target,
            counted: 0,
            since: Some(at),
            met_at: None,
            warned: false,
            breached: false,
        }
    }

    pub(super) fn elapsed(&self, now: DateTime<Utc>, calendar: &Calendar) -> i64 {
        self.counted + self.since.map_or(0, |since| calendar.business(since, now))
    }

    pub(super) fn pause(&mut self, now: DateTime<Utc>, calendar: &Calendar) {
        if let Some(since) = self.since.take() {
            self.counted += calendar.business(since, now);
        }
    }

    pub(super) fn meet(&mut self, now: DateTime<Utc>, calendar: &Calendar) {
        if self.met_at.is_none() {
            self.pause(now, calendar);
            self.met_at = Some(now);
        }
    }

    /// Counts again after a pause; a clock met for good stays met.
    pub(super) fn run(&mut self, now: DateTime<Utc>) {
        if self.met_at.is_none() && self.since.is_none() {
            self.since = Some(now);
        }
    }

    /// Counts again after a stop (reopen), continuing from where it stopped.
    pub(super) fn restart(&mut self, now: DateTime<Utc>) {
        if self.since.is_none() {
            self.met_at = None;
            self.since = Some(now);
        }
    }

    /// The instant `threshold` business seconds are reached while the clock counts on.
    pub(super) fn instant_of(&self, threshold: i64, calendar: &Calendar) -> Option<DateTime<Utc>> {
        let since = self.since?;
        Some(if threshold <= self.counted {
            since
        } else {
            calendar.add(since, threshold - self.counted)
        })
    }
}
