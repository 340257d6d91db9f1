//! Business calendars: working windows per weekday and whole-day holidays in a region's
//! timezone. The arithmetic over them comes with the SLA engine; this module holds the shape and
//! its rules.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveTime, Weekday};
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

/// One opening window within a local day, `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window(
    #[serde(with = "hh_mm")] pub NaiveTime,
    #[serde(with = "hh_mm")] pub NaiveTime,
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

    /// Indonesian local government office hours (REGIONS.md): Mon–Thu 07:30–16:00,
    /// Fri 07:30–16:30, weekends closed.
    pub fn government_office() -> Self {
        let window = |h1, m1, h2, m2| {
            Window(
                NaiveTime::from_hms_opt(h1, m1, 0).unwrap_or_default(),
                NaiveTime::from_hms_opt(h2, m2, 0).unwrap_or_default(),
            )
        };
        let mut days = BTreeMap::new();
        for key in ["mon", "tue", "wed", "thu"] {
            days.insert(key.to_owned(), vec![window(7, 30, 16, 0)]);
        }
        days.insert("fri".to_owned(), vec![window(7, 30, 16, 30)]);
        days.insert("sat".to_owned(), Vec::new());
        days.insert("sun".to_owned(), Vec::new());
        Self(days)
    }
}

/// A whole local day on which the calendar is closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    /// The local date.
    pub date: NaiveDate,
    /// Its name, e.g. "Hari Kemerdekaan Republik Indonesia".
    pub name: String,
}

/// The fixed-date national holidays (REGIONS.md); moving ones (Idul Fitri, Imlek, Nyepi, …) are
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

mod hh_mm {
    use chrono::NaiveTime;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(time: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&time.format("%H:%M"))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
        let text = String::deserialize(d)?;
        if text == "24:00" {
            // The end of the day, for windows that close at midnight.
            return Ok(NaiveTime::from_hms_nano_opt(23, 59, 59, 999_999_999).unwrap_or_default());
        }
        NaiveTime::parse_from_str(&text, "%H:%M")
            .map_err(|_| serde::de::Error::custom(format!("{text:?} is not a time of day HH:MM")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn office_hours_are_open_on_weekdays_only() {
        let hours = WorkingHours::government_office()
            .validated()
            .expect("valid");
        assert_eq!(hours.windows_on(Weekday::Mon).len(), 1);
        assert_eq!(
            hours.windows_on(Weekday::Fri)[0].1,
            NaiveTime::from_hms_opt(16, 30, 0).expect("time")
        );
        assert!(hours.windows_on(Weekday::Sat).is_empty());
        assert!(hours.windows_on(Weekday::Sun).is_empty());
    }

    #[test]
    fn working_hours_round_trip_as_api_json() {
        let json = serde_json::json!({"mon": [["07:30", "12:00"], ["13:00", "16:00"]], "sun": []});
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
        assert!(
            serde_json::from_value::<WorkingHours>(serde_json::json!({"mon": [["7.30", "16:00"]]}))
                .is_err()
        );
    }

    #[test]
    fn national_holidays_include_independence_day() {
        let holidays = fixed_national_holidays(2026);
        assert_eq!(holidays.len(), 5);
        let independence_day = NaiveDate::from_ymd_opt(2026, 8, 17).expect("date");
        assert!(holidays.iter().any(|h| h.date == independence_day));
    }
}
