//! One SLA clock of a ticket (response, tier 1 window or resolution): business time that runs,
//! pauses and stops, against a target (docs/sla.md "The three clocks").

use chrono::{DateTime, Utc};

use super::calendar::BusinessCalendar;

/// A clock's state, as stored with the ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlaClock {
    /// The target in business seconds; `None` for a clock that only counts (a tier 1 window
    /// of a priority that never escalates by itself).
    pub target_seconds: Option<i64>,
    /// Business seconds counted before `running_since` (or in total, when not running).
    pub elapsed_seconds: i64,
    /// When the clock last started running; `None` while paused or stopped.
    pub running_since: Option<DateTime<Utc>>,
    /// When it was met (stopped within or after its target).
    pub met_at: Option<DateTime<Utc>>,
}

impl SlaClock {
    /// A clock started at `at`.
    pub fn started(target_seconds: Option<i64>, at: DateTime<Utc>) -> Self {
        Self {
            target_seconds,
            elapsed_seconds: 0,
            running_since: Some(at),
            met_at: None,
        }
    }

    /// Business seconds counted up to `now`.
    pub fn elapsed(&self, now: DateTime<Utc>, calendar: &BusinessCalendar) -> i64 {
        self.elapsed_seconds.saturating_add(
            self.running_since
                .map_or(0, |since| calendar.business_seconds(since, now)),
        )
    }

    /// Business seconds left at `now` (negative once breached).
    pub fn remaining(&self, now: DateTime<Utc>, calendar: &BusinessCalendar) -> Option<i64> {
        self.target_seconds
            .map(|target| target.saturating_sub(self.elapsed(now, calendar)))
    }

    /// Whether the clock counts now.
    pub fn is_running(&self) -> bool {
        self.running_since.is_some()
    }

    /// Stops counting at `at`, keeping what was counted (pending, or between resolve and
    /// reopen).
    pub fn pause(&mut self, at: DateTime<Utc>, calendar: &BusinessCalendar) {
        if let Some(since) = self.running_since.take() {
            self.elapsed_seconds = self
                .elapsed_seconds
                .saturating_add(calendar.business_seconds(since, at));
        }
    }

    /// Counts again from `at`, continuing from where it stopped.
    pub fn resume(&mut self, at: DateTime<Utc>) {
        if self.running_since.is_none() {
            self.running_since = Some(at);
            self.met_at = None;
        }
    }

    /// Stops for good at `at` (first response, escalation, resolution). A clock already met
    /// keeps the instant it was met at: a second escalation after a return is not when tier 1's
    /// window ended.
    pub fn meet(&mut self, at: DateTime<Utc>, calendar: &BusinessCalendar) {
        if self.met_at.is_none() {
            self.pause(at, calendar);
            self.met_at = Some(at);
        }
    }

    /// Keeps the time counted, changes the target (a priority change).
    pub fn retarget(&mut self, target_seconds: Option<i64>) {
        self.target_seconds = target_seconds;
    }

    /// The instant the target runs out if nothing pauses the clock; `None` while paused or
    /// stopped.
    pub fn due_at(&self, calendar: &BusinessCalendar) -> Option<DateTime<Utc>> {
        self.instant_of(self.target_seconds?, calendar)
    }

    /// The instant `percent` of the target is used up, if the clock runs.
    pub fn warning_at(&self, percent: i32, calendar: &BusinessCalendar) -> Option<DateTime<Utc>> {
        let target = self.target_seconds?;
        self.instant_of(target.saturating_mul(i64::from(percent)) / 100, calendar)
    }

    fn instant_of(&self, seconds: i64, calendar: &BusinessCalendar) -> Option<DateTime<Utc>> {
        let since = self.running_since?;
        calendar.add(since, seconds.saturating_sub(self.elapsed_seconds).max(0))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use chrono::{Duration, TimeZone};

    use super::*;
    use crate::domain::calendar::WorkingHours;

    fn always_open() -> BusinessCalendar {
        BusinessCalendar {
            timezone: chrono_tz::Asia::Jakarta,
            always_open: true,
            hours: WorkingHours::default(),
            holidays: BTreeSet::new(),
        }
    }

    fn office() -> BusinessCalendar {
        BusinessCalendar {
            always_open: false,
            hours: WorkingHours::government_office(),
            ..always_open()
        }
    }

    fn t0() -> DateTime<Utc> {
        // Monday 23 November 2026, 08:00 WIB.
        Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0)
            .single()
            .expect("instant")
    }

    #[test]
    fn a_running_clock_is_due_after_its_target() {
        let clock = SlaClock::started(Some(3600), t0());
        assert_eq!(
            clock.due_at(&always_open()),
            Some(t0() + Duration::hours(1))
        );
        assert_eq!(
            clock.warning_at(75, &always_open()),
            Some(t0() + Duration::minutes(45))
        );
        assert_eq!(
            clock.remaining(t0() + Duration::minutes(70), &always_open()),
            Some(-600)
        );
    }

    #[test]
    fn pending_pauses_the_clock_and_resume_continues_it() {
        let calendar = always_open();
        let mut clock = SlaClock::started(Some(3600), t0());
        clock.pause(t0() + Duration::minutes(20), &calendar);
        assert_eq!(clock.due_at(&calendar), None, "no due instant while paused");
        assert_eq!(clock.elapsed(t0() + Duration::hours(5), &calendar), 20 * 60);
        let resumed = t0() + Duration::hours(5);
        clock.resume(resumed);
        assert_eq!(
            clock.due_at(&calendar),
            Some(resumed + Duration::minutes(40))
        );
    }

    #[test]
    fn reopen_continues_where_resolution_stopped() {
        let calendar = always_open();
        let mut clock = SlaClock::started(Some(4 * 3600), t0());
        clock.meet(t0() + Duration::hours(1), &calendar);
        assert_eq!(clock.met_at, Some(t0() + Duration::hours(1)));
        let reopened = t0() + Duration::days(2);
        clock.resume(reopened);
        assert_eq!(clock.met_at, None);
        assert_eq!(clock.due_at(&calendar), Some(reopened + Duration::hours(3)));
    }

    #[test]
    fn a_priority_change_keeps_the_elapsed_time() {
        let calendar = office();
        let mut clock = SlaClock::started(Some(8 * 3600), t0());
        let later = t0() + Duration::hours(2);
        clock.pause(later, &calendar);
        clock.resume(later);
        clock.retarget(Some(4 * 3600));
        // 2 h counted, 2 h left from 10:00 WIB: due at 12:00 WIB.
        assert_eq!(clock.due_at(&calendar), Some(t0() + Duration::hours(4)));
    }

    #[test]
    fn business_time_stops_outside_office_hours() {
        let calendar = office();
        // 15:00 WIB Monday, a 2-hour target: 1 h today, 1 h from 07:30 Tuesday.
        let started = t0() + Duration::hours(7);
        let clock = SlaClock::started(Some(7200), started);
        let due = clock.due_at(&calendar).expect("due");
        assert_eq!(
            due,
            Utc.with_ymd_and_hms(2026, 11, 24, 1, 30, 0)
                .single()
                .expect("instant")
        );
    }
}
