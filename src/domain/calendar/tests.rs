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
