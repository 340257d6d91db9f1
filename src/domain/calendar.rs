//! Business calendars: working windows per weekday and whole-day holidays in a region's
//! timezone, and business-time arithmetic over them (docs/sla.md "Business time").

use std::collections::{BTreeMap, BTreeSet};

use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Offset, TimeDelta, TimeZone, Utc,
    Weekday,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// Weekday keys as they appear in the API and in storage.
pub const WEEKDAY_KEYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Mon),
    ("tue", Weekday::Tue),
    ("wed", Weekday::Wed),
    ("thu", Weekday::Thu),
    ("fri", Weekday::Fri),
    ("sat", Weekday::Sat),
    ("sun", Weekday::Sun),
];

const DAY_SECONDS: u32 = 86_400;

/// One opening window within a local day, `[start, end)` in seconds since local midnight;
/// written `["07:30", "16:00"]` (`"24:00"` closes at midnight).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window(
    #[serde(with = "hh_mm")] pub u32,
    #[serde(with = "hh_mm")] pub u32,
);

/// Opening windows keyed by weekday (`mon` … `sun`); a missing day is closed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WorkingHours(pub BTreeMap<String, Vec<Window>>);

/// Why a set of working hours is not usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkingHoursError {
    /// A key other than `mon` … `sun`.
    #[error("{0:?} is not a weekday; use mon, tue, wed, thu, fri, sat, sun")]
    UnknownDay(String),
    /// A window whose end is not after its start (windows may not cross midnight: split them).
    #[error("{day}: a window must end after it starts, within the same day")]
    EmptyWindow {
        /// The weekday key.
        day: String,
    },
    /// Two windows of one day overlap.
    #[error("{day}: windows overlap")]
    Overlap {
        /// The weekday key.
        day: String,
    },
}

/// A local time of day, `HH:MM`; `24:00` is midnight at the end of the day.
const TIME_OF_DAY: &str = "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$";

impl utoipa::PartialSchema for WorkingHours {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{AdditionalProperties, ArrayBuilder, ObjectBuilder, Type};
        let time = ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(TIME_OF_DAY))
            .description(Some("Local time of day, `HH:MM`; `24:00` only as an end"));
        let window = ArrayBuilder::new()
            .items(time)
            .min_items(Some(2))
            .max_items(Some(2))
            .description(Some(
                "`[start, end]`: open from start until end, the end after the start",
            ));
        let day: utoipa::openapi::schema::Schema = ArrayBuilder::new()
            .items(window)
            .description(Some("The day's windows; empty: closed all day"))
            .into();
        let mut hours = ObjectBuilder::new()
            .additional_properties(Some(AdditionalProperties::FreeForm(false)))
            .description(Some(
                "Opening windows per weekday, in local time of the calendar's timezone. The keys \
                 are `mon`, `tue`, `wed`, `thu`, `fri`, `sat`, `sun` (any other is refused); a day \
                 that is missing or has an empty list is closed. A window is `[start, end]` in \
                 `HH:MM` (`00:00` to `23:59`, and `24:00` as an end for midnight), its end after \
                 its start: a window may not cross midnight (split it at `24:00` and `00:00`), \
                 and the windows of one day may not overlap. Ignored while `always_open`.",
            ));
        for (key, _) in WEEKDAY_KEYS {
            hours = hours.property(key, day.clone());
        }
        hours.into()
    }
}

impl utoipa::ToSchema for WorkingHours {}

impl WorkingHours {
    /// Checks keys, and that each day's windows are non-empty and do not overlap; sorts them.
    pub fn validated(mut self) -> Result<Self, WorkingHoursError> {
        for (day, windows) in &mut self.0 {
            if !WEEKDAY_KEYS.iter().any(|(key, _)| key == day) {
                return Err(WorkingHoursError::UnknownDay(day.clone()));
            }
            windows.sort_by_key(|w| w.0);
            if windows.iter().any(|w| w.1 <= w.0) {
                return Err(WorkingHoursError::EmptyWindow { day: day.clone() });
            }
            if windows.windows(2).any(|pair| pair[1].0 < pair[0].1) {
                return Err(WorkingHoursError::Overlap { day: day.clone() });
            }
        }
        Ok(self)
    }

    /// The windows open on a weekday.
    pub fn windows_on(&self, weekday: Weekday) -> &[Window] {
        WEEKDAY_KEYS
            .iter()
            .find(|(_, day)| *day == weekday)
            .and_then(|(key, _)| self.0.get(*key))
            .map_or(&[], Vec::as_slice)
    }

    /// Indonesian local government office hours (docs/presets.md): Mon–Thu 07:30–16:00,
    /// Fri 07:30–16:30, weekends closed.
    pub fn government_office() -> Self {
        const fn at(hours: u32, minutes: u32) -> u32 {
            hours * 3600 + minutes * 60
        }
        let mut days = BTreeMap::new();
        for key in ["mon", "tue", "wed", "thu"] {
            days.insert(key.to_owned(), vec![Window(at(7, 30), at(16, 0))]);
        }
        days.insert("fri".to_owned(), vec![Window(at(7, 30), at(16, 30))]);
        days.insert("sat".to_owned(), Vec::new());
        days.insert("sun".to_owned(), Vec::new());
        Self(days)
    }
}

/// The years holidays may fall in: any real calendar's, and far from the ends of what dates
/// can represent.
pub const HOLIDAY_YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// A whole local day on which the calendar is closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    /// The local date.
    pub date: NaiveDate,
    /// Its name, e.g. "Hari Kemerdekaan Republik Indonesia".
    pub name: String,
}

/// The fixed-date national holidays (docs/presets.md); moving ones (Idul Fitri, Imlek, Nyepi, …) are
/// added by the supervisor each year.
pub fn fixed_national_holidays(year: i32) -> Vec<Holiday> {
    [
        (1, 1, "Tahun Baru Masehi"),
        (5, 1, "Hari Buruh Internasional"),
        (6, 1, "Hari Lahir Pancasila"),
        (8, 17, "Hari Kemerdekaan Republik Indonesia"),
        (12, 25, "Hari Raya Natal"),
    ]
    .into_iter()
    .filter_map(|(month, day, name)| {
        NaiveDate::from_ymd_opt(year, month, day).map(|date| Holiday {
            date,
            name: name.to_owned(),
        })
    })
    .collect()
}

/// How far ahead business-time arithmetic looks before it decides a calendar never opens: far
/// enough for the longest target the API takes (365 days of business time) on an office week of
/// 42.5 hours, which runs out after almost four years.
const HORIZON_DAYS: i64 = 10 * 366;

/// A calendar ready for arithmetic.
#[derive(Debug, Clone, PartialEq)]
pub struct BusinessCalendar {
    /// The offices' timezone.
    pub timezone: Tz,
    /// 24×7: business time is wall-clock time.
    pub always_open: bool,
    /// Opening windows per weekday.
    pub hours: WorkingHours,
    /// Closed local days.
    pub holidays: BTreeSet<NaiveDate>,
}

impl BusinessCalendar {
    /// The open intervals of one local day, as UTC instants (none at the far end of time).
    fn open_intervals(&self, date: NaiveDate) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        if self.holidays.contains(&date) {
            return Vec::new();
        }
        let midnight = NaiveDateTime::from(date);
        let instant = |seconds: u32| {
            let local = midnight.checked_add_signed(TimeDelta::seconds(i64::from(seconds)))?;
            Some(
                self.timezone
                    .from_local_datetime(&local)
                    .earliest()
                    .map_or_else(
                        || Utc.from_utc_datetime(&local),
                        |at| at.with_timezone(&Utc),
                    ),
            )
        };
        self.hours
            .windows_on(date.weekday())
            .iter()
            .filter_map(|window| Some((instant(window.0)?, instant(window.1.min(DAY_SECONDS))?)))
            .collect()
    }

    /// The local date of an instant; `None` at the ends of time, where the local time cannot
    /// be represented.
    fn local_date(&self, at: DateTime<Utc>) -> Option<NaiveDate> {
        let offset = self
            .timezone
            .offset_from_utc_datetime(&at.naive_utc())
            .fix();
        at.naive_utc()
            .checked_add_offset(offset)
            .map(|local| local.date())
    }

    /// Business seconds in `[from, to)`: the overlap with the open windows.
    pub fn business_seconds(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        if to <= from {
            return 0;
        }
        if self.always_open {
            return (to - from).num_seconds();
        }
        let mut total = Duration::zero();
        let (Some(mut date), Some(last)) = (self.local_date(from), self.local_date(to)) else {
            return 0;
        };
        while date <= last {
            for (open, close) in self.open_intervals(date) {
                let (start, end) = (open.max(from), close.min(to));
                if end > start {
                    total += end - start;
                }
            }
            date = date.succ_opt().unwrap_or(date);
            if date == NaiveDate::MAX {
                break;
            }
        }
        total.num_seconds()
    }

    /// The earliest instant `u >= from` with `seconds` of business time in `[from, u]`; a
    /// clock started outside working hours starts at the next opening. `None` when the calendar
    /// does not open again within ten years (a calendar with no windows at all), or when the
    /// instant lies beyond what time can represent (an absurd target stored long ago).
    pub fn add(&self, from: DateTime<Utc>, seconds: i64) -> Option<DateTime<Utc>> {
        if seconds <= 0 {
            return Some(from);
        }
        let mut left = TimeDelta::try_seconds(seconds)?;
        if self.always_open {
            return from.checked_add_signed(left);
        }
        let mut date = self.local_date(from)?;
        for _ in 0..HORIZON_DAYS {
            for (open, close) in self.open_intervals(date) {
                let start = open.max(from);
                if close <= start {
                    continue;
                }
                let available = close - start;
                if available >= left {
                    return start.checked_add_signed(left);
                }
                left -= available;
            }
            date = date.succ_opt()?;
        }
        None
    }
}

mod hh_mm {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(seconds: &u32, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&format_args!(
            "{:02}:{:02}",
            seconds / 3600,
            seconds % 3600 / 60
        ))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
        let text = String::deserialize(d)?;
        let invalid = || serde::de::Error::custom(format!("{text:?} is not a time of day HH:MM"));
        let (hours, minutes) = text.split_once(':').ok_or_else(invalid)?;
        if hours.len() != 2 || minutes.len() != 2 {
            return Err(invalid());
        }
        let (hours, minutes): (u32, u32) = (
            hours.parse().map_err(|_| invalid())?,
            minutes.parse().map_err(|_| invalid())?,
        );
        match (hours, minutes) {
            (24, 0) => Ok(super::DAY_SECONDS),
            (0..=23, 0..=59) => Ok(hours * 3600 + minutes * 60),
            _ => Err(invalid()),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono_tz::Asia::{Jakarta, Jayapura, Makassar};

    use super::*;

    fn office(timezone: Tz, holidays: &[(i32, u32, u32)]) -> BusinessCalendar {
        BusinessCalendar {
            timezone,
            always_open: false,
            hours: WorkingHours::government_office(),
            holidays: holidays
                .iter()
                .map(|(y, m, d)| NaiveDate::from_ymd_opt(*y, *m, *d).expect("date"))
                .collect(),
        }
    }

    /// A local time in `timezone`, as UTC.
    fn local(timezone: Tz, text: &str) -> DateTime<Utc> {
        let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("time");
        timezone
            .from_local_datetime(&naive)
            .single()
            .expect("unambiguous")
            .with_timezone(&Utc)
    }

    const HOUR: i64 = 3600;

    #[test]
    fn office_hours_are_open_on_weekdays_only() {
        let hours = WorkingHours::government_office()
            .validated()
            .expect("valid");
        assert_eq!(hours.windows_on(Weekday::Mon).len(), 1);
        assert_eq!(hours.windows_on(Weekday::Fri)[0].1, 16 * 3600 + 30 * 60);
        assert!(hours.windows_on(Weekday::Sat).is_empty());
        assert!(hours.windows_on(Weekday::Sun).is_empty());
    }

    #[test]
    fn working_hours_round_trip_as_api_json() {
        let json = serde_json::json!({"mon": [["07:30", "12:00"], ["13:00", "24:00"]], "sun": []});
        let hours: WorkingHours = serde_json::from_value(json.clone()).expect("parses");
        assert_eq!(
            serde_json::to_value(hours.validated().expect("valid")).expect("json"),
            json
        );
    }

    #[test]
    fn bad_windows_are_refused() {
        let parse = |v: serde_json::Value| {
            serde_json::from_value::<WorkingHours>(v)
                .expect("parses")
                .validated()
        };
        assert!(matches!(
            parse(serde_json::json!({"mon": [["16:00", "07:30"]]})),
            Err(WorkingHoursError::EmptyWindow { .. })
        ));
        assert!(matches!(
            parse(serde_json::json!({"mon": [["07:00", "12:00"], ["11:00", "13:00"]]})),
            Err(WorkingHoursError::Overlap { .. })
        ));
        assert!(matches!(
            parse(serde_json::json!({"monday": []})),
            Err(WorkingHoursError::UnknownDay(_))
        ));
        for bad in ["7.30", "7:30", "24:30", "12:60"] {
            let json = serde_json::json!({"mon": [[bad, "16:00"]]});
            assert!(
                serde_json::from_value::<WorkingHours>(json).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn national_holidays_include_independence_day() {
        let holidays = fixed_national_holidays(2026);
        assert_eq!(holidays.len(), 5);
        let independence_day = NaiveDate::from_ymd_opt(2026, 8, 17).expect("date");
        assert!(holidays.iter().any(|h| h.date == independence_day));
    }

    #[test]
    fn time_within_one_working_day() {
        let calendar = office(Jakarta, &[]);
        // Monday 23 November 2026.
        let from = local(Jakarta, "2026-11-23 08:00");
        assert_eq!(
            calendar.add(from, 2 * HOUR),
            Some(local(Jakarta, "2026-11-23 10:00"))
        );
        assert_eq!(
            calendar.business_seconds(from, local(Jakarta, "2026-11-23 10:00")),
            2 * HOUR
        );
    }

    #[test]
    fn a_clock_started_at_night_starts_at_the_next_opening() {
        let calendar = office(Makassar, &[]);
        let from = local(Makassar, "2026-11-23 21:00");
        assert_eq!(
            calendar.add(from, 15 * 60),
            Some(local(Makassar, "2026-11-24 07:45"))
        );
        let early = local(Makassar, "2026-11-24 05:00");
        assert_eq!(
            calendar.add(early, 0),
            Some(early),
            "a zero target is due at once"
        );
    }

    #[test]
    fn the_weekend_does_not_count() {
        let calendar = office(Jayapura, &[]);
        // Friday 27 November 2026, 15:30 WIT: one hour left on Friday (until 16:30).
        let from = local(Jayapura, "2026-11-27 15:30");
        assert_eq!(
            calendar.add(from, 2 * HOUR),
            Some(local(Jayapura, "2026-11-30 08:30"))
        );
        assert_eq!(
            calendar.business_seconds(from, local(Jayapura, "2026-11-30 08:30")),
            2 * HOUR
        );
        let saturday = local(Jayapura, "2026-11-28 10:00");
        assert_eq!(
            calendar.business_seconds(saturday, local(Jayapura, "2026-11-29 10:00")),
            0
        );
    }

    #[test]
    fn holidays_do_not_count() {
        // Christmas 2026 is a Friday.
        let calendar = office(Jakarta, &[(2026, 12, 25)]);
        let from = local(Jakarta, "2026-12-24 15:00");
        // One hour on Thursday, then Friday is closed, then Monday.
        assert_eq!(
            calendar.add(from, 3 * HOUR),
            Some(local(Jakarta, "2026-12-28 09:30"))
        );
    }

    #[test]
    fn the_three_timezones_open_at_their_own_local_hours() {
        let monday = |tz| {
            office(tz, &[])
                .add(local(tz, "2026-11-23 00:00"), 1)
                .expect("opens")
        };
        assert_eq!(monday(Jakarta).to_rfc3339(), "2026-11-23T00:30:01+00:00");
        assert_eq!(monday(Makassar).to_rfc3339(), "2026-11-22T23:30:01+00:00");
        assert_eq!(monday(Jayapura).to_rfc3339(), "2026-11-22T22:30:01+00:00");
    }

    #[test]
    fn a_forty_hour_target_across_a_holiday_week() {
        // Lebaran week: Monday to Friday 16–20 March 2026 all closed.
        let lebaran: Vec<(i32, u32, u32)> = (16..=20).map(|d| (2026, 3, d)).collect();
        let calendar = office(Makassar, &lebaran);
        // Thursday 12 March 2026, 09:00 WITA.
        let from = local(Makassar, "2026-03-12 09:00");
        // Thu 7 h + Fri 9 h = 16 h; then the holiday week; Mon 23 – Wed 25: 3 × 8.5 h = 25.5 h
        // (41.5 h); so 40 h fall on Wednesday 25 March at 16:00 − 1.5 h = 14:30.
        let due = calendar.add(from, 40 * HOUR).expect("due");
        assert_eq!(due, local(Makassar, "2026-03-25 14:30"));
        assert_eq!(calendar.business_seconds(from, due), 40 * HOUR);
    }

    #[test]
    fn always_open_is_wall_clock_time() {
        let calendar = BusinessCalendar {
            always_open: true,
            ..office(Jakarta, &[(2026, 11, 28)])
        };
        let from = local(Jakarta, "2026-11-28 23:00");
        assert_eq!(calendar.add(from, 90), Some(from + Duration::seconds(90)));
        assert_eq!(
            calendar.business_seconds(from, from + Duration::hours(3)),
            3 * HOUR
        );
    }

    #[test]
    fn the_longest_target_runs_out_on_an_office_calendar() {
        let calendar = office(Jakarta, &[]);
        let from = local(Jakarta, "2026-11-23 08:00");
        let longest = crate::domain::sla::MAX_TARGET_SECONDS;
        let due = calendar.add(from, longest).expect("a due instant");
        assert!(
            due > from + Duration::days(3 * 366),
            "beyond the old horizon: {due}"
        );
    }

    #[test]
    fn a_calendar_that_never_opens_has_no_due_instant() {
        let calendar = BusinessCalendar {
            hours: WorkingHours::default(),
            ..office(Jakarta, &[])
        };
        assert_eq!(calendar.add(local(Jakarta, "2026-11-23 08:00"), 60), None);
    }

    #[test]
    fn an_absurd_target_has_no_due_instant_and_does_not_panic() {
        let from = local(Jakarta, "2026-11-23 08:00");
        let always_open = BusinessCalendar {
            always_open: true,
            ..office(Jakarta, &[])
        };
        for seconds in [100_000_000_000_000_000, i64::MAX] {
            assert_eq!(always_open.add(from, seconds), None);
            assert_eq!(office(Jakarta, &[]).add(from, seconds), None);
        }
        assert_eq!(always_open.add(DateTime::<Utc>::MAX_UTC, 1), None);
        assert_eq!(office(Jakarta, &[]).add(DateTime::<Utc>::MAX_UTC, 1), None);
    }

    #[test]
    fn add_and_business_seconds_agree() {
        let calendar = office(Jakarta, &[(2026, 12, 25), (2027, 1, 1)]);
        let from = local(Jakarta, "2026-12-20 13:17");
        for seconds in [1, 59, HOUR, 9 * HOUR, 31 * HOUR + 7, 100 * HOUR] {
            let due = calendar.add(from, seconds).expect("due");
            assert_eq!(calendar.business_seconds(from, due), seconds, "{seconds}");
        }
    }
}
