//! The people of a small region, and the moves most tests make with them.

use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::{Value, json};
use servicedesk::app::Jobs;
use servicedesk::clock::ManualClock;

use super::{Backend, DOMAIN, TestApp, smtp, template};

/// An account of the cast.
pub struct Member {
    pub id: String,
    pub token: String,
}

/// The people of a small region: two PDs with their Tier 1, the Dinas staff, an auditor and a
/// dashboard integration.
pub struct Cast {
    pub dinkes: String,
    pub disdik: String,
    pub tier1: Member,
    pub tier1_colleague: Member,
    pub tier1_other_pd: Member,
    pub tier2: Member,
    pub supervisor: Member,
    pub auditor: Member,
    pub integration: Member,
}

impl TestApp {
    /// A server on the Tojo Una-Una preset with an admin and the cast (copied from the
    /// template: see `support::template`).
    pub async fn spawn_cast(backend: Backend) -> (Self, Cast) {
        template::spawn_cast(backend, None, &[], Jobs::Background).await
    }

    /// The same on a clock the test moves.
    pub async fn spawn_cast_on_clock(backend: Backend, clock: Arc<ManualClock>) -> (Self, Cast) {
        template::spawn_cast(backend, Some(clock), &[], Jobs::Background).await
    }

    /// A server on the preset whose time moves only when the test moves `clock` (without one,
    /// the system's), with more settings, and the cast; its SLA engine and mail dispatcher
    /// work only when the test says (`run_due_sla`, `dispatch_mail`).
    pub async fn spawn_driven(
        backend: Backend,
        clock: Option<Arc<ManualClock>>,
        extra: &[(&str, String)],
    ) -> (Self, Cast) {
        template::spawn_cast(backend, clock, extra, Jobs::Driven).await
    }

    /// A driven server (`spawn_driven`) whose clock starts on `monday_morning()`, with its clock.
    pub async fn spawn_driven_on_monday(backend: Backend) -> (Self, Cast, Arc<ManualClock>) {
        let clock = Arc::new(ManualClock::new(super::monday_morning()));
        let (app, cast) = Self::spawn_driven(backend, Some(clock.clone()), &[]).await;
        (app, cast, clock)
    }

    /// Sets up the cast through the API, as an admin would.
    pub async fn cast(&self) -> Cast {
        let dinkes = self.create_pd("DINKES").await;
        let disdik = self.create_pd("DISDIK").await;
        let dinas = self.dinas_id().await;
        let member = |(id, token): (String, String)| Member { id, token };
        let tier1 = member(
            self.create_user(&format!("teknisi.dinkes@{DOMAIN}"), "tier1", Some(&dinkes))
                .await,
        );
        let tier1_colleague = member(
            self.create_user(&format!("rekan.dinkes@{DOMAIN}"), "tier1", Some(&dinkes))
                .await,
        );
        let tier1_other_pd = member(
            self.create_user(&format!("teknisi.disdik@{DOMAIN}"), "tier1", Some(&disdik))
                .await,
        );
        let tier2 = member(
            self.create_user(&format!("tier2@{DOMAIN}"), "tier2", Some(&dinas))
                .await,
        );
        let supervisor = member(
            self.create_user(&format!("supervisor@{DOMAIN}"), "supervisor", Some(&dinas))
                .await,
        );
        let auditor = member(
            self.create_user(&format!("inspektorat@{DOMAIN}"), "auditor", None)
                .await,
        );
        let (status, user) = self
            .post(
                "/api/v1/users",
                &self.admin_token,
                json!({"name": "Dasbor", "email": format!("dasbor@{DOMAIN}"), "role": "integration"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{user}");
        let integration_id = user["id"].as_str().expect("id").to_owned();
        let (status, issued) = self
            .post(
                &format!("/api/v1/users/{integration_id}/tokens"),
                &self.admin_token,
                json!({"name": "Dasbor"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{issued}");
        let integration = Member {
            id: integration_id,
            token: issued["token"].as_str().expect("token").to_owned(),
        };
        Cast {
            dinkes,
            disdik,
            tier1,
            tier1_colleague,
            tier1_other_pd,
            tier2,
            supervisor,
            auditor,
            integration,
        }
    }

    /// Records a ticket as `token` and returns it.
    pub async fn create_ticket(&self, token: &str, fields: Value) -> Value {
        let (status, ticket) = self.post("/api/v1/tickets", token, incident(fields)).await;
        assert_eq!(status, StatusCode::CREATED, "{ticket}");
        ticket
    }

    /// Moves a ticket by one action and returns it.
    pub async fn act(&self, token: &str, ticket: &Value, action: &str, body: Value) -> Value {
        let id = ticket["id"].as_str().expect("ticket id");
        let (status, moved) = self
            .post(&format!("/api/v1/tickets/{id}/{action}"), token, body)
            .await;
        assert_eq!(status, StatusCode::OK, "{action}: {moved}");
        moved
    }

    /// Moves a ticket by an action whose body is one text: the `resolution` of a resolve, the
    /// `solution` of a return, the `reason` of the others.
    pub async fn act_saying(&self, token: &str, ticket: &Value, action: &str, text: &str) -> Value {
        let field = match action {
            "resolve" => "resolution",
            "return" => "solution",
            _ => "reason",
        };
        self.act(token, ticket, action, json!({ field: text }))
            .await
    }

    /// Each move that takes a field, asked of `ticket` with an empty body, is refused naming it.
    pub async fn assert_moves_need_their_fields(&self, token: &str, ticket: &Value) {
        let id = ticket["id"].as_str().expect("ticket id");
        for (action, field) in [
            ("assign", "assignee_id"),
            ("pend", "reason"),
            ("escalate", "reason"),
            ("resolve", "resolution"),
            ("cancel", "reason"),
        ] {
            let (status, problem) = self
                .post(&format!("/api/v1/tickets/{id}/{action}"), token, json!({}))
                .await;
            assert_eq!(
                (status, &problem["errors"][0]["field"]),
                (StatusCode::UNPROCESSABLE_ENTITY, &json!(field)),
                "{action}: {problem}"
            );
        }
    }

    /// Makes the region default an SLA policy on a new 24×7 calendar (WITA) with the same
    /// `targets` (seconds, and `warn_at_percent` if given) for every priority.
    pub async fn round_the_clock_policy(&self, supervisor: &str, targets: Value) {
        let (status, calendar) = self
            .post(
                "/api/v1/calendars",
                supervisor,
                json!({"name": "24x7", "timezone": "Asia/Makassar", "always_open": true}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{calendar}");
        let every: Vec<Value> = ["critical", "high", "medium", "low"]
            .iter()
            .map(|priority| {
                let mut target = targets.clone();
                target["priority"] = json!(priority);
                target
            })
            .collect();
        let (status, policy) = self
            .post(
                "/api/v1/sla-policies",
                supervisor,
                json!({"name": "24x7", "calendar_id": calendar["id"], "default": true,
                       "targets": every}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{policy}");
    }

    /// How many tickets exist (as the admin sees them, up to 200).
    pub async fn ticket_count(&self) -> usize {
        let (_, page) = self
            .get("/api/v1/tickets?limit=200", &self.admin_token)
            .await;
        page["items"].as_array().map_or(0, Vec::len)
    }
}

/// A valid incident, with `fields` laid over it.
pub fn incident(fields: Value) -> Value {
    let mut ticket = json!({
        "kind": "incident",
        "title": "SIMPEG tidak bisa diakses",
        "description": "Sejak pagi halaman login SIMPEG menampilkan galat 502.",
        "impact": "medium",
        "urgency": "medium",
        "reporter": {"name": "Siti Rahma", "email": format!("siti@{DOMAIN}"), "phone": "+62 812-3456-7890"}
    });
    if let (Some(base), Some(extra)) = (ticket.as_object_mut(), fields.as_object()) {
        for (key, value) in extra {
            base.insert(key.clone(), value.clone());
        }
    }
    ticket
}

/// A desk on a test clock whose mail goes to a real SMTP sink on loopback, with `extra`
/// settings, and its cast. Its SLA engine and mail dispatcher work when the test says (the
/// test knows when the mail is out); see `desk_with_running_sink` for tests of the jobs.
pub async fn desk_with_sink(
    backend: Backend,
    extra: &[(&str, String)],
) -> (TestApp, Cast, smtp::SmtpSink, Arc<ManualClock>) {
    desk_on_sink(backend, extra, Jobs::Driven).await
}

/// The same with the SLA engine and the mail dispatcher running on their own.
pub async fn desk_with_running_sink(
    backend: Backend,
    extra: &[(&str, String)],
) -> (TestApp, Cast, smtp::SmtpSink, Arc<ManualClock>) {
    desk_on_sink(backend, extra, Jobs::Background).await
}

async fn desk_on_sink(
    backend: Backend,
    extra: &[(&str, String)],
    jobs: Jobs,
) -> (TestApp, Cast, smtp::SmtpSink, Arc<ManualClock>) {
    let sink = smtp::SmtpSink::start().await;
    let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
    let mut settings = vec![("SERVICEDESK_SMTP_URL", sink.url())];
    settings.extend(extra.iter().cloned());
    let (app, cast) = template::spawn_cast(backend, Some(clock.clone()), &settings, jobs).await;
    (app, cast, sink, clock)
}
