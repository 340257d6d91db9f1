//! The demo's last hours: tickets left where today's desk would have them, and tickets whose
//! next alert falls minutes after the seed, so that the first `serve` visibly acts on them.

use super::script::{DAYS, Plan, RESOLUTION, Step, step};
use crate::domain::calendar::BusinessCalendar;
use crate::domain::ticket::{Action, Kind, Level};
use crate::service::demo::data::{PDS, ROUND_THE_CLOCK_SERVICE, TITLES};
use chrono::{DateTime, Duration, Utc};

/// Tickets of the last office hours, each left where today's desk would have it: in progress,
/// pending, at Tier 2 and resolved, whatever the random history left open.
pub(super) fn todays_desk_plans(office: &BusinessCalendar, until: DateTime<Utc>) -> Vec<Plan> {
    let start = until - Duration::days(DAYS);
    let open = office.business_seconds(start, until);
    let ack = || step(600.0, Action::Acknowledge, "");
    let desk = [
        (TITLES[3], vec![ack()]),
        (
            TITLES[4],
            vec![
                ack(),
                step(1200.0, Action::Pend, "Menunggu data pegawai dari BKPSDM"),
            ],
        ),
        (
            TITLES[9],
            vec![
                ack(),
                step(
                    1200.0,
                    Action::Escalate,
                    "Perlu perbaikan langsung di basis data",
                ),
                step(1800.0, Action::Acknowledge, ""),
            ],
        ),
        (
            TITLES[1],
            vec![ack(), step(1500.0, Action::Resolve, RESOLUTION)],
        ),
    ];
    desk.into_iter()
        .enumerate()
        .map(|(i, (title, steps))| Plan {
            created: office
                .add(start, open - 3600 * (i as i64 + 2))
                .unwrap_or(start),
            pd: i,
            technician: 1,
            worker: 1,
            service: None,
            impact: Level::Medium,
            urgency: Level::Low,
            kind: Kind::Request,
            title,
            due_soon: None,
            steps,
        })
        .collect()
}

/// Tickets on the round-the-clock service whose next alert falls a few minutes after `until`,
/// whatever the hour: the engine of the first `serve` visibly acts on them.
pub(super) fn due_soon_plans(until: DateTime<Utc>) -> Vec<Plan> {
    let plan = |minutes_ago: i64, impact, urgency, title, what, steps: Vec<Step>| Plan {
        created: until - Duration::minutes(minutes_ago),
        pd: PDS.iter().position(|p| p.0 == "RSUD").unwrap_or(0),
        technician: 0,
        worker: 0,
        service: Some(ROUND_THE_CLOCK_SERVICE),
        impact,
        urgency,
        kind: Kind::Incident,
        title,
        due_soon: Some(what),
        steps,
    };
    vec![
        // Critical: 15 minutes to answer, nobody has.
        plan(
            12,
            Level::High,
            Level::High,
            TITLES[0],
            "response target runs out in about 3 minutes",
            vec![],
        ),
        // High: 30 minutes to answer, nobody has.
        plan(
            25,
            Level::High,
            Level::Medium,
            TITLES[6],
            "response target runs out in about 5 minutes",
            vec![],
        ),
        // Critical, answered: Tier 1's hour runs out and the engine escalates it.
        plan(
            50,
            Level::High,
            Level::High,
            TITLES[2],
            "Tier 1's window runs out in about 10 minutes: the engine escalates it",
            vec![step(300.0, Action::Acknowledge, "")],
        ),
    ]
}
