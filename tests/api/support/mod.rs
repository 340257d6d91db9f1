//! Shared setup: a real server on a free port over a real database, and an HTTP client.

pub mod faulty_fs;
pub mod logged;
pub mod smtp;

use std::collections::HashMap;
use std::sync::Arc;

use diesel::{Connection, RunQueryDsl};
use reqwest::{Client, Method, Response, StatusCode};
use serde_json::{Value, json};
use servicedesk::app::{self, Application};
use servicedesk::clock::{Clock, ManualClock, SystemClock};
use servicedesk::config::Config;

/// The secret every test server signs with, so that tests can forge tokens on purpose.
pub const JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123";
/// The password of every account the tests make.
pub const PASSWORD: &str = "kata-sandi-uji-123";
/// The ten actions of the contract's action table, by their fixed names.
pub const ACTIONS: [&str; 10] = [
    "acknowledge",
    "assign",
    "pend",
    "resume",
    "escalate",
    "return",
    "resolve",
    "reopen",
    "close",
    "cancel",
];
/// The preset most tests run on.
pub const PRESET: &str = "tojo-una-una";
/// Its official domain.
pub const DOMAIN: &str = "tojounaunakab.go.id";

/// What a command printed, its standard output then its errors.
pub fn said(output: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Runs the `servicedesk` binary on `storage` as an operator would, with `stdin` as its input.
pub fn run_cli(
    storage: &Storage,
    preset: Option<&str>,
    args: &[&str],
    stdin: &str,
) -> std::process::Output {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_servicedesk"))
        .args(args)
        .env_clear()
        .envs(storage.env(preset))
        .env("SERVICEDESK_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("binary exits")
}

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Declares each listed `async fn name(Backend)` as two tests, `name::sqlite` and
/// `name::postgres`.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::support::Backend::Sqlite).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::support::Backend::Postgres).await
            }
        }
    )+};
}

/// A throwaway PostgreSQL database, dropped when the test ends.
pub struct PgDatabase {
    admin_url: String,
    name: String,
    pub url: String,
}

impl PgDatabase {
    /// Creates an empty database on the test server (`SERVICEDESK_TEST_POSTGRES_URL`, else the
    /// local one on 127.0.0.1:5432). No PostgreSQL is a failure, never a skip. Loopback needs
    /// no TLS, and libpq's TLS teardown at process exit can crash a test whose server threads
    /// still hold connections.
    pub fn create() -> Self {
        let admin_url = std::env::var("SERVICEDESK_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/postgres?sslmode=disable".into());
        let name = format!("sdtest_{}", uuid::Uuid::now_v7().simple());
        let mut admin = diesel::PgConnection::establish(&admin_url).unwrap_or_else(|e| {
            panic!("PostgreSQL is needed for the tests ({admin_url}): {e}; run scripts/test.sh")
        });
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .expect("create test database");
        let url = with_database(&admin_url, &name);
        Self {
            admin_url,
            name,
            url,
        }
    }
}

impl PgDatabase {
    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Runs `sql` as the administrator, connected to the maintenance database.
    pub fn admin_execute(&self, sql: &str) {
        let mut admin = diesel::PgConnection::establish(&self.admin_url).expect("admin connects");
        diesel::sql_query(sql)
            .execute(&mut admin)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        if let Ok(mut admin) = diesel::PgConnection::establish(&self.admin_url) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut admin);
        }
    }
}

fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

/// Where a test's data lives; kept alive as long as the server runs.
pub struct Storage {
    /// A file system mounted over `dir`; first, so that it is unmounted before `dir` goes.
    pub mounted: Option<faulty_fs::Mounted>,
    pub dir: tempfile::TempDir,
    pub pg: Option<PgDatabase>,
}

impl Storage {
    pub fn new(backend: Backend) -> Self {
        Self {
            mounted: None,
            dir: tempfile::tempdir().expect("temp dir"),
            pg: (backend == Backend::Postgres).then(PgDatabase::create),
        }
    }

    /// The `SERVICEDESK_DATABASE_URL` of this storage.
    pub fn database_url(&self) -> String {
        match &self.pg {
            Some(pg) => pg.url.clone(),
            None => format!("sqlite://{}/servicedesk.db", self.dir.path().display()),
        }
    }

    /// The environment a server on this storage gets.
    pub fn env(&self, preset: Option<&str>) -> HashMap<String, String> {
        let mut vars = HashMap::from([
            (
                "SERVICEDESK_DATA_DIR".to_owned(),
                self.dir.path().display().to_string(),
            ),
            ("SERVICEDESK_DATABASE_URL".to_owned(), self.database_url()),
            ("SERVICEDESK_BIND".to_owned(), "127.0.0.1:0".to_owned()),
            ("SERVICEDESK_JWT_SECRET".to_owned(), JWT_SECRET.to_owned()),
        ]);
        if let Some(preset) = preset {
            vars.insert("SERVICEDESK_REGION_PRESET".into(), preset.into());
        }
        vars
    }

    pub fn config(&self, preset: Option<&str>) -> Config {
        let vars = self.env(preset);
        Config::from_lookup(|name| vars.get(name).cloned()).expect("test config")
    }

    /// The configuration of a server whose time is set by the test: the SLA engine looks at
    /// the clock every 20 ms.
    pub fn config_on_test_clock(&self) -> Config {
        self.config_on_test_clock_with(&[])
    }

    /// The same with more settings.
    pub fn config_on_test_clock_with(&self, extra: &[(&str, String)]) -> Config {
        let mut vars = self.env(Some(PRESET));
        vars.insert("SERVICEDESK_SLA_TICK_MS".into(), "20".into());
        for (name, value) in extra {
            vars.insert((*name).to_owned(), value.clone());
        }
        Config::from_lookup(|name| vars.get(name).cloned()).expect("test config")
    }
}

/// A running server with a signed-in admin.
pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub admin_token: String,
    pub admin_id: String,
    pub storage: Storage,
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

    async fn launch(
        storage: Storage,
        config: &Config,
        clock: Arc<dyn Clock>,
        admin_email: &str,
    ) -> Self {
        let application = Application::build(config, clock).expect("server builds");
        let base = format!("http://127.0.0.1:{}", application.port());
        tokio::spawn(application.run_until_stopped());
        let desk = app::prepare(config, Arc::new(SystemClock)).expect("desk");
        let email = admin_email.to_owned();
        let admin =
            tokio::task::spawn_blocking(move || desk.create_admin(&email, "Admin Uji", PASSWORD))
                .await
                .expect("join")
                .expect("admin created");
        let mut app = Self {
            base,
            client: Client::new(),
            admin_token: String::new(),
            admin_id: admin.id,
            storage,
        };
        app.admin_token = app.login(admin_email, PASSWORD).await;
        app
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

#[test]
fn database_is_swapped_in_the_url() {
    assert_eq!(
        with_database("postgres://root@127.0.0.1:5432/postgres", "x"),
        "postgres://root@127.0.0.1:5432/x"
    );
    assert_eq!(
        with_database("postgres://u:p@h/db?sslmode=disable", "x"),
        "postgres://u:p@h/x?sslmode=disable"
    );
    assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
}

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
    /// Sets up the cast.
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
/// settings, and its cast.
pub async fn desk_with_sink(
    backend: Backend,
    extra: &[(&str, String)],
) -> (TestApp, Cast, smtp::SmtpSink, Arc<ManualClock>) {
    let sink = smtp::SmtpSink::start().await;
    let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
    let mut settings = vec![("SERVICEDESK_SMTP_URL", sink.url())];
    settings.extend(extra.iter().cloned());
    let app = TestApp::spawn_on_clock_with(backend, clock.clone(), &settings).await;
    let cast = app.cast().await;
    (app, cast, sink, clock)
}
