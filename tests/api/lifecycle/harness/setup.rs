//! What the sequences are played against: the week they start in, the calendars and targets
//! of the two policies, and the people and records of the desk.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use serde_json::{Value, json};
use servicedesk::auth::Caller;
use servicedesk::service::page::PageRequest;
use servicedesk::service::{Desk, ServiceError};

use super::super::model::{Calendar, Targets};
use crate::support::{DOMAIN, PASSWORD};

/// Monday 23 November 2026, 00:00 UTC (08:00 WITA). Every sequence starts within the week
/// after it; the Wednesday of that week and the Thursday after are holidays.
pub(super) fn base() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0)
        .single()
        .expect("instant")
}

pub(super) const HOLIDAYS: [&str; 2] = ["2026-11-25", "2026-12-03"];

/// The targets of the two policies, as the model and the service are given them.
pub(super) fn targets(round_the_clock: bool) -> Vec<(&'static str, Targets)> {
    let t = |response, tier1, resolution, warn_at_percent| Targets {
        response,
        tier1,
        resolution,
        warn_at_percent,
    };
    if round_the_clock {
        vec![
            ("critical", t(600, Some(1_800), 7_200, 75)),
            ("high", t(1_200, Some(3_600), 14_400, 80)),
            ("medium", t(3_600, None, 43_200, 75)),
            ("low", t(7_200, Some(21_600), 86_400, 60)),
        ]
    } else {
        vec![
            ("critical", t(900, Some(3_600), 14_400, 75)),
            ("high", t(1_800, Some(7_200), 28_800, 75)),
            ("medium", t(7_200, Some(28_800), 86_400, 75)),
            ("low", t(14_400, None, 144_000, 50)),
        ]
    }
}

/// The office calendar of the model: weekdays from 07:30, Fridays to 16:30, two holidays.
pub(super) fn office_calendar() -> Calendar {
    let time = |text: &str| NaiveTime::parse_from_str(text, "%H:%M").expect("time");
    let day = vec![(time("07:30"), time("16:00"))];
    Calendar {
        timezone: chrono_tz::Asia::Makassar,
        always_open: false,
        windows: [
            day.clone(),
            day.clone(),
            day.clone(),
            day,
            vec![(time("07:30"), time("16:30"))],
            Vec::new(),
            Vec::new(),
        ],
        holidays: HOLIDAYS
            .iter()
            .map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("date"))
            .collect::<BTreeSet<_>>(),
    }
}

/// The 24×7 calendar of the model.
pub(super) fn round_the_clock_calendar() -> Calendar {
    Calendar {
        timezone: chrono_tz::Asia::Makassar,
        always_open: true,
        windows: Default::default(),
        holidays: BTreeSet::new(),
    }
}

/// The office calendar as the service is given it, with `holidays`.
pub(super) fn office_calendar_input(holidays: &BTreeSet<NaiveDate>) -> Value {
    json!({"name": "Kantor", "timezone": "Asia/Makassar",
        "working_hours": {"mon": [["07:30", "16:00"]], "tue": [["07:30", "16:00"]],
            "wed": [["07:30", "16:00"]], "thu": [["07:30", "16:00"]],
            "fri": [["07:30", "16:30"]], "sat": [], "sun": []},
        "holidays": holidays.iter().map(|d| json!({"date": d, "name": "Libur"})).collect::<Vec<_>>()})
}

/// The service's input type from its JSON.
pub(super) fn input<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("a valid input")
}

/// The value of a call that must succeed.
pub(super) fn ok<T>(result: Result<T, ServiceError>, what: &str) -> T {
    result.unwrap_or_else(|e| panic!("{what}: {e}"))
}

/// The targets of a policy as the service is given them.
pub(super) fn targets_json(round_the_clock: bool) -> Value {
    targets(round_the_clock)
        .into_iter()
        .map(|(priority, t)| {
            json!({"priority": priority, "response_seconds": t.response,
                   "tier1_seconds": t.tier1, "resolution_seconds": t.resolution,
                   "warn_at_percent": t.warn_at_percent})
        })
        .collect()
}

/// The people of the sequences, signed in: a Tier 1 technician of the PD, a Tier 2 technician
/// and a supervisor of the Dinas; and the PD's id.
pub(super) fn staff(desk: &Desk) -> (Caller, Caller, Caller, String) {
    let admin_email = format!("admin@{DOMAIN}");
    ok(
        desk.create_admin(&admin_email, "Admin Uji", PASSWORD),
        "admin",
    );
    let admin = sign_in(desk, &admin_email);
    let page = || PageRequest::new(Some(200), None).expect("page");
    let dinas = ok(desk.list_units(&admin, page()), "units")
        .items
        .into_iter()
        .find(|unit| serde_json::to_value(unit).expect("json")["kind"] == "dinas")
        .expect("the Dinas unit");
    let pd = ok(
        desk.create_unit(
            &admin,
            input(
                json!({"code": "DINKES", "name": "Dinas Kesehatan", "kind": "pd",
                         "email": format!("dinkes@{DOMAIN}")}),
            ),
        ),
        "unit",
    );
    let user = |email: &str, role: &str, unit: &str| {
        ok(
            desk.create_user(
                &admin,
                input(json!({"name": email, "email": email, "password": PASSWORD,
                             "role": role, "unit_id": unit})),
            ),
            "user",
        );
        sign_in(desk, email)
    };
    let tier1 = user(&format!("teknisi@{DOMAIN}"), "tier1", &pd.id);
    let tier2 = user(&format!("tier2@{DOMAIN}"), "tier2", &dinas.id);
    let supervisor = user(&format!("supervisor@{DOMAIN}"), "supervisor", &dinas.id);
    (tier1, tier2, supervisor, pd.id.to_string())
}

fn sign_in(desk: &Desk, email: &str) -> Caller {
    let login = ok(
        desk.login(input(json!({"email": email, "password": PASSWORD})), None),
        "login",
    );
    ok(desk.authenticate(&login.access_token), "authenticate")
}

/// The office and 24×7 calendars and their policies, the office one the default, and a
/// critical service of the PD on the 24×7 policy: the office calendar's id and the service's.
pub(super) fn policies(desk: &Desk, supervisor: &Caller, pd: &str) -> (String, String) {
    let office = ok(
        desk.create_calendar(
            supervisor,
            input(office_calendar_input(&office_calendar().holidays)),
        ),
        "office calendar",
    );
    let always = ok(
        desk.create_calendar(
            supervisor,
            input(json!({"name": "24x7", "timezone": "Asia/Makassar", "always_open": true})),
        ),
        "24x7 calendar",
    );
    ok(
        desk.create_sla_policy(
            supervisor,
            input(
                json!({"name": "Kantor", "calendar_id": office.id, "default": true,
                         "targets": targets_json(false)}),
            ),
        ),
        "office policy",
    );
    let policy = ok(
        desk.create_sla_policy(
            supervisor,
            input(json!({"name": "24x7", "calendar_id": always.id,
                         "targets": targets_json(true)})),
        ),
        "24x7 policy",
    );
    let service = ok(
        desk.create_service(
            supervisor,
            input(
                json!({"code": "SIMPEG", "name": "SIMPEG", "owner_unit_id": pd,
                         "critical": true, "sla_policy_id": policy.id,
                         "description": "Sistem informasi kepegawaian"}),
            ),
        ),
        "service",
    );
    (office.id.to_string(), service.id.to_string())
}
