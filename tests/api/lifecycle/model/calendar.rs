//! Business time: a calendar's open windows, holidays and timezone, or round the clock.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// Business time: open windows per weekday in a timezone, minus holidays; or round the clock.
#[derive(Debug, Clone)]
pub struct Calendar {
    pub timezone: Tz,
    pub always_open: bool,
    /// Windows per weekday, Monday first.
    pub windows: [Vec<(NaiveTime, NaiveTime)>; 7],
    pub holidays: BTreeSet<NaiveDate>,
}

impl Calendar {
    /// The open intervals of one local day, in UTC.
    fn open_on(&self, day: NaiveDate) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        if self.holidays.contains(&day) {
            return Vec::new();
        }
        let weekday = chrono::Datelike::weekday(&day).num_days_from_monday() as usize;
        let instant = |time: NaiveTime| {
            self.timezone
                .from_local_datetime(&day.and_time(time))
                .single()
                .expect("an unambiguous local time")
                .with_timezone(&Utc)
        };
        self.windows[weekday]
            .iter()
            .map(|(open, close)| (instant(*open), instant(*close)))
            .collect()
    }

    fn local_day(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.timezone).date_naive()
    }

    /// Seconds of business time in `[from, to)`.
    pub fn business(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        if to <= from {
            return 0;
        }
        if self.always_open {
            return (to - from).num_seconds();
        }
        let mut total = 0;
        let mut day = self.local_day(from);
        while day <= self.local_day(to) {
            for (open, close) in self.open_on(day) {
                let (start, end) = (open.max(from), close.min(to));
                if end > start {
                    total += (end - start).num_seconds();
                }
            }
            day = day.succ_opt().expect("a next day");
        }
        total
    }

    /// The earliest instant at which `seconds` (> 0) of business time have passed since `from`.
    pub fn add(&self, from: DateTime<Utc>, seconds: i64) -> DateTime<Utc> {
        assert!(seconds > 0);
        if self.always_open {
            return from + Duration::seconds(seconds);
        }
        let mut left = seconds;
        let mut day = self.local_day(from);
        for _ in 0..4000 {
            for (open, close) in self.open_on(day) {
                if close <= from {
                    continue;
                }
                let start = open.max(from);
                let available = (close - start).num_seconds();
                if left <= available {
                    return start + Duration::seconds(left);
                }
                left -= available;
            }
            day = day.succ_opt().expect("a next day");
        }
        panic!("no business time within ten years of {from}");
    }
}
