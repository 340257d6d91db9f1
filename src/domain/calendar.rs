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
mod tests;
