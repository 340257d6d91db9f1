//! A real server on a free port over a real database, and an HTTP client for it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use actix_web::dev::ServerHandle;
use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
use reqwest::{Client, Method, Response, StatusCode};
use serde_json::{Value, json};
use servicedesk::app::{self, Application, Jobs};
use servicedesk::clock::{Clock, ManualClock, SystemClock};
use servicedesk::config::Config;
use servicedesk::jobs::{Dispatched, JobDriver};

use super::{Backend, DOMAIN, PASSWORD, PRESET, Storage};

/// A running server with a signed-in admin.
pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub admin_token: String,
    pub admin_id: String,
    pub storage: Storage,
    /// The time the server reads.
    pub(super) clock: Arc<dyn Clock>,
    /// The work of the server's SLA engine and mail dispatcher, when the test drives them.
    jobs: Option<JobDriver>,
    /// The test said it leaves mail owed.
    owes_mail: AtomicBool,
    server: ServerHandle,
    served: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl TestApp {
    /// A server on the Tojo Una-Una preset with an admin.
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, Some(PRESET), &format!("admin@{DOMAIN}")).await
    }

    /// A server on `preset` (or none), with an admin created the way `create-admin` does.
    pub async fn spawn_with(backend: Backend, preset: Option<&str>, admin_email: &str) -> Self {
        let storage = Storage::new(backend);
        let config = storage.config(preset);
        Self::launch(storage, &config, Arc::new(SystemClock), admin_email).await
    }

    /// A server on the preset over storage the test has prepared (a file system mounted over
    /// its data directory, say).
    pub async fn spawn_on(storage: Storage) -> Self {
        let config = storage.config(Some(PRESET));
        Self::launch(
            storage,
            &config,
            Arc::new(SystemClock),
            &format!("admin@{DOMAIN}"),
        )
        .await
    }

    /// A server over a database the test has restored, on `clock`: its accounts are the
    /// archive's, and its SLA engine and mail dispatcher work only when the test says.
    pub async fn spawn_restored(storage: Storage, clock: Arc<ManualClock>) -> Self {
        let config = storage.config(None);
        Self::serve(storage, &config, clock, Jobs::Driven).await
    }

    /// A server on the preset whose time moves only when the test moves `clock`.
    pub async fn spawn_on_clock(backend: Backend, clock: Arc<ManualClock>) -> Self {
        Self::spawn_on_clock_with(backend, clock, &[]).await
    }

    /// The same with more settings (`SERVICEDESK_SMTP_URL`, ...).
    pub async fn spawn_on_clock_with(
        backend: Backend,
        clock: Arc<ManualClock>,
        extra: &[(&str, String)],
    ) -> Self {
        let storage = Storage::new(backend);
        let config = storage.config_on_test_clock_with(extra);
        Self::launch(storage, &config, clock, &format!("admin@{DOMAIN}")).await
    }

    pub(super) async fn launch(
        storage: Storage,
        config: &Config,
        clock: Arc<dyn Clock>,
        admin_email: &str,
    ) -> Self {
        Self::launch_with(storage, config, clock, admin_email, Jobs::Background).await
    }

    /// The same, with the jobs running as `jobs` says.
    pub(super) async fn launch_with(
        storage: Storage,
        config: &Config,
        clock: Arc<dyn Clock>,
        admin_email: &str,
        jobs: Jobs,
    ) -> Self {
        let mut app = Self::serve(storage, config, clock, jobs).await;
        let desk = app::prepare(config, Arc::new(SystemClock)).expect("desk");
        let email = admin_email.to_owned();
        let admin =
            tokio::task::spawn_blocking(move || desk.create_admin(&email, "Admin Uji", PASSWORD))
                .await
                .expect("join")
                .expect("admin created");
        app.admin_id = admin.id.to_string();
        app.admin_token = app.login(admin_email, PASSWORD).await;
        app
    }

    /// A server over `storage`, its admin yet to be set.
    pub(super) async fn serve(
        storage: Storage,
        config: &Config,
        clock: Arc<dyn Clock>,
        jobs: Jobs,
    ) -> Self {
        let application =
            Application::build_with(config, clock.clone(), jobs).expect("server builds");
        let base = format!("http://127.0.0.1:{}", application.port());
        let jobs = application.driver();
        let server = application.handle();
        let served = tokio::spawn(application.run_until_stopped());
        Self {
            base,
            client: Client::new(),
            admin_token: String::new(),
            admin_id: String::new(),
            storage,
            clock,
            jobs,
            owes_mail: AtomicBool::new(false),
            server,
            served: Some(served),
        }
    }

    /// Stops the server and waits until it has let go of its database.
    pub(super) async fn stop(&mut self) {
        self.jobs = None;
        self.server.stop(false).await;
        if let Some(served) = self.served.take() {
            let _ = served.await;
        }
    }

    /// Does the SLA engine's work due at the clock's present instant, to completion; returns
    /// how many tickets it handled.
    pub async fn run_due_sla(&self) -> usize {
        let jobs = self.driver().clone();
        tokio::task::spawn_blocking(move || jobs.run_due_sla())
            .await
            .expect("join")
    }

    /// Sends every mail due at the clock's present instant, to completion, and records each
    /// outcome; returns how many were sent and how many failed.
    pub async fn dispatch_mail(&self) -> Dispatched {
        self.driver().dispatch_mail().await
    }

    /// Changes the region's governance settings (`governance` is merged into what is set), as
    /// the cast's admin signed in afresh: the test's clock may have moved past the first
    /// sign-in's hour.
    pub async fn set_governance(&self, governance: Value) {
        let email = format!("admin@{}", super::DOMAIN);
        let admin = self.login(&email, super::PASSWORD).await;
        let (status, mut region) = self.get("/api/v1/region", &admin).await;
        assert_eq!(status, StatusCode::OK, "{region}");
        for (key, value) in governance.as_object().expect("settings") {
            region["governance"][key] = value.clone();
        }
        let body = serde_json::json!({
            "name": region["name"], "timezone": region["timezone"],
            "official_email_domains": region["official_email_domains"],
            "mail_from": region["mail_from"], "governance": region["governance"],
        });
        let (status, region) = self.put("/api/v1/region", &admin, body).await;
        assert_eq!(status, StatusCode::OK, "{region}");
    }

    /// Queues the week's Tier 1 compliance mail if it is due at the clock's present instant;
    /// answers whether it queued one.
    pub async fn send_weekly_mail(&self) -> bool {
        let jobs = self.driver().clone();
        tokio::task::spawn_blocking(move || jobs.send_weekly_mail())
            .await
            .expect("join")
            .expect("the weekly mail")
    }

    /// The test ends with mail owed on purpose: the check when it ends lets it be.
    pub fn expect_owed_mail(&self) {
        self.owes_mail.store(true, Ordering::Relaxed);
    }

    fn driver(&self) -> &JobDriver {
        self.jobs
            .as_ref()
            .expect("a server built with its jobs driven by the test (TestApp::spawn_driven)")
    }

    /// The subjects of the mails queued and not yet sent, failed or dropped.
    pub fn owed_mail(&self) -> Vec<String> {
        use servicedesk::db::schema::notifications;
        let url = servicedesk::db::DatabaseUrl::parse(&self.storage.database_url()).expect("url");
        let mut conn = url.establish().expect("connect");
        notifications::table
            .filter(notifications::status.eq("pending"))
            .select(notifications::subject)
            .load(&mut conn)
            .expect("the outbox")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends a request with an optional bearer token and JSON body.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Response {
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("request sent")
    }

    /// `method` as `token` with `If-Match: etag`, returning status and JSON body.
    pub async fn send_if_match(
        &self,
        method: Method,
        path: &str,
        token: &str,
        etag: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        let request = self.client.request(method, self.url(path));
        let request = request.bearer_auth(token).header("If-Match", etag);
        read(request.json(&body).send().await.expect("request sent")).await
    }

    /// GET as `token`, returning status and JSON body.
    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        read(self.send(Method::GET, path, Some(token), None).await).await
    }

    /// POST as `token`.
    pub async fn post(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        read(self.send(Method::POST, path, Some(token), Some(body)).await).await
    }

    /// PATCH as `token`.
    pub async fn patch(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        read(
            self.send(Method::PATCH, path, Some(token), Some(body))
                .await,
        )
        .await
    }

    /// PUT as `token`.
    pub async fn put(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        read(self.send(Method::PUT, path, Some(token), Some(body)).await).await
    }

    /// The event trail of `ticket` as `token` sees it.
    pub async fn ticket_events(&self, token: &str, ticket: &Value) -> Vec<Value> {
        let id = ticket["id"].as_str().expect("id");
        let (status, events) = self
            .get(&format!("/api/v1/tickets/{id}/events"), token)
            .await;
        assert_eq!(status, StatusCode::OK, "{events}");
        events.as_array().cloned().expect("a list")
    }

    /// How many events of `kind` the trail of `ticket` holds, as `token` sees it.
    pub async fn event_count(&self, token: &str, ticket: &Value, kind: &str) -> usize {
        let events = self.ticket_events(token, ticket).await;
        events.iter().filter(|e| e["type"] == kind).count()
    }

    /// Signs in and returns the access token.
    pub async fn login(&self, email: &str, password: &str) -> String {
        let (status, body) = self.try_login(email, password).await;
        assert_eq!(status, StatusCode::OK, "login of {email}: {body}");
        body["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned()
    }

    pub async fn try_login(&self, email: &str, password: &str) -> (StatusCode, Value) {
        read(
            self.send(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({"email": email, "password": password})),
            )
            .await,
        )
        .await
    }

    /// The id of the preset's Dinas unit.
    pub async fn dinas_id(&self) -> String {
        let (_, units) = self.get("/api/v1/units", &self.admin_token).await;
        units["items"]
            .as_array()
            .and_then(|units| units.iter().find(|u| u["kind"] == "dinas"))
            .and_then(|u| u["id"].as_str())
            .expect("the preset made a Dinas unit")
            .to_owned()
    }

    /// Creates a PD unit and returns its id.
    pub async fn create_pd(&self, code: &str) -> String {
        let (status, unit) = self
            .post(
                "/api/v1/units",
                &self.admin_token,
                json!({"code": code, "name": format!("Unit {code}"), "kind": "pd",
                       "email": format!("{}@{DOMAIN}", code.to_lowercase())}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{unit}");
        unit["id"].as_str().expect("id").to_owned()
    }

    /// Creates a user with the shared password and returns `(id, access token)`.
    pub async fn create_user(
        &self,
        email: &str,
        role: &str,
        unit_id: Option<&str>,
    ) -> (String, String) {
        let (status, user) = self
            .post(
                "/api/v1/users",
                &self.admin_token,
                json!({"name": email, "email": email, "password": PASSWORD, "role": role, "unit_id": unit_id}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{user}");
        let token = self.login(email, PASSWORD).await;
        (user["id"].as_str().expect("id").to_owned(), token)
    }

    /// `token`'s event stream (resumed after `last_event_id`, if any), answered `200`.
    pub async fn event_stream(&self, token: &str, last_event_id: Option<&str>) -> Response {
        let mut request = self
            .client
            .get(self.url("/api/v1/events/stream"))
            .bearer_auth(token);
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id);
        }
        let response = request.send().await.expect("stream");
        assert_eq!(response.status(), StatusCode::OK);
        response
    }

    /// The readiness answer now.
    pub async fn readiness(&self) -> (StatusCode, Value) {
        read(self.send(Method::GET, "/readyz", None, None).await).await
    }

    /// Waits until `/readyz` names `worker` as down (it restarts after a panic), then until
    /// it answers `200` again.
    pub async fn wait_for_restart(&self, worker: &str) {
        let down = |(status, problem): &(StatusCode, Value)| {
            *status == StatusCode::SERVICE_UNAVAILABLE
                && problem["code"] == "not_ready"
                && problem["detail"] == format!("worker down: {worker}")
        };
        let mut last = (StatusCode::OK, Value::Null);
        let mut was_down = false;
        for phase_down in [false, true] {
            for _ in 0..3000 {
                last = self.readiness().await;
                if down(&last) != phase_down {
                    was_down |= !phase_down;
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
        }
        assert!(was_down, "readiness never named {worker} as down: {last:?}");
        assert_eq!(
            last,
            (StatusCode::OK, json!({"status": "ready"})),
            "{worker} restarted"
        );
    }

    /// How many users exist (as the admin sees them).
    pub async fn user_count(&self) -> usize {
        let (_, page) = self.get("/api/v1/users?limit=200", &self.admin_token).await;
        page["items"].as_array().map_or(0, Vec::len)
    }
}

/// Status and JSON body (`Null` when the body is empty).
pub async fn read(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.expect("body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, body)
}

/// A test that drives the mail ends with none owed, unless it said so: mail it forgot is a
/// test that checks less than it seems to.
impl Drop for TestApp {
    fn drop(&mut self) {
        if self.jobs.is_none() || self.owes_mail.load(Ordering::Relaxed) || std::thread::panicking()
        {
            return;
        }
        let owed = self.owed_mail();
        assert!(
            owed.is_empty(),
            "the test ends with mail owed; send it (app.dispatch_mail()) and check it, or say \
             app.expect_owed_mail(): {owed:?}"
        );
    }
}
