//! The desk's own alert form, as Zabbix, Uptime Kuma or a script send it, through the real
//! server: who may post, what down and up do, repeats, maintenance, unknown services, bad
//! input, two servers at once, and the outages list.

use chrono::{DateTime, Duration, SubsecRound, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{incidents, monitor, outages, service};
use crate::on_both_databases;
use crate::support::logged::LoggedServer;
use crate::support::{Backend, TestApp, assert_refused_on};

fn ago(minutes: i64) -> DateTime<Utc> {
    (Utc::now() - Duration::minutes(minutes)).trunc_subsecs(0)
}

fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

async fn send(app: &TestApp, token: &str, body: Value) -> Value {
    let (status, answer) = app.post("/api/v1/alerts", token, body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer["results"][0].clone()
}

/// A monitoring token posts alerts and opens nothing else; nobody else posts alerts.
async fn a_monitor_posts_alerts_and_nothing_else(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let token = monitor(&app).await;
    for path in [
        "/api/v1/tickets",
        "/api/v1/auth/me",
        "/api/v1/alerts",
        "/api/v1/services",
    ] {
        let (status, problem) = app.get(path, &token).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {problem}");
    }
    let (status, problem) = app
        .post(
            "/api/v1/tickets",
            &token,
            crate::support::incident(json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("alerts")),
        "{problem}"
    );
    for other in [
        &cast.tier2.token,
        &cast.supervisor.token,
        &cast.integration.token,
        &app.admin_token,
    ] {
        let (status, problem) = app
            .post(
                "/api/v1/alerts",
                other,
                json!({"service": "SIMPEG", "status": "down"}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    }
    // A monitor is a system: no unit, no password.
    let (status, problem) = app
        .post(
            "/api/v1/users",
            &app.admin_token,
            json!({"name": "Zabbix", "email": "zabbix@example.org", "role": "monitoring",
                   "unit_id": cast.dinkes}),
        )
        .await;
    assert_refused_on(status, &problem, "unit_id");
}

/// `down` opens one unplanned outage from its instant and one incident for the service's PD
/// at tier 2; repeats change nothing; `up` ends the outage at its instant and tells the
/// incident, which a person resolves; the availability figure counts the downtime.
async fn down_and_up_open_and_end_one_outage_and_one_incident(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let token = monitor(&app).await;
    let simpeg = service(&app, &cast, "SIMPEG", json!({})).await;
    let down_at = ago(10);
    let down = json!({"service": "simpeg", "status": "down", "at": stamp(down_at),
                      "summary": "HTTP 502", "source_url": "https://zabbix.example.org/tr/1"});
    let opened = send(&app, &token, down.clone()).await;
    assert_eq!(opened["outcome"], "opened", "{opened}");
    let tickets = incidents(&app, &cast, &simpeg).await;
    assert_eq!(tickets.len(), 1, "{tickets:?}");
    let ticket = &tickets[0];
    assert_eq!(
        (
            &ticket["kind"],
            &ticket["tier"],
            &ticket["unit_id"],
            &ticket["priority"],
            &ticket["status"]
        ),
        (
            &json!("incident"),
            &json!(2),
            &json!(cast.dinkes),
            &json!("high"),
            &json!("new")
        ),
        "{ticket}"
    );
    assert_eq!(opened["alert"]["ticket_id"], ticket["id"]);
    let (_, full) = app
        .get(
            &format!("/api/v1/tickets/{}", ticket["id"].as_str().expect("id")),
            &cast.tier2.token,
        )
        .await;
    let description = full["description"].as_str().unwrap_or_default();
    assert!(
        description.contains("https://zabbix.example.org/tr/1"),
        "{full}"
    );
    // The PD's Tier 1 sees its PD's incident too.
    let (status, _) = app
        .get(
            &format!("/api/v1/tickets/{}", ticket["id"].as_str().expect("id")),
            &cast.tier1.token,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let listed = outages(&app, &cast.integration.token, &simpeg).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(
        (
            &listed[0]["source"],
            &listed[0]["planned"],
            &listed[0]["started_at"],
            &listed[0]["ended_at"],
            &listed[0]["ticket_id"]
        ),
        (
            &json!("alert"),
            &json!(false),
            &json!(stamp(down_at)),
            &Value::Null,
            &ticket["id"]
        ),
        "{listed:?}"
    );
    // A repeat, even with another instant, changes nothing.
    let mut again = down.clone();
    again["at"] = json!(stamp(ago(5)));
    assert_eq!(send(&app, &token, again).await["outcome"], "unchanged");
    assert_eq!(incidents(&app, &cast, &simpeg).await.len(), 1);
    let up_at = down_at + Duration::minutes(9);
    let up = json!({"service": "SIMPEG", "status": "up", "at": stamp(up_at)});
    assert_eq!(send(&app, &token, up.clone()).await["outcome"], "ended");
    assert_eq!(send(&app, &token, up).await["outcome"], "nothing_firing");
    let listed = outages(&app, &cast.tier2.token, &simpeg).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["ended_at"], json!(stamp(up_at)), "{listed:?}");
    let (_, comments) = app
        .get(
            &format!(
                "/api/v1/tickets/{}/comments",
                ticket["id"].as_str().expect("id")
            ),
            &cast.tier2.token,
        )
        .await;
    assert!(
        comments.to_string().contains("Layanan pulih"),
        "the incident hears that the service is back: {comments}"
    );
    let (_, after) = app
        .get(
            &format!("/api/v1/tickets/{}", ticket["id"].as_str().expect("id")),
            &cast.tier2.token,
        )
        .await;
    assert_eq!(after["status"], "new", "a person resolves it: {after}");
    let (status, figures) = app
        .get(
            &format!(
                "/api/v1/services/{}/availability?from={}&to={}",
                simpeg["id"].as_str().expect("id"),
                stamp(down_at - Duration::hours(1)),
                stamp(up_at + Duration::hours(1))
            ),
            &cast.tier2.token,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{figures}");
    assert_eq!(figures["downtime_seconds"], 9 * 60, "{figures}");
}

/// A service that says `auto_resolve` has its incident resolved when the alert ends, and a
/// service at `alert_tier` 1 has its incident opened for its PD's Tier 1.
async fn a_service_may_resolve_by_itself_and_open_at_tier_1(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let token = monitor(&app).await;
    let sipd = service(
        &app,
        &cast,
        "SIPD",
        json!({"alert_tier": 1, "auto_resolve": true}),
    )
    .await;
    let opened = send(
        &app,
        &token,
        json!({"service": "SIPD", "status": "down", "at": stamp(ago(3))}),
    )
    .await;
    let ticket_id = opened["alert"]["ticket_id"]
        .as_str()
        .expect("ticket")
        .to_owned();
    let (_, ticket) = app
        .get(&format!("/api/v1/tickets/{ticket_id}"), &cast.tier1.token)
        .await;
    assert_eq!(ticket["tier"], 1, "{ticket}");
    send(&app, &token, json!({"service": "SIPD", "status": "up"})).await;
    let (_, ticket) = app
        .get(&format!("/api/v1/tickets/{ticket_id}"), &cast.tier1.token)
        .await;
    assert_eq!(ticket["status"], "resolved", "{ticket}");
    let kinds: Vec<String> = app
        .ticket_events(&cast.tier2.token, &ticket)
        .await
        .iter()
        .map(|e| e["type"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(kinds.contains(&"resolved".to_owned()), "{kinds:?}");
    assert_eq!(outages(&app, &cast.tier2.token, &sipd).await.len(), 1);
    // A bad tier is refused by name.
    let (status, problem) = app
        .patch(
            &format!("/api/v1/services/{}", sipd["id"].as_str().expect("id")),
            &cast.supervisor.token,
            json!({"alert_tier": 3}),
        )
        .await;
    assert_refused_on(status, &problem, "alert_tier");
}

/// Planned maintenance covering the alert's instant makes its outage planned and opens no
/// incident; an alert naming no service is kept and listed, never dropped.
async fn maintenance_opens_no_incident_and_unknown_services_are_listed(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let token = monitor(&app).await;
    let simpeg = service(&app, &cast, "SIMPEG", json!({})).await;
    let (status, window) = app
        .post(
            &format!(
                "/api/v1/services/{}/outages",
                simpeg["id"].as_str().expect("id")
            ),
            &cast.tier2.token,
            json!({"started_at": stamp(ago(60)), "ended_at": stamp(ago(-60)), "planned": true,
                   "note": "Pemeliharaan server"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{window}");
    let taken = send(
        &app,
        &token,
        json!({"service": "SIMPEG", "status": "down", "at": stamp(ago(5))}),
    )
    .await;
    assert_eq!(taken["outcome"], "during_maintenance", "{taken}");
    assert!(incidents(&app, &cast, &simpeg).await.is_empty());
    let listed = outages(&app, &cast.tier2.token, &simpeg).await;
    assert!(listed.iter().all(|o| o["planned"] == true), "{listed:?}");
    let unknown = send(
        &app,
        &token,
        json!({"service": "TIDAKADA", "status": "down"}),
    )
    .await;
    assert_eq!(unknown["outcome"], "unmatched", "{unknown}");
    let (status, page) = app
        .get("/api/v1/alerts?matched=false", &cast.tier2.token)
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let codes: Vec<&Value> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|a| &a["service_code"])
        .collect();
    assert_eq!(codes, [&json!("TIDAKADA")], "{page}");
    let (_, matched) = app
        .get("/api/v1/alerts?matched=true", &cast.auditor.token)
        .await;
    assert_eq!(
        matched["items"].as_array().map(Vec::len),
        Some(1),
        "{matched}"
    );
    let (status, _) = app.get("/api/v1/alerts", &cast.tier1.token).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// Two alerts of one service hold one outage: it ends when the last of them does.
async fn two_alerts_of_one_service_share_its_outage(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let token = monitor(&app).await;
    let simpeg = service(&app, &cast, "SIMPEG", json!({})).await;
    let alert = |fingerprint: &str, status: &str| json!({"service": "SIMPEG", "status": status, "fingerprint": fingerprint, "at": stamp(ago(if status == "down" { 2 } else { 1 }))});
    assert_eq!(
        send(&app, &token, alert("http", "down")).await["outcome"],
        "opened"
    );
    assert_eq!(
        send(&app, &token, alert("ping", "down")).await["outcome"],
        "joined"
    );
    assert_eq!(
        send(&app, &token, alert("http", "up")).await["outcome"],
        "still_down"
    );
    assert_eq!(
        outages(&app, &cast.tier2.token, &simpeg).await[0]["ended_at"],
        Value::Null
    );
    assert_eq!(
        send(&app, &token, alert("ping", "up")).await["outcome"],
        "ended"
    );
    assert_ne!(
        outages(&app, &cast.tier2.token, &simpeg).await[0]["ended_at"],
        Value::Null
    );
    assert_eq!(incidents(&app, &cast, &simpeg).await.len(), 1);
}

/// Bad alerts are refused by field and change nothing.
async fn bad_alerts_are_refused_by_field(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let token = monitor(&app).await;
    service(&app, &cast, "SIMPEG", json!({})).await;
    let future = stamp(ago(-60));
    for (body, field) in [
        (
            json!({"service": "SIMPEG", "status": "down", "at": future}),
            "at",
        ),
        (json!({"service": "", "status": "down"}), "service"),
        (json!({"service": "SIMPEG", "status": "sideways"}), "status"),
        (
            json!({"service": "SIMPEG", "status": "down", "source_url": "ftp://x"}),
            "source_url",
        ),
    ] {
        let (status, problem) = app.post("/api/v1/alerts", &token, body).await;
        assert_refused_on(status, &problem, field);
    }
    let firing = |version: &str, ends: &str| {
        json!({"version": version, "alerts": [{"status": "resolved", "labels": {"service": "SIMPEG"},
               "startsAt": stamp(ago(5)), "endsAt": ends, "fingerprint": "f1"}]})
    };
    let (status, problem) = app
        .post(
            "/api/v1/alerts/alertmanager",
            &token,
            firing("3", &stamp(ago(1))),
        )
        .await;
    assert_refused_on(status, &problem, "version");
    let (status, problem) = app
        .post(
            "/api/v1/alerts/alertmanager",
            &token,
            firing("4", &stamp(ago(9))),
        )
        .await;
    assert_refused_on(status, &problem, "alerts[0].endsAt");
    let (_, all) = app.get("/api/v1/alerts", &cast.tier2.token).await;
    assert_eq!(all["items"], json!([]), "{all}");
}

/// The same Alertmanager delivery sent many times at once to two servers on one database,
/// as retries do, makes one outage and one incident.
async fn retries_at_two_servers_make_one_outage_and_one_incident(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let token = monitor(&app).await;
    let simpeg = service(&app, &cast, "SIMPEG", json!({})).await;
    let second = LoggedServer::start(&app.storage, "info");
    let elsewhere = format!(
        "http://127.0.0.1:{}/api/v1/alerts/alertmanager",
        second.port
    );
    let delivery = json!({"version": "4", "status": "firing", "alerts": [{
        "status": "firing", "labels": {"alertname": "Mati", "service": "SIMPEG", "severity": "critical"},
        "annotations": {"summary": "SIMPEG mati"}, "startsAt": stamp(ago(1)),
        "endsAt": "0001-01-01T00:00:00Z", "fingerprint": "5a5a5a"}]});
    let sends = (0..12).map(|n| {
        let url = if n % 2 == 0 {
            app.url("/api/v1/alerts/alertmanager")
        } else {
            elsewhere.clone()
        };
        let request = app.client.post(url).bearer_auth(&token).json(&delivery);
        async move { request.send().await.expect("sent").status() }
    });
    let statuses = futures_util::future::join_all(sends).await;
    second.stop();
    assert!(
        statuses.iter().all(|s| *s == StatusCode::OK),
        "{statuses:?}"
    );
    let tickets = incidents(&app, &cast, &simpeg).await;
    assert_eq!(tickets.len(), 1, "{tickets:?}");
    assert_eq!(tickets[0]["priority"], "critical");
    assert_eq!(outages(&app, &cast.tier2.token, &simpeg).await.len(), 1);
}

/// The outages list: newest first, pages that neither repeat nor miss, `from`/`to` keeping
/// the outages that overlap the span.
async fn outages_are_listed_newest_first(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let simpeg = service(&app, &cast, "SIMPEG", json!({})).await;
    let id = simpeg["id"].as_str().expect("id");
    let starts = [ago(300), ago(100), ago(200)];
    for start in starts {
        let (status, outage) = app
            .post(
                &format!("/api/v1/services/{id}/outages"),
                &cast.tier2.token,
                json!({"started_at": stamp(start), "ended_at": stamp(start + Duration::minutes(30))}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{outage}");
    }
    let (_, first) = app
        .get(
            &format!("/api/v1/services/{id}/outages?limit=2"),
            &cast.tier2.token,
        )
        .await;
    let cursor = first["next_cursor"].as_str().expect("a second page");
    let (_, second) = app
        .get(
            &format!("/api/v1/services/{id}/outages?limit=2&cursor={cursor}"),
            &cast.tier2.token,
        )
        .await;
    let seen: Vec<Value> = [&first, &second]
        .iter()
        .flat_map(|page| {
            page["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|o| o["started_at"].clone())
        })
        .collect();
    assert_eq!(
        seen,
        [starts[1], starts[2], starts[0]].map(|at| json!(stamp(at))),
        "{first} {second}"
    );
    assert_eq!(second["next_cursor"], Value::Null);
    let (_, span) = app
        .get(
            &format!(
                "/api/v1/services/{id}/outages?from={}&to={}",
                stamp(ago(190)),
                stamp(ago(150))
            ),
            &cast.tier2.token,
        )
        .await;
    assert_eq!(span["items"].as_array().map(Vec::len), Some(1), "{span}");
    let (status, problem) = app
        .get(
            &format!(
                "/api/v1/services/{id}/outages?from={}&to={}",
                stamp(ago(1)),
                stamp(ago(2))
            ),
            &cast.tier2.token,
        )
        .await;
    assert_refused_on(status, &problem, "to");
}

/// A fingerprint is the monitor's, per service: two monitors whose ids agree never meet. An
/// alert that started before the service's open outage moves its start back; one that fires
/// after the outage ended, from inside it, opens it again; neither opens a second incident.
async fn fingerprints_are_per_service_and_late_alerts_join_the_outage(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let token = monitor(&app).await;
    let now = ago(0);
    let before = |minutes| now - Duration::minutes(minutes);
    let ga = service(&app, &cast, "GA", json!({})).await;
    let gb = service(&app, &cast, "GB", json!({})).await;
    let alert = |svc: &str, status: &str, fingerprint: &str, at: DateTime<Utc>| json!({"service": svc, "status": status, "fingerprint": fingerprint, "at": stamp(at)});
    assert_eq!(
        send(&app, &token, alert("GA", "down", "zabbix-1", before(30))).await["outcome"],
        "opened"
    );
    assert_eq!(
        send(&app, &token, alert("GB", "down", "zabbix-1", before(30))).await["outcome"],
        "opened"
    );
    assert_eq!(
        send(&app, &token, alert("GB", "up", "zabbix-1", before(20))).await["outcome"],
        "ended"
    );
    assert_eq!(
        outages(&app, &cast.tier2.token, &ga).await[0]["ended_at"],
        Value::Null
    );
    assert_eq!(incidents(&app, &cast, &gb).await.len(), 1);
    // Another monitor saw GA go down earlier: the outage starts then.
    assert_eq!(
        send(&app, &token, alert("GA", "down", "kuma-7", before(40))).await["outcome"],
        "joined"
    );
    let listed = outages(&app, &cast.tier2.token, &ga).await;
    assert_eq!(
        (listed.len(), &listed[0]["started_at"]),
        (1, &json!(stamp(before(40)))),
        "{listed:?}"
    );
    for fingerprint in ["zabbix-1", "kuma-7"] {
        send(&app, &token, alert("GA", "up", fingerprint, before(10))).await;
    }
    assert_eq!(
        outages(&app, &cast.tier2.token, &ga).await[0]["ended_at"],
        json!(stamp(before(10)))
    );
    // A monitor late to tell: down from inside the outage, and still down.
    assert_eq!(
        send(&app, &token, alert("GA", "down", "ping", before(15))).await["outcome"],
        "joined"
    );
    let listed = outages(&app, &cast.tier2.token, &ga).await;
    assert_eq!(
        (listed.len(), &listed[0]["ended_at"]),
        (1, &Value::Null),
        "{listed:?}"
    );
    assert_eq!(incidents(&app, &cast, &ga).await.len(), 1);
    // An up before its own down is refused.
    let (status, problem) = app
        .post(
            "/api/v1/alerts",
            &token,
            alert("GA", "up", "ping", before(16)),
        )
        .await;
    assert_refused_on(status, &problem, "at");
}

/// A monitor's text becomes a one-line title: line breaks, tabs and bidirectional controls do
/// not reach it, a long summary is cut, and members the form does not know are ignored.
async fn a_monitors_text_becomes_a_one_line_title(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let token = monitor(&app).await;
    let simpeg = service(&app, &cast, "SIMPEG", json!({})).await;
    let summary = format!("baris satu\nbaris\u{202e}dua\tx {}", "panjang ".repeat(100));
    let body =
        json!({"service": "SIMPEG", "status": "down", "summary": summary, "severity": "ignored"});
    assert_eq!(send(&app, &token, body).await["outcome"], "opened");
    let ticket = &incidents(&app, &cast, &simpeg).await[0];
    let title = ticket["title"].as_str().expect("title");
    assert!(
        title.starts_with("SIMPEG tidak tersedia: baris satu barisdua x panjang"),
        "{title}"
    );
    assert!(
        !title.chars().any(|c| c.is_control() || c == '\u{202e}'),
        "{title:?}"
    );
    assert!(title.chars().count() <= 200, "{title}");
}

on_both_databases!(
    fingerprints_are_per_service_and_late_alerts_join_the_outage,
    a_monitors_text_becomes_a_one_line_title,
    a_monitor_posts_alerts_and_nothing_else,
    down_and_up_open_and_end_one_outage_and_one_incident,
    a_service_may_resolve_by_itself_and_open_at_tier_1,
    maintenance_opens_no_incident_and_unknown_services_are_listed,
    two_alerts_of_one_service_share_its_outage,
    bad_alerts_are_refused_by_field,
    retries_at_two_servers_make_one_outage_and_one_incident,
    outages_are_listed_newest_first,
);
