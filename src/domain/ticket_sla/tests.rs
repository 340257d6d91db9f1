use std::collections::BTreeSet;

use chrono::{Duration, TimeZone};

use super::*;
use crate::domain::calendar::WorkingHours;
use crate::domain::sla::default_targets;

fn always_open() -> BusinessCalendar {
    BusinessCalendar {
        timezone: chrono_tz::Asia::Makassar,
        always_open: true,
        hours: WorkingHours::default(),
        holidays: BTreeSet::new(),
    }
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0)
        .single()
        .expect("instant")
}

fn minutes(m: i64) -> DateTime<Utc> {
    t0() + Duration::minutes(m)
}

fn at(status: Status, tier: Tier) -> Position {
    Position { status, tier }
}

/// Critical by default: response 15 min, tier 1 60 min, resolution 240 min, warn 75%.
fn critical() -> TicketSla {
    TicketSla::open(default_targets(), Priority::Critical, t0()).expect("target")
}

#[test]
fn alerts_come_due_in_order_once_each() {
    let calendar = always_open();
    let mut sla = critical();
    assert_eq!(
        sla.next_alert_at(&calendar),
        Some(t0() + Duration::seconds(675))
    );
    assert!(sla.take_due(minutes(11), &calendar).is_empty());
    let due = sla.take_due(minutes(16), &calendar);
    assert_eq!(
        due.iter().map(|d| (d.alert, d.clock)).collect::<Vec<_>>(),
        vec![
            (Alert::Warning, ClockKind::Response),
            (Alert::Breach, ClockKind::Response)
        ]
    );
    assert_eq!(due[1].at, minutes(15));
    assert_eq!(
        (due[0].at, due[0].deadline),
        (t0() + Duration::seconds(675), Some(minutes(15))),
        "a warning names the deadline it warns of"
    );
    assert!(sla.take_due(minutes(16), &calendar).is_empty(), "once only");
    assert_eq!(
        sla.next_alert_at(&calendar),
        Some(minutes(45)),
        "tier 1 warning"
    );
    let due = sla.take_due(minutes(60), &calendar);
    assert!(TicketSla::escalates(&due));
}

#[test]
fn pending_pauses_tier1_and_resolution_but_not_response() {
    let calendar = always_open();
    let mut sla = critical();
    sla.follow(
        at(Status::New, Tier::One),
        at(Status::Pending, Tier::One),
        false,
        minutes(20),
        &calendar,
    );
    assert!(
        sla.response.clock.met_at.is_some(),
        "leaving new is a response"
    );
    assert!(!sla.tier1.clock.is_running() && !sla.resolution.clock.is_running());
    assert_eq!(
        sla.next_alert_at(&calendar),
        None,
        "nothing runs while pending"
    );
    sla.follow(
        at(Status::Pending, Tier::One),
        at(Status::InProgress, Tier::One),
        false,
        minutes(500),
        &calendar,
    );
    // Tier 1 had 40 minutes left, its warning comes at 75% of 60 minutes.
    assert_eq!(sla.tier1.clock.due_at(&calendar), Some(minutes(540)));
    assert_eq!(sla.next_alert_at(&calendar), Some(minutes(525)));
}

#[test]
fn escalation_stops_tier1_for_good_but_resolution_runs_on() {
    let calendar = always_open();
    let mut sla = critical();
    let (tier1, tier2) = (
        at(Status::InProgress, Tier::One),
        at(Status::InProgress, Tier::Two),
    );
    sla.follow(tier1, tier2, false, minutes(10), &calendar);
    assert_eq!(sla.tier1.clock.met_at, Some(minutes(10)));
    assert!(sla.resolution.clock.is_running());
    sla.follow(tier2, tier1, true, minutes(20), &calendar);
    assert!(
        !sla.tier1.clock.is_running(),
        "a return does not restart the window"
    );
    sla.follow(
        tier1,
        at(Status::Resolved, Tier::One),
        true,
        minutes(30),
        &calendar,
    );
    sla.follow(
        at(Status::Resolved, Tier::One),
        tier1,
        true,
        minutes(90),
        &calendar,
    );
    assert!(
        !sla.tier1.clock.is_running(),
        "nor does a reopen after an escalation"
    );
    assert_eq!(
        sla.resolution.clock.due_at(&calendar),
        Some(minutes(90 + 240 - 30)),
        "resolution continues where it stopped"
    );
}

#[test]
fn reopen_at_tier1_continues_the_window() {
    let calendar = always_open();
    let mut sla = critical();
    let working = at(Status::InProgress, Tier::One);
    let resolved = at(Status::Resolved, Tier::One);
    sla.first_response(minutes(1), &calendar);
    sla.follow(working, resolved, false, minutes(50), &calendar);
    assert_eq!(sla.next_alert_at(&calendar), None);
    sla.follow(resolved, working, false, minutes(100), &calendar);
    assert_eq!(sla.tier1.clock.due_at(&calendar), Some(minutes(110)));
}

#[test]
fn close_keeps_the_clocks_stopped_where_resolve_stopped_them() {
    let calendar = always_open();
    let mut sla = critical();
    let working = at(Status::InProgress, Tier::One);
    let resolved = at(Status::Resolved, Tier::One);
    sla.follow(
        at(Status::New, Tier::One),
        working,
        false,
        minutes(5),
        &calendar,
    );
    sla.follow(working, resolved, false, minutes(30), &calendar);
    let before = sla.clone();
    sla.follow(
        resolved,
        at(Status::Closed, Tier::One),
        false,
        minutes(90),
        &calendar,
    );
    assert_eq!(sla, before, "closing changes no clock");
    assert_eq!(sla.resolution.clock.met_at, Some(minutes(30)));
    assert_eq!(sla.tier1.clock.met_at, Some(minutes(30)));
    assert_eq!(sla.next_alert_at(&calendar), None);
    assert!(sla.take_due(minutes(10_000), &calendar).is_empty());
}

#[test]
fn a_raised_priority_during_a_pause_owes_its_alerts_at_once() {
    let calendar = always_open();
    let mut sla = TicketSla::open(default_targets(), Priority::Medium, t0()).expect("target");
    sla.follow(
        at(Status::New, Tier::One),
        at(Status::Pending, Tier::One),
        false,
        minutes(100),
        &calendar,
    );
    sla.retarget(Priority::Critical);
    let due = sla.take_due(minutes(101), &calendar);
    assert_eq!(
        due.iter().map(|d| (d.alert, d.clock)).collect::<Vec<_>>(),
        vec![
            (Alert::Warning, ClockKind::Tier1),
            (Alert::Breach, ClockKind::Tier1)
        ],
        "tier 1's new window of 60 minutes was used up before the pause"
    );
    assert!(due.iter().all(|d| d.at == minutes(101)));
    assert!(TicketSla::escalates(&due));
    assert!(
        sla.take_due(minutes(102), &calendar).is_empty(),
        "once only"
    );
}

#[test]
fn cancel_stops_every_clock() {
    let calendar = always_open();
    let mut sla = critical();
    sla.follow(
        at(Status::New, Tier::One),
        at(Status::Cancelled, Tier::One),
        false,
        minutes(5),
        &calendar,
    );
    assert_eq!(sla.next_alert_at(&calendar), None);
    assert_eq!(sla.earliest_due(&calendar), None);
    assert!(sla.take_due(minutes(1000), &calendar).is_empty());
}

#[test]
fn a_priority_change_retargets_running_clocks_only() {
    let calendar = always_open();
    let mut sla = critical();
    sla.first_response(minutes(5), &calendar);
    sla.retarget(Priority::Low);
    assert_eq!(
        sla.response.clock.target_seconds,
        Some(15 * 60),
        "met: kept"
    );
    assert_eq!(sla.tier1.clock.target_seconds, Some(16 * 3600));
    assert_eq!(
        sla.resolution.clock.due_at(&calendar),
        Some(t0() + Duration::hours(40))
    );
}

#[test]
fn a_null_tier1_window_never_escalates() {
    let calendar = always_open();
    let mut targets = default_targets();
    targets[0].tier1_seconds = None;
    let mut sla = TicketSla::open(targets, Priority::Critical, t0()).expect("target");
    let due = sla.take_due(t0() + Duration::days(3), &calendar);
    assert!(!TicketSla::escalates(&due));
    assert_eq!(
        due.len(),
        4,
        "response and resolution warn and breach: {due:?}"
    );
}

#[test]
fn a_checkpoint_keeps_elapsed_time_under_the_old_calendar() {
    let calendar = always_open();
    let mut sla = critical();
    sla.checkpoint(minutes(30), &calendar);
    assert_eq!(sla.resolution.clock.elapsed_seconds, 30 * 60);
    assert_eq!(sla.resolution.clock.running_since, Some(minutes(30)));
    assert_eq!(sla.resolution.clock.due_at(&calendar), Some(minutes(240)));
}

#[test]
fn a_checkpoint_keeps_the_instant_an_overdue_clock_ran_out() {
    let calendar = always_open();
    let mut sla = critical();
    sla.checkpoint(minutes(20), &calendar);
    assert_eq!(sla.response.clock.due_at(&calendar), Some(minutes(15)));
    assert_eq!(sla.response.clock.elapsed(minutes(20), &calendar), 20 * 60);
    sla.checkpoint(minutes(30), &calendar);
    assert_eq!(sla.response.clock.due_at(&calendar), Some(minutes(15)));
}
