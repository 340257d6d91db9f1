//! Business calendars: the preset's office hours, new calendars, holidays.

use reqwest::StatusCode;
use serde_json::json;

use crate::on_both_databases;
use crate::support::{Backend, TestApp};

async fn the_preset_calendar_has_office_hours_and_national_holidays(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let (status, page) = app.get("/api/v1/calendars", &cast.tier2.token).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let calendar = &page["items"][0];
    assert_eq!(calendar["timezone"], "Asia/Makassar");
    assert_eq!(calendar["always_open"], false);
    assert_eq!(
        calendar["working_hours"]["mon"],
        json!([["07:30", "16:00"]])
    );
    assert_eq!(
        calendar["working_hours"]["fri"],
        json!([["07:30", "16:30"]])
    );
    assert_eq!(calendar["working_hours"]["sat"], json!([]));
    let holidays = calendar["holidays"].as_array().expect("holidays");
    assert_eq!(holidays.len(), 10);
    assert!(
        holidays
            .iter()
            .any(|h| h["date"].as_str().is_some_and(|d| d.ends_with("-08-17")))
    );
    assert_eq!(
        app.get("/api/v1/calendars", &cast.integration.token)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
}

async fn supervisors_add_calendars_and_the_years_moving_holidays(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    let input = json!({"name": "Layanan 24 jam", "timezone": "Asia/Jayapura", "always_open": true,
                       "holidays": [{"date": "2026-12-25", "name": "Natal"}]});
    assert_eq!(
        app.post("/api/v1/calendars", &cast.tier2.token, input.clone())
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (status, calendar) = app
        .post("/api/v1/calendars", &cast.supervisor.token, input)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{calendar}");
    let id = calendar["id"].as_str().expect("id");
    let (status, with_lebaran) = app
        .post(
            &format!("/api/v1/calendars/{id}/holidays"),
            &cast.supervisor.token,
            json!({"date": "2027-03-10", "name": "Hari Raya Idul Fitri"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{with_lebaran}");
    assert_eq!(with_lebaran["holidays"].as_array().map(Vec::len), Some(2));
    let (status, problem) = app
        .post(
            &format!("/api/v1/calendars/{id}/holidays"),
            &cast.supervisor.token,
            json!({"date": "2027-03-10", "name": "Lagi"}),
        )
        .await;
    assert_eq!(
        (status, &problem["code"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &json!("holiday_exists"))
    );

    let (status, office) = app
        .put(&format!("/api/v1/calendars/{id}"), &app.admin_token,
             json!({"name": "Shift pagi", "timezone": "Asia/Jayapura",
                    "working_hours": {"mon": [["13:00", "17:00"], ["07:00", "12:00"]]}, "holidays": []}))
        .await;
    assert_eq!(status, StatusCode::OK, "{office}");
    assert_eq!(
        office["working_hours"]["mon"],
        json!([["07:00", "12:00"], ["13:00", "17:00"]]),
        "sorted"
    );
    assert_eq!(
        (&office["always_open"], &office["holidays"]),
        (&json!(false), &json!([]))
    );
}

async fn bad_calendars_are_refused(backend: Backend) {
    let (app, cast) = TestApp::spawn_cast(backend).await;
    for (input, field) in [
        (json!({"name": "x", "timezone": "WITA"}), "timezone"),
        (
            json!({"name": "x", "timezone": "Asia/Jakarta", "working_hours": {"mon": [["16:00", "08:00"]]}}),
            "working_hours",
        ),
        (
            json!({"name": "x", "timezone": "Asia/Jakarta", "working_hours": {"mon": [["08:00", "12:00"], ["11:00", "13:00"]]}}),
            "working_hours",
        ),
        (json!({"name": "", "timezone": "Asia/Jakarta"}), "name"),
        (
            json!({"name": "x", "timezone": "Asia/Jakarta",
                "holidays": [{"date": "2026-12-25", "name": "a"}, {"date": "2026-12-25", "name": "b"}]}),
            "holidays[1].date",
        ),
        // `format: date` is `YYYY-MM-DD` and nothing looser.
        (
            json!({"name": "x", "timezone": "Asia/Jakarta",
                "holidays": [{"date": "2026-03-01", "name": "a"}, {"date": "2026-3-2", "name": "b"}]}),
            "holidays[1].date",
        ),
        (
            json!({"name": "x", "timezone": "Asia/Jakarta",
                "holidays": [{"date": "+2026-03-01", "name": "a"}]}),
            "holidays[0].date",
        ),
        (
            json!({"name": "x", "timezone": "Asia/Jakarta",
                "holidays": [{"date": "2026-03-01 ", "name": "a"}]}),
            "holidays[0].date",
        ),
    ] {
        let (status, problem) = app
            .post("/api/v1/calendars", &cast.supervisor.token, input)
            .await;
        assert_eq!(
            (status, &problem["errors"][0]["field"]),
            (StatusCode::UNPROCESSABLE_ENTITY, &json!(field)),
            "{problem}"
        );
    }
    let (status, problem) = app
        .post(
            "/api/v1/calendars",
            &cast.supervisor.token,
            json!({"name": "x", "timezone": "Asia/Jakarta",
              "working_hours": {"mon": [["7.30", "16:00"]]}}),
        )
        .await;
    assert_eq!(
        (status, &problem["code"], &problem["errors"][0]["field"]),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            &json!("validation_failed"),
            &json!("working_hours.mon[0][0]")
        ),
        "{problem}"
    );
    let (_, page) = app.get("/api/v1/calendars", &cast.supervisor.token).await;
    assert_eq!(
        page["items"].as_array().map(Vec::len),
        Some(1),
        "nothing was written"
    );
}

on_both_databases!(
    the_preset_calendar_has_office_hours_and_national_holidays,
    supervisors_add_calendars_and_the_years_moving_holidays,
    bad_calendars_are_refused,
);
