//! The SLA clocks and the engine, on a clock the test moves: warnings, breaches and automatic
//! escalation at their instant, pauses, reopen, priority changes, calendar edits, and two
//! engines on one database.

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use servicedesk::app::{Application, Jobs};
use servicedesk::clock::{Clock, ManualClock};

use crate::on_both_databases;
use crate::support::{Backend, Cast, TestApp};

/// Monday 23 November 2026, 02:00:00 UTC: whole seconds, so that instants compare exactly.
fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 2, 0, 0)
        .single()
        .expect("instant")
}

fn at(seconds: i64) -> String {
    (start() + chrono::Duration::seconds(seconds))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Makes the region default a policy on `calendar` with `critical` targets as given (the
/// other priorities get long ones).
async fn default_policy(app: &TestApp, cast: &Cast, calendar: Value, critical: Value) {
    let (status, calendar) = app
        .post("/api/v1/calendars", &cast.supervisor.token, calendar)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{calendar}");
    let long = |priority: &str| {
        json!({"priority": priority, "response_seconds": 86400, "tier1_seconds": 86400,
               "resolution_seconds": 864000})
    };
    let (status, policy) = app
        .post(
            "/api/v1/sla-policies",
            &cast.supervisor.token,
            json!({"name": "Uji", "calendar_id": calendar["id"], "default": true,
                   "targets": [critical, long("high"), long("medium"), long("low")]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{policy}");
}

fn always_open() -> Value {
    json!({"name": "24x7", "timezone": "Asia/Jakarta", "always_open": true})
}

/// Response 10 s, tier 1 window 20 s, resolution 60 s, warnings at half.
fn seconds_targets() -> Value {
    json!({"priority": "critical", "response_seconds": 10, "tier1_seconds": 20,
           "resolution_seconds": 60, "warn_at_percent": 50})
}

struct Scene {
    app: TestApp,
    cast: Cast,
    clock: Arc<ManualClock>,
}

/// A desk on the test clock at the start whose engine works when the test says.
async fn scene(backend: Backend, calendar: Value, critical: Value) -> Scene {
    scene_from(backend, start(), calendar, critical).await
}

/// The same with the clock standing at `from` (tokens are issued on the test clock, so it
/// starts where the test needs it).
async fn scene_from(
    backend: Backend,
    from: DateTime<Utc>,
    calendar: Value,
    critical: Value,
) -> Scene {
    let clock = Arc::new(ManualClock::new(from));
    let (app, cast) = TestApp::spawn_driven(backend, Some(clock.clone()), &[]).await;
    // The mail these tickets queue is for the mail tests to check.
    app.expect_owed_mail();
    default_policy(&app, &cast, calendar, critical).await;
    Scene { app, cast, clock }
}

impl Scene {
    /// Sets the clock to `seconds` after the start.
    fn set(&self, seconds: i64) {
        let target = start() + chrono::Duration::seconds(seconds);
        let by = target - self.clock.now();
        self.clock.advance(by);
    }

    async fn critical_ticket(&self) -> Value {
        self.app
            .create_ticket(
                &self.cast.tier1.token,
                json!({"impact": "high", "urgency": "high"}),
            )
            .await
    }

    async fn ticket(&self, ticket: &Value) -> Value {
        let (status, ticket) = self
            .app
            .get(
                &format!("/api/v1/tickets/{}", ticket["id"].as_str().expect("id")),
                &self.cast.supervisor.token,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{ticket}");
        ticket
    }

    /// The ticket's SLA events and escalations as `(type, clock, at)`.
    async fn sla_events(&self, ticket: &Value) -> Vec<(String, String, String)> {
        let (status, events) = self
            .app
            .get(
                &format!(
                    "/api/v1/tickets/{}/events",
                    ticket["id"].as_str().expect("id")
                ),
                &self.cast.supervisor.token,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{events}");
        events
            .as_array()
            .expect("events")
            .iter()
            .filter(|e| {
                e["type"].as_str().is_some_and(|t| t.starts_with("sla_"))
                    || e["type"] == "escalated"
            })
            .map(|e| {
                (
                    e["type"].as_str().unwrap_or_default().to_owned(),
                    e["data"]["clock"].as_str().unwrap_or_default().to_owned(),
                    e["at"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    }

    /// Runs the engine on what is due now, and returns the ticket's SLA events and
    /// escalations.
    async fn events_due(&self, ticket: &Value) -> Vec<(String, String, String)> {
        self.app.run_due_sla().await;
        self.sla_events(ticket).await
    }

    /// Moves the ticket by one action as its Tier 1.
    async fn act(&self, ticket: &Value, action: &str, body: Value) -> Value {
        self.app
            .act(&self.cast.tier1.token, ticket, action, body)
            .await
    }
}

fn event(kind: &str, clock: &str, seconds: i64) -> (String, String, String) {
    (kind.to_owned(), clock.to_owned(), at(seconds))
}

async fn warnings_breaches_and_automatic_escalation_come_at_their_instant(backend: Backend) {
    let scene = scene(backend, always_open(), seconds_targets()).await;
    let ticket = scene.critical_ticket().await;
    let sla = &ticket["sla"];
    assert_eq!(
        (
            &sla["response"]["due_at"],
            &sla["tier1"]["due_at"],
            &sla["resolution"]["due_at"]
        ),
        (&json!(at(10)), &json!(at(20)), &json!(at(60)))
    );
    assert_eq!(sla["tier1"]["remaining_seconds"], 20);

    scene.set(4);
    assert_eq!(
        scene.events_due(&ticket).await,
        vec![],
        "nothing due before 5 s"
    );
    scene.set(5);
    assert_eq!(
        scene.events_due(&ticket).await,
        vec![event("sla_warning", "response", 5)]
    );
    scene.set(19);
    let before_window = scene.events_due(&ticket).await;
    assert_eq!(
        before_window,
        vec![
            event("sla_warning", "response", 5),
            event("sla_breached", "response", 19),
            event("sla_warning", "tier1", 19),
        ],
        "a late look records what came due, once each"
    );
    assert_eq!(scene.ticket(&ticket).await["tier"], 1);

    scene.set(20);
    let events = scene.events_due(&ticket).await;
    assert_eq!(
        events[3..],
        [
            event("sla_breached", "tier1", 20),
            event("escalated", "", 20)
        ]
    );
    let escalated = scene.ticket(&ticket).await;
    assert_eq!(
        (&escalated["tier"], &escalated["escalation_reason"]),
        (&json!(2), &json!("sla_tier1_window_elapsed"))
    );
    assert_eq!(escalated["sla"]["tier1"]["breached"], true);
    assert_eq!(escalated["sla"]["response"]["remaining_seconds"], -10);
    let (_, trail) = scene
        .app
        .get(
            &format!(
                "/api/v1/tickets/{}/events",
                ticket["id"].as_str().expect("id")
            ),
            &scene.cast.auditor.token,
        )
        .await;
    let escalation = trail
        .as_array()
        .and_then(|t| t.iter().find(|e| e["type"] == "escalated"))
        .expect("escalated event");
    assert_eq!(escalation["actor_id"], Value::Null);
    assert_eq!(escalation["data"]["automatic"], true);
    assert_eq!(escalation["data"]["reason"], "sla_tier1_window_elapsed");

    let (_, breached) = scene
        .app
        .get("/api/v1/tickets?breached=true", &scene.cast.tier2.token)
        .await;
    assert_eq!(breached["items"].as_array().map(Vec::len), Some(1));
    let calm = scene.critical_ticket().await;
    let (_, breached) = scene
        .app
        .get("/api/v1/tickets?breached=true", &scene.cast.tier2.token)
        .await;
    assert_eq!(breached["items"][0]["id"], ticket["id"]);
    assert_ne!(breached["items"][0]["id"], calm["id"]);
    assert_eq!(breached["items"].as_array().map(Vec::len), Some(1));
}

async fn a_pending_ticket_escalates_only_after_its_remaining_window(backend: Backend) {
    let scene = scene(backend, always_open(), seconds_targets()).await;
    let ticket = scene.critical_ticket().await;
    scene.set(2);
    let acknowledged = scene.act(&ticket, "acknowledge", json!({})).await;
    assert_eq!(acknowledged["sla"]["response"]["met_at"], at(2));
    scene.set(8);
    let pending = scene
        .act(&ticket, "pend", json!({"reason": "Menunggu vendor"}))
        .await;
    assert_eq!(pending["sla"]["paused"], true);
    assert_eq!(pending["sla"]["tier1"]["due_at"], Value::Null);
    assert_eq!(pending["sla"]["tier1"]["remaining_seconds"], 12);

    scene.set(500);
    assert_eq!(
        scene.events_due(&ticket).await,
        vec![],
        "no alert and no escalation while pending"
    );
    assert_eq!(scene.ticket(&ticket).await["tier"], 1);

    let resumed = scene.act(&ticket, "resume", json!({})).await;
    assert_eq!(resumed["sla"]["tier1"]["due_at"], at(512));
    assert_eq!(resumed["sla"]["resolution"]["due_at"], at(500 + 52));
    scene.set(501);
    assert_eq!(scene.events_due(&ticket).await, vec![]);
    scene.set(502);
    assert_eq!(
        scene.events_due(&ticket).await,
        vec![event("sla_warning", "tier1", 502)],
        "warned at half the window: 8 s counted before pending, 2 s after resuming"
    );
    scene.set(511);
    assert_eq!(scene.events_due(&ticket).await.len(), 1);
    scene.set(512);
    let events = scene.events_due(&ticket).await;
    assert_eq!(
        events[1..],
        [
            event("sla_breached", "tier1", 512),
            event("escalated", "", 512)
        ]
    );
    assert_eq!(scene.ticket(&ticket).await["tier"], 2);
}

async fn reopen_and_priority_change_keep_the_time_counted(backend: Backend) {
    let scene = scene(backend, always_open(), seconds_targets()).await;
    let ticket = scene.critical_ticket().await;
    scene.set(1);
    scene.act(&ticket, "acknowledge", json!({})).await;
    scene.set(6);
    let resolved = scene
        .act(
            &ticket,
            "resolve",
            json!({"resolution": "Server dimulai ulang"}),
        )
        .await;
    assert_eq!(resolved["sla"]["resolution"]["met_at"], at(6));
    assert_eq!(resolved["sla"]["resolution"]["due_at"], Value::Null);
    scene.set(1000);
    assert_eq!(scene.events_due(&ticket).await, vec![]);
    let reopened = scene
        .act(&ticket, "reopen", json!({"reason": "Galat muncul lagi"}))
        .await;
    assert_eq!(reopened["sla"]["resolution"]["elapsed_seconds"], 6);
    assert_eq!(reopened["sla"]["resolution"]["due_at"], at(1000 + 54));
    assert_eq!(reopened["sla"]["tier1"]["due_at"], at(1000 + 14));

    // High priority (long targets in this policy): the running clocks keep their 6 s.
    let (status, high) = scene
        .app
        .patch(
            &format!("/api/v1/tickets/{}", ticket["id"].as_str().expect("id")),
            &scene.cast.tier1.token,
            json!({"urgency": "medium"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{high}");
    assert_eq!(high["priority"], "high");
    assert_eq!(high["sla"]["resolution"]["target_seconds"], 864000);
    assert_eq!(high["sla"]["resolution"]["due_at"], at(1000 + 864000 - 6));
    assert_eq!(high["sla"]["tier1"]["due_at"], at(1000 + 86400 - 6));
    assert_eq!(
        high["sla"]["response"]["target_seconds"], 10,
        "a met clock keeps its target"
    );
}

/// Office hours in WITA (Mon–Fri 08:00–16:00), Thursday 24 December a holiday.
fn office_hours() -> Value {
    let day = json!([["08:00", "16:00"]]);
    json!({"name": "Kantor", "timezone": "Asia/Makassar",
           "working_hours": {"mon": day, "tue": day, "wed": day, "thu": day, "fri": day, "sat": [], "sun": []},
           "holidays": [{"date": "2026-12-24", "name": "Cuti bersama"}]})
}

async fn due_instants_follow_office_hours_holidays_and_calendar_edits(backend: Backend) {
    // Wednesday 23 December 2026, 14:00 WITA (06:00 UTC).
    let wednesday = Utc
        .with_ymd_and_hms(2026, 12, 23, 6, 0, 0)
        .single()
        .expect("instant");
    let scene = scene_from(
        backend,
        wednesday,
        office_hours(),
        json!({"priority": "critical", "response_seconds": 3600, "tier1_seconds": 14400,
               "resolution_seconds": 57600}),
    )
    .await;
    let ticket = scene.critical_ticket().await;
    let sla = &ticket["sla"];
    // Worked out by hand: 2 h left on Wednesday; Thursday is a holiday; Friday 8 h; the
    // weekend is closed; Monday from 08:00.
    assert_eq!(
        sla["response"]["due_at"], "2026-12-23T07:00:00Z",
        "Wed 15:00 WITA"
    );
    assert_eq!(
        sla["tier1"]["due_at"], "2026-12-25T02:00:00Z",
        "Fri 10:00 WITA"
    );
    assert_eq!(
        sla["resolution"]["due_at"], "2026-12-28T06:00:00Z",
        "Mon 14:00 WITA"
    );

    // Friday becomes a holiday too: the open ticket's due instants move on.
    let (_, policies) = scene
        .app
        .get(
            "/api/v1/sla-policies?limit=10",
            &scene.cast.supervisor.token,
        )
        .await;
    let calendar_id = policies["items"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["default"] == true))
        .map(|p| p["calendar_id"].as_str().expect("calendar").to_owned())
        .expect("default policy");
    scene.clock.advance(chrono::Duration::minutes(30));
    let (status, calendar) = scene
        .app
        .post(
            &format!("/api/v1/calendars/{calendar_id}/holidays"),
            &scene.cast.supervisor.token,
            json!({"date": "2026-12-25", "name": "Natal"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{calendar}");
    let moved = scene.ticket(&ticket).await;
    assert_eq!(moved["sla"]["response"]["due_at"], "2026-12-23T07:00:00Z");
    assert_eq!(
        moved["sla"]["tier1"]["due_at"], "2026-12-28T02:00:00Z",
        "Mon 10:00 WITA"
    );
    assert_eq!(
        moved["sla"]["resolution"]["due_at"], "2026-12-29T06:00:00Z",
        "Tue 14:00 WITA"
    );
    assert_eq!(
        moved["sla"]["resolution"]["elapsed_seconds"], 1800,
        "time counted stays"
    );
}

async fn two_engines_never_double_escalate(backend: Backend) {
    let scene = scene(backend, always_open(), seconds_targets()).await;
    // A second process of the service on the same database, with its own engine; the two
    // engines look at the same instants at the same time.
    let second = Application::build_with(
        &scene.app.storage.config_on_test_clock(),
        scene.clock.clone(),
        Jobs::Driven,
    )
    .expect("second server");
    let second_engine = second.driver().expect("driven jobs");
    tokio::spawn(second.run_until_stopped());
    let mut tickets = Vec::new();
    for _ in 0..20 {
        tickets.push(scene.critical_ticket().await);
    }
    for seconds in [5, 10, 20, 30, 60] {
        scene.set(seconds);
        let engine = second_engine.clone();
        let (_, second) = futures::join!(
            scene.app.run_due_sla(),
            tokio::task::spawn_blocking(move || engine.run_due_sla())
        );
        second.expect("join");
    }
    for ticket in &tickets {
        let events = scene.sla_events(ticket).await;
        let count = |kind: &str, clock: &str| {
            events
                .iter()
                .filter(|(k, c, _)| k == kind && c == clock)
                .count()
        };
        assert_eq!(
            [
                count("sla_warning", "response"),
                count("sla_breached", "response"),
                count("sla_warning", "tier1"),
                count("sla_breached", "tier1"),
                count("escalated", ""),
                count("sla_warning", "resolution"),
                count("sla_breached", "resolution"),
            ],
            [1; 7],
            "{events:?}"
        );
    }
}

async fn lists_sort_by_the_earliest_deadline(backend: Backend) {
    let scene = scene(backend, always_open(), seconds_targets()).await;
    let high = scene
        .app
        .create_ticket(
            &scene.cast.tier1.token,
            json!({"impact": "high", "urgency": "medium"}),
        )
        .await;
    scene.set(1);
    let critical = scene.critical_ticket().await;
    scene.set(2);
    let cancelled = scene.critical_ticket().await;
    scene
        .act(&cancelled, "cancel", json!({"reason": "Ganda"}))
        .await;
    let mut seen = Vec::new();
    let mut path = "/api/v1/tickets?sort=due&limit=1".to_owned();
    loop {
        let (status, page) = scene.app.get(&path, &scene.cast.tier2.token).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        seen.extend(
            page["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|t| t["id"].clone()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/tickets?sort=due&limit=1&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(
        seen,
        [&critical["id"], &high["id"], &cancelled["id"]].map(Clone::clone)
    );
    let (status, problem) = scene
        .app
        .get("/api/v1/tickets?sort=deadline", &scene.cast.tier2.token)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "sort", "{problem}");
}

/// How many mails the outbox holds for `ticket`.
async fn mails_for(scene: &Scene, ticket: &Value) -> usize {
    let (status, page) = scene
        .app
        .get("/api/v1/notifications?limit=200", &scene.app.admin_token)
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|mail| mail["ticket_id"] == ticket["id"])
        .count()
}

/// The ticket's SLA events once the engine has handled what is due, and whether it is listed
/// as breached.
async fn after_close(scene: &Scene, ticket: &Value) -> (Vec<(String, String, String)>, Value) {
    let events = scene.events_due(ticket).await;
    let (status, breached) = scene
        .app
        .get("/api/v1/tickets?breached=true", &scene.cast.tier2.token)
        .await;
    assert_eq!(status, StatusCode::OK, "{breached}");
    (events, breached["items"].clone())
}

async fn closing_a_resolved_ticket_keeps_its_clocks_stopped(backend: Backend) {
    let scene = scene(backend, always_open(), seconds_targets()).await;
    let ticket = scene.critical_ticket().await;
    scene.set(2);
    scene.act(&ticket, "acknowledge", json!({})).await;
    scene.set(4);
    let resolved = scene
        .act(
            &ticket,
            "resolve",
            json!({"resolution": "Layanan dijalankan ulang"}),
        )
        .await;
    scene.set(6);
    let closed = scene.act(&ticket, "close", json!({})).await;
    assert_eq!(closed["status"], "closed");
    for clock in ["response", "tier1", "resolution"] {
        assert_eq!(
            closed["sla"][clock], resolved["sla"][clock],
            "closing leaves the {clock} clock as resolving left it"
        );
        assert_eq!(closed["sla"][clock]["due_at"], Value::Null, "{clock}");
    }
    assert_eq!(closed["sla"]["tier1"]["met_at"], at(4));
    assert_eq!(closed["sla"]["resolution"]["met_at"], at(4));

    scene.set(3_000);
    let (events, breached) = after_close(&scene, &ticket).await;
    assert_eq!(events, vec![], "a closed ticket owes no alert");
    assert_eq!(breached, json!([]), "nor is it listed as breached");
    let later = scene.ticket(&ticket).await;
    assert_eq!(later["sla"]["resolution"]["elapsed_seconds"], 4);
    assert_eq!(later["sla"]["resolution"]["breached"], false);
}

/// What closing did before the fix: the tier 1 and resolution clocks ran again from the close,
/// and the engine recorded a resolution breach an hour later.
const RESTARTED_BY_CLOSE: [&str; 2] = [
    "UPDATE ticket_sla SET tier1_met_at = NULL, resolution_met_at = NULL, \
     tier1_since = (SELECT closed_at FROM tickets WHERE id = ticket_sla.ticket_id), \
     resolution_since = (SELECT closed_at FROM tickets WHERE id = ticket_sla.ticket_id), \
     next_event_at = (SELECT closed_at FROM tickets WHERE id = ticket_sla.ticket_id), \
     due_at = (SELECT closed_at FROM tickets WHERE id = ticket_sla.ticket_id)",
    "UPDATE ticket_sla SET resolution_warned_at = '2026-11-23 03:00:02', \
     resolution_breached_at = '2026-11-23 03:00:02', breached = TRUE",
];

async fn the_repair_migration_stops_the_clocks_of_closed_tickets(backend: Backend) {
    use diesel::RunQueryDsl;
    let scene = scene(backend, always_open(), seconds_targets()).await;
    let closed = scene.critical_ticket().await;
    let open = scene.critical_ticket().await;
    scene.set(2);
    for action in ["acknowledge", "resolve", "close"] {
        scene
            .act(
                &closed,
                action,
                json!({"resolution": "Layanan dijalankan ulang"}),
            )
            .await;
    }
    scene.act(&open, "acknowledge", json!({})).await;
    let before = scene.ticket(&closed).await;
    let open_before = scene.ticket(&open).await;
    let url = servicedesk::db::DatabaseUrl::parse(&scene.app.storage.database_url()).expect("url");
    let mut conn = url.establish().expect("connect");
    let closed_id = closed["id"].as_str().expect("id");
    for statement in RESTARTED_BY_CLOSE {
        diesel::sql_query(format!("{statement} WHERE ticket_id = '{closed_id}'"))
            .execute(&mut conn)
            .expect("the clocks as the old close left them");
    }
    assert_eq!(
        scene.ticket(&closed).await["sla"]["resolution"]["met_at"],
        Value::Null
    );
    diesel::sql_query("DELETE FROM __diesel_schema_migrations WHERE version = '20261201000001'")
        .execute(&mut conn)
        .expect("forget the repair");
    let mails_before = mails_for(&scene, &closed).await;
    let config = scene.app.storage.config_on_test_clock();
    servicedesk::app::prepare(&config, scene.clock.clone()).expect("migrations run again");

    let repaired = scene.ticket(&closed).await;
    assert_eq!(
        repaired["sla"], before["sla"],
        "the clocks stand where they stopped"
    );
    assert_eq!(scene.ticket(&open).await["sla"], open_before["sla"]);
    scene.set(3_000);
    let (events, breached) = after_close(&scene, &closed).await;
    assert_eq!(events, vec![], "nothing recorded for the repaired ticket");
    let listed: Vec<&Value> = breached
        .as_array()
        .expect("list")
        .iter()
        .map(|t| &t["id"])
        .collect();
    assert!(!listed.contains(&&closed["id"]), "{breached}");
    let settled = scene.events_due(&open).await;
    assert!(!settled.is_empty(), "the open ticket's clocks still run");
    assert_eq!(
        mails_for(&scene, &closed).await,
        mails_before,
        "no mail for the repaired ticket"
    );
}

async fn escalating_a_pending_ticket_sets_it_working_again(backend: Backend) {
    let scene = scene(backend, always_open(), seconds_targets()).await;
    let ticket = scene.critical_ticket().await;
    scene.set(4);
    scene
        .act(&ticket, "pend", json!({"reason": "Menunggu pelapor"}))
        .await;
    scene.set(100);
    let escalated = scene
        .act(
            &ticket,
            "escalate",
            json!({"reason": "Perlu akses pusat data"}),
        )
        .await;
    let seen = scene.ticket(&ticket).await;
    for ticket in [&escalated, &seen] {
        assert_eq!(
            (&ticket["status"], &ticket["tier"], &ticket["sla"]["paused"]),
            (&json!("in_progress"), &json!(2), &json!(false)),
            "{ticket}"
        );
        assert_eq!(ticket["sla"]["tier1"]["met_at"], at(100));
        assert_eq!(
            ticket["sla"]["resolution"]["due_at"],
            at(100 + 56),
            "the resolution clock counts again: 4 s counted before pending"
        );
    }
    scene.set(110);
    assert_eq!(
        scene.ticket(&ticket).await["sla"]["resolution"]["elapsed_seconds"],
        14
    );
}

async fn alerts_name_the_deadline_and_when_their_threshold_was_reached(backend: Backend) {
    let scene = scene(backend, always_open(), seconds_targets()).await;
    let ticket = scene.critical_ticket().await;
    scene.set(19);
    scene.events_due(&ticket).await;
    let trail = scene
        .app
        .ticket_events(&scene.cast.supervisor.token, &ticket)
        .await;
    let alerts: Vec<(&Value, &Value, &Value, &Value, &Value)> = trail
        .iter()
        .filter(|e| e["type"].as_str().is_some_and(|t| t.starts_with("sla_")))
        .map(|e| {
            (
                &e["type"],
                &e["data"]["clock"],
                &e["data"]["at"],
                &e["data"]["due_at"],
                &e["at"],
            )
        })
        .collect();
    let (warning, breached) = (json!("sla_warning"), json!("sla_breached"));
    let (response, tier1) = (json!("response"), json!("tier1"));
    let (at5, at10, at19, at20) = (json!(at(5)), json!(at(10)), json!(at(19)), json!(at(20)));
    assert_eq!(
        alerts,
        vec![
            (&warning, &response, &at5, &at10, &at19),
            (&breached, &response, &at10, &at10, &at19),
            (&warning, &tier1, &at10, &at20, &at19),
        ],
        "recorded late at 19 s: each names its threshold instant and its clock's deadline"
    );
}

on_both_databases!(
    lists_sort_by_the_earliest_deadline,
    warnings_breaches_and_automatic_escalation_come_at_their_instant,
    a_pending_ticket_escalates_only_after_its_remaining_window,
    reopen_and_priority_change_keep_the_time_counted,
    due_instants_follow_office_hours_holidays_and_calendar_edits,
    two_engines_never_double_escalate,
    closing_a_resolved_ticket_keeps_its_clocks_stopped,
    the_repair_migration_stops_the_clocks_of_closed_tickets,
    escalating_a_pending_ticket_sets_it_working_again,
    alerts_name_the_deadline_and_when_their_threshold_was_reached,
);
