//! Availability SLA of a service (docs/sla.md "Availability"): wall-clock downtime from outages,
//! overlapping outages counted once, planned maintenance excluded.

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;

/// One outage, `[started_at, ended_at)`; an open one has no end yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outage {
    /// When the service went down.
    pub started_at: DateTime<Utc>,
    /// When it came back; `None` while it is still down.
    pub ended_at: Option<DateTime<Utc>>,
    /// Announced maintenance: recorded, not counted against the target.
    pub planned: bool,
}

/// The figures of a period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Availability {
    /// Unplanned downtime in the period, seconds (overlaps counted once).
    pub downtime_seconds: i64,
    /// Planned downtime in the period that is not also unplanned downtime, seconds.
    pub planned_downtime_seconds: i64,
    /// `100 × (1 − downtime / period length)`.
    pub availability_percent: f64,
}

/// Availability over `[from, to)`, with open outages counting up to `now`.
pub fn availability(
    outages: &[Outage],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Availability {
    let period = (to - from).num_seconds().max(0);
    let clipped = |planned: bool| -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        outages
            .iter()
            .filter(|o| o.planned == planned)
            .filter_map(|o| {
                let start = o.started_at.max(from);
                let end = o.ended_at.unwrap_or(now).min(to);
                (end > start).then_some((start, end))
            })
            .collect()
    };
    let unplanned = union(clipped(false));
    let downtime: i64 = unplanned.iter().map(|(s, e)| (*e - *s).num_seconds()).sum();
    let planned = union(clipped(true));
    let planned_only: i64 = planned
        .iter()
        .map(|&(start, end)| {
            let overlap: i64 = unplanned
                .iter()
                .map(|&(s, e)| (e.min(end) - s.max(start)).num_seconds().max(0))
                .sum();
            (end - start).num_seconds() - overlap
        })
        .sum();
    let availability_percent = if period == 0 {
        100.0
    } else {
        100.0 * (1.0 - downtime as f64 / period as f64)
    };
    Availability {
        downtime_seconds: downtime,
        planned_downtime_seconds: planned_only,
        availability_percent,
    }
}

/// A calendar month of the region: `[start, end)` as instants, and its `YYYY-MM` name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Month {
    /// `YYYY-MM`.
    pub name: String,
    /// Local midnight of the first day.
    pub start: DateTime<Utc>,
    /// Local midnight of the first day of the next month.
    pub end: DateTime<Utc>,
}

impl Month {
    /// The month of `timezone` that contains `at`.
    pub fn containing(at: DateTime<Utc>, timezone: Tz) -> Self {
        let local = at.with_timezone(&timezone).date_naive();
        Self::starting(local.with_day(1).unwrap_or(local), timezone)
    }

    fn starting(first: NaiveDate, timezone: Tz) -> Self {
        let next = first
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(first);
        let midnight = |day: NaiveDate| {
            let local = day.and_time(chrono::NaiveTime::MIN);
            timezone
                .from_local_datetime(&local)
                .earliest()
                .map_or_else(|| local.and_utc(), |at| at.with_timezone(&Utc))
        };
        Self {
            name: first.format("%Y-%m").to_string(),
            start: midnight(first),
            end: midnight(next),
        }
    }

    /// The months that overlap `[from, to)`, in order.
    pub fn overlapping(from: DateTime<Utc>, to: DateTime<Utc>, timezone: Tz) -> Vec<Self> {
        let mut months = vec![Self::containing(from, timezone)];
        while let Some(last) = months.last()
            && last.end < to
            && last.end > last.start
        {
            let next = Self::containing(last.end, timezone);
            months.push(next);
        }
        months
    }

    /// The region's month named `YYYY-MM`, years 1970 to 9999 as instants are.
    pub fn named(name: &str, timezone: Tz) -> Option<Self> {
        let (year, month) = name.split_once('-')?;
        let digits =
            |part: &str, len: usize| part.len() == len && part.bytes().all(|b| b.is_ascii_digit());
        if !digits(year, 4) || !digits(month, 2) {
            return None;
        }
        let year: i32 = year.parse().ok()?;
        if year < 1970 {
            return None;
        }
        let first = NaiveDate::from_ymd_opt(year, month.parse().ok()?, 1)?;
        Some(Self::starting(first, timezone))
    }

    /// The names of the first and the last month that overlap `[from, to)`. Every month
    /// between them overlaps it too and names sort as months follow, so the pair stands for
    /// the whole of `overlapping` at a cost that does not grow with the period.
    pub fn first_and_last(
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        timezone: Tz,
    ) -> (String, String) {
        let last_instant = (to - TimeDelta::nanoseconds(1)).max(from);
        (
            Self::containing(from, timezone).name,
            Self::containing(last_instant, timezone).name,
        )
    }

    /// Its length in seconds.
    pub fn seconds(&self) -> i64 {
        (self.end - self.start).num_seconds()
    }
}

/// The unplanned downtime a target allows over `seconds` of wall-clock time: 99.5% of a
/// 30-day month allows 3 h 36 min.
pub fn downtime_budget(target_percent: f64, seconds: i64) -> i64 {
    // 100 − 99.9 is 0.0999…94 in binary: a hair of tolerance keeps whole budgets whole.
    ((100.0 - target_percent) * seconds as f64 / 100.0 + 1e-6).floor() as i64
}

/// Merges intervals into disjoint ones, in order.
fn union(
    mut intervals: Vec<(DateTime<Utc>, DateTime<Utc>)>,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    intervals.sort();
    let mut merged: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::with_capacity(intervals.len());
    for (start, end) in intervals {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0)
            .single()
            .expect("instant")
    }

    fn outage(from: DateTime<Utc>, to: Option<DateTime<Utc>>, planned: bool) -> Outage {
        Outage {
            started_at: from,
            ended_at: to,
            planned,
        }
    }

    const NOVEMBER: (u32, u32) = (1, 31);

    fn month() -> (DateTime<Utc>, DateTime<Utc>) {
        (
            at(NOVEMBER.0, 0),
            Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0)
                .single()
                .expect("instant"),
        )
    }

    #[test]
    fn overlapping_outages_count_once() {
        let (from, to) = month();
        let outages = [
            outage(at(10, 8), Some(at(10, 11)), false),
            outage(at(10, 10), Some(at(10, 12)), false),
            outage(at(20, 0), Some(at(20, 1)), false),
        ];
        let figures = availability(&outages, from, to, to);
        assert_eq!(figures.downtime_seconds, 5 * 3600);
        let expected = 100.0 * (1.0 - 5.0 / (30.0 * 24.0));
        assert!((figures.availability_percent - expected).abs() < 1e-9);
    }

    #[test]
    fn planned_maintenance_is_not_downtime() {
        let (from, to) = month();
        let outages = [
            outage(at(5, 22), Some(at(6, 2)), true),
            outage(at(6, 1), Some(at(6, 3)), false),
        ];
        let figures = availability(&outages, from, to, to);
        assert_eq!(figures.downtime_seconds, 2 * 3600);
        assert_eq!(
            figures.planned_downtime_seconds,
            3 * 3600,
            "the overlap counts as unplanned"
        );
    }

    #[test]
    fn outages_are_clipped_to_the_period_and_open_ones_run_to_now() {
        let (from, to) = month();
        let now = at(15, 12);
        let outages = [
            outage(at(1, 0) - Duration::hours(5), Some(at(1, 2)), false),
            outage(at(15, 10), None, false),
        ];
        let figures = availability(&outages, from, to, now);
        assert_eq!(figures.downtime_seconds, 4 * 3600);
    }

    #[test]
    fn months_follow_the_region_timezone() {
        let jayapura = chrono_tz::Asia::Jayapura;
        // 30 November 2026, 16:00 UTC is 1 December 01:00 WIT.
        let month = Month::containing(at(30, 16), jayapura);
        assert_eq!(month.name, "2026-12");
        assert_eq!(
            month.start,
            Utc.with_ymd_and_hms(2026, 11, 30, 15, 0, 0)
                .single()
                .expect("instant")
        );
        assert_eq!(month.seconds(), 31 * 86_400);
        let names: Vec<String> =
            Month::overlapping(at(20, 0), at(20, 0) + Duration::days(45), jayapura)
                .into_iter()
                .map(|m| m.name)
                .collect();
        assert_eq!(names, ["2026-11", "2026-12", "2027-01"]);
    }

    #[test]
    fn a_month_is_named_by_its_year_and_number() {
        let makassar = chrono_tz::Asia::Makassar;
        let november = Month::named("2026-11", makassar).expect("a month");
        assert_eq!(
            (november.start, november.end),
            (
                Utc.with_ymd_and_hms(2026, 10, 31, 16, 0, 0)
                    .single()
                    .expect("instant"),
                Utc.with_ymd_and_hms(2026, 11, 30, 16, 0, 0)
                    .single()
                    .expect("instant")
            ),
            "local midnight in WITA is 16:00 UTC the day before"
        );
        for bad in [
            "2026-13",
            "2026-00",
            "2026-1",
            "26-11",
            "1969-12",
            "2026-11-01",
            "2026/11",
            "+026-11",
            "",
        ] {
            assert_eq!(Month::named(bad, makassar), None, "{bad}");
        }
        assert!(Month::named("9999-12", makassar).is_some());
    }

    proptest::proptest! {
        /// The first and last month stand for every month `overlapping` walks: those are
        /// exactly the months between them, one after the other.
        #[test]
        fn the_first_and_last_month_stand_for_the_walk(
            start in 0i64..(80 * 365 * 86_400),
            length in 1i64..(5 * 366 * 86_400),
            zone in 0usize..5,
        ) {
            let timezone = [
                chrono_tz::UTC,
                chrono_tz::Asia::Jakarta,
                chrono_tz::Asia::Jayapura,
                chrono_tz::America::Sao_Paulo,
                chrono_tz::Pacific::Apia,
            ][zone];
            let from = DateTime::from_timestamp(start, 0).expect("instant");
            let to = from + Duration::seconds(length);
            let walk: Vec<String> = Month::overlapping(from, to, timezone)
                .into_iter()
                .map(|m| m.name)
                .collect();
            let (first, last) = Month::first_and_last(from, to, timezone);
            proptest::prop_assert_eq!(walk.first(), Some(&first));
            proptest::prop_assert_eq!(walk.last(), Some(&last));
            for pair in walk.windows(2) {
                let next = NaiveDate::parse_from_str(&format!("{}-01", pair[0]), "%Y-%m-%d")
                    .expect("a month name")
                    .checked_add_months(chrono::Months::new(1))
                    .expect("a next month");
                proptest::prop_assert_eq!(&next.format("%Y-%m").to_string(), &pair[1]);
            }
        }
    }

    #[test]
    fn the_budget_is_what_the_target_leaves() {
        assert_eq!(downtime_budget(99.5, 30 * 86_400), 3 * 3600 + 36 * 60);
        assert_eq!(downtime_budget(99.9, 30 * 86_400), 2592);
        assert_eq!(downtime_budget(100.0, 30 * 86_400), 0);
    }

    #[test]
    fn a_period_without_outages_is_fully_available() {
        let (from, to) = month();
        assert_eq!(availability(&[], from, to, to).availability_percent, 100.0);
        assert_eq!(
            availability(&[], from, from, to).availability_percent,
            100.0
        );
    }
}
