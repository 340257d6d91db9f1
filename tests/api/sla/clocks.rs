//! What the clocks count: reopen and priority changes, office hours and holidays, and the
//! order of deadlines.

use chrono::{TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{always_open, at, scene, scene_from, seconds_targets};
use crate::on_both_databases;
use crate::support::Backend;

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

on_both_databases!(
    reopen_and_priority_change_keep_the_time_counted,
    due_instants_follow_office_hours_holidays_and_calendar_edits,
    lists_sort_by_the_earliest_deadline,
);
